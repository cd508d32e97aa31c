"""Create skill sets from fittings: the ship and the skills its modules need.

Required skills come from the dogma attributes of each type: requiredSkill1..6 name the skills
(attributes 182, 183, 184, 1285, 1289, 1290), requiredSkill1Level..6Level their levels (277,
278, 279, 1286, 1287, 1288). The skills needed to train those skills are added too; the
highest level asked for a skill wins.

Types the database does not know yet (``memberaudit_load_eve`` loads only skills and ships) are
looked up on ESI by name and loaded with their dogma attributes, as are known types and skills
that were loaded without them. A type that has no dogma attributes even on ESI makes the import
fail: its required skills cannot be known, and a skill set without them would look complete.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from eveuniverse.models import EveType, EveTypeDogmaAttribute

from .eft import EftFitting, parse_eft
from .esi_gateway import EsiGateway
from .models import SkillSet, SkillSetSkill
from .models.skill_sets import MAX_LEVEL, MIN_LEVEL

logger = logging.getLogger(__name__)

# Attribute naming a required skill -> attribute with its level (primary to senary).
REQUIRED_SKILL_ATTRIBUTES = {182: 277, 183: 278, 184: 279, 1285: 1286, 1289: 1287, 1290: 1288}
MAX_PREREQUISITE_DEPTH = 10
ESI_MAX_NAMES_PER_REQUEST = 500  # the limit of POST /universe/ids


class SkillSetImportError(ValueError):
    """The fitting cannot become a skill set; the message is meant for humans."""


def resolve_type_names(names: Iterable[str]) -> tuple[dict[str, EveType], list[str]]:
    """EveTypes in the database by name (ignoring case; published types win) and the names
    not found."""
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


def find_type_ids_on_esi(names: Iterable[str]) -> dict[str, list[int]]:
    """Type ids of the given names from ESI (``POST /universe/ids``), by lower-case name.

    ESI leaves out names it does not know, and names of other things (characters, systems).
    Asked through the gateway, which never caches a POST (django-esi's cache key ignores its
    body) and keeps to ESI's error limit.
    """
    gateway = EsiGateway(section="skill_sets")
    names = sorted(set(names))
    found: dict[str, list[int]] = defaultdict(list)
    for start in range(0, len(names), ESI_MAX_NAMES_PER_REQUEST):
        chunk = names[start : start + ESI_MAX_NAMES_PER_REQUEST]
        answer = gateway.post("PostUniverseIds", body=chunk, public=True)
        data = answer.model_dump() if hasattr(answer, "model_dump") else dict(answer or {})
        for item in data.get("inventory_types") or []:
            found[item["name"].casefold()].append(int(item["id"]))
    return dict(found)


def required_skills(type_ids: Iterable[int]) -> dict[int, int]:
    """The skills the given types need, with their prerequisites: skill type id -> level.

    Reads the dogma attributes stored in the database only; skills without stored attributes
    end the search for prerequisites there.
    """
    levels: dict[int, int] = {}
    pending, seen = set(type_ids), set()
    attribute_ids = [*REQUIRED_SKILL_ATTRIBUTES, *REQUIRED_SKILL_ATTRIBUTES.values()]
    for _depth in range(MAX_PREREQUISITE_DEPTH):
        pending -= seen
        if not pending:
            break
        seen |= pending
        attributes = defaultdict(dict)
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

    Raises :class:`SkillSetImportError` (nothing created) when the fitting cannot be read, the
    skill set name is taken, ESI does not know some items or has no dogma data for them, or
    ESI cannot be reached.
    """
    try:
        fitting = parse_eft(text)
    except ValueError as exc:
        raise SkillSetImportError(str(exc)) from exc
    name = (name or fitting.name or fitting.ship_type_name).strip()
    if SkillSet.objects.filter(name__iexact=name).exists():
        raise SkillSetImportError(_("A skill set named %(name)s exists already.") % {"name": name})
    types = _resolve_types(fitting.type_names())
    _ensure_dogma(types)
    return _create(fitting, types, name, description)


