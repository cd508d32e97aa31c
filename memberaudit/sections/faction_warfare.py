"""Faction warfare: the militia a character is enlisted in, its ranks, kills and victory
points. A character that never enlisted gets a row without faction, not an error."""

from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity

from .. import character_sheet_selectors as selectors
from ..bulk import sync_one
from ..entities import ensure_entity_rows, resolve_entities
from ..models import CharacterFwStats
from .base import NavGroup, Section, ViewerTab, registry

PERIODS = ("yesterday", "last_week", "total")


def fetch(character, gateway) -> dict:
    data = gateway.get("GetCharactersCharacterIdFwStats", character_id=character.character_id)
    data = data if isinstance(data, dict) else {}
    faction_id = int(data["faction_id"]) if data.get("faction_id") else None
    resolve_entities([faction_id], gateway, keep_unknown=True, category=EveEntity.CATEGORY_FACTION)
    kills = data.get("kills") or {}
    victory_points = data.get("victory_points") or {}
    return {
        "faction_id": faction_id,
        "enlisted_on": data.get("enlisted_on") if faction_id else None,
        "current_rank": _int_or_none(data.get("current_rank")),
        "highest_rank": _int_or_none(data.get("highest_rank")),
        **{f"kills_{period}": _count(kills.get(period)) for period in PERIODS},
        **{f"victory_points_{period}": _count(victory_points.get(period)) for period in PERIODS},
    }


def _int_or_none(value) -> int | None:
    return int(value) if value is not None else None


def _count(value) -> int:
    return max(int(value or 0), 0)


def store(character, data: dict) -> bool:
    ensure_entity_rows([data["faction_id"]], EveEntity.CATEGORY_FACTION)
    return sync_one(CharacterFwStats, character, data)


registry.register(
    Section(
        name="faction_warfare",
        stored=("fw_stats",),
        title=_("faction warfare"),
        ring=2,
        scopes=("esi-characters.read_fw_stats.v1",),
        operations=("GetCharactersCharacterIdFwStats",),
        fetch=fetch,
        store=store,
        tab=ViewerTab(
            group=NavGroup.INTEL,
            template="memberaudit/tabs/faction_warfare.html",
            context=selectors.faction_warfare_tab,
        ),
    )
)
