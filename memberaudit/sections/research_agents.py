"""Research agents: who researches for a character, in which skill, since when and how fast.
The points accumulated so far are computed when shown, from the rate ESI sends."""

from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity

from .. import character_sheet_selectors as selectors
from ..bulk import sync_by_key
from ..entities import ensure_entity_rows, resolve_entities
from .base import NavGroup, Section, ViewerTab, registry

FIELDS = ("skill_id", "started_at", "points_per_day", "remainder_points")


def fetch(character, gateway) -> list[dict]:
    rows = gateway.get(
        "GetCharactersCharacterIdAgentsResearch", character_id=character.character_id
    )
    agents = {}
    for row in rows or []:
        if not isinstance(row, dict) or not row.get("agent_id") or not row.get("started_at"):
            continue
        agents[int(row["agent_id"])] = {
            "agent_id": int(row["agent_id"]),
            "skill_id": int(row["skill_type_id"]) if row.get("skill_type_id") else None,
            "started_at": row["started_at"],
            "points_per_day": float(row.get("points_per_day") or 0.0),
            "remainder_points": float(row.get("remainder_points") or 0.0),
        }
    resolve_entities(agents, gateway, keep_unknown=True)
    skills = {agent["skill_id"] for agent in agents.values()}
    resolve_entities(skills, gateway, keep_unknown=True, category=EveEntity.CATEGORY_INVENTORY_TYPE)
    return [agents[key] for key in sorted(agents)]


def store(character, data: list[dict]) -> bool:
    ensure_entity_rows(agent["agent_id"] for agent in data)
    ensure_entity_rows((agent["skill_id"] for agent in data), EveEntity.CATEGORY_INVENTORY_TYPE)
    wanted = {agent["agent_id"]: agent for agent in data}
    *_rows, changed = sync_by_key(
        character.research_agents.all(), "agent_id", wanted, FIELDS, character=character
    )
    return changed


registry.register(
    Section(
        name="research_agents",
        title=_("research agents"),
        ring=2,
        scopes=("esi-characters.read_agents_research.v1",),
        operations=("GetCharactersCharacterIdAgentsResearch",),
        fetch=fetch,
        store=store,
        tab=ViewerTab(
            group=NavGroup.ASSETS,
            template="memberaudit/tabs/research_agents.html",
            context=selectors.research_agents_tab,
        ),
    )
)
