"""Public corporation and alliance information."""

from __future__ import annotations

from ..router import RouteTable
from .common import lookup

routes = RouteTable()


@routes.get("/corporations/{corporation_id}", "GetCorporationsCorporationId", cache_seconds=3600)
def corporation(ctx):
    item = lookup(ctx, "corporations", "corporation_id", "Corporation not found")
    return {k: v for k, v in item.items() if k != "corporation_id"}


@routes.get("/alliances/{alliance_id}", "GetAlliancesAllianceId", cache_seconds=3600)
def alliance(ctx):
    item = lookup(ctx, "alliances", "alliance_id", "Alliance not found")
    return {k: v for k, v in item.items() if k != "alliance_id"}


@routes.get(
    "/alliances/{alliance_id}/corporations",
    "GetAlliancesAllianceIdCorporations",
    cache_seconds=3600,
)
def alliance_corporations(ctx):
    alliance_id = lookup(ctx, "alliances", "alliance_id", "Alliance not found")["alliance_id"]
    return [
        c["corporation_id"]
        for c in ctx.scenario.items("corporations")
        if c.get("alliance_id") == alliance_id
    ]
