"""Resolving IDs to names and names to IDs."""

from __future__ import annotations

from ..messages import EsiError
from ..router import RouteTable
from .common import id_list

routes = RouteTable()

# (scenario section, id field, ESI category, /universe/ids key)
_ENTITY_SECTIONS = [
    ("characters", "character_id", "character", "characters"),
    ("corporations", "corporation_id", "corporation", "corporations"),
    ("alliances", "alliance_id", "alliance", "alliances"),
    ("factions", "faction_id", "faction", "factions"),
    ("types", "type_id", "inventory_type", "inventory_types"),
    ("systems", "system_id", "solar_system", "systems"),
    ("constellations", "constellation_id", "constellation", "constellations"),
    ("regions", "region_id", "region", "regions"),
    ("stations", "station_id", "station", "stations"),
]
_IDS_KEYS = {category: key for *_, category, key in _ENTITY_SECTIONS} | {"agent": "agents"}


def entities(scenario):
    """Every (id, name, category) the scenario knows."""
    for section, id_field, category, _ in _ENTITY_SECTIONS:
        for item in scenario.items(section):
            yield item[id_field], item["name"], category
    for item in scenario.items("names"):
        yield item["id"], item["name"], item["category"]


@routes.post("/universe/names", "PostUniverseNames", cache_seconds=3600)
def universe_names(ctx):
    wanted = list(dict.fromkeys(id_list(ctx)))
    known = {}
    for entity_id, name, category in entities(ctx.scenario):
        known.setdefault(entity_id, {"category": category, "id": entity_id, "name": name})
    if any(i not in known for i in wanted):
        raise EsiError(404, "Ensure all IDs are valid before resolving.")
    return [known[i] for i in wanted]


@routes.post("/universe/ids", "PostUniverseIds", cache_seconds=3600)
def universe_ids(ctx):
    wanted = {name.lower() for name in id_list(ctx, limit=500, kind=str)}
    result: dict[str, list] = {}
    for entity_id, name, category in entities(ctx.scenario):
        if name.lower() in wanted:
            result.setdefault(_IDS_KEYS[category], []).append({"id": entity_id, "name": name})
    return result
