"""Skills: every skill of a character with its levels and skill points, plus SP totals."""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveType

from .. import app_settings, change_events, selectors
from ..esi_gateway import EsiError
from ..eve_types import load_eve_types
from ..models import CharacterSkill, CharacterSkillpoints, CharacterSkillpointsRecord
from .base import NavGroup, Section, ViewerTab, registry

SKILL_FIELDS = ("active_skill_level", "trained_skill_level", "skillpoints_in_skill")


def ensure_skill_types(type_ids: Iterable[int], gateway=None) -> None:
    """Make sure every skill type exists in eveuniverse, loading missing ones from ESI (in
    bulk through ``gateway`` when given).

    Costs one query when all types are known already.
    """
    type_ids = set(type_ids)
    if not type_ids:
        return
    try:
        if gateway is None:
            EveType.objects.bulk_get_or_create_esi(ids=type_ids)
        else:
            load_eve_types(type_ids, gateway)
    except Exception as exc:  # eveuniverse raises whatever its ESI client raises
        raise EsiError(
            _("Could not load skill types from ESI: %(error_type)s: %(error)s")
            % {"error_type": type(exc).__name__, "error": exc}
        ) from exc


def _as_int(value, default: int | None = 0) -> int | None:
    return default if value is None else int(value)


def fetch(character, gateway) -> dict:
    data = gateway.get("GetCharactersCharacterIdSkills", character_id=character.character_id)
    skills_by_id = {}
    for skill in data.get("skills") or []:
        if skill.get("skill_id") is None:
            continue
        skills_by_id[int(skill["skill_id"])] = {
            "skill_id": int(skill["skill_id"]),
            **{name: _as_int(skill.get(name)) for name in SKILL_FIELDS},
        }
    skills = [skills_by_id[skill_id] for skill_id in sorted(skills_by_id)]
    total_sp = data.get("total_sp")
    if total_sp is None:
        total_sp = sum(skill["skillpoints_in_skill"] for skill in skills)
    ensure_skill_types(skills_by_id.keys(), gateway)
    return {
        "skills": skills,
        "total_sp": int(total_sp),
        "unallocated_sp": _as_int(data.get("unallocated_sp"), None),
    }


def store(character, data) -> bool:
    """Write only the skills that changed, and the SP totals if they changed."""
    incoming = {int(skill["skill_id"]): skill for skill in data["skills"]}
    ensure_skill_types(incoming.keys())
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    existing = {
        skill.eve_type_id: skill
        for skill in CharacterSkill.objects.filter(character=character).only(
            "pk", "eve_type_id", *SKILL_FIELDS
        )
    }
    to_create, to_update = [], []
    for skill_id, skill in incoming.items():
        values = {name: int(skill[name]) for name in SKILL_FIELDS}
        obj = existing.get(skill_id)
        if obj is None:
            to_create.append(CharacterSkill(character=character, eve_type_id=skill_id, **values))
        elif any(getattr(obj, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(obj, name, value)
            to_update.append(obj)
    removed_pks = [obj.pk for skill_id, obj in existing.items() if skill_id not in incoming]
    for start in range(0, len(removed_pks), batch_size):
        CharacterSkill.objects.filter(pk__in=removed_pks[start : start + batch_size]).delete()
    if to_update:
        CharacterSkill.objects.bulk_update(to_update, SKILL_FIELDS, batch_size=batch_size)
    if to_create:
        CharacterSkill.objects.bulk_create(to_create, batch_size=batch_size)
    points_changed = _store_skillpoints(character, data["total_sp"], data.get("unallocated_sp"))
    return bool(to_create or to_update or removed_pks or points_changed)


def _store_skillpoints(character, total, unallocated) -> bool:
    total = int(total)
    unallocated = None if unallocated is None else int(unallocated)
    current = CharacterSkillpoints.objects.filter(character=character).first()
    if current is None:
        CharacterSkillpoints.objects.create(
            character=character, total=total, unallocated=unallocated
        )
        return True
    if (current.total, current.unallocated) == (total, unallocated):
        return False
    CharacterSkillpoints.objects.filter(character=character).update(
        total=total, unallocated=unallocated
    )
    old = {"total": current.total, "unallocated": current.unallocated}
    current.total, current.unallocated = total, unallocated
    change_events.report(changed=[(current, old)])
    return True


def after_store(character, changed: bool) -> None:
    """Record the new total for the history chart and recheck the skill sets at once when
    the character's skills changed."""
    if changed:
        record_skillpoints(character)
        from ..updater import update_section  # the engine imports every section

        update_section(character, "skill_sets")


def record_skillpoints(character) -> None:
    """Add the current total to the skill points history, unless it is the last one again."""
    total = (
        CharacterSkillpoints.objects.filter(character=character)
        .values_list("total", flat=True)
        .first()
    )
    last = character.skillpoints_records.order_by("-recorded_at").values_list("total", flat=True)
    if total is not None and last.first() != total:
        CharacterSkillpointsRecord.objects.create(character=character, total=total)


registry.register(
    Section(
        name="skills",
        stored=("skills", "skillpoints"),
        title=_("skills"),
        ring=2,
        scopes=("esi-skills.read_skills.v1",),
        operations=("GetCharactersCharacterIdSkills",),
        fetch=fetch,
        store=store,
        after_store=after_store,
        events=change_events.skills,
        tab=ViewerTab(
            group=NavGroup.SKILLS,
            template="memberaudit/tabs/skills.html",
            context=selectors.skills_tab,
        ),
    )
)
