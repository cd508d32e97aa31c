"""HTTP control API under ``/_fake/`` for tests, benchmarks and demos (JSON in, JSON out)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .messages import Request, Response
from .scenario import ScenarioError

if TYPE_CHECKING:
    from .server import FakeEveServer

_CHARACTER = re.compile(r"^/_fake/characters/(\d+)(?:/(\w+))?$")
_FAULT = re.compile(r"^/_fake/faults/(\d+)$")


def _error(status: int, message: str) -> Response:
    return Response.json({"error": message}, status)


class ControlApi:
    def __init__(self, server: FakeEveServer) -> None:
        self.server = server

    def handle(self, request: Request) -> Response:
        try:
            return self._route(request)
        except ScenarioError as exc:
            return _error(400, str(exc))
        except (ValueError, TypeError) as exc:
            return _error(400, str(exc))
        except KeyError as exc:
            return _error(404, str(exc.args[0]) if exc.args else "not found")

    def _route(self, request: Request) -> Response:
        server, method, path = self.server, request.method, request.path.rstrip("/")
        if path == "/_fake/health":
            return Response.json({"ok": True, "scenario": server.scenario.name})
        if path == "/_fake/reset" and method == "POST":
            server.reset()
            return Response.json({"ok": True})
        if path == "/_fake/requests":
            if method == "DELETE":
                server.log.clear()
                return Response.json({"ok": True})
            route = request.arg("route")
            status = request.arg("status")
            character = request.arg("character_id")
            entries = server.log.entries(
                route,
                int(status) if status else None,
                int(character) if character else None,
                request.arg("kind"),
            )
            return Response.json(
                {
                    "count": len(entries),
                    "counts": server.log.counts(),
                    "entries": [e.as_dict() for e in entries],
                }
            )
        if path == "/_fake/faults":
            if method == "GET":
                return Response.json([f.as_dict() for f in server.faults.all()])
            if method == "DELETE":
                server.faults.reset()
                return Response.json({"ok": True})
            if method == "POST":
                body = request.json()
                items = body if isinstance(body, list) else [body]
                return Response.json([server.faults.add(**item).as_dict() for item in items], 201)
        match = _FAULT.match(path)
        if match and method == "DELETE":
            if not server.faults.remove(int(match.group(1))):
                raise KeyError("no such fault")
            return Response.json({"ok": True})
        if path == "/_fake/revoke" and method == "POST":
            body = request.json() or {}
            if "refresh_token" in body:
                return Response.json(
                    {"revoked": int(server.sso.revoke_refresh_token(body["refresh_token"]))}
                )
            if "character_id" in body:
                return Response.json(
                    {"revoked": server.sso.revoke_character(int(body["character_id"]))}
                )
            raise ValueError("give refresh_token or character_id")
        if path == "/_fake/tokens" and method == "POST":
            body = request.json() or {}
            return Response.json(
                server.sso.issue_tokens(
                    int(body["character_id"]),
                    list(body.get("scopes", [])),
                    body.get("client_id", "fake-client"),
                ),
                201,
            )
        if path == "/_fake/settings":
            return self._settings(request)
        match = _CHARACTER.match(path)
        if match:
            return self._character(request, int(match.group(1)), match.group(2))
        return _error(404, f"unknown control endpoint {method} {path}")

    def _settings(self, request: Request) -> Response:
        server = self.server
        if request.method == "PATCH":
            body = request.json() or {}
            for key, size in body.get("page_sizes", {}).items():
                server.set_page_size(key, size)
            for key, status in body.get("route_status", {}).items():
                server.set_route_status(key, status)
            for group, (max_tokens, window) in body.get("rate_limits", {}).items():
                server.rate_limiter.set_limit(group, int(max_tokens), window)
            server.error_limiter.configure(body.get("error_limit"), body.get("error_window"))
        return Response.json(
            {
                "page_sizes": server.page_sizes,
                "route_status": server.route_status,
                "rate_limits": server.rate_limiter.overrides,
                "error_limit": server.error_limiter.limit,
                "error_window": server.error_limiter.window,
                "routes": sorted(server.router.by_key),
            }
        )

    def _character(self, request: Request, character_id: int, section: str | None) -> Response:
        scenario = self.server.scenario
        if request.method == "GET" and section is None:
            character = scenario.character(character_id)
            if character is None:
                raise KeyError(f"no character {character_id} in scenario")
            return Response.json(character)
        if request.method == "PATCH" and section is None:
            return Response.json(scenario.update_character(character_id, request.json() or {}))
        if request.method == "POST" and section:
            body = request.json()
            items = body if isinstance(body, list) else [body]
            return Response.json(scenario.append_to_character(character_id, section, items))
        return _error(405, "use GET/PATCH /_fake/characters/{id} or POST .../{section}")
