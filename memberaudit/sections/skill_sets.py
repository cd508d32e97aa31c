"""Skill sets: how a character measures up to each active skill set.

This section needs no ESI: its "fetch" reads the character's skills and the skill set
definitions from the database and digests them, so the engine stores (rechecks) only when
either changed. The skills section runs it right after new skills were stored, so its status
row tells when the checks of a character were last brought up to date.
"""

import hashlib

from django.db.models import Prefetch
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

    Skill sets outside any active group come last, in a group of their own. Costs a constant
    number of queries.
    """
    failed = SkillSetSkill.objects.select_related("eve_type").order_by("eve_type__name")
    checks = {
        check.skill_set_id: check
        for check in CharacterSkillSetCheck.objects.filter(
            character=character, skill_set__is_active=True, skill_set__is_visible=True
        )
        .select_related("skill_set")
        .prefetch_related(
            Prefetch("failed_required_skills", queryset=failed),
            Prefetch("failed_recommended_skills", queryset=failed),
        )
    }
    levels = {
        type_id: (active, trained)
        for type_id, active, trained in CharacterSkill.objects.filter(
            character=character
        ).values_list("eve_type_id", "active_skill_level", "trained_skill_level")
    }
    results = {pk: _skill_set_result(check, levels) for pk, check in checks.items()}
    groups, grouped = [], set()
    for group in SkillSetGroup.objects.filter(is_active=True).prefetch_related("skill_sets"):
        entries = [results[s.pk] for s in group.skill_sets.all() if s.pk in results]
        grouped |= {entry["skill_set"].pk for entry in entries}
        if entries:
            groups.append({"name": group.name, "group": group, "skill_sets": _sorted(entries)})
    others = [entry for pk, entry in results.items() if pk not in grouped]
    if others:
        groups.append({"name": _("Other skill sets"), "group": None, "skill_sets": _sorted(others)})
    return {"groups": groups}


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


def _skill_set_result(check, levels: dict) -> dict:
    failed_required = {skill.pk for skill in check.failed_required_skills.all()}
    missing_by_pk = {}
    for skill in [*check.failed_required_skills.all(), *check.failed_recommended_skills.all()]:
        active, trained = levels.get(skill.eve_type_id, (0, 0))
        missing_by_pk[skill.pk] = {
            "name": skill.eve_type.name,
            "active_level": active,
            "trained_level": trained,
            "required_level": skill.required_level,
            "recommended_level": skill.recommended_level,
            "fails_required": skill.pk in failed_required,
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
