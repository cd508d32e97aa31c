"""Trained skills and the skill queue."""

from __future__ import annotations

from ..router import RouteTable
from .common import CHAR_DETAIL, pick, rate

routes = RouteTable()


@routes.get(
    "/characters/{character_id}/skills",
    "GetCharactersCharacterIdSkills",
    scope="esi-skills.read_skills.v1",
    cache_seconds=60,
    **rate(CHAR_DETAIL),
)
def skills(ctx):
    character = ctx.character()
    return {
        "skills": character.get("skills", []),
        "total_sp": character.get("total_sp", 0),
        **pick(character, "unallocated_sp"),
    }


@routes.get(
    "/characters/{character_id}/skillqueue",
    "GetCharactersCharacterIdSkillqueue",
    scope="esi-skills.read_skillqueue.v1",
    cache_seconds=60,
    **rate(CHAR_DETAIL),
)
def skillqueue(ctx):
    return sorted(ctx.character().get("skillqueue", []), key=lambda s: s["queue_position"])
