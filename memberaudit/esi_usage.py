"""How Member Audit spends its ESI budget: hourly counters in Redis, kept for a week.

The gateway reports every answer ESI gave to a section's call and every call it held back
because ESI's error limit (420) or a rate limit (429) paused it. Per hour this keeps:

- per section and route: requests sent, answers 304, answers from django-esi's cache
  (no request sent), errors by HTTP status, calls held back by a pause;
- per rate-limit group: the tokens spent (ESI's ``X-Ratelimit-Used``, else its price list:
  2 for a 2xx, 1 for a 304, 5 for a 4xx) and the fewest tokens left in any character's
  bucket (``X-Ratelimit-Remaining``);
- the lowest ``X-ESI-Error-Limit-Remain`` seen, and the last one with its time;
- the characters whose calls failed most (the :data:`TOP_CHARACTERS_KEPT` highest).

Each hour is one hash and two sorted sets that expire on their own after
:data:`HOURS_KEPT` hours, so the counters never grow beyond a week of hours, each bounded by
the number of sections, routes and statuses. Counting never gets in the way of a call: when
Redis is not reachable the counters are skipped.

This module sits below the gateway: it knows operations, groups and section names only as
strings handed to it.
"""

import logging
import time
from collections.abc import Mapping
from typing import Any

logger = logging.getLogger(__name__)

KEY_PREFIX = "memberaudit:esi_usage"
HOURS_KEPT = 7 * 24
TOP_CHARACTERS_KEPT = 200
ERROR_LIMIT = "error_limit"  # member of an hour's "low" set: the lowest error limit left
ERROR_LIMIT_PAUSE = "420"
RATE_LIMIT_PAUSE = "429"
PAUSE_KINDS = (ERROR_LIMIT_PAUSE, RATE_LIMIT_PAUSE)

# What ESI charges a rate-limited route when it does not say (by the first digit of the
# status): https://developers.eveonline.com/docs/services/esi/rate-limiting/
TOKEN_PRICES = {2: 2, 3: 1, 4: 5, 5: 0}

_SEPARATOR = "|"


