"""Standings: what NPC agents, corporations and factions think of a character."""

from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity

from .. import json_tables
from ..bulk import sync_by_key
from ..entities import ensure_entity_rows, resolve_entities
from ..models import CharacterStanding
from .base import NavGroup, Section, ViewerTab, registry

Kind = CharacterStanding.Kind

# ESI's from_type -> the EveEntity category of the id (agents have none in eveuniverse)
CATEGORIES = {
    Kind.AGENT.value: None,
    Kind.CORPORATION.value: EveEntity.CATEGORY_CORPORATION,
    Kind.FACTION.value: EveEntity.CATEGORY_FACTION,
}


def fetch(character, gateway) -> list[dict]:
    rows = gateway.get("GetCharactersCharacterIdStandings", character_id=character.character_id)
    standings = {}
    for row in rows or []:
        if not isinstance(row, dict) or not row.get("from_id"):
            continue
        kind = getattr(row.get("from_type"), "value", row.get("from_type"))
        if kind not in CATEGORIES or row.get("standing") is None:
            continue
        standings[int(row["from_id"])] = {
            "from_id": int(row["from_id"]),
            "kind": kind,
            "standing": float(row["standing"]),
        }
    for kind, category in CATEGORIES.items():
        ids = [key for key, value in standings.items() if value["kind"] == kind]
        resolve_entities(ids, gateway, keep_unknown=True, category=category)
    return [standings[key] for key in sorted(standings)]


def store(character, data: list[dict]) -> bool:
    ensure_entity_rows(row["from_id"] for row in data)
    wanted = {row["from_id"]: {"kind": row["kind"], "standing": row["standing"]} for row in data}
    *_rows, changed = sync_by_key(
        character.standings.all(),
        "eve_entity_id",
        wanted,
        ("kind", "standing"),
        character=character,
    )
    return changed


registry.register(
    Section(
        name="standings",
        title=_("standings"),
        ring=2,
        scopes=("esi-characters.read_standings.v1",),
        operations=("GetCharactersCharacterIdStandings",),
        fetch=fetch,
        store=store,
        tab=ViewerTab(
            group=NavGroup.SOCIAL,
            template="memberaudit/tabs/standings.html",
            tables={"standings": json_tables.standings},
        ),
    )
)
