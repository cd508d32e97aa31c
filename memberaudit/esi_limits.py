"""ESI's limits, shared by all workers through the cache.

- The global error limit: once few errors remain in ESI's window (``X-ESI-Error-Limit-Remain``)
  or ESI answers 420, no call is made until ``X-ESI-Error-Limit-Reset`` has passed.
- Rate limits: a 429 pauses the route's rate-limit group (per character) for ``Retry-After``.
- Rate-limit budgets: how many more calls a group's bucket allows, for batches of independent
  calls (:meth:`memberaudit.esi_gateway.EsiGateway.get_each`), and how many of them may be in
  flight at once.
"""

import contextvars
import math
import time
from email.utils import parsedate_to_datetime
from typing import Any

from django.core.cache import cache

from esi import exceptions as esi_exceptions
from esi.rate_limiting import ESIRateLimits

from .esi_errors import EsiErrorLimitReached

ERROR_LIMIT_CACHE_KEY = "memberaudit_esi_error_limit_reset_at"
RATE_LIMIT_CACHE_KEY = "memberaudit_esi_rate_limit_reset_at"  # + group and character
DEFAULT_PAUSE_SECONDS = 60  # when ESI does not say how long to wait
# Requests of one batch of independent calls in flight at once: ESI's latency, not its limits,
# bounds a first update, and a failure stops a batch after at most this many requests.
MAX_REQUESTS_IN_FLIGHT = 4
# Tokens a successful answer takes from its rate-limit group's bucket (a 304 takes 1, an
# error 5: CCP's rule).
SUCCESS_TOKEN_COST = 2

# Headers of the last answer ESI sent in this context, whoever asked (the gateway, or
# eveuniverse loading EVE data): the error-limit reset is taken from them after a 420.
_last_answer_headers: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "memberaudit_esi_last_answer_headers", default=None
)


def error_limit_reset_in() -> float:
    """Seconds until calls may resume after the error limit was reached, else 0."""
    return _pause_left(ERROR_LIMIT_CACHE_KEY)


def error_limit_reached(
    exc: esi_exceptions.ESIErrorLimitException, headers: Any = None
) -> EsiErrorLimitReached:
    """Pause all ESI calls of all workers until ESI's error window resets; return the error
    to raise.

    django-esi raises ``ESIErrorLimitException`` for a 420 (and while its own pause lasts)
    and reads the reset from a header ESI does not send: ESI's own
    ``X-ESI-Error-Limit-Reset`` is taken from ``headers``, else from the last answer. Also for
    EVE data loaded through eveuniverse, which raises django-esi's exceptions unchanged.
    """
    if headers is None:
        headers = _last_answer_headers.get()
    reset = _seconds_header(headers, "X-ESI-Error-Limit-Reset")
    if reset is None:
        reset = float(exc.reset or DEFAULT_PAUSE_SECONDS)
    return EsiErrorLimitReached(_pause(ERROR_LIMIT_CACHE_KEY, reset))


def rate_limit_reset_in(group: str, character_id: int | None = None) -> float:
    """Seconds until calls to a rate-limit group may resume after a 429, else 0.

    ESI keeps a bucket per group and character for authenticated calls; public calls share
    one bucket per group (``character_id`` None).
    """
    return _pause_left(_rate_limit_key(group, character_id))


def calls_left(group: str, max_tokens: int, character_id: int | None = None) -> int | None:
    """How many more successful calls ESI's bucket of a rate-limit group allows in its window:
    what its last answer said (django-esi keeps ``X-Ratelimit-Remaining``), else the whole
    budget. None for routes without a budget."""
    if not max_tokens:
        return None
    tokens = cache.get(_bucket_key(group, character_id))
    tokens = max_tokens if tokens is None else int(tokens)
    return max(0, tokens) // SUCCESS_TOKEN_COST


def bucket_reset_in(group: str, window_seconds: int, character_id: int | None = None) -> float:
    """Seconds until ESI's bucket of a rate-limit group fills again (at most its window)."""
    ttl = getattr(cache, "ttl", None)
    left = ttl(_bucket_key(group, character_id)) if ttl else None
    return float(left) if left and left > 0 else float(window_seconds or DEFAULT_PAUSE_SECONDS)


def _bucket_key(group: str, character_id: int | None) -> str:
    # django-esi's key of the bucket: per character for authenticated calls
    return ESIRateLimits._slug_to_key(f"{group}:{character_id}" if character_id else group)


def _rate_limit_key(group: str, character_id: int | None) -> str:
    return f"{RATE_LIMIT_CACHE_KEY}:{group}:{character_id or 'public'}"


def _pause(key: str, seconds: float) -> float:
    """Pause the calls guarded by ``key`` for all workers (through the cache)."""
    seconds = max(1.0, seconds)
    cache.set(key, time.time() + seconds, timeout=math.ceil(seconds) + 1)
    return seconds


def _pause_left(key: str) -> float:
    resume_at = cache.get(key)
    return max(0.0, resume_at - time.time()) if resume_at else 0.0


def _seconds_header(headers: Any, name: str) -> float | None:
    """A header giving seconds to wait (a number, or for ``Retry-After`` an HTTP date)."""
    value = _header(headers, name)
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _header(headers: Any, name: str) -> str | None:
    if not headers:
        return None
    for key, value in dict(headers).items():
        if key.lower() == name.lower():
            return value
    return None
