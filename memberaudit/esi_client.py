"""The django-esi client Member Audit uses: one provider with a pinned compatibility date,
limited to the operations the app calls, tolerant of enum values newer than its spec, and
reusing HTTP connections between requests.

The operations are handed in from above (:func:`use_operations`, called when the app is
ready), so this module knows nothing of the sections that need them.
"""

import json
import os
import threading
from dataclasses import dataclass
from functools import cache as memoize
from pathlib import Path

from aiopenapi3.plugin import Document

from esi import openapi_clients
from esi.openapi_clients import ESIClientProvider

from . import __version__

UA_APP_NAME = "aa-memberaudit"
COMPATIBILITY_DATE = "2025-12-16"
SPEC_FILE = Path(__import__("eveuniverse").__file__).parent / f"openapi_{COMPATIBILITY_DATE}.json"

# Operations used outside of sections (name resolution, locations, registration, skill sets
# from fittings, EVE types and solar systems loaded in bulk).
COMMON_OPERATIONS = (
    "GetCharactersCharacterId",
    "GetUniverseCategoriesCategoryId",
    "GetUniverseConstellationsConstellationId",
    "GetUniverseGroupsGroupId",
    "GetUniverseRegionsRegionId",
    "GetUniverseStationsStationId",
    "GetUniverseStructuresStructureId",
    "GetUniverseSystemsSystemId",
    "GetUniverseTypesTypeId",
    "PostCharactersAffiliation",
    "PostUniverseIds",
    "PostUniverseNames",
)

_operations_to_load: set[str] = set(COMMON_OPERATIONS)


def use_operations(operations) -> None:
    """Add operations the client must offer; call before the first request."""
    _operations_to_load.update(operations)


@dataclass(frozen=True)
class OperationInfo:
    tag: str
    rate_group: str  # the spec's rate-limit group, or the operation id for routes without one
    # ESI's budget of the group: tokens per window (per character for authenticated calls);
    # 0 for routes without a declared group
    max_tokens: int = 0
    window_seconds: int = 0
    paged: bool = False  # takes a ``page`` parameter: ESI says in ``X-Pages`` how many there are


@memoize
def _operations() -> dict[str, OperationInfo]:
    """Map each operation id of the pinned spec to its tag and rate-limit group."""
    spec = json.loads(SPEC_FILE.read_text(encoding="utf-8"))
    operations = {}
    for path in spec["paths"].values():
        for operation in path.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            limit = operation.get("x-rate-limit") or {}
            operations[operation["operationId"]] = OperationInfo(
                tag=operation["tags"][0],
                rate_group=limit.get("group") or operation["operationId"],
                max_tokens=int(limit.get("max-tokens") or 0),
                window_seconds=_window_seconds(limit.get("window-size") or ""),
                paged=any(
                    parameter.get("name") == "page" for parameter in operation.get("parameters", [])
                ),
            )
    return operations


def _window_seconds(window: str) -> int:
    """Seconds of a rate-limit window written like ``15m``, ``1h`` or ``30s``; 0 if unknown."""
    units = {"s": 1, "m": 60, "h": 3600}
    number, unit = window[:-1], window[-1:]
    return int(number) * units[unit] if number.isdigit() and unit in units else 0


def rate_limit_budgets() -> dict[str, tuple[int, int]]:
    """ESI's budget of every rate-limit group of the pinned spec: tokens per window and the
    window in seconds."""
    return {
        info.rate_group: (info.max_tokens, info.window_seconds)
        for info in _operations().values()
        if info.max_tokens
    }


def operation_info(operation_id: str) -> OperationInfo | None:
    """Tag and rate-limit group of an operation of the pinned spec, or None if unknown."""
    return _operations().get(operation_id)


class TolerateNewEnumValues(Document):
    """aiopenapi3 plugin: accept enum values that ESI added after the pinned spec.

    With the spec's enums a new contract type or journal ref type would make the client reject
    the whole answer; we store such values as they come instead.
    """

    def parsed(self, ctx: Document.Context) -> Document.Context:
        _drop_enums(ctx.document)
        return ctx


def _drop_enums(node) -> None:
    if isinstance(node, dict):
        node.pop("enum", None)
        for value in node.values():
            _drop_enums(value)
    elif isinstance(node, list):
        for value in node:
            _drop_enums(value)


def _install_client_plugins() -> None:
    """Add our plugins to the clients that django-esi builds for this app (and no other)."""
    original = openapi_clients._load_plugins
    if getattr(original, "adds_memberaudit_plugins", False):
        return

    def load_plugins(app_name, *args, **kwargs):
        plugins = original(app_name, *args, **kwargs)
        if app_name == UA_APP_NAME:
            plugins.append(TolerateNewEnumValues())
        return plugins

    load_plugins.adds_memberaudit_plugins = True
    openapi_clients._load_plugins = load_plugins


class _ReusedSession:
    """One HTTP client used for many requests: ``close()`` by the request code is ignored.

    django-esi's client asks for a new HTTP client for every request, which sets up TLS and a
    connection each time; reusing one per thread keeps connections alive.
    """

    def __init__(self, session):
        self._session = session

    def __getattr__(self, name):
        return getattr(self._session, name)

    def close(self) -> None:
        pass


def _reusing_session_factory(factory):
    local = threading.local()

    def session_factory(**kwargs):
        key = (os.getpid(), repr(sorted(kwargs.items(), key=lambda item: item[0])))
        sessions = local.__dict__.setdefault("sessions", {})
        if key not in sessions:
            sessions[key] = _ReusedSession(factory(**kwargs))
        return sessions[key]

    return session_factory


def reuse_sessions(api) -> None:
    """Make an aiopenapi3 client built by django-esi reuse its HTTP clients per thread."""
    if not getattr(api, "memberaudit_reuses_sessions", False):
        api._session_factory = _reusing_session_factory(api._session_factory)
        api.memberaudit_reuses_sessions = True


def esi_client():
    """The ESI client of :func:`provider`, reusing HTTP connections between requests."""
    client = provider().client
    reuse_sessions(client.api)
    return client


@memoize
def provider() -> ESIClientProvider:
    """The app's django-esi client provider, limited to the operations we use."""
    _install_client_plugins()
    operations = sorted(_operations_to_load)
    return ESIClientProvider(
        compatibility_date=COMPATIBILITY_DATE,
        ua_appname=UA_APP_NAME,
        ua_version=__version__,
        spec_file=str(SPEC_FILE),
        operations=operations,
    )


class KnownScopesToken:
    """A token whose scope names are read once, for the many calls of one section run.

    django-esi checks that a token has the scopes of an operation before every call and every
    page, with a query of its own (``token.scopes.all().values_list("name", flat=True)``).
    This stands in for the token, passing everything else through to it. A token read
    together with its scope names (``token.scope_names``, as the updater reads it) costs no
    query at all.
    """

    def __init__(self, token):
        self.token = token
        self._scope_names: list[str] | None = getattr(token, "scope_names", None)

    def __getattr__(self, name):
        return getattr(self.token, name)

    @property
    def scopes(self) -> "KnownScopesToken":
        return self

    def all(self) -> "KnownScopesToken":
        return self

    def values_list(self, *fields, flat: bool = False) -> list:
        if fields != ("name",) or not flat:
            return list(self.token.scopes.all().values_list(*fields, flat=flat))
        if self._scope_names is None:
            self._scope_names = list(self.token.scopes.all().values_list("name", flat=True))
        return self._scope_names
