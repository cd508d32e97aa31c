"""Jump clones and active implants."""

from __future__ import annotations

from ..router import RouteTable
from .common import CHAR_DETAIL, CHAR_LOCATION, rate

routes = RouteTable()


@routes.get(
    "/characters/{character_id}/clones",
    "GetCharactersCharacterIdClones",
    scope="esi-clones.read_clones.v1",
    cache_seconds=120,
    **rate(CHAR_LOCATION),
)
def clones(ctx):
    return ctx.character().get("clones", {"jump_clones": []})


@routes.get(
    "/characters/{character_id}/implants",
    "GetCharactersCharacterIdImplants",
    scope="esi-clones.read_implants.v1",
    cache_seconds=120,
    **rate(CHAR_DETAIL),
)
def implants(ctx):
    return ctx.character().get("implants", [])
