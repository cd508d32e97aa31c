"""The ESI budget dashboard: what the hourly counters of :mod:`memberaudit.esi_usage` say
about the last 24 hours or 7 days, for admins.

Everything here reads: one Redis round trip for the counters, one query for the names of
the characters whose calls failed most. Chart data is plain data for Chart.js (drawn by
``static/memberaudit/js/charts.js``).
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import esi_usage
from .esi_client import rate_limit_budgets
from .esi_limits import error_limit_reset_in
from .models import Character

PERIODS = {"24h": 24, "7d": 7 * 24}
DEFAULT_PERIOD = "24h"
PERIOD_TITLES = {"24h": _("Last 24 hours"), "7d": _("Last 7 days")}
TOP_FAILING_CHARACTERS = 10
# ESI's error window: 100 errors per minute, counted down in X-ESI-Error-Limit-Remain.
ERROR_LIMIT_WINDOW = 100


@dataclass
class RouteUsage:
    """What one section spent on one route in the period."""

    section: str
    section_title: str
    route: str
    requests: int = 0
    not_modified: int = 0
    cached: int = 0
    errors: Counter = field(default_factory=Counter)  # status -> answers

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def not_modified_share(self) -> float | None:
        return self.not_modified / self.requests if self.requests else None

    @property
    def errors_by_status(self) -> list[tuple[int, int]]:
        return sorted(self.errors.items())


@dataclass
class GroupUsage:
    """Tokens one rate-limit group spent, against ESI's budget of one bucket."""

    group: str
    used: int  # in the period, all characters together
    busiest_hour: int  # the most tokens spent in one hour
    max_tokens: int  # ESI's budget of one bucket (per character) per window
    window_minutes: int
    lowest_remaining: int | None  # the fewest tokens any bucket had left

    @property
    def peak_share(self) -> float | None:
        """How much of one bucket's budget the busiest bucket used at its fullest."""
        if self.lowest_remaining is None or not self.max_tokens:
            return None
        return max(0, self.max_tokens - self.lowest_remaining) / self.max_tokens


@dataclass
class SectionPauses:
    section: str
    section_title: str
    error_limit: int = 0  # calls held back by a 420 pause
    rate_limit: int = 0  # calls held back by a 429 pause


def period_hours(period: str) -> int:
    return PERIODS[period]


def hour_range(hours: int, now: float | None = None) -> tuple[int, int]:
    last = esi_usage.current_hour(now)
    return last - hours + 1, last


def dashboard(period: str, now: float | None = None) -> dict:
    """Everything the dashboard shows for ``period`` (a key of :data:`PERIODS`)."""
    hours = esi_usage.read_hours(*hour_range(PERIODS[period], now))
    titles = _section_titles()
    routes: dict[tuple[str, str], RouteUsage] = {}
    tokens: Counter = Counter()
    busiest: Counter = Counter()
    pauses: dict[str, SectionPauses] = {}
    lowest: dict[str, int] = {}
    failures: Counter = Counter()
    for hour in hours:
        for name, value in hour["counts"].items():
            kind, *parts = esi_usage.split_field(name)
            if kind in ("requests", "not_modified", "cached", "errors") and len(parts) >= 2:
                section, route = parts[0], parts[1]
                usage = routes.get((section, route))
                if usage is None:
                    usage = routes[(section, route)] = RouteUsage(
                        section, titles.get(section, section), route
                    )
                if kind == "errors" and len(parts) == 3 and parts[2].isdigit():
                    usage.errors[int(parts[2])] += value
                elif kind != "errors":
                    setattr(usage, kind, getattr(usage, kind) + value)
            elif kind == "tokens" and parts:
                tokens[parts[0]] += value
                busiest[parts[0]] = max(busiest[parts[0]], value)
            elif kind == "paused" and len(parts) == 3:
                section = parts[0]
                entry = pauses.setdefault(
                    section, SectionPauses(section, titles.get(section, section))
                )
                if parts[2] == esi_usage.ERROR_LIMIT_PAUSE:
                    entry.error_limit += value
                elif parts[2] == esi_usage.RATE_LIMIT_PAUSE:
                    entry.rate_limit += value
        for member, value in hour["low"].items():
            lowest[member] = min(value, lowest.get(member, value))
        failures.update(hour["failures"])
    route_list = sorted(routes.values(), key=lambda r: (-r.requests, r.section, r.route))
    errors_by_status: Counter = Counter()
    for usage in route_list:
        errors_by_status.update(usage.errors)
    requests = sum(usage.requests for usage in route_list)
    not_modified = sum(usage.not_modified for usage in route_list)
    last = esi_usage.last_error_limit()
    return {
        "period": period,
        "routes": route_list,
        "totals": {
            "requests": requests,
            "not_modified": not_modified,
            "not_modified_share": not_modified / requests if requests else None,
            "cached": sum(usage.cached for usage in route_list),
            "errors": sum(errors_by_status.values()),
        },
        "errors_by_status": sorted(errors_by_status.items()),
        "groups": _groups(tokens, busiest, lowest),
        "error_limit": {
            "lowest": lowest.get(esi_usage.ERROR_LIMIT),
            "last": last[0] if last else None,
            "last_at": dt.datetime.fromtimestamp(last[1], dt.UTC) if last else None,
            "paused_for": error_limit_reset_in(),
            "window": ERROR_LIMIT_WINDOW,
        },
        "pauses": sorted(
            pauses.values(), key=lambda p: (-(p.error_limit + p.rate_limit), p.section)
        ),
        "failing_characters": _failing_characters(failures),
    }


