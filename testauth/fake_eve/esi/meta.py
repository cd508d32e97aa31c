"""Server and route status."""

from __future__ import annotations

from datetime import datetime, timezone

from ..router import RouteTable

routes = RouteTable()


@routes.get(
    "/meta/status", "GetMetaStatus", cache_seconds=0, rate_group="meta", rate_limit=(150, "15m")
)
def meta_status(ctx):
    statuses = ctx.server.route_status
    return {
        "routes": [
            {"method": r.method, "path": r.template, "status": statuses.get(r.key, "OK")}
            for r in ctx.server.router.routes
        ]
    }


@routes.get("/status", "GetStatus", cache_seconds=30, rate_group="status", rate_limit=(600, "15m"))
def status(ctx):
    settings = ctx.scenario.settings
    start = datetime.now(timezone.utc).replace(hour=11, minute=5, second=0, microsecond=0)
    return {
        "players": settings.get("players", 23456),
        "server_version": settings.get("server_version", "3033461"),
        "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
