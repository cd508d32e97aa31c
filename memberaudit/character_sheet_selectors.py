"""Reads behind the character sheet's overview rows and tabs: attributes, corporation roles,
titles, medals, faction warfare, jump fatigue and research agents.

Like :mod:`memberaudit.selectors`, every function costs a constant number of queries and
gets a character whose access was already checked.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from .models import Character, CharacterAttributes, CharacterCorporationRole


def _one_to_one(character: Character, name: str):
    """A row the viewer loads with the character (or ``None``); one query elsewhere."""
    try:
        return getattr(character, name)
    except ObjectDoesNotExist:
        return None


def attributes(character: Character) -> dict:
    row = _one_to_one(character, "attributes")
    if row is None:
        return {"attributes": None}
    return {
        "attributes": row,
        "values": [(name, getattr(row, name)) for name in CharacterAttributes.NAMES],
        "can_remap_now": row.can_remap_now(),
    }


def corporation_roles(character: Character) -> dict:
    """The roles per scope (general, at HQ, at base, at other): directors, accountants, then
    the others by name."""
    key_roles = CharacterCorporationRole.KEY_ROLES
    roles = sorted(
        character.corporation_roles.all(),
        key=lambda row: (
            key_roles.index(row.role) if row.is_key_role else len(key_roles),
            row.role_name,
        ),
    )
    lists = [
        {
            "scope": scope,
            "title": label,
            "roles": [row for row in roles if row.scope == scope],
        }
        for scope, label in CharacterCorporationRole.Scope.choices
    ]
    return {"role_lists": lists, "has_roles": bool(roles)}


def jump_fatigue(character: Character) -> dict:
    row = _one_to_one(character, "jump_fatigue")
    now = timezone.now()
    return {"fatigue": row, "is_active": row is not None and row.is_active(now)}


def titles_tab(character: Character) -> dict:
    return {"titles": character.titles.order_by("title_id")}


def medals_tab(character: Character) -> dict:
    return {"medals": character.medals.select_related("corporation", "issuer").order_by("-date")}


def faction_warfare_tab(character: Character) -> dict:
    return {"stats": _one_to_one(character, "fw_stats")}


def research_agents_tab(character: Character) -> dict:
    """The agents by name, each with the research points it has accumulated by now."""
    now = timezone.now()
    agents = list(
        character.research_agents.select_related("agent", "skill").order_by("agent__name")
    )
    for agent in agents:
        agent.points_now = agent.research_points(now)
    return {"agents": agents, "points_total": sum(agent.points_now for agent in agents)}
