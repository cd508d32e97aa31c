"""Log of the requests the fake server answered, for tests and benchmarks."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass


@dataclass
class LoggedRequest:
    time: float
    kind: str  # "esi" or "sso"
    method: str
    path: str
    route: str | None
    status: int
    character_id: int | None = None
    not_modified: bool = False
    page: int | None = None
    compatibility_date: str | None = None
    fault_id: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


class RequestLog:
    def __init__(self) -> None:
        self._entries: list[LoggedRequest] = []
        self._lock = threading.Lock()

    def add(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def entries(
        self,
        route: str | None = None,
        status: int | None = None,
        character_id: int | None = None,
        kind: str | None = None,
    ) -> list[LoggedRequest]:
        with self._lock:
            result = list(self._entries)
        if route is not None:
            result = [e for e in result if e.route == route]
        if status is not None:
            result = [e for e in result if e.status == status]
        if character_id is not None:
            result = [e for e in result if e.character_id == character_id]
        if kind is not None:
            result = [e for e in result if e.kind == kind]
        return result

    def count(
        self,
        route: str | None = None,
        status: int | None = None,
        character_id: int | None = None,
        kind: str | None = None,
    ) -> int:
        return len(self.entries(route, status, character_id, kind))

    def counts(self) -> dict[str, dict[str, int]]:
        """Number of requests per route key and status, e.g. ``{"GetStatus": {"200": 3}}``."""
        counter = Counter((e.route or e.path, e.status) for e in self.entries())
        result: dict[str, dict[str, int]] = {}
        for (route, status), n in sorted(counter.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            result.setdefault(route, {})[str(status)] = n
        return result

    def summary(self) -> dict:
        entries = self.entries()
        return {
            "total": len(entries),
            "esi": sum(1 for e in entries if e.kind == "esi"),
            "not_modified": sum(1 for e in entries if e.not_modified),
            "errors": sum(1 for e in entries if e.status >= 400),
            "since": entries[0].time if entries else time.time(),
        }
