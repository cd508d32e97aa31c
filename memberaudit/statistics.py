"""Figures about the update runs: durations per ring and section, counts, ESI requests."""

import logging

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Min, Sum

from .access import live_shares
from .models import Character, SectionUpdateStatus
from .sections import registry

logger = logging.getLogger(__name__)


def section_durations() -> dict:
    """Max, average and min duration in seconds of the last runs, per ring and section."""
    duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    rows = (
        SectionUpdateStatus.objects.filter(
            finished_at__isnull=False, started_at__isnull=False, finished_at__gte=F("started_at")
        )
        .values("section")
        .annotate(
            max=Max(duration),
            avg=Avg(duration),
            min=Min(duration),
            runs=Count("pk"),
            esi_requests=Sum("esi_requests"),
            esi_not_modified=Sum("esi_not_modified"),
            esi_errors=Sum("esi_errors"),
        )
    )
    by_section = {row["section"]: row for row in rows}
    result = {}
    for ring in (1, 2, 3):
        ring_stats = {}
        for section in registry.in_ring(ring):
            row = by_section.get(section.name)
            if not row:
                continue
            ring_stats[section.name] = {
                "max": _seconds(row["max"]),
                "avg": _seconds(row["avg"]),
                "min": _seconds(row["min"]),
                "runs": row["runs"],
                "esi_requests": row["esi_requests"] or 0,
                "esi_not_modified": row["esi_not_modified"] or 0,
                "esi_errors": row["esi_errors"] or 0,
            }
        result[f"ring_{ring}"] = ring_stats
    return result


def current_statistics() -> dict:
    """Everything ``memberaudit_statistics`` prints."""
    statuses = SectionUpdateStatus.objects.aggregate(
        ok=Count("pk", filter=F("is_success")),
        total=Count("pk"),
    )
    return {
        "update_durations": section_durations(),
        "characters": {
            "total": Character.objects.count(),
            "enabled": Character.objects.filter(is_disabled=False).count(),
            "shared": live_shares().values("character").distinct().count(),
        },
        "section_statuses": statuses,
    }


def log_update_statistics() -> None:
    for ring, sections in section_durations().items():
        for name, figures in sections.items():
            logger.info(
                "Update statistics %s %s: max %.3f s, avg %.3f s, min %.3f s",
                ring,
                name,
                figures["max"] or 0,
                figures["avg"] or 0,
                figures["min"] or 0,
            )


def _seconds(value) -> float | None:
    if value is None:
        return None
    if hasattr(value, "total_seconds"):
        return round(value.total_seconds(), 3)
    return round(float(value) / 1_000_000, 3)  # some backends give microseconds