def _resolve_types(names: list[str]) -> dict[str, EveType]:
    """Every name of the fitting as an EveType, from the database or else from ESI."""
    types, unknown = resolve_type_names(names)
    if unknown:
        with _loading_from_esi(_("items")):
            type_ids = find_type_ids_on_esi(unknown)
            found_ids = {i for name in unknown for i in type_ids.get(name.casefold(), [])}
            if found_ids:
                _load_with_dogma(found_ids)
        found, unknown = resolve_type_names(unknown)
        types.update(found)
    if unknown:
        raise SkillSetImportError(
            _("Unknown items, nothing was created: %(names)s") % {"names": ", ".join(unknown)}
        )
    return types


def _ensure_dogma(types: dict[str, EveType]) -> None:
    """Load the dogma attributes of types stored without them; refuse types that have none."""
    lacking = _without_dogma(eve_type.id for eve_type in types.values())
    if lacking:
        with _loading_from_esi(_("items")):
            _load_with_dogma(lacking)
        lacking = _without_dogma(lacking)
    if lacking:
        names = [name for name, eve_type in types.items() if eve_type.id in lacking]
        raise SkillSetImportError(
            _(
                "ESI has no dogma data for these items, so their required skills are unknown; "
                "nothing was created: %(names)s"
            )
            % {"names": ", ".join(names)}
        )


def _required_skills_loading_missing(type_ids: set[int]) -> dict[int, int]:
    """:func:`required_skills`, loading from ESI the skills not stored with their dogma."""
    levels = required_skills(type_ids)
    for _depth in range(MAX_PREREQUISITE_DEPTH):
        lacking = _without_dogma(levels)
        if not lacking:
            return levels
        with _loading_from_esi(_("required skills")):
            _load_with_dogma(lacking)
        still_lacking = _without_dogma(lacking)
        if still_lacking:
            raise SkillSetImportError(
                _(
                    "ESI has no dogma data for these required skills, so their prerequisites "
                    "are unknown; nothing was created: %(names)s"
                )
                % {"names": ", ".join(_type_names(still_lacking))}
            )
        levels = required_skills(type_ids)
    raise SkillSetImportError(
        _("The required skills need more than %(depth)d levels of prerequisites.")
        % {"depth": MAX_PREREQUISITE_DEPTH}
    )


def _type_names(type_ids: Iterable[int]) -> list[str]:
    """Names of the types, or their ids where the name is not known."""
    names = dict(EveType.objects.filter(id__in=type_ids).values_list("id", "name"))
    return [names.get(type_id, str(type_id)) for type_id in sorted(type_ids)]


def _without_dogma(type_ids: Iterable[int]) -> set[int]:
    """The ids among ``type_ids`` without any stored dogma attribute (or not stored at all)."""
    type_ids = set(type_ids)
    with_dogma = set(
        EveTypeDogmaAttribute.objects.filter(eve_type_id__in=type_ids)
        .values_list("eve_type_id", flat=True)
        .distinct()
    )
    return type_ids - with_dogma


def _load_with_dogma(type_ids: Iterable[int]) -> None:
    """Load types from ESI with their dogma, unless eveuniverse has done so already."""
    EveType.objects.bulk_get_or_create_esi(
        ids=sorted(type_ids), enabled_sections=[EveType.Section.DOGMAS]
    )


@contextmanager
def _loading_from_esi(what: str):
    """Turn any failure of ESI into a :class:`SkillSetImportError` that says what failed."""
    try:
        yield
    except Exception as exc:  # eveuniverse raises whatever its ESI client raises
        logger.warning("EFT import: could not load %s from ESI", what, exc_info=True)
        raise SkillSetImportError(
            _("Could not load %(what)s from ESI (%(error)s), nothing was created. Try again later.")
            % {"what": what, "error": type(exc).__name__}
        ) from exc


def _create(fitting: EftFitting, types: dict[str, EveType], name, description) -> SkillSet:
    levels = _required_skills_loading_missing({eve_type.id for eve_type in types.values()})
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
