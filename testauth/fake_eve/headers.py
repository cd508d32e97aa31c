"""Helpers for the HTTP headers ESI sends: dates, ETags and cache control."""

from __future__ import annotations

import hashlib
import time
from email.utils import formatdate, parsedate_to_datetime


def http_date(timestamp: float | None = None) -> str:
    """RFC 7231 date, e.g. ``Tue, 16 Dec 2025 11:05:00 GMT``."""
    return formatdate(timestamp if timestamp is not None else time.time(), usegmt=True)


def parse_http_date(value: str) -> float | None:
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def etag_for(body: bytes) -> str:
    """A strong, quoted ETag derived from the response body."""
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = [c.strip() for c in if_none_match.split(",")]
    bare = etag.strip('"')
    return any(c == "*" or c.removeprefix("W/").strip('"') == bare for c in candidates)


def cache_headers(max_age: int, last_modified: float, now: float | None = None) -> dict[str, str]:
    now = time.time() if now is None else now
    return {
        "Cache-Control": f"public, max-age={max_age}",
        "Expires": http_date(now + max_age),
        "Last-Modified": http_date(last_modified),
    }


class LastModifiedTracker:
    """Remembers when a resource's current content (by ETag) was first served.

    Gives a stable ``Last-Modified`` as long as the content does not change.
    """

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], float] = {}

    def get(self, resource: str, etag: str) -> float:
        key = (resource, etag)
        if key not in self._seen:
            self._seen[key] = float(int(time.time()))
        return self._seen[key]

    def clear(self) -> None:
        self._seen.clear()
