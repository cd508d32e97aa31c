"""Player-owned structures (needs docking access, like the real ESI)."""

from __future__ import annotations

from ..messages import EsiError
from ..router import RouteTable
from .common import pick

routes = RouteTable()


@routes.get(
    "/universe/structures/{structure_id}",
    "GetUniverseStructuresStructureId",
    scope="esi-universe.read_structures.v1",
    cache_seconds=3600,
)
def structure(ctx):
    item = ctx.scenario.get("structures", ctx.params["structure_id"])
    if item is None:
        raise EsiError(404, "Structure not found")
    if not item.get("docking_rights", True):
        raise EsiError(403, "Forbidden")
    return pick(item, "name", "owner_id", "position", "solar_system_id", "type_id")
