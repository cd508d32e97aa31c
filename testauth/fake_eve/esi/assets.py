"""Character assets and the names of named items (ships, containers).

Scenario data: a character's ``assets`` is a list of items in the shape of the ESI answer;
an item may carry a ``name``, which only ``POST /characters/{id}/assets/names`` reveals.
``assets_generate`` (``{"count", "seed"?, "first_item_id"?}``) adds a deterministic inventory
spread over 30 places: ships with fitted modules and cargo, containers inside ships, offices,
stacks, blueprints, and containers anchored in space. Generated lists are shared between
scenario resets: replace them with ``update_character``, never edit them in place.
"""

from __future__ import annotations

import random

from ..router import RouteTable
from ..validation import list_of, obj, opt, req
from .common import id_list, rate

routes = RouteTable()

ASSETS_SCOPE = "esi-assets.read_assets.v1"
CHAR_ASSET = ("char-asset", (1800, "15m"))
LOCATION_TYPES = ("station", "solar_system", "item", "other")
# Enum values of location_flag are not checked: ESI adds new ones, and clients must cope.
ASSET = {
    "item_id": req("int"),
    "type_id": req("int"),
    "quantity": req("int"),
    "location_id": req("int"),
    "location_type": req("str", choices=LOCATION_TYPES),
    "location_flag": req("str"),
    "is_singleton": req("bool"),
    "is_blueprint_copy": opt("bool"),
    "name": opt("str"),
}
CHARACTER_FIELDS = {
    "assets": list_of(obj(ASSET)),
    "assets_generate": obj({"count": req("int"), "seed": opt("int"), "first_item_id": opt("int")}),
}
_SERVED = (
    "item_id",
    "type_id",
    "quantity",
    "location_id",
    "location_type",
    "location_flag",
    "is_singleton",
    "is_blueprint_copy",
)


@routes.get(
    "/characters/{character_id}/assets",
    "GetCharactersCharacterIdAssets",
    scope=ASSETS_SCOPE,
    cache_seconds=3600,
    paged=True,
    page_size=1000,
    **rate(CHAR_ASSET),
)
def assets(ctx):
    return [
        {f: item[f] for f in _SERVED if f in item} for item in ctx.character().get("assets", [])
    ]


@routes.post(
    "/characters/{character_id}/assets/names",
    "PostCharactersCharacterIdAssetsNames",
    scope=ASSETS_SCOPE,
    cache_seconds=3600,
    **rate(CHAR_ASSET),
)
def asset_names(ctx):
    """Names of singleton items; ESI answers the literal "None" for unnamed ones."""
    wanted = id_list(ctx)
    singletons = {
        item["item_id"]: item
        for item in ctx.character().get("assets", [])
        if item.get("is_singleton")
    }
    return [
        {"item_id": item_id, "name": singletons[item_id].get("name") or "None"}
        for item_id in dict.fromkeys(wanted)
        if item_id in singletons
    ]


class SharedList(list):
    """A generated list that scenario resets share instead of copying (it is never edited)."""

    def __deepcopy__(self, memo):
        return self


def expand_character(character: dict) -> None:
    generator = character.pop("assets_generate", None)
    if generator:
        generated = generate_assets(character["character_id"], **generator)
        character["assets"] = SharedList(character.get("assets", []) + generated)


# --- the generator -------------------------------------------------------------------------

STATIONS = (60003760, 60008494, 60004588, 60005686)
# Six of the 18 structures refuse docking (403 on lookup).
STRUCTURES = (1035466617946, 1030049082711, 1022734985679) + tuple(
    1040200000000 + n for n in range(1, 16)
)
SYSTEMS = (30000142, 30000144, 30000145, 30002187, 30002053, 30002510, 30002813, 30004759)
SHIPS = (587, 603, 621, 638, 24698, 588, 596, 601, 606)
MODULES = {"HiSlot": (484, 499), "MedSlot": (438,), "LoSlot": (2046,)}
CONTAINERS = (3297, 3467, 3465)
STACKABLES = (34, 35, 36, 438, 484, 499, 2046)
BLUEPRINT = 691
OFFICE = 27
SHIP_NAMES = ("Wayfarer", "Quiet Storm", "Old Faithful", "Nightjar", "Ledger", "Kestrel Song")
CONTAINER_NAMES = ("Loot", "Ammo", "Minerals", "Fittings", "Spare parts", "Misc")


