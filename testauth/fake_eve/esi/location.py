"""Character location, online status and current ship."""

from __future__ import annotations

from ..router import RouteTable
from .common import CHAR_LOCATION, rate

routes = RouteTable()

JITA = 30000142
CAPSULE = 670


@routes.get(
    "/characters/{character_id}/location",
    "GetCharactersCharacterIdLocation",
    scope="esi-location.read_location.v1",
    cache_seconds=5,
    **rate(CHAR_LOCATION),
)
def location(ctx):
    return ctx.character().get("location", {"solar_system_id": JITA})


@routes.get(
    "/characters/{character_id}/online",
    "GetCharactersCharacterIdOnline",
    scope="esi-location.read_online.v1",
    cache_seconds=60,
    **rate(CHAR_LOCATION),
)
def online(ctx):
    return ctx.character().get("online", {"online": False})


@routes.get(
    "/characters/{character_id}/ship",
    "GetCharactersCharacterIdShip",
    scope="esi-location.read_ship_type.v1",
    cache_seconds=5,
    **rate(CHAR_LOCATION),
)
def ship(ctx):
    character = ctx.character()
    return character.get(
        "ship",
        {
            "ship_item_id": 1_000_000_000_000 + character["character_id"] % 1_000_000_000,
            "ship_name": f"{character['name']}'s Capsule",
            "ship_type_id": CAPSULE,
        },
    )
