"""Assets: every item a character owns, as a tree of places, ships, containers and contents.

An ESI asset's ``location_id`` is either a place (station, structure, solar system) or another
item (ship, container, office). Items whose location is another item of the list become its
children; the others are top-level items at a place, resolved with :func:`resolve_locations`.
An item id is never turned into a :class:`~memberaudit.models.Location`.

The ship a character flies in space is not in ESI's list, although what is inside it is: it
is added from the ship and location sections' data. Items that cannot be placed (their item is
missing and their location is no place) fail the section instead of being dropped.

The store is diff-based and works in passes of ``MEMBERAUDIT_TASKS_MAX_ASSETS_PER_PASS``
items, parents before children, with bulk operations in each pass; then it counts the items
per place again (see :mod:`.asset_places`).
"""

import logging
from collections.abc import Iterable, Iterator

from django.core.cache import cache
from django.db import connection
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveType

from .. import app_settings, change_events, json_tables, selectors, updater
from ..bulk import bulk_update_changes
from ..esi_gateway import EsiUnavailable, NotModified
from ..eve_types import load_eve_types
from ..fitted_fields import fit_to_column
from ..models import CharacterAsset, CharacterLocation, CharacterShip
from . import asset_places
from .base import NavGroup, Section, ViewerTab, registry

logger = logging.getLogger(__name__)

ASSETS_OPERATION = "GetCharactersCharacterIdAssets"
NAMES_OPERATION = "PostCharactersCharacterIdAssetsNames"
NAMES_PER_CALL = 1000  # ESI refuses more ids per call
NAMES_REFRESH_HOURS = 24  # how often names are asked again while the asset list is unchanged
UNNAMED = "None"  # what ESI answers for an item without a name
# Items of these categories can be named: containers (celestial), ships, deployables.
NAMED_CATEGORY_IDS = frozenset({2, 6, 22})
# Stored columns compared with fetched values, in this order (parent as its pk).
STORED_FIELDS = (
    "eve_type_id",
    "location_id",
    "parent_id",
    "place_id",
    "location_flag",
    "quantity",
    "is_singleton",
    "is_blueprint_copy",
    "name",
    "sort_name",
    "container_name",
    "is_active_ship_in_space",
)
PLACE = 2 + STORED_FIELDS.index("place_id")  # in the rows store() reads: pk, item_id, fields


# --- fetch ---------------------------------------------------------------------------------


def fetch(character, gateway):
    try:
        rows = gateway.get(ASSETS_OPERATION, paged=True, character_id=character.character_id)
    except NotModified:
        if cache.get(_names_fresh_key(character)):
            raise
        return _refresh_names_of_stored_items(character, gateway)
    items = _clean(rows)
    ship = _ship_in_space(character, items)
    if ship:
        items[ship["item_id"]] = ship
    place_ids = asset_places.place_items(items)
    types = _load_types({item["type_id"] for item in items.values()}, gateway)
    _fetch_names(character, gateway, items, types)
    asset_places.resolve_places(place_ids, gateway)
    _remember_names_fresh(character)
    return sorted(items.values(), key=lambda item: item["item_id"])


def _names_fresh_key(character) -> str:
    return f"memberaudit_asset_names_fresh_{character.pk}"


def _remember_names_fresh(character) -> None:
    """Names were just fetched: an unchanged asset list needs no new names for a while."""
    cache.set(_names_fresh_key(character), True, timeout=NAMES_REFRESH_HOURS * 3600)


def _clean(rows: list[dict]) -> dict[int, dict]:
    """The ESI rows as items by id (the later of duplicates), in the shape that is stored."""
    items = {}
    for row in rows:
        item_id, type_id = row.get("item_id"), row.get("type_id")
        if not item_id or not type_id or not row.get("location_id"):
            raise updater.SectionDataError(
                _("ESI sent an asset without item id, type or location: %(row)s") % {"row": row}
            )
        items[item_id] = {
            "item_id": item_id,
            "type_id": type_id,
            "quantity": row.get("quantity") if row.get("quantity") is not None else 1,
            "location_flag": fit_to_column(
                CharacterAsset, "location_flag", _plain(row.get("location_flag"))
            ),
            "is_singleton": bool(row.get("is_singleton")),
            "is_blueprint_copy": row.get("is_blueprint_copy"),
            "name": "",
            "is_active_ship_in_space": False,
            # where ESI says it is; replaced by "parent_id" or "location_id" when placed
            "esi_location_id": row["location_id"],
            "esi_location_type": str(_plain(row.get("location_type")) or ""),
        }
    return items


def _plain(value):
    return getattr(value, "value", value)


