"""Blueprints: originals (quantity -1) and copies (quantity -2) with ME, TE and runs.

A blueprint's ``location_id`` is a place or an item (container, ship, office): items are
looked up in the character's assets, which know the place of every item, so a blueprint in a
container is shown at the container's station. Places go through the one location resolver.
The list is the current state: blueprints that ESI no longer lists were used up or moved on.
"""

from django.utils.translation import gettext_lazy as _

from .. import app_settings, json_tables
from ..locations import resolve_locations
from ..models import CharacterAsset, CharacterBlueprint
from .base import NavGroup, Section, ViewerTab, registry
from .esi_values import as_id, as_int, load_types, plain

OPERATION = "GetCharactersCharacterIdBlueprints"
# Flags of blueprints lying at a place rather than inside an item.
PLACE_FLAGS = frozenset({"Hangar", "Deliveries", "AssetSafety", "Impounded"})
STORED_FIELDS = (
    "eve_type_id",
    "location_id",
    "container_item_id",
    "container_name",
    "location_flag",
    "quantity",
    "material_efficiency",
    "time_efficiency",
    "runs",
)


def fetch(character, gateway) -> list[dict]:
    rows = gateway.get(OPERATION, paged=True, character_id=character.character_id)
    blueprints = {}
    for row in rows or []:
        blueprint = _clean(row)
        if blueprint is not None:
            blueprints[blueprint["item_id"]] = blueprint
    load_types({row["eve_type_id"] for row in blueprints.values()}, _("blueprints"), gateway)
    _place(character, blueprints, gateway)
    return [blueprints[key] for key in sorted(blueprints)]


def _clean(row: dict) -> dict | None:
    item_id, type_id = as_id(row.get("item_id")), as_id(row.get("type_id"))
    if not item_id or not type_id:
        return None
    return {
        "item_id": item_id,
        "eve_type_id": type_id,
        "esi_location_id": as_id(row.get("location_id")),
        "location_flag": str(plain(row.get("location_flag")) or "")[:100],
        "quantity": as_int(row.get("quantity"), -1),
        "material_efficiency": max(0, as_int(row.get("material_efficiency"), 0)),
        "time_efficiency": max(0, as_int(row.get("time_efficiency"), 0)),
        "runs": as_int(row.get("runs"), -1),
    }


def _place(character, blueprints: dict[int, dict], gateway) -> None:
    """Fill ``location_id`` (a place) and, for blueprints inside an item, the item."""
    wanted = {row["esi_location_id"] for row in blueprints.values() if row["esi_location_id"]}
    containers = {
        asset.item_id: asset
        for asset in CharacterAsset.objects.filter(
            character=character, item_id__in=wanted
        ).select_related("eve_type")
    }
    place_ids = set()
    for row in blueprints.values():
        location_id = row.pop("esi_location_id")
        row["location_id"] = row["container_item_id"] = None
        row["container_name"] = ""
        container = containers.get(location_id)
        if container is not None:
            row["container_item_id"] = location_id
            row["container_name"] = container.display_name[:255]
            row["location_id"] = container.place_id or container.location_id
        elif location_id and row["location_flag"] in PLACE_FLAGS:
            row["location_id"] = location_id
        elif location_id:
            row["container_item_id"] = location_id  # an item the assets do not know (yet)
        place_ids.add(row["location_id"])
    places = resolve_locations(place_ids, gateway)
    for row in blueprints.values():
        if row["location_id"] not in places:
            row["location_id"] = None


def store(character, data: list[dict]) -> bool:
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    stored = {blueprint.item_id: blueprint for blueprint in character.blueprints.all()}
    new, changed, changed_fields = [], [], set()
    for row in data:
        values = {field: row[field] for field in STORED_FIELDS}
        blueprint = stored.get(row["item_id"])
        if blueprint is None:
            new.append(CharacterBlueprint(character=character, item_id=row["item_id"], **values))
            continue
        differing = [field for field, value in values.items() if getattr(blueprint, field) != value]
        if differing:
            for field in differing:
                setattr(blueprint, field, values[field])
            changed.append(blueprint)
            changed_fields.update(differing)
    listed = {row["item_id"] for row in data}
    gone = [blueprint.pk for item_id, blueprint in stored.items() if item_id not in listed]
    for start in range(0, len(gone), batch_size):
        CharacterBlueprint.objects.filter(pk__in=gone[start : start + batch_size]).delete()
    if changed:
        fields = [field for field in STORED_FIELDS if field in changed_fields]
        CharacterBlueprint.objects.bulk_update(changed, fields, batch_size=batch_size)
    if new:
        CharacterBlueprint.objects.bulk_create(new, batch_size=batch_size)
    return bool(new or changed or gone)


registry.register(
    Section(
        name="blueprints",
        title=_("blueprints"),
        ring=3,
        scopes=("esi-characters.read_blueprints.v1",),
        operations=(OPERATION,),
        fetch=fetch,
        store=store,
        tab=ViewerTab(
            group=NavGroup.ASSETS,
            title=_("Blueprints"),
            template="memberaudit/tabs/blueprints.html",
            tables={"blueprints": json_tables.blueprints},
        ),
    )
)
