"""ESI routes, one module per domain.

Each module defines ``routes = RouteTable()`` and registers handlers on it. Modules in this
package are discovered automatically: adding a domain means adding one module.
"""

from __future__ import annotations

import importlib
import pkgutil

from ..router import Route


def all_routes() -> list[Route]:
    routes: list[Route] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        table = getattr(module, "routes", None)
        if table is not None:
            routes.extend(table.routes)
    return routes