def _ship_in_space(character, items: dict[int, dict]) -> dict | None:
    """The ship the character flies in space, from the ship and location sections."""
    whereabouts = (
        CharacterLocation.objects.filter(character=character)
        .values("eve_solar_system_id", "location_id")
        .first()
    )
    if not whereabouts or whereabouts["location_id"]:
        return None  # unknown, or docked: then the ship is in the asset list
    ship = (
        CharacterShip.objects.filter(character=character)
        .values("item_id", "eve_type_id", "name")
        .first()
    )
    if not ship or not ship["item_id"] or ship["item_id"] in items:
        return None
    return {
        "item_id": ship["item_id"],
        "type_id": ship["eve_type_id"],
        "quantity": 1,
        "location_flag": "",
        "is_singleton": True,
        "is_blueprint_copy": None,
        "name": ship["name"] or "",
        "is_active_ship_in_space": True,
        "esi_location_id": whereabouts["eve_solar_system_id"],
        "esi_location_type": "solar_system",
    }


def _load_types(type_ids: set[int], gateway) -> dict[int, tuple[int, str]]:
    """Load missing item types from ESI in bulk; return the category id and name of each
    type."""
    try:
        load_eve_types(type_ids, gateway)
    except Exception:  # eveuniverse raises its client's errors; reported below
        logger.info("Loading asset types failed", exc_info=True)
    types = _types(type_ids)
    missing = sorted(type_ids - set(types))
    if missing:
        raise EsiUnavailable(
            _("%(count)d asset types could not be loaded from ESI: %(type_ids)s")
            % {"count": len(missing), "type_ids": ", ".join(map(str, missing[:10]))}
        )
    return types


def _types(type_ids: set[int]) -> dict[int, tuple[int, str]]:
    return {
        type_id: (category_id, name)
        for type_id, category_id, name in EveType.objects.filter(id__in=type_ids).values_list(
            "id", "eve_group__eve_category_id", "name"
        )
    }


def _fetch_names(character, gateway, items: dict[int, dict], types: dict) -> None:
    """Ask ESI for the names of named kinds of items, at most 1000 ids per call; give every
    item the name it is shown and sorted by (its own, else its type's)."""
    item_ids = sorted(
        item_id
        for item_id, item in items.items()
        if item["is_singleton"]
        and not item["is_active_ship_in_space"]
        and types.get(item["type_id"], (None,))[0] in NAMED_CATEGORY_IDS
    )
    for names in _ask_names(character, gateway, item_ids):
        for item_id, name in names.items():
            if item_id in items:
                items[item_id]["name"] = name
    for item in items.values():
        type_name = types[item["type_id"]][1] if item["type_id"] in types else ""
        item["sort_name"] = item["name"] or fit_to_column(CharacterAsset, "sort_name", type_name)


def _ask_names(character, gateway, item_ids: list[int]) -> Iterator[dict[int, str]]:
    for chunk in chunked(item_ids, NAMES_PER_CALL):
        answer = gateway.post(NAMES_OPERATION, body=chunk, character_id=character.character_id)
        yield {
            row["item_id"]: _clean_name(row.get("name"))
            for row in answer or []
            if row.get("item_id")
        }


def _clean_name(name: str | None) -> str:
    name = (name or "").strip()
    return "" if name == UNNAMED else fit_to_column(CharacterAsset, "name", name)


def _refresh_names_of_stored_items(character, gateway) -> list[dict]:
    """The asset list did not change, but names can: the stored items with current names.

    Asked at most every ``NAMES_REFRESH_HOURS``, so that an unchanged character costs only
    the 304 answers of its asset pages.

    When no name changed, this is exactly what the last fetch returned, so nothing is stored.
    """
    stored = list(
        CharacterAsset.objects.filter(character=character).values(
            "item_id",
            "eve_type_id",
            "quantity",
            "location_flag",
            "is_singleton",
            "is_blueprint_copy",
            "name",
            "is_active_ship_in_space",
            "parent__item_id",
            "location_id",
        )
    )
    if not stored:
        raise NotModified()
    items = {
        row["item_id"]: {
            "item_id": row["item_id"],
            "type_id": row["eve_type_id"],
            "quantity": row["quantity"],
            "location_flag": row["location_flag"],
            "is_singleton": row["is_singleton"],
            "is_blueprint_copy": row["is_blueprint_copy"],
            "name": row["name"],
            "is_active_ship_in_space": row["is_active_ship_in_space"],
            "parent_id": row["parent__item_id"],
            "location_id": row["location_id"],
        }
        for row in stored
    }
    types = _types({item["type_id"] for item in items.values()})
    _fetch_names(character, gateway, items, types)
    _remember_names_fresh(character)
    # places whose lookup failed are tried again once their backoff has passed
    asset_places.resolve_places(
        {item["location_id"] for item in items.values() if item["location_id"]}, gateway
    )
    return sorted(items.values(), key=lambda item: item["item_id"])


