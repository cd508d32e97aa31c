"""How often one API token may call: a fixed budget of calls per minute, counted in the cache.

Each token has one counter per minute (``cache.add`` then ``cache.incr``, atomic in Redis, so
parallel calls are counted exactly). A call beyond the budget answers 429 with
``Retry-After``: the seconds until the next minute starts.
"""

import math
import time

from ninja.throttling import BaseThrottle

from django.core.cache import cache
from django.http import HttpRequest

from . import app_settings

WINDOW_SECONDS = 60
KEY_PREFIX = "memberaudit:api-calls"


class TokenRateLimit(BaseThrottle):
    """Allow ``MEMBERAUDIT_API_RATE_LIMIT`` calls per token and minute.

    Runs after authentication: ``request.auth`` is the caller's
    :class:`~memberaudit.models.ApiToken`.
    """

    timer = time.time

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "auth", None)
        if token is None:  # unauthenticated calls are refused before they get here
            return True
        now = self.timer()
        window = int(now // WINDOW_SECONDS)
        key = f"{KEY_PREFIX}:{token.pk}:{window}"
        cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
        try:
            calls = cache.incr(key)
        except ValueError:  # expired between add and incr: this call opens a new count
            cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
            calls = 1
        return calls <= app_settings.MEMBERAUDIT_API_RATE_LIMIT

    def wait(self) -> int:
        """Seconds until the next minute's budget (computed again: one instance serves all
        threads)."""
        return max(1, math.ceil(WINDOW_SECONDS - self.timer() % WINDOW_SECONDS))
