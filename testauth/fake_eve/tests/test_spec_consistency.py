"""Every fake route matches an operation of the ESI spec shipped with django-eveuniverse."""

import json
from pathlib import Path

from fake_eve.__main__ import find_spec_file
from fake_eve.esi import all_routes

SPEC_FILE = find_spec_file()


def test_routes_match_spec():
    assert SPEC_FILE is not None, "the ESI spec of django-eveuniverse was not found"
    spec = json.loads(Path(SPEC_FILE).read_text())
    operations = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                operations[op["operationId"]] = (method.upper(), path, op)
    for route in all_routes():
        method, path, op = operations[route.key]
        assert (route.method, route.template) == (method, path), route.key
        scopes = op["security"][0]["OAuth2"] if op.get("security") else []
        assert scopes == ([route.scope] if route.scope else []), route.key
        limit = op.get("x-rate-limit")
        assert route.rate_group == (limit["group"] if limit else None), route.key
        if limit:
            assert route.rate_limit == (limit["max-tokens"], limit["window-size"]), route.key
        has_page = any(
            p.get("name") == "page" for p in op.get("parameters", []) if isinstance(p, dict)
        )
        assert route.paged == has_page, route.key