# --- store ---------------------------------------------------------------------------------


def store(character, data) -> bool:
    """Write what changed, pass by pass, parents before children; delete what is gone."""
    wanted = {item["item_id"]: item for item in data}
    existing = {
        row[1]: row
        for row in CharacterAsset.objects.filter(character=character).values_list(
            "pk", "item_id", *STORED_FIELDS
        )
    }
    pks = {item_id: row[0] for item_id, row in existing.items()}
    change_events.report(old_places={row[PLACE] for row in existing.values()} - {None})
    per_pass = app_settings.MEMBERAUDIT_TASKS_MAX_ASSETS_PER_PASS
    levels = asset_places.levels(wanted)
    places = asset_places.places_of(wanted, levels)
    changed = False
    for level in levels:
        for item_ids in chunked(level, per_pass):
            changed |= _store_pass(character, item_ids, wanted, existing, pks, places)
    gone = [row[0] for item_id, row in existing.items() if item_id not in wanted]
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    for batch in chunked(gone, batch_size):
        CharacterAsset.objects.filter(pk__in=batch).delete()
    if changed or gone:
        asset_places.refresh_summary(character)
    return changed or bool(gone)


def _store_pass(character, item_ids, wanted, existing, pks, places) -> bool:
    """Create and update one pass of items whose parents are already stored."""
    new, updated = [], []
    for item_id in item_ids:
        item = wanted[item_id]
        values = _stored_values(item, wanted, pks, places[item_id])
        row = existing.get(item_id)
        if row is None:
            new.append(_new_asset(character.pk, item_id, values))
            continue
        differing = [
            name
            for name, old, value in zip(STORED_FIELDS, row[2:], values, strict=True)
            if old != value
        ]
        if differing:
            # Built with only the changed fields set: written grouped by those fields.
            asset = CharacterAsset(pk=row[0], character_id=character.pk, item_id=item_id)
            for name in differing:
                setattr(asset, name, values[STORED_FIELDS.index(name)])
            updated.append((asset, differing))
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    if new:
        CharacterAsset.objects.bulk_create(new, batch_size=batch_size)
        _remember_new_pks(character, new, pks)
    change_events.report(
        created=new,
        changed=[(asset, {}) for asset, differing in updated if "place_id" in differing],
    )
    if updated:
        bulk_update_changes(CharacterAsset, updated, batch_size=batch_size)
    return bool(new or updated)


def _new_asset(character_pk: int, item_id: int, values: tuple) -> CharacterAsset:
    # Positional arguments in field order: the fast way to build thousands of instances.
    by_attname = dict(zip(STORED_FIELDS, values, strict=True))
    by_attname.update(id=None, character_id=character_pk, item_id=item_id)
    return CharacterAsset(*(by_attname[attname] for attname in _ATTNAMES))


_ATTNAMES = tuple(field.attname for field in CharacterAsset._meta.concrete_fields)


def _stored_values(
    item: dict, wanted: dict[int, dict], pks: dict[int, int], place_id: int | None
) -> tuple:
    parent_id = item.get("parent_id")
    # a renamed container changes this on each of its items: they are written again
    container_name = wanted[parent_id]["sort_name"] if parent_id else ""
    return (
        item["type_id"],
        item.get("location_id"),
        pks[parent_id] if parent_id else None,
        place_id,
        item["location_flag"],
        item["quantity"],
        item["is_singleton"],
        item["is_blueprint_copy"],
        item["name"],
        item["sort_name"],
        container_name,
        item["is_active_ship_in_space"],
    )


def _remember_new_pks(character, new: list[CharacterAsset], pks: dict[int, int]) -> None:
    if connection.features.can_return_rows_from_bulk_insert:
        pks.update((asset.item_id, asset.pk) for asset in new)
        return
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    for batch in chunked([asset.item_id for asset in new], batch_size):
        pks.update(
            CharacterAsset.objects.filter(character=character, item_id__in=batch).values_list(
                "item_id", "pk"
            )
        )


def chunked(values: Iterable, size: int) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), max(size, 1)):
        yield values[start : start + size]


registry.register(
    Section(
        name="assets",
        title=_("assets"),
        ring=3,
        scopes=("esi-assets.read_assets.v1",),
        operations=(
            ASSETS_OPERATION,
            NAMES_OPERATION,
            "GetUniverseStationsStationId",
            "GetUniverseStructuresStructureId",
        ),
        fetch=fetch,
        store=store,
        events=change_events.assets,
        tab=ViewerTab(
            group=NavGroup.ASSETS,
            template="memberaudit/tabs/assets.html",
            context=selectors.assets_tab,
            tables={
                "asset_locations": json_tables.asset_locations,
                "asset_items": json_tables.asset_items,
                "assets": json_tables.assets,
            },
            lazy=True,
        ),
    )
)
