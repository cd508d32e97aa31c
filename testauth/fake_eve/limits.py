"""ESI's two throttles: the global error limit and the per-group rate limit buckets."""

from __future__ import annotations

import math
import threading
import time
from collections import deque

ERROR_LIMIT_MESSAGE = (
    "This software has exceeded the error limit for ESI. If you are a user, please contact the "
    "maintainer of this software. If you are a developer/maintainer, please make a greater "
    "effort in the future to receive valid responses. For tips on how, come have a chat with "
    "us on discord: https://www.eveonline.com/discord"
)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def window_seconds(window: str) -> int:
    """``"15m"`` -> 900"""
    return int(window[:-1] or 1) * _UNITS[window[-1]]


class ErrorLimiter:
    """The classic ESI error budget.

    Every 4xx/5xx answer takes one from the budget of the current window. Once it is used up,
    every request is answered with 420 until the window resets.
    """

    def __init__(self, limit: int = 100, window: int = 60, clock=time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self.reset()

    def configure(self, limit: int | None = None, window: int | None = None) -> None:
        with self._lock:
            if limit is not None:
                self.limit = limit
            if window is not None:
                self.window = window

    def reset(self) -> None:
        self._window_start = self._clock()
        self._errors = 0

    def _roll(self) -> None:
        now = self._clock()
        if now - self._window_start >= self.window:
            elapsed = now - self._window_start
            self._window_start += (elapsed // self.window) * self.window
            self._errors = 0

    def exhausted(self) -> bool:
        with self._lock:
            self._roll()
            return self._errors >= self.limit

    def record(self, status: int) -> None:
        if status < 400 or status == 420:
            return
        with self._lock:
            self._roll()
            self._errors += 1

    def headers(self) -> dict[str, str]:
        with self._lock:
            self._roll()
            remain = max(self.limit - self._errors, 0)
            reset = max(math.ceil(self.window - (self._clock() - self._window_start)), 0)
        return {"X-ESI-Error-Limit-Remain": str(remain), "X-ESI-Error-Limit-Reset": str(reset)}


def token_cost(status: int) -> int:
    """Tokens a response takes from its bucket (as documented by CCP)."""
    if status == 304:
        return 1
    if 200 <= status < 300:
        return 2
    if status == 429:
        return 0
    if 400 <= status < 500:
        return 5
    return 0


class RateLimiter:
    """Floating-window token buckets per rate limit group and client.

    Authenticated requests are counted per character, others per client address.
    ``overrides`` maps a group to ``(max_tokens, window)``, e.g. ``{"char-wallet": (10, "1m")}``.
    """

    def __init__(
        self, overrides: dict[str, tuple[int, str]] | None = None, clock=time.monotonic
    ) -> None:
        self.overrides = dict(overrides or {})
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, deque] = {}

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()

    def set_limit(self, group: str, max_tokens: int, window: str = "15m") -> None:
        self.overrides[group] = (max_tokens, window)

    def limit_for(self, group: str, default: tuple[int, str]) -> tuple[int, str]:
        return self.overrides.get(group, default)

    def _used(self, key: str, window: int) -> tuple[deque, int]:
        bucket = self._buckets.setdefault(key, deque())
        horizon = self._clock() - window
        while bucket and bucket[0][0] <= horizon:
            bucket.popleft()
        return bucket, sum(cost for _, cost in bucket)

    def check(self, key: str, max_tokens: int, window: int) -> int | None:
        """Seconds to wait if the bucket is empty, else None."""
        with self._lock:
            bucket, used = self._used(key, window)
            if used < max_tokens:
                return None
            # wait until enough tokens have aged out of the window
            freed = 0
            for stamp, cost in bucket:
                freed += cost
                if used - freed < max_tokens:
                    return max(math.ceil(stamp + window - self._clock()), 1)
            return window

    def consume(self, key: str, cost: int, max_tokens: int, window: int) -> int:
        """Take tokens; returns remaining tokens."""
        with self._lock:
            bucket, used = self._used(key, window)
            if cost:
                bucket.append((self._clock(), cost))
            return max(max_tokens - used - cost, 0)