def current_hour(now: float | None = None) -> int:
    """The hour ``now`` is in, as hours since the epoch (UTC)."""
    return int((time.time() if now is None else now) // 3600)


def hour_key(hour: int) -> str:
    return f"{KEY_PREFIX}:{hour}"


def low_key(hour: int) -> str:
    return f"{KEY_PREFIX}:{hour}:low"


def failures_key(hour: int) -> str:
    return f"{KEY_PREFIX}:{hour}:failures"


LAST_ERROR_LIMIT_KEY = f"{KEY_PREFIX}:last_error_limit"


def field(*parts) -> str:
    """A field of an hour's hash: kind, then section, route and status as they apply."""
    return _SEPARATOR.join(str(part) for part in parts)


def split_field(name: str) -> list[str]:
    return name.split(_SEPARATOR)


def redis_client():
    """The raw Redis client behind Django's cache (django-redis), or None without one."""
    try:
        from django_redis import get_redis_connection

        return get_redis_connection("default")
    except Exception:  # another cache backend, or no Redis: no counters
        return None


def record_answer(
    *,
    section: str,
    operation: str,
    status_code: int,
    headers: Mapping | None,
    rate_group: str = "",
    character_id: int | None = None,
    now: float | None = None,
) -> None:
    """Count one answer to a section's call; ``status_code`` 0 is an answer from
    django-esi's cache (no request sent). ``rate_group`` only for routes in a group."""
    hour = current_hour(now)
    route = field(section, operation)
    commands = []
    if status_code == 0:
        commands.append(("hincrby", hour_key(hour), field("cached", route), 1))
    else:
        commands.append(("hincrby", hour_key(hour), field("requests", route), 1))
        if status_code == 304:
            commands.append(("hincrby", hour_key(hour), field("not_modified", route), 1))
        elif status_code >= 400:
            commands.append(("hincrby", hour_key(hour), field("errors", route, status_code), 1))
            if character_id:
                commands.append(("zincrby", failures_key(hour), 1, str(character_id)))
        if rate_group:
            used = _int_header(headers, "X-Ratelimit-Used")
            if used is None:
                used = TOKEN_PRICES.get(status_code // 100, 0)
            commands.append(("hincrby", hour_key(hour), field("tokens", rate_group), used))
            remaining = _int_header(headers, "X-Ratelimit-Remaining")
            if remaining is not None:
                commands.append(("zadd_low", low_key(hour), field("group", rate_group), remaining))
    error_limit = _int_header(headers, "X-ESI-Error-Limit-Remain")
    if error_limit is not None:
        commands.append(("zadd_low", low_key(hour), ERROR_LIMIT, error_limit))
        stamp = time.time() if now is None else now
        commands.append(("set", LAST_ERROR_LIMIT_KEY, f"{error_limit}{_SEPARATOR}{stamp}"))
    _run(hour, commands)


def record_pause(*, section: str, operation: str, kind: str, now: float | None = None) -> None:
    """Count a call held back because ESI's error limit (``"420"``) or a rate limit
    (``"429"``) paused it."""
    hour = current_hour(now)
    _run(hour, [("hincrby", hour_key(hour), field("paused", section, operation, kind), 1)])


def read_hours(first_hour: int, last_hour: int) -> list[dict[str, Any]]:
    """The counters of each hour from ``first_hour`` to ``last_hour`` (one Redis round trip):
    ``{"hour", "counts": {field: n}, "low": {member: n}, "failures": {character_id: n}}``;
    empty counters for hours without any or without Redis."""
    hours = list(range(first_hour, last_hour + 1))
    client = redis_client()
    empty = [{"hour": hour, "counts": {}, "low": {}, "failures": {}} for hour in hours]
    if client is None:
        return empty
    try:
        pipe = client.pipeline(transaction=False)
        for hour in hours:
            pipe.hgetall(hour_key(hour))
            pipe.zrange(low_key(hour), 0, -1, withscores=True)
            pipe.zrange(failures_key(hour), 0, -1, withscores=True)
        answers = pipe.execute()
    except Exception:
        logger.warning("ESI usage counters could not be read", exc_info=True)
        return empty
    result = []
    for index, hour in enumerate(hours):
        counts, low, failures = answers[3 * index : 3 * index + 3]
        result.append(
            {
                "hour": hour,
                "counts": {_text(name): int(value) for name, value in counts.items()},
                "low": {_text(name): int(score) for name, score in low},
                "failures": {int(_text(name)): int(score) for name, score in failures},
            }
        )
    return result


def last_error_limit() -> tuple[int, float] | None:
    """The error limit ESI reported last and when (epoch seconds), or None."""
    client = redis_client()
    if client is None:
        return None
    try:
        value = client.get(LAST_ERROR_LIMIT_KEY)
    except Exception:
        return None
    if not value:
        return None
    remain, _sep, stamp = _text(value).partition(_SEPARATOR)
    try:
        return int(remain), float(stamp)
    except ValueError:
        return None


def _run(hour: int, commands: list[tuple]) -> None:
    client = redis_client()
    if client is None or not commands:
        return
    expire_at = (hour + HOURS_KEPT + 1) * 3600
    try:
        pipe = client.pipeline(transaction=False)
        for command, key, *args in commands:
            if command == "zadd_low":  # keep the lowest value seen this hour
                member, value = args
                pipe.zadd(key, {member: value}, lt=True)  # adds a new member too
            elif command == "zincrby":
                amount, member = args
                pipe.zincrby(key, amount, member)
                # keep the characters with the most failures only
                pipe.zremrangebyrank(key, 0, -(TOP_CHARACTERS_KEPT + 1))
            else:
                getattr(pipe, command)(key, *args)
            if key != LAST_ERROR_LIMIT_KEY:
                pipe.expireat(key, expire_at)
        pipe.execute()
    except Exception:  # counting must never break a call to ESI
        logger.debug("ESI usage counters could not be written", exc_info=True)


def _int_header(headers: Mapping | None, name: str) -> int | None:
    if not headers:
        return None
    for key, value in dict(headers).items():
        if key.lower() == name.lower():
            try:
                return int(str(value).strip())
            except ValueError:
                return None
    return None


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
