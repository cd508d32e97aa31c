"""Data of the viewer's charts: one builder per chart, each a fixed number of queries.

A builder takes a character (already checked by :mod:`memberaudit.access`) and returns plain
data for Chart.js: ``labels`` and ``datasets`` (a label and values each). The browser draws it
(``static/memberaudit/js/charts.js``); nothing here builds HTML.
"""

from collections.abc import Callable

from django.conf import settings
from django.db.models import Count, F, FloatField, Q, Sum, Window
from django.db.models.functions import RowNumber, TruncDate, TruncMonth
from django.utils.translation import gettext

from .models import Character

MAX_BALANCE_DAYS = 365


class _InUtcOnSqlite:
    """A truncation of a date and time that, on SQLite, when no time zone is converted (the
    site's is the connection's, UTC by default), is SQLite's own function
    (``sqlite_template``, the value's SQL in braces): Django's is a Python function, called
    for each row (the balance chart of a journal of 100,000 entries took 636 ms with it,
    about 110 ms without)."""

    sqlite_template = ""

    def as_sqlite(self, compiler, connection, **extra_context):
        tzname = self.get_tzname()
        if settings.USE_TZ and tzname and tzname != connection.timezone_name:
            return self.as_sql(compiler, connection, **extra_context)
        sql, params = compiler.compile(self.lhs)
        return self.sqlite_template.format(sql), params


class _Day(_InUtcOnSqlite, TruncDate):
    """The day of a date and time, as ``TruncDate`` gives it (see :class:`_InUtcOnSqlite`)."""

    sqlite_template = "date({})"


class _Month(_InUtcOnSqlite, TruncMonth):
    """The first moment of the month of a date and time, as ``TruncMonth`` gives it (see
    :class:`_InUtcOnSqlite`)."""

    sqlite_template = "strftime('%%Y-%%m-01 00:00:00', {})"


def wallet_balance(character: Character) -> dict:
    """The wallet balance at the end of each day, from the journal's running balance: the
    balance of each day's last entry (by time, then entry id), for the last
    ``MAX_BALANCE_DAYS`` days with entries.

    One query: the database ranks each day's entries and sends only each day's last one
    (a few hundred rows, not the whole journal)."""
    day = _Day("date")
    rows = (
        character.wallet_journal.filter(balance__isnull=False)
        .annotate(
            day=day,
            rank=Window(
                RowNumber(), partition_by=[day], order_by=[F("date").desc(), F("entry_id").desc()]
            ),
        )
        .filter(rank=1)
        .order_by("-day")
        .values_list("day", "balance")[:MAX_BALANCE_DAYS]
    )
    by_day = {day: float(balance) for day, balance in rows}
    days = sorted(by_day)
    return {
        "kind": "line",
        "labels": [day.isoformat() for day in days],
        "datasets": [{"label": gettext("Wallet balance"), "data": [by_day[d] for d in days]}],
    }


def isk_flow(character: Character) -> dict:
    """ISK in and out per month, one dataset per journal reference type and direction.

    The database sums per month and type, reading the character's entries in one pass; a
    month and type whose entries all lack an amount is left out (``amounts`` counts the
    entries with one, in the same pass, rather than a filter that would read each entry
    through the index of amounts)."""
    rows = (
        character.wallet_journal.annotate(month=_Month("date"))
        .values("month", "ref_type")
        .annotate(
            income=Sum("amount", filter=Q(amount__gt=0)),
            spent=Sum("amount", filter=Q(amount__lt=0)),
            amounts=Count("amount"),
        )
        .order_by("month", "ref_type")
    )
    months, values = [], {}
    for row in rows:
        if not row["amounts"]:
            continue
        month = _month(row["month"])
        if month not in months:
            months.append(month)
        ref_type = row["ref_type"].replace("_", " ")
        for direction, amount in (("in", row["income"]), ("out", row["spent"])):
            if amount:
                values.setdefault((ref_type, direction), {})[month] = float(amount)
    return {
        "kind": "bar",
        "stacked": True,
        "labels": months,
        "datasets": [
            {
                "label": f"{ref_type} ({gettext('in') if direction == 'in' else gettext('out')})",
                "stack": direction,
                "data": [amounts.get(month, 0) for month in months],
            }
            for (ref_type, direction), amounts in sorted(values.items())
        ],
    }


def skillpoints(character: Character) -> dict:
    """Total skill points at each skills update that changed them."""
    rows = character.skillpoints_records.order_by("recorded_at").values_list("recorded_at", "total")
    rows = list(rows)
    return {
        "kind": "line",
        "labels": [moment.isoformat(timespec="minutes") for moment, _ in rows],
        "datasets": [{"label": gettext("Skill points"), "data": [total for _, total in rows]}],
    }


def mined_volume(character: Character) -> dict:
    """Volume mined per month, in m³."""
    rows = (
        character.mining_ledger.annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(
            volume=Sum(F("quantity") * F("eve_type__volume"), output_field=FloatField()),
        )
        .order_by("month")
    )
    rows = list(rows)
    return {
        "kind": "bar",
        "labels": [_month(row["month"]) for row in rows],
        "datasets": [
            {"label": gettext("Mined volume (m³)"), "data": [row["volume"] or 0 for row in rows]}
        ],
    }


def _month(value) -> str:
    return value.strftime("%Y-%m")


CHARTS: dict[str, Callable[[Character], dict]] = {
    "wallet_balance": wallet_balance,
    "isk_flow": isk_flow,
    "skillpoints": skillpoints,
    "mined_volume": mined_volume,
}

# The section whose data each chart shows: what the access log records as opened.
CHART_SECTIONS = {
    "wallet_balance": "wallet_journal",
    "isk_flow": "wallet_journal",
    "skillpoints": "skills",
    "mined_volume": "mining_ledger",
}