class _Inventory:
    def __init__(self, count: int, seed: int, first_item_id: int) -> None:
        self.count = count
        self.rng = random.Random(seed)
        self.next_id = first_item_id
        self.items: list[dict] = []
        self.visited: set[int] = set()

    def full(self) -> bool:
        return len(self.items) >= self.count

    def add(
        self,
        type_id: int,
        location_id: int,
        location_type: str,
        flag: str,
        *,
        quantity: int = 1,
        singleton: bool = False,
        name: str | None = None,
        bpc: bool | None = None,
    ) -> int:
        item_id = self.next_id
        self.next_id += self.rng.randint(1, 9)
        if self.full():
            return item_id
        item = {
            "item_id": item_id,
            "type_id": type_id,
            "quantity": quantity,
            "location_id": location_id,
            "location_type": location_type,
            "location_flag": flag,
            "is_singleton": singleton,
        }
        if bpc is not None:
            item["is_blueprint_copy"] = bpc
        if name is not None:
            item["name"] = name
        self.items.append(item)
        return item_id

    def name(self, names: tuple[str, ...], n: int) -> str | None:
        return None if self.rng.random() < 0.3 else f"{self.rng.choice(names)} {n}"

    def stack(self, location_id: int, location_type: str, flag: str) -> None:
        self.add(
            self.rng.choice(STACKABLES),
            location_id,
            location_type,
            flag,
            quantity=self.rng.randint(1, 250_000),
        )

    def container(self, location_id: int, location_type: str, flag: str) -> None:
        box = self.add(
            self.rng.choice(CONTAINERS),
            location_id,
            location_type,
            flag,
            singleton=True,
            name=self.name(CONTAINER_NAMES, len(self.items)),
        )
        for _ in range(self.rng.randint(2, 8)):
            self.stack(box, "item", self.rng.choice(("Locked", "Unlocked")))

    def ship(self, location_id: int, location_type: str) -> None:
        ship = self.add(
            self.rng.choice(SHIPS),
            location_id,
            location_type,
            "Hangar",
            singleton=True,
            name=self.name(SHIP_NAMES, len(self.items)),
        )
        for slot, choices in MODULES.items():
            for n in range(self.rng.randint(0, 3)):
                self.add(self.rng.choice(choices), ship, "item", f"{slot}{n}", singleton=True)
        if self.rng.random() < 0.6:
            self.stack(ship, "item", "Cargo")
        if self.rng.random() < 0.5:
            self.container(ship, "item", "Cargo")  # a container inside a ship

    def office(self, station_id: int) -> None:
        office = self.add(OFFICE, station_id, "station", "OfficeFolder", singleton=True)
        for _ in range(self.rng.randint(3, 10)):
            self.stack(office, "item", "Hangar")

    def fill_place(self, location_id: int, location_type: str, share: int) -> None:
        stop = min(len(self.items) + share, self.count)
        if location_type == "station" and location_id not in self.visited:
            self.office(location_id)
        self.visited.add(location_id)
        while len(self.items) < stop:
            if location_type == "solar_system":  # anchored containers in space
                self.container(location_id, location_type, "AutoFit")
                continue
            roll = self.rng.random()
            if roll < 0.2:
                self.ship(location_id, location_type)
            elif roll < 0.45:
                self.container(location_id, location_type, "Hangar")
            elif roll < 0.5:
                bpc = self.rng.random() < 0.7
                self.add(BLUEPRINT, location_id, location_type, "Hangar", singleton=True, bpc=bpc)
            else:
                self.stack(location_id, location_type, "Hangar")


def generate_assets(
    character_id: int, count: int, seed: int = 1, first_item_id: int | None = None
) -> list[dict]:
    """A deterministic inventory of about ``count`` items (exactly ``count`` when possible)."""
    inventory = _Inventory(
        count, seed, first_item_id or 1_050_000_000_000 + character_id % 1000 * 10_000_000
    )
    places = (
        [(i, "station") for i in STATIONS]
        + [(i, "item") for i in STRUCTURES]
        + [(i, "solar_system") for i in SYSTEMS]
    )
    share = max(count // len(places), 1)
    while not inventory.full():
        before = len(inventory.items)
        for location_id, location_type in places:
            inventory.fill_place(location_id, location_type, share)
            if inventory.full():
                break
        if len(inventory.items) == before:
            break
    return inventory.items
