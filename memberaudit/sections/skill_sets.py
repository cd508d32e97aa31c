"""Skill sets: how a character measures up to each active skill set.

This section needs no ESI: its "fetch" reads the character's skills and the skill set
definitions from the database and digests them, so the engine stores (rechecks) only when
either changed. The skills section runs it right after new skills were stored, so its status
row tells when the checks of a character were last brought up to date.
"""

import hashlib

from django.db.models import BooleanField, Value
from django.utils.translation import gettext_lazy as _

from ..models import CharacterSkill, CharacterSkillSetCheck, SkillSetGroup, SkillSetSkill
from ..skill_set_checks import update_checks_for_characters
from .base import NavGroup, Section, ViewerTab, registry


def fetch(character, gateway) -> dict:
    """A digest of what the checks depend on: the character's skills and the skill sets."""
    skills = CharacterSkill.objects.filter(character=character).order_by("eve_type_id")
    definitions = SkillSetSkill.objects.filter(skill_set__is_active=True).order_by("pk")
    digest = hashlib.md5(usedforsecurity=False)
    for row in skills.values_list("eve_type_id", "active_skill_level"):
        digest.update(f"s{row[0]}:{row[1]};".encode())
    for row in definitions.values_list(
        "pk", "skill_set_id", "eve_type_id", "required_level", "recommended_level"
    ):
        digest.update(("d" + ":".join(map(str, row)) + ";").encode())
    return {"digest": digest.hexdigest()}


def store(character, data) -> bool:
    update_checks_for_characters([character.pk])
    return True


def skill_sets_tab(character) -> dict:
    """Each active group with the visible skill sets it holds and how the character does.

    Skill sets outside any active group come last, in a group of their own. Four queries,
    each loading only what the tab shows: the checks with their skill sets, the failed
    skills of both kinds (names and levels), the character's levels, the active groups.
    """
    checks = {
        check.skill_set_id: check
        for check in CharacterSkillSetCheck.objects.filter(
            character=character, skill_set__is_active=True, skill_set__is_visible=True
        )
        .select_related("skill_set")
        .only("skill_set__name", "skill_set__description")
    }
    failed = _failed_skills([check.pk for check in checks.values()])
    levels = {
        type_id: (active, trained)
        for type_id, active, trained in CharacterSkill.objects.filter(
            character=character
        ).values_list("eve_type_id", "active_skill_level", "trained_skill_level")
    }
    results = {
        pk: _skill_set_result(check, failed.get(check.pk, []), levels)
        for pk, check in checks.items()
    }
    groups, grouped = [], {}
    for group_pk, name, is_doctrine, skill_set_pk in (
        SkillSetGroup.skill_sets.through.objects.filter(skillsetgroup__is_active=True)
        .order_by("skillsetgroup__name", "skillsetgroup_id")
        .values_list(
            "skillsetgroup_id", "skillsetgroup__name", "skillsetgroup__is_doctrine", "skillset_id"
        )
    ):
        if group_pk not in grouped:
            grouped[group_pk] = {
                "name": name,
                "group": {"pk": group_pk, "is_doctrine": is_doctrine},
                "skill_sets": [],
            }
            groups.append(grouped[group_pk])
        if skill_set_pk in results:
            grouped[group_pk]["skill_sets"].append(results[skill_set_pk])
    groups = [
        {**group, "skill_sets": _sorted(group["skill_sets"])}
        for group in groups
        if group["skill_sets"]
    ]
    in_groups = {entry["skill_set"].pk for group in groups for entry in group["skill_sets"]}
    others = [entry for pk, entry in results.items() if pk not in in_groups]
    if others:
        groups.append({"name": _("Other skill sets"), "group": None, "skill_sets": _sorted(others)})
    return {"groups": groups}


def _failed_skills(check_pks: list[int]) -> dict[int, list[dict]]:
    """The failed skills of each check (by its pk), required and recommended, in one query:
    only each skill's name and levels, not its EVE type."""
    columns = (
        "characterskillsetcheck_id",
        "skillsetskill_id",
        "skillsetskill__eve_type_id",
        "skillsetskill__eve_type__name",
        "skillsetskill__required_level",
        "skillsetskill__recommended_level",
    )
    required = CharacterSkillSetCheck.failed_required_skills.through.objects.filter(
        characterskillsetcheck_id__in=check_pks
    ).annotate(fails_required=Value(True, output_field=BooleanField()))
    recommended = CharacterSkillSetCheck.failed_recommended_skills.through.objects.filter(
        characterskillsetcheck_id__in=check_pks
    ).annotate(fails_required=Value(False, output_field=BooleanField()))
    failed: dict[int, list[dict]] = {}
    rows = required.values_list(*columns, "fails_required").union(
        recommended.values_list(*columns, "fails_required"), all=True
    )
    for check_pk, pk, type_id, name, required_level, recommended_level, fails in rows:
        failed.setdefault(check_pk, []).append(
            {
                "pk": pk,
                "eve_type_id": type_id,
                "name": name,
                "required_level": required_level,
                "recommended_level": recommended_level,
                "fails_required": bool(fails),
            }
        )
    return failed


def skill_queue_text(missing: list[dict], target: str) -> str:
    """Lines for EVE's skill plan import: one level per line, "Skill name level", in order.

    ``target`` is ``"required_level"`` (each skill up to its required level) or
    ``"recommended_level"`` (each skill up to the highest level asked for: the recommended
    level, or the required level of a skill without one). Levels are arabic numerals.
    """
    lines = []
    for skill in missing:
        target_level = _target_level(skill, target)
        for level in range(skill["trained_level"] + 1, target_level + 1):
            lines.append(f"{skill['name']} {level}")
    return "\n".join(lines)


def _target_level(skill: dict, target: str) -> int:
    if target not in ("required_level", "recommended_level"):
        raise ValueError(f"Unknown target: {target}")
    if target == "required_level":
        return skill.get("required_level") or 0
    return max(skill.get("required_level") or 0, skill.get("recommended_level") or 0)


def _skill_set_result(check, failed: list[dict], levels: dict) -> dict:
    failed_required = {skill["pk"] for skill in failed if skill["fails_required"]}
    missing_by_pk = {}
    for skill in failed:
        active, trained = levels.get(skill["eve_type_id"], (0, 0))
        missing_by_pk[skill["pk"]] = {
            "name": skill["name"],
            "active_level": active,
            "trained_level": trained,
            "required_level": skill["required_level"],
            "recommended_level": skill["recommended_level"],
            "fails_required": skill["pk"] in failed_required,
        }
    missing = sorted(missing_by_pk.values(), key=lambda skill: skill["name"])
    required_missing = [skill for skill in missing if skill["fails_required"]]
    return {
        "skill_set": check.skill_set,
        "can_fly": not failed_required,
        "is_met": not missing,
        "missing": missing,
        "required_text": skill_queue_text(required_missing, "required_level"),
        "recommended_text": skill_queue_text(missing, "recommended_level"),
    }


def _sorted(entries: list[dict]) -> list[dict]:
    return sorted(entries, key=lambda entry: entry["skill_set"].name.casefold())


registry.register(
    Section(
        name="skill_sets",
        stored=("skill_set_checks",),
        title=_("skill sets"),
        ring=2,
        fetch=fetch,
        store=store,
        needs_token=False,
        tab=ViewerTab(
            group=NavGroup.SKILLS,
            template="memberaudit/tabs/skill_sets.html",
            context=skill_sets_tab,
        ),
    )
)
