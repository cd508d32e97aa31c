"""Static universe data (types, map, dogma, races, ...), as used by eveuniverse."""

from __future__ import annotations

from ..router import RouteTable
from .common import DAY, lookup

routes = RouteTable()

ORIGIN = {"x": 0.0, "y": 0.0, "z": 0.0}
STATION_DEFAULTS = {
    "max_dockable_ship_volume": 50000000.0,
    "office_rental_cost": 10000.0,
    "reprocessing_efficiency": 0.5,
    "reprocessing_stations_take": 0.05,
    "position": ORIGIN,
    "services": [
        "bounty-missions",
        "courier-missions",
        "reprocessing-plant",
        "market",
        "repair-facilities",
        "factory",
        "fitting",
        "news",
        "insurance",
        "docking",
        "office-rental",
        "loyalty-point-store",
        "navy-offices",
        "security-offices",
    ],
}


def _ids(ctx, section: str, field: str, value: int, id_field: str) -> list[int]:
    return [i[id_field] for i in ctx.scenario.items(section) if i.get(field) == value]


@routes.get("/universe/types/{type_id}", "GetUniverseTypesTypeId", cache_seconds=DAY)
def universe_type(ctx):
    item = lookup(ctx, "types", "type_id", "Type not found")
    return {"description": "", "published": True, **item}


@routes.get("/universe/types", "GetUniverseTypes", cache_seconds=DAY, paged=True)
def universe_types(ctx):
    return [i["type_id"] for i in ctx.scenario.items("types")]


@routes.get("/universe/groups/{group_id}", "GetUniverseGroupsGroupId", cache_seconds=DAY)
def universe_group(ctx):
    item = lookup(ctx, "groups", "group_id", "Group not found")
    return {
        "published": True,
        **item,
        "types": _ids(ctx, "types", "group_id", item["group_id"], "type_id"),
    }


@routes.get("/universe/groups", "GetUniverseGroups", cache_seconds=DAY, paged=True)
def universe_groups(ctx):
    return [i["group_id"] for i in ctx.scenario.items("groups")]


@routes.get(
    "/universe/categories/{category_id}", "GetUniverseCategoriesCategoryId", cache_seconds=DAY
)
def universe_category(ctx):
    item = lookup(ctx, "categories", "category_id", "Category not found")
    return {
        "published": True,
        **item,
        "groups": _ids(ctx, "groups", "category_id", item["category_id"], "group_id"),
    }


@routes.get("/universe/categories", "GetUniverseCategories", cache_seconds=DAY)
def universe_categories(ctx):
    return [i["category_id"] for i in ctx.scenario.items("categories")]


@routes.get("/universe/regions/{region_id}", "GetUniverseRegionsRegionId", cache_seconds=DAY)
def universe_region(ctx):
    item = lookup(ctx, "regions", "region_id", "Region not found")
    return {
        **item,
        "constellations": _ids(
            ctx, "constellations", "region_id", item["region_id"], "constellation_id"
        ),
    }


@routes.get("/universe/regions", "GetUniverseRegions", cache_seconds=DAY)
def universe_regions(ctx):
    return [i["region_id"] for i in ctx.scenario.items("regions")]


@routes.get(
    "/universe/constellations/{constellation_id}",
    "GetUniverseConstellationsConstellationId",
    cache_seconds=DAY,
)
def universe_constellation(ctx):
    item = lookup(ctx, "constellations", "constellation_id", "Constellation not found")
    return {
        "position": ORIGIN,
        **item,
        "systems": _ids(ctx, "systems", "constellation_id", item["constellation_id"], "system_id"),
    }


@routes.get("/universe/constellations", "GetUniverseConstellations", cache_seconds=DAY)
def universe_constellations(ctx):
    return [i["constellation_id"] for i in ctx.scenario.items("constellations")]


@routes.get("/universe/systems/{system_id}", "GetUniverseSystemsSystemId", cache_seconds=DAY)
def universe_system(ctx):
    item = lookup(ctx, "systems", "system_id", "Solar system not found")
    result = {"position": ORIGIN, **item}
    stations = _ids(ctx, "stations", "system_id", item["system_id"], "station_id")
    if stations:
        result["stations"] = stations
    planets = _ids(ctx, "planets", "system_id", item["system_id"], "planet_id")
    if planets and "planets" not in item:
        result["planets"] = [{"planet_id": planet_id} for planet_id in planets]
    return result


@routes.get("/universe/systems", "GetUniverseSystems", cache_seconds=DAY)
def universe_systems(ctx):
    return [i["system_id"] for i in ctx.scenario.items("systems")]


@routes.get("/universe/planets/{planet_id}", "GetUniversePlanetsPlanetId", cache_seconds=DAY)
def universe_planet(ctx):
    return {"position": ORIGIN, **lookup(ctx, "planets", "planet_id", "Planet not found")}


@routes.get("/universe/stations/{station_id}", "GetUniverseStationsStationId", cache_seconds=DAY)
def universe_station(ctx):
    return {**STATION_DEFAULTS, **lookup(ctx, "stations", "station_id", "Station not found")}


@routes.get("/dogma/attributes/{attribute_id}", "GetDogmaAttributesAttributeId", cache_seconds=DAY)
def dogma_attribute(ctx):
    return lookup(ctx, "dogma_attributes", "attribute_id", "Dogma attribute not found")


@routes.get("/dogma/attributes", "GetDogmaAttributes", cache_seconds=DAY)
def dogma_attributes(ctx):
    return [i["attribute_id"] for i in ctx.scenario.items("dogma_attributes")]


@routes.get("/universe/races", "GetUniverseRaces", cache_seconds=DAY)
def races(ctx):
    return ctx.scenario.items("races")


@routes.get("/universe/bloodlines", "GetUniverseBloodlines", cache_seconds=DAY)
def bloodlines(ctx):
    return ctx.scenario.items("bloodlines")


@routes.get("/universe/ancestries", "GetUniverseAncestries", cache_seconds=DAY)
def ancestries(ctx):
    return ctx.scenario.items("ancestries")


@routes.get("/universe/factions", "GetUniverseFactions", cache_seconds=DAY)
def factions(ctx):
    return ctx.scenario.items("factions")
