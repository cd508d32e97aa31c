"""ESI routes, one module per domain.

Each module defines ``routes = RouteTable()`` and registers handlers on it. Modules in this
package are discovered automatically: adding a domain means adding one module.
"""

from __future__ import annotations

import importlib
import pkgutil

from ..router import Route


def domain_modules() -> list:
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)
    ]


def all_routes() -> list[Route]:
    routes: list[Route] = []
    for module in domain_modules():
        table = getattr(module, "routes", None)
        if table is not None:
            routes.extend(table.routes)
    return routes


def extra_character_fields() -> dict:
    """Scenario fields of characters that domain modules declare in ``CHARACTER_FIELDS``."""
    fields: dict = {}
    for module in domain_modules():
        fields.update(getattr(module, "CHARACTER_FIELDS", {}))
    return fields


def expand_character(character: dict) -> None:
    """Let each domain module fill derived data (``expand_character(character)``)."""
    for module in domain_modules():
        expander = getattr(module, "expand_character", None)
        if expander is not None:
            expander(character)
