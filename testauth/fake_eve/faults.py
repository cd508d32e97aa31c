"""Fault injection: errors, latency and broken payloads per route, character and page.

A fault matches a request by route key (ESI operation ID, an SSO key like ``sso_token``, or
``"*"`` for all), optionally a character ID and a page. ``times`` limits how often it fires
(None = until removed).
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from .limits import ERROR_LIMIT_MESSAGE

DEFAULT_ERRORS = {
    400: "Bad request",
    401: "authorization not provided",
    403: "Forbidden",
    404: "Not found",
    420: ERROR_LIMIT_MESSAGE,
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Timeout contacting tranquility",
}

FAULT_FIELDS = (
    "route",
    "character_id",
    "status",
    "times",
    "latency",
    "malformed",
    "drop_fields",
    "stretch_text",
    "page",
    "retry_after",
    "body",
)


@dataclass
class Fault:
    route: str = "*"
    character_id: int | None = None
    status: int | None = None
    times: int | None = None
    latency: float = 0.0
    malformed: bool = False
    drop_fields: list[str] = field(default_factory=list)
    stretch_text: bool = False
    page: int | None = None
    retry_after: int | None = None
    body: Any = None
    id: int = 0
    hits: int = 0

    def matches(self, route: str, character_id: int | None, page: int | None) -> bool:
        if self.route not in ("*", route):
            return False
        if self.character_id is not None and self.character_id != character_id:
            return False
        if self.page is not None and self.page != (page or 1):
            return False
        return self.times is None or self.hits < self.times

    def error_body(self) -> Any:
        if self.body is not None:
            return self.body
        return {"error": DEFAULT_ERRORS.get(self.status, f"HTTP {self.status}")}

    def error_headers(self) -> dict[str, str]:
        if self.status == 429:
            return {"Retry-After": str(self.retry_after if self.retry_after is not None else 5)}
        return {}

    def as_dict(self) -> dict:
        return asdict(self)


def fault_from_dict(data: dict) -> Fault:
    unknown = set(data) - set(FAULT_FIELDS)
    if unknown:
        raise ValueError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
    fault = Fault(**data)
    if fault.status is not None and not (400 <= int(fault.status) <= 599):
        raise ValueError(f"fault status must be a 4xx or 5xx code, not {fault.status}")
    if not (
        fault.status or fault.latency or fault.malformed or fault.drop_fields or fault.stretch_text
    ):
        raise ValueError(
            "a fault needs at least one of status, latency, malformed, drop_fields, stretch_text"
        )
    return fault


class FaultRegistry:
    """Thread-safe list of active faults. The first matching fault applies."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def add(self, route: str = "*", **options) -> Fault:
        fault = fault_from_dict({"route": route, **options})
        with self._lock:
            fault.id = next(self._ids)
            self._faults.append(fault)
        return fault

    def remove(self, fault_id: int) -> bool:
        with self._lock:
            before = len(self._faults)
            self._faults = [f for f in self._faults if f.id != fault_id]
            return len(self._faults) != before

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()

    clear = reset

    def all(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(self, route: str, character_id: int | None, page: int | None = None) -> Fault | None:
        """Find the first matching fault and count it as fired."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(route, character_id, page):
                    fault.hits += 1
                    return fault
        return None


def drop_fields(data: Any, names: list[str]) -> Any:
    """Remove fields from an object or from each object of a list; ``a.b`` for nested ones."""
    if isinstance(data, list):
        return [drop_fields(item, names) for item in data]
    if not isinstance(data, dict):
        return data
    result = dict(data)
    for name in names:
        head, _, rest = name.partition(".")
        if head not in result:
            continue
        if rest:
            result[head] = drop_fields(result[head], [rest])
        else:
            del result[head]
    return result


# Out of spec, as ESI has sent: far longer than any column, a NUL byte, 4-byte UTF-8.
STRETCH_TAIL = " " + "Ω" * 3000 + "\x00 🚀𝄞"
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d(T|$)")


def stretch_text(data: Any) -> Any:
    """Every text value of the answer (not timestamps) made longer than any column, with a
    NUL byte and characters beyond the Basic Multilingual Plane; enum values so become
    unknown ones."""
    if isinstance(data, list):
        return [stretch_text(item) for item in data]
    if isinstance(data, dict):
        return {key: stretch_text(value) for key, value in data.items()}
    if isinstance(data, str) and not _TIMESTAMP.match(data):
        return data + STRETCH_TAIL
    return data


def malform(body: bytes) -> bytes:
    """A truncated JSON document that no parser accepts."""
    if len(body) <= 2:
        return b'{"'
    return body[: max(len(body) // 2, 1)]
