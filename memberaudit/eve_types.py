"""EVE item types and solar systems that sections need, loaded into eveuniverse in bulk.

eveuniverse loads a missing type, then its group and its category, one request at a time,
each with an HTTP client of its own (a solar system: its constellation, then its region).
Here the missing types are asked for together through the gateway (a few requests in flight
on reused connections), then their missing groups, then their missing categories; eveuniverse
builds its rows from django-esi's cache of these answers without requests of its own.
Anything not answered here is left to eveuniverse, which asks ESI itself and fails as before.
"""

from collections.abc import Iterable

from eveuniverse.models import (
    EveCategory,
    EveConstellation,
    EveGroup,
    EveRegion,
    EveSolarSystem,
    EveType,
)

TYPE = "GetUniverseTypesTypeId"
GROUP = "GetUniverseGroupsGroupId"
CATEGORY = "GetUniverseCategoriesCategoryId"
SYSTEM = "GetUniverseSystemsSystemId"
CONSTELLATION = "GetUniverseConstellationsConstellationId"
REGION = "GetUniverseRegionsRegionId"


def load_eve_types(type_ids: Iterable[int], gateway) -> set[int]:
    """Make sure eveuniverse knows these types; return the ids it knows afterwards.

    Costs one query when all types are known already. Raises what eveuniverse raises when a
    type cannot be loaded.
    """
    type_ids = {int(type_id) for type_id in type_ids}
    missing = ask_for_types(type_ids, gateway)
    known = type_ids - missing
    if not missing:
        return known
    loaded = EveType.objects.bulk_get_or_create_esi(ids=missing)
    return known | set(loaded.values_list("id", flat=True))


def ask_for_types(type_ids: Iterable[int], gateway) -> set[int]:
    """Ask ESI together for the types eveuniverse does not know yet, and for their missing
    groups and categories; return the ids of those types."""
    type_ids = {int(type_id) for type_id in type_ids if type_id}
    missing = type_ids - set(EveType.objects.filter(id__in=type_ids).values_list("id", flat=True))
    if not missing:
        return missing
    group_ids = _ask(gateway, TYPE, "type_id", missing, "group_id")
    group_ids -= set(EveGroup.objects.filter(id__in=group_ids).values_list("id", flat=True))
    category_ids = _ask(gateway, GROUP, "group_id", group_ids, "category_id")
    category_ids -= set(
        EveCategory.objects.filter(id__in=category_ids).values_list("id", flat=True)
    )
    _ask(gateway, CATEGORY, "category_id", category_ids, None)
    return missing


def ask_for_solar_systems(system_ids: Iterable[int], gateway) -> None:
    """Ask ESI together for the solar systems eveuniverse does not know yet, then for their
    missing constellations, then regions."""
    system_ids = {int(system_id) for system_id in system_ids if system_id}
    missing = system_ids - set(
        EveSolarSystem.objects.filter(id__in=system_ids).values_list("id", flat=True)
    )
    if not missing:
        return
    constellation_ids = _ask(gateway, SYSTEM, "system_id", missing, "constellation_id")
    constellation_ids -= set(
        EveConstellation.objects.filter(id__in=constellation_ids).values_list("id", flat=True)
    )
    region_ids = _ask(gateway, CONSTELLATION, "constellation_id", constellation_ids, "region_id")
    region_ids -= set(EveRegion.objects.filter(id__in=region_ids).values_list("id", flat=True))
    _ask(gateway, REGION, "region_id", region_ids, None)


def _ask(gateway, operation_id: str, key: str, ids: set[int], parent_key: str | None) -> set:
    """Ask ESI for objects by id, a few at a time, until one fails; return their parents' ids.

    The answers land in django-esi's cache, where eveuniverse finds them.
    """
    if not ids:
        return set()
    answers = gateway.get_each(
        operation_id, [{key: obj_id} for obj_id in sorted(ids)], public=True, use_etag=False
    )
    return {
        answer.data[parent_key]
        for answer in answers
        if parent_key and answer.error is None and isinstance(answer.data, dict)
        if answer.data.get(parent_key)
    }
