"""Where a character's assets are: each item in another item or at a place, how deep it is
nested, and how many items are at each place.

The assets section places the items it fetches with :func:`place_items`, stores them level by
level (:func:`levels`) and, in the same transaction, counts them per place with
:func:`refresh_summary`: the list of places and the totals of the assets tab read those
counts instead of counting a hundred thousand items on every view.
"""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .. import updater
from ..locations import resolve_locations
from ..models import CharacterAsset, CharacterAssetPlace, Location
from ..models.locations import kind_of_location_id

# Flags of items inside another item: such an item whose item is missing cannot be placed.
INSIDE_ITEM_FLAG_PREFIXES = (
    "Cargo",
    "DroneBay",
    "Fighter",
    "FleetHangar",
    "FrigateEscapeBay",
    "HiSlot",
    "MedSlot",
    "LoSlot",
    "RigSlot",
    "SubSystem",
    "Specialized",
    "ShipHangar",
    "Locked",
    "Unlocked",
    "BoosterBay",
    "CorpseBay",
    "QuafeBay",
    "MobileDepotHold",
    "ExpeditionHold",
    "MoonMaterialBay",
    "StructureDeedBay",
    "InfrastructureHangar",
)
PLACE_KINDS = frozenset(
    {
        Location.Kind.STATION,
        Location.Kind.STRUCTURE,
        Location.Kind.SOLAR_SYSTEM,
        Location.Kind.ASSET_SAFETY,
    }
)


# --- placing fetched items -----------------------------------------------------------------


def place_items(items: dict[int, dict]) -> set[int]:
    """Give every item a parent item or a place; return the place ids.

    Raises :class:`updater.SectionDataError` when an item can be placed nowhere.
    """
    unplaceable = []
    for item_id, item in items.items():
        location_id = item.pop("esi_location_id")
        location_type = item.pop("esi_location_type")
        item["parent_id"] = item["location_id"] = None
        if location_id in items and location_id != item_id:
            item["parent_id"] = location_id
        elif _is_place(location_id, location_type, item["location_flag"]):
            item["location_id"] = location_id
        else:
            unplaceable.append((item_id, location_id))
    unplaceable.extend((item_id, items[item_id]["parent_id"]) for item_id in _in_cycles(items))
    if unplaceable:
        examples = ", ".join(f"{item_id} in {where}" for item_id, where in unplaceable[:5])
        raise updater.SectionDataError(
            _(
                "%(count)s assets could not be placed: the item they are in is not in the "
                "asset list and their location is no known place (%(examples)s)."
            )
            % {"count": len(unplaceable), "examples": examples}
        )
    return {item["location_id"] for item in items.values() if item["location_id"]}


def _is_place(location_id: int, location_type: str, location_flag: str) -> bool:
    if location_type in ("station", "solar_system", "other"):
        return True
    kind = kind_of_location_id(location_id)
    if kind in (Location.Kind.STATION, Location.Kind.SOLAR_SYSTEM):
        return True
    # Structures and items share the id range: an item "in a structure" with a flag that only
    # exists inside ships and containers is in an item we do not have.
    return kind in PLACE_KINDS and not location_flag.startswith(INSIDE_ITEM_FLAG_PREFIXES)


def _in_cycles(items: dict[int, dict]) -> list[int]:
    """Items that never lead up to a place (ESI sent a loop of items inside each other)."""
    return [item_id for item_id, depth in depths(items).items() if depth is None]


def depths(items: dict[int, dict]) -> dict[int, int | None]:
    """How deep each item is nested: 0 at a place; None for items in a loop."""
    found: dict[int, int | None] = {}
    for start in items:
        chain = []
        item_id = start
        while item_id not in found:
            parent_id = items[item_id]["parent_id"]
            if parent_id is None:
                found[item_id] = 0
                break
            if item_id in chain:  # a loop: nothing on it can be placed
                for looped in chain:
                    found[looped] = None
                break
            chain.append(item_id)
            item_id = parent_id
        for child_id in reversed(chain):
            if child_id not in found:
                parent_depth = found[items[child_id]["parent_id"]]
                found[child_id] = None if parent_depth is None else parent_depth + 1
    return found


def resolve_places(place_ids: set[int], gateway) -> None:
    """Make sure every place has a ``Location`` row (a placeholder when it is unknown)."""
    if not place_ids:
        return
    found = resolve_locations(place_ids, gateway)
    if missing := place_ids - set(found):
        Location.objects.bulk_create(
            [Location(id=location_id) for location_id in missing], ignore_conflicts=True
        )


# --- storing -------------------------------------------------------------------------------


def levels(items: dict[int, dict]) -> list[list[int]]:
    """Item ids by nesting depth: places first, then what is in them, and so on."""
    depth_of = depths(items)
    if any(depth is None for depth in depth_of.values()):
        raise updater.SectionDataError(_("Some assets are inside each other in a loop."))
    by_level: list[list[int]] = [[] for _ in range(max(depth_of.values(), default=-1) + 1)]
    for item_id in sorted(items):
        by_level[depth_of[item_id]].append(item_id)
    return by_level


def places_of(items: dict[int, dict], by_level: list[list[int]]) -> dict[int, int | None]:
    """Where each item is: its own place at the top level, else its parent's place."""
    places: dict[int, int | None] = {}
    for level in by_level:
        for item_id in level:
            parent_id = items[item_id]["parent_id"]
            places[item_id] = places[parent_id] if parent_id else items[item_id]["location_id"]
    return places


def refresh_summary(character) -> None:
    """Count the character's stored items per place again and keep the counts that changed
    (one grouped query on the place index, and writes only for places that changed).

    Called by the store of the assets section, in its transaction: the counts always match
    the items stored, and a failed update leaves both as they were.
    """
    counted = {
        row["place_id"]: (row["items"], row["all_items"])
        for row in CharacterAsset.objects.filter(character=character, place__isnull=False)
        .order_by()
        .values("place_id")
        .annotate(items=Count("pk", filter=Q(parent__isnull=True)), all_items=Count("pk"))
    }
    kept = {row.location_id: row for row in CharacterAssetPlace.objects.filter(character=character)}
    changed = []
    for location_id, (items, all_items) in counted.items():
        row = kept.get(location_id)
        if row and (row.items, row.all_items) != (items, all_items):
            row.items, row.all_items = items, all_items
            changed.append(row)
    if changed:
        CharacterAssetPlace.objects.bulk_update(changed, ["items", "all_items"])
    if new := [
        CharacterAssetPlace(
            character=character, location_id=location_id, items=items, all_items=all_items
        )
        for location_id, (items, all_items) in counted.items()
        if location_id not in kept
    ]:
        CharacterAssetPlace.objects.bulk_create(new)
    if gone := [row.pk for location_id, row in kept.items() if location_id not in counted]:
        CharacterAssetPlace.objects.filter(pk__in=gone).delete()
