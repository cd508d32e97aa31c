"""Public character information."""

from __future__ import annotations

from ..router import RouteTable
from .common import CHAR_DETAIL, DAY, id_list, pick, rate

routes = RouteTable()

PUBLIC_FIELDS = (
    "alliance_id",
    "birthday",
    "bloodline_id",
    "corporation_id",
    "description",
    "faction_id",
    "gender",
    "name",
    "race_id",
    "security_status",
    "title",
)


@routes.get("/characters/{character_id}", "GetCharactersCharacterId", cache_seconds=DAY)
def character(ctx):
    return pick(ctx.character(), *PUBLIC_FIELDS)


@routes.post("/characters/affiliation", "PostCharactersAffiliation", cache_seconds=3600)
def affiliation(ctx):
    result = []
    for character_id in dict.fromkeys(id_list(ctx)):
        character = ctx.scenario.character(character_id)
        if character is None:
            continue  # real ESI drops unknown IDs
        result.append(
            {
                "character_id": character_id,
                **pick(character, "corporation_id", "alliance_id", "faction_id"),
            }
        )
    return result


@routes.get(
    "/characters/{character_id}/corporationhistory",
    "GetCharactersCharacterIdCorporationhistory",
    cache_seconds=DAY,
)
def corporation_history(ctx):
    character = ctx.character()
    history = character.get("corporation_history")
    if history is None:
        history = [
            {
                "corporation_id": character["corporation_id"],
                "record_id": 1,
                "start_date": character["birthday"],
            }
        ]
    return sorted(history, key=lambda h: h["record_id"], reverse=True)


@routes.get(
    "/characters/{character_id}/portrait",
    "GetCharactersCharacterIdPortrait",
    cache_seconds=DAY,
    **rate(CHAR_DETAIL),
)
def portrait(ctx):
    character_id = ctx.character()["character_id"]
    url = "https://images.evetech.net/characters/{}/portrait?tenant=tranquility&size={}"
    return {f"px{s}x{s}": url.format(character_id, s) for s in (64, 128, 256, 512)}
