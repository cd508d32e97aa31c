"""Create skill sets from fittings: the ship and the skills its modules need.

Required skills come from the dogma attributes of each type: requiredSkill1..3 (182, 183, 184)
name the skills, requiredSkill1Level..3Level (277, 278, 279) their levels. The skills needed to
train those skills are added too, as far as their dogma data is known; the highest level asked
for a skill wins.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from eveuniverse.models import EveType, EveTypeDogmaAttribute

from .eft import EftFitting, parse_eft
from .models import SkillSet, SkillSetSkill
from .models.skill_sets import MAX_LEVEL, MIN_LEVEL

REQUIRED_SKILL_ATTRIBUTES = {182: 277, 183: 278, 184: 279}  # skill type id -> its level
MAX_PREREQUISITE_DEPTH = 10


class SkillSetImportError(ValueError):
    """The fitting cannot become a skill set; the message is meant for humans."""


def resolve_type_names(names: Iterable[str]) -> tuple[dict[str, EveType], list[str]]:
    """EveTypes by name (ignoring case; published types win) and the names not found."""
    names = list(dict.fromkeys(names))
    if not names:
        return {}, []
    condition = Q()
    for name in names:
        condition |= Q(name__iexact=name)
    candidates = defaultdict(list)
    for eve_type in EveType.objects.filter(condition).order_by("-published", "id"):
        candidates[eve_type.name.casefold()].append(eve_type)
    found, unknown = {}, []
    for name in names:
        matches = candidates.get(name.casefold())
        if matches:
            found[name] = matches[0]
        else:
            unknown.append(name)
    return found, unknown


def required_skills(type_ids: Iterable[int]) -> dict[int, int]:
    """The skills the given types need, with their prerequisites: skill type id -> level."""
    levels: dict[int, int] = {}
    pending, seen = set(type_ids), set()
    for _depth in range(MAX_PREREQUISITE_DEPTH):
        pending -= seen
        if not pending:
            break
        seen |= pending
        attributes = defaultdict(dict)
        attribute_ids = [*REQUIRED_SKILL_ATTRIBUTES, *REQUIRED_SKILL_ATTRIBUTES.values()]
        for type_id, attribute_id, value in EveTypeDogmaAttribute.objects.filter(
            eve_type_id__in=pending, eve_dogma_attribute_id__in=attribute_ids
        ).values_list("eve_type_id", "eve_dogma_attribute_id", "value"):
            attributes[type_id][attribute_id] = value
        pending = set()
        for values in attributes.values():
            for skill_attribute, level_attribute in REQUIRED_SKILL_ATTRIBUTES.items():
                skill_id = values.get(skill_attribute)
                if not skill_id:
                    continue
                level = int(values.get(level_attribute) or MIN_LEVEL)
                level = min(max(level, MIN_LEVEL), MAX_LEVEL)
                skill_id = int(skill_id)
                levels[skill_id] = max(levels.get(skill_id, 0), level)
                pending.add(skill_id)
    return levels


def create_skill_set_from_eft(text: str, name: str = "", description: str = "") -> SkillSet:
    """Create a skill set from a fitting in EFT format: its ship and required skills.

    Raises :class:`SkillSetImportError` (nothing created) when the fitting cannot be read,
    names unknown types, or the skill set name is taken.
    """
    try:
        fitting = parse_eft(text)
    except ValueError as exc:
        raise SkillSetImportError(str(exc)) from exc
    types, unknown = resolve_type_names(fitting.type_names())
    if unknown:
        raise SkillSetImportError(
            _("Unknown items, nothing was created: %(names)s") % {"names": ", ".join(unknown)}
        )
    name = (name or fitting.name or fitting.ship_type_name).strip()
    if SkillSet.objects.filter(name__iexact=name).exists():
        raise SkillSetImportError(_("A skill set named %(name)s exists already.") % {"name": name})
    return _create(fitting, types, name, description)


def _ensure_skill_types(skill_ids: Iterable[int]) -> None:
    skill_ids = set(skill_ids)
    known = set(EveType.objects.filter(id__in=skill_ids).values_list("id", flat=True))
    missing = sorted(skill_ids - known)
    if not missing:
        return
    try:
        EveType.objects.bulk_get_or_create_esi(ids=missing)
    except Exception as exc:  # eveuniverse raises whatever its ESI client raises
        raise SkillSetImportError(
            _("Could not load these required skills, nothing was created: %(ids)s")
            % {"ids": ", ".join(map(str, missing))}
        ) from exc


def _create(fitting: EftFitting, types: dict[str, EveType], name, description) -> SkillSet:
    levels = required_skills(eve_type.id for eve_type in types.values())
    _ensure_skill_types(levels)
    with transaction.atomic():
        skill_set = SkillSet.objects.create(
            name=name, description=description, ship_type=types[fitting.ship_type_name]
        )
        SkillSetSkill.objects.bulk_create(
            [
                SkillSetSkill(skill_set=skill_set, eve_type_id=skill_id, required_level=level)
                for skill_id, level in sorted(levels.items())
            ]
        )
    return skill_set
