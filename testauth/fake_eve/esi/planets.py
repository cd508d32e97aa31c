"""Planetary colonies and their layouts.

Scenario data of a character: ``planets``, a list of colonies in the shape of ESI's colony
list, each with its ``layout`` (``links``, ``pins``, ``routes``; served by its own route, never
in the list). ``planets_generate`` (``{"count", "seed"?, "expired"?}``) adds colonies with a
command center, extractors, factories, storage and a launchpad, on planets of the universe's
``planets`` (at most one colony per planet, so at most 12); the extractors of the first
``expired`` colonies (one by default) stopped an hour before the scenario was loaded.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from ..messages import EsiError
from ..router import RouteTable
from ..validation import list_of, obj, opt, req
from .common import rate

routes = RouteTable()

PLANETS_SCOPE = "esi-planets.manage_planets.v1"
CHAR_INDUSTRY = ("char-industry", (600, "15m"))
COLONY = {
    "planet_id": req("int"),
    "solar_system_id": req("int"),
    "planet_type": req("str"),
    "owner_id": req("int"),
    "upgrade_level": req("int"),
    "num_pins": req("int"),
    "last_update": req("datetime"),
    "layout": obj(
        {
            "links": list_of(opt("object")),
            "pins": list_of(opt("object")),
            "routes": list_of(opt("object")),
        }
    ),
}
CHARACTER_FIELDS = {
    "planets": list_of(obj(COLONY)),
    "planets_generate": obj({"count": req("int"), "seed": opt("int"), "expired": opt("int")}),
}


@routes.get(
    "/characters/{character_id}/planets",
    "GetCharactersCharacterIdPlanets",
    scope=PLANETS_SCOPE,
    cache_seconds=600,
    **rate(CHAR_INDUSTRY),
)
def colonies(ctx):
    return [
        {key: value for key, value in colony.items() if key != "layout"}
        for colony in sorted(ctx.character().get("planets", []), key=lambda c: c["planet_id"])
    ]


@routes.get(
    "/characters/{character_id}/planets/{planet_id}",
    "GetCharactersCharacterIdPlanetsPlanetId",
    scope=PLANETS_SCOPE,
    cache_seconds=600,
    **rate(CHAR_INDUSTRY),
)
def colony_layout(ctx):
    for colony in ctx.character().get("planets", []):
        if colony["planet_id"] == ctx.params["planet_id"]:
            return colony.get("layout", {"links": [], "pins": [], "routes": []})
    raise EsiError(404, "Colony not found")


# --- generator -----------------------------------------------------------------------------

_TIME = "%Y-%m-%dT%H:%M:%SZ"
# planet type -> (command center, extractor control unit, basic factory, storage, launchpad)
_PIN_TYPES = {
    "barren": (2524, 2848, 2473, 2541, 2544),
    "temperate": (2254, 3068, 2481, 2562, 2256),
    "lava": (2549, 3062, 2469, 2558, 2555),
    "gas": (2534, 3060, 2492, 2536, 2543),
}
_PRODUCTS = {"barren": 2267, "temperate": 2288, "lava": 2306, "gas": 2311}
# (planet, its solar system, its type): the planets of trade_industry.json, which the universe
# routes serve; the scenario check fails on a colony whose planet is not there.
_PLANETS = (
    (40178101, 30002813, "lava"),
    (40178103, 30002813, "barren"),
    (40178106, 30002813, "temperate"),
    (40178112, 30002813, "gas"),
    (40159601, 30002510, "lava"),
    (40159604, 30002510, "barren"),
    (40159609, 30002510, "temperate"),
    (40159617, 30002510, "gas"),
    (40130401, 30002053, "lava"),
    (40130402, 30002053, "barren"),
    (40130405, 30002053, "temperate"),
    (40130409, 30002053, "gas"),
)


def generate_planets(character_id: int, count: int, seed: int = 1, expired: int = 1) -> list:
    rng = random.Random(seed)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    result = []
    planets = rng.sample(_PLANETS, min(count, len(_PLANETS)))
    for n, (planet_id, system_id, planet_type) in enumerate(planets):
        center, extractor, factory, storage, launchpad = _PIN_TYPES[planet_type]
        pins = []
        pin_id = 1_020_000_000_000 + character_id % 1_000_000 * 1000 + n * 100
        pins.append(_pin(pin_id, center, rng, contents=[]))
        for _ in range(2):
            pin_id += 1
            expiry = (
                now - timedelta(hours=1)
                if n < expired
                else now + timedelta(hours=rng.randint(2, 120))
            )
            pin = _pin(pin_id, extractor, rng)
            pin.update(
                {
                    "install_time": (expiry - timedelta(days=3)).strftime(_TIME),
                    "expiry_time": expiry.strftime(_TIME),
                    "last_cycle_start": (now - timedelta(minutes=30)).strftime(_TIME),
                    "extractor_details": {
                        "cycle_time": 1800,
                        "head_radius": 0.02,
                        "heads": [
                            {"head_id": h, "latitude": 1.1, "longitude": 2.2} for h in range(4)
                        ],
                        "product_type_id": _PRODUCTS[planet_type],
                        "qty_per_cycle": rng.randint(2_000, 9_000),
                    },
                }
            )
            pins.append(pin)
        for _ in range(rng.randint(2, 4)):
            pin_id += 1
            pins.append({**_pin(pin_id, factory, rng), "factory_details": {"schematic_id": 121}})
        for type_id in (storage, launchpad):
            pin_id += 1
            amount = rng.randint(0, 50_000)
            pins.append(
                _pin(
                    pin_id,
                    type_id,
                    rng,
                    contents=[{"type_id": _PRODUCTS[planet_type], "amount": amount}],
                )
            )
        result.append(
            {
                "planet_id": planet_id,
                "solar_system_id": system_id,
                "planet_type": planet_type,
                "owner_id": character_id,
                "upgrade_level": rng.randint(1, 5),
                "num_pins": len(pins),
                "last_update": (now - timedelta(hours=rng.randint(1, 48))).strftime(_TIME),
                "layout": {"links": [], "pins": pins, "routes": []},
            }
        )
    return result


def _pin(pin_id: int, type_id: int, rng, contents=None) -> dict:
    pin = {
        "pin_id": pin_id,
        "type_id": type_id,
        "latitude": round(rng.uniform(0, 3.14), 4),
        "longitude": round(rng.uniform(0, 6.28), 4),
    }
    if contents is not None:
        pin["contents"] = contents
    return pin


def expand_character(character: dict) -> None:
    generator = character.pop("planets_generate", None)
    if generator:
        character["planets"] = character.get("planets", []) + generate_planets(
            character["character_id"], **generator
        )
