"""Writing and purging the access log: who opened a character that is not theirs, and why.

Access itself is decided in :mod:`memberaudit.access`, which calls :func:`record` after it
allowed a view. Writes are bounded: one row per viewer, character, section and hour (a unique
constraint; later views in the same hour are ignored by the database), and one insert per
request.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from . import app_settings
from .models import AccessLogEntry

PURGE_BATCH_SIZE = 5000
OVERVIEW = "overview"  # the viewer page: overview and the tabs shown with it
REPORT_PREFIX = "report:"
API_PREFIX = "api:"  # read through the API: "api:" and what the page would have said
API_CHARACTER_LIST = "characters"  # the API's list of characters
EXPORT_PREFIX = "export:"
SKILL_SEARCH = "skill_search"  # found by the skill search (its results or their CSV)


def record(
    viewer: User,
    character_pks: Iterable[int],
    section: str,
    reason: str,
    now: datetime | None = None,
) -> None:
    """Record that ``viewer`` opened ``section`` of these characters, allowed by ``reason``."""
    now = now or timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    AccessLogEntry.objects.bulk_create(
        [
            AccessLogEntry(
                viewer_id=viewer.pk,
                character_id=pk,
                section=section[:64],
                reason=reason,
                hour=hour,
                viewed_at=now,
            )
            for pk in character_pks
        ],
        ignore_conflicts=True,
    )


def opened_title(section: str) -> str:
    """What an entry's ``section`` means to people: the viewer page, a section's title, or a
    report's title."""
    from .reports import REPORTS
    from .sections import registry

    if section.startswith(API_PREFIX):
        return str(_("API: %(title)s") % {"title": opened_title(section.removeprefix(API_PREFIX))})
    if section == API_CHARACTER_LIST:
        return str(_("Character list"))
    if section == OVERVIEW:
        return str(_("Character overview"))
    if section == SKILL_SEARCH:
        return str(_("Skill search"))
    if section.startswith(REPORT_PREFIX):
        report = REPORTS.get(section.removeprefix(REPORT_PREFIX))
        return str(_("Report: %(title)s") % {"title": report.title}) if report else section
    if section.startswith(EXPORT_PREFIX):
        from .export_topics import TOPICS

        topic = TOPICS.get(section.removeprefix(EXPORT_PREFIX))
        return str(_("Data export: %(title)s") % {"title": topic.title}) if topic else section
    found = registry.get(section) if section in registry else registry.viewer_tab_owner(section)
    if found is not None:
        return capfirst(str((found.tab.title if found.tab else "") or found.title))
    return section


def opened_choices() -> list[tuple[str, str]]:
    """Every known ``section`` value with its :func:`opened_title`, to sort by what is shown."""
    from .reports import REPORTS
    from .sections import registry

    values = [OVERVIEW, SKILL_SEARCH, *(section.name for section in registry)]
    values += [f"{REPORT_PREFIX}{name}" for name in REPORTS]
    return [(value, opened_title(value)) for value in values]


def purge_old_entries(batch_size: int = PURGE_BATCH_SIZE, now: datetime | None = None) -> int:
    """Delete up to ``batch_size`` entries older than the retention; return how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=app_settings.MEMBERAUDIT_ACCESS_LOG_RETENTION_DAYS)
    pks = list(
        AccessLogEntry.objects.filter(viewed_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch_size]
    )
    if not pks:
        return 0
    deleted, _ = AccessLogEntry.objects.filter(pk__in=pks).delete()
    return deleted
