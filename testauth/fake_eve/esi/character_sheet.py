"""The character sheet: attributes, corporation roles, titles, medals, NPC standings,
faction warfare statistics, jump fatigue and research agents."""

from __future__ import annotations

from ..router import RouteTable
from ..validation import list_of, obj, opt, req
from .common import CHAR_DETAIL, CHAR_LOCATION, CHAR_SOCIAL, rate

routes = RouteTable()

CHAR_INDUSTRY = ("char-industry", (600, "15m"))
FACTIONAL_WARFARE = ("factional-warfare", (150, "15m"))
ATTRIBUTE_NAMES = ("charisma", "intelligence", "memory", "perception", "willpower")
DEFAULT_ATTRIBUTES = {
    "charisma": 19,
    "intelligence": 20,
    "memory": 20,
    "perception": 20,
    "willpower": 20,
    "bonus_remaps": 2,
}
ROLE_LISTS = ("roles", "roles_at_base", "roles_at_hq", "roles_at_other")
PERIODS = obj({"yesterday": req("int"), "last_week": req("int"), "total": req("int")})
NO_FW_COUNTS = {"yesterday": 0, "last_week": 0, "total": 0}

CHARACTER_FIELDS = {
    "attributes": obj(
        {
            **{name: req("int") for name in ATTRIBUTE_NAMES},
            "bonus_remaps": opt("int"),
            "last_remap_date": opt("datetime"),
            "accrued_remap_cooldown_date": opt("datetime"),
        }
    ),
    "corporation_roles": obj({name: list_of(opt("str")) for name in ROLE_LISTS}),
    "titles": list_of(obj({"title_id": req("int"), "name": req("str")})),
    "medals": list_of(
        obj(
            {
                "medal_id": req("int"),
                "title": req("str"),
                "description": req("str"),
                "corporation_id": req("int"),
                "issuer_id": req("int"),
                "reason": req("str"),
                "date": req("datetime"),
                "status": req("str", choices=("public", "private")),
            }
        )
    ),
    "standings": list_of(
        obj(
            {
                "from_id": req("int"),
                "from_type": req("str", choices=("agent", "npc_corp", "faction")),
                "standing": req("number"),
            }
        )
    ),
    "fw_stats": obj(
        {
            "faction_id": opt("int"),
            "enlisted_on": opt("datetime"),
            "current_rank": opt("int"),
            "highest_rank": opt("int"),
            "kills": PERIODS,
            "victory_points": PERIODS,
        }
    ),
    "fatigue": obj(
        {
            "jump_fatigue_expire_date": opt("datetime"),
            "last_jump_date": opt("datetime"),
            "last_update_date": opt("datetime"),
        }
    ),
    "agents_research": list_of(
        obj(
            {
                "agent_id": req("int"),
                "skill_type_id": req("int"),
                "started_at": req("datetime"),
                "points_per_day": req("number"),
                "remainder_points": req("number"),
            }
        )
    ),
}


@routes.get(
    "/characters/{character_id}/attributes",
    "GetCharactersCharacterIdAttributes",
    scope="esi-skills.read_skills.v1",
    cache_seconds=120,
    **rate(CHAR_DETAIL),
)
def attributes(ctx):
    return ctx.character().get("attributes", DEFAULT_ATTRIBUTES)


@routes.get(
    "/characters/{character_id}/roles",
    "GetCharactersCharacterIdRoles",
    scope="esi-characters.read_corporation_roles.v1",
    cache_seconds=3600,
    **rate(CHAR_DETAIL),
)
def corporation_roles(ctx):
    roles = ctx.character().get("corporation_roles", {})
    return {name: roles.get(name, []) for name in ROLE_LISTS}


@routes.get(
    "/characters/{character_id}/titles",
    "GetCharactersCharacterIdTitles",
    scope="esi-characters.read_titles.v1",
    cache_seconds=3600,
    **rate(CHAR_DETAIL),
)
def titles(ctx):
    return ctx.character().get("titles", [])


@routes.get(
    "/characters/{character_id}/medals",
    "GetCharactersCharacterIdMedals",
    scope="esi-characters.read_medals.v1",
    cache_seconds=3600,
    **rate(CHAR_DETAIL),
)
def medals(ctx):
    return [{**medal, "graphics": []} for medal in ctx.character().get("medals", [])]


@routes.get(
    "/characters/{character_id}/standings",
    "GetCharactersCharacterIdStandings",
    scope="esi-characters.read_standings.v1",
    cache_seconds=3600,
    **rate(CHAR_SOCIAL),
)
def standings(ctx):
    return ctx.character().get("standings", [])


@routes.get(
    "/characters/{character_id}/fw/stats",
    "GetCharactersCharacterIdFwStats",
    scope="esi-characters.read_fw_stats.v1",
    cache_seconds=3600,
    **rate(FACTIONAL_WARFARE),
)
def fw_stats(ctx):
    """A character never enlisted gets zero counts and no faction, as from ESI."""
    stats = dict(ctx.character().get("fw_stats", {}))
    stats.setdefault("kills", NO_FW_COUNTS)
    stats.setdefault("victory_points", NO_FW_COUNTS)
    return stats


@routes.get(
    "/characters/{character_id}/fatigue",
    "GetCharactersCharacterIdFatigue",
    scope="esi-characters.read_fatigue.v1",
    cache_seconds=300,
    **rate(CHAR_LOCATION),
)
def fatigue(ctx):
    return ctx.character().get("fatigue", {})


@routes.get(
    "/characters/{character_id}/agents_research",
    "GetCharactersCharacterIdAgentsResearch",
    scope="esi-characters.read_agents_research.v1",
    cache_seconds=3600,
    **rate(CHAR_INDUSTRY),
)
def agents_research(ctx):
    return ctx.character().get("agents_research", [])