def _groups(tokens: Counter, busiest: Counter, lowest: dict[str, int]) -> list[GroupUsage]:
    budgets = rate_limit_budgets()
    groups = []
    for group in sorted(tokens, key=lambda g: (-tokens[g], g)):
        max_tokens, window = budgets.get(group, (0, 0))
        groups.append(
            GroupUsage(
                group=group,
                used=tokens[group],
                busiest_hour=busiest[group],
                max_tokens=max_tokens,
                window_minutes=window // 60,
                lowest_remaining=lowest.get(esi_usage.field("group", group)),
            )
        )
    return groups


def _failing_characters(failures: Counter) -> list[dict]:
    """The characters whose calls failed most, with their names where registered."""
    top = failures.most_common(TOP_FAILING_CHARACTERS)
    known = {
        character.eve_character.character_id: character
        for character in Character.objects.filter(
            eve_character__character_id__in=[character_id for character_id, _ in top]
        ).select_related("eve_character")
    }
    rows = []
    for character_id, count in top:
        character = known.get(character_id)
        rows.append(
            {
                "character_id": character_id,
                "name": character.eve_character.character_name if character else "",
                "pk": character.pk if character else None,
                "failures": count,
            }
        )
    return rows


def _section_titles() -> dict[str, str]:
    from .sections import registry

    titles = {section.name: str(section.title) for section in registry}
    titles[""] = gettext("Outside section updates")  # names of places, registration
    return titles


# --- charts ---


def requests_chart(period: str, now: float | None = None) -> dict:
    """Per hour: answers with data, answers 304 and errors, stacked."""
    hours = esi_usage.read_hours(*hour_range(PERIODS[period], now))
    answered, not_modified, errors = [], [], []
    for hour in hours:
        counts = _by_kind(hour["counts"])
        answered.append(counts["requests"] - counts["not_modified"] - counts["errors"])
        not_modified.append(counts["not_modified"])
        errors.append(counts["errors"])
    if not any(answered + not_modified + errors):
        return _empty("bar")
    return {
        "kind": "bar",
        "stacked": True,
        "labels": _labels(hours),
        "datasets": [
            {
                "label": gettext("Answered with data"),
                "stack": "all",
                "data": answered,
                "color": "#0d6efd",
            },
            {
                "label": gettext("Not modified (304)"),
                "stack": "all",
                "data": not_modified,
                "color": "#20c997",
            },
            {"label": gettext("Errors"), "stack": "all", "data": errors, "color": "#dc3545"},
        ],
    }


def error_limit_chart(period: str, now: float | None = None) -> dict:
    """Per hour: the fewest errors ESI had left in its window (a gap: no answer that hour)."""
    hours = esi_usage.read_hours(*hour_range(PERIODS[period], now))
    values = [hour["low"].get(esi_usage.ERROR_LIMIT) for hour in hours]
    if all(value is None for value in values):
        return _empty("line")
    return {
        "kind": "line",
        "labels": _labels(hours),
        "datasets": [
            {"label": gettext("Lowest error limit left"), "data": values, "pointRadius": 3}
        ],
    }


def tokens_chart(period: str, now: float | None = None) -> dict:
    """Per hour and rate-limit group: the tokens spent, all characters together."""
    hours = esi_usage.read_hours(*hour_range(PERIODS[period], now))
    per_group: dict[str, list[int]] = defaultdict(lambda: [0] * len(hours))
    for index, hour in enumerate(hours):
        for name, value in hour["counts"].items():
            kind, *parts = esi_usage.split_field(name)
            if kind == "tokens" and parts:
                per_group[parts[0]][index] += value
    if not per_group:
        return _empty("line")
    return {
        "kind": "line",
        "labels": _labels(hours),
        "datasets": [
            {"label": group, "data": values, "pointRadius": 2}
            for group, values in sorted(per_group.items())
        ],
    }


CHARTS = {
    "requests": requests_chart,
    "error_limit": error_limit_chart,
    "tokens": tokens_chart,
}


def _by_kind(counts: dict[str, int]) -> Counter:
    totals: Counter = Counter()
    for name, value in counts.items():
        kind = esi_usage.split_field(name)[0]
        totals[kind] += value
    return totals


def _labels(hours: list[dict]) -> list[str]:
    """Hours in EVE time (UTC), as ``MM-DD HH:00``."""
    return [
        dt.datetime.fromtimestamp(hour["hour"] * 3600, dt.UTC).strftime("%m-%d %H:00")
        for hour in hours
    ]


def _empty(kind: str) -> dict:
    return {"kind": kind, "labels": [], "datasets": []}
