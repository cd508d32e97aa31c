"""ESI route definitions and path matching.

Every ESI domain module in :mod:`fake_eve.esi` owns a :class:`RouteTable` named ``routes``
and registers its handlers with the decorators ``routes.get(...)`` / ``routes.post(...)``.
The route key is the operation ID from the ESI OpenAPI spec, e.g.
``GetCharactersCharacterIdLocation``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .messages import EsiError

_PARAM = re.compile(r"^\{(\w+)\}$")


@dataclass
class Route:
    key: str
    method: str
    template: str
    handler: Callable[..., Any]
    scope: str | None = None
    cache_seconds: int = 300
    rate_group: str | None = None
    rate_limit: tuple[int, str] | None = None  # (max tokens, window like "15m")
    paged: bool = False
    page_size: int = 1000
    character_route: bool = False  # path has {character_id} that the token must match
    text_params: tuple[str, ...] = ()  # path parameters that are not integers (a hash)

    def __post_init__(self) -> None:
        self.segments = [s for s in self.template.split("/") if s]

    def match(self, method: str, segments: list[str]) -> dict[str, int | str] | None:
        if method != self.method or len(segments) != len(self.segments):
            return None
        params: dict[str, str] = {}
        for pattern, value in zip(self.segments, segments, strict=True):
            param = _PARAM.match(pattern)
            if param:
                params[param.group(1)] = value
            elif pattern != value:
                return None
        converted = {}
        for name, value in params.items():
            if name in self.text_params:
                converted[name] = value
                continue
            try:
                converted[name] = int(value)
            except ValueError as exc:
                raise EsiError(400, f"failed to coerce value '{value}' into type integer") from exc
        return converted


class RouteTable:
    """Collects the routes of one ESI domain module."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, key: str, **options) -> Callable:
        def decorator(func: Callable) -> Callable:
            options.setdefault(
                "character_route", "{character_id}" in template and bool(options.get("scope"))
            )
            self.routes.append(
                Route(key=key, method=method, template=template, handler=func, **options)
            )
            return func

        return decorator

    def get(self, template: str, key: str, **options) -> Callable:
        return self.add("GET", template, key, **options)

    def post(self, template: str, key: str, **options) -> Callable:
        return self.add("POST", template, key, **options)


class Router:
    def __init__(self, routes: list[Route]) -> None:
        self.routes = sorted(routes, key=lambda r: [s.startswith("{") for s in r.segments])
        self.by_key = {r.key: r for r in routes}
        if len(self.by_key) != len(routes):
            raise ValueError("duplicate ESI route keys")

    def resolve(self, method: str, path: str) -> tuple[Route, dict[str, int]] | None:
        segments = [s for s in path.split("/") if s]
        for route in self.routes:
            params = route.match(method, segments)
            if params is not None:
                return route, params
        return None

    def path_exists(self, path: str) -> bool:
        segments = [s for s in path.split("/") if s]
        for route in self.routes:
            for method in ("GET", "POST"):
                try:
                    if route.match(method, segments) is not None:
                        return True
                except EsiError:
                    return True
        return False
