"""Data exports: a user asks for a topic, a task writes the compressed CSV of every character
the user may open (:func:`memberaudit.access.accessible_characters`), the user downloads it
until it expires.

The rows are streamed (:mod:`memberaudit.exports`), so an export of any size runs in
constant memory; progress is written to the export's row every chunk. Exports of other
users' characters are recorded in the access log.
"""

import logging
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from . import access, app_settings
from .export_topics import TOPICS, ExportTopic
from .exports import rows_by_key, write_csv_gz
from .models import Character, DataExport

logger = logging.getLogger(__name__)

EXPORTS_ACCESS = "memberaudit.exports_access"
Status = DataExport.Status


def export_dir(create: bool = True) -> Path:
    """The folder export files are kept in (made when missing, unless ``create`` is off)."""
    configured = app_settings.MEMBERAUDIT_DATA_EXPORT_DIR.strip()
    folder = Path(configured) if configured else Path(settings.BASE_DIR) / "memberaudit_exports"
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_path(export: DataExport) -> Path:
    return export_dir() / export.file_name


def expires_at(export: DataExport) -> datetime:
    """When an export and its file are deleted."""
    return export.created_at + timedelta(hours=app_settings.MEMBERAUDIT_DATA_EXPORT_RETENTION_HOURS)


def recent_exports(user: User) -> QuerySet[DataExport]:
    """The exports of ``user`` that are running or can still be downloaded, newest first."""
    return DataExport.objects.filter(user=user, created_at__gte=_retention_cutoff()).order_by(
        "-created_at", "-pk"
    )


def start_export(user: User, topic: ExportTopic) -> tuple[DataExport, bool]:
    """Queue an export of ``topic`` for ``user``; an export of the same topic that has not
    finished yet is returned instead of starting a second one. Returns it and whether it is
    new."""
    from .tasks import USER_TASK_PRIORITY, export_data

    # An export older than the task time limit died with its worker: it blocks nothing.
    alive_since = timezone.now() - timedelta(seconds=app_settings.MEMBERAUDIT_TASKS_TIME_LIMIT)
    running = DataExport.objects.filter(
        user=user,
        topic=topic.name,
        status__in=[Status.QUEUED, Status.RUNNING],
        created_at__gte=alive_since,
    ).first()
    if running:
        return running, False
    export = DataExport.objects.create(user=user, topic=topic.name)
    transaction.on_commit(
        lambda: export_data.apply_async(
            kwargs={"export_pk": export.pk}, priority=USER_TASK_PRIORITY
        )
    )
    return export, True


def run_export(export_pk: int) -> DataExport | None:
    """Write the file of a queued export; records failure on the export instead of raising."""
    export = DataExport.objects.select_related("user").filter(pk=export_pk).first()
    if export is None or export.status != Status.QUEUED:
        return export
    topic = TOPICS.get(export.topic)
    user = export.user
    if topic is None or not user.has_perm(EXPORTS_ACCESS):
        return _finish(export, Status.FAILED, error="not allowed")
    characters = access.accessible_characters(user)
    export.file_name = f"memberaudit_{topic.name}_{export.pk}_{timezone.now():%Y%m%d%H%M%S}.csv.gz"
    export.status = Status.RUNNING
    export.rows_total = topic.queryset(characters).count()
    export.save(update_fields=["file_name", "status", "rows_total"])
    access.log_export(user, characters, topic.name)
    try:
        rows = write_topic(
            topic, characters, file_path(export), lambda done: _progress(export, done)
        )
    except Exception as exc:
        logger.exception("Export %s failed", export)
        return _finish(export, Status.FAILED, error=str(exc)[:1000])
    return _finish(export, Status.DONE, size=file_path(export).stat().st_size, rows=rows)


def write_topic(topic: ExportTopic, characters: QuerySet[Character], path: Path, on_progress=None):
    """Write the rows of ``topic`` for ``characters`` to a gzip CSV file; return the rows."""
    rows = rows_by_key(topic.queryset(characters), topic.fields)
    return write_csv_gz(path, topic.headers, rows, on_progress)


def purge_expired_exports(now: datetime | None = None) -> int:
    """Delete exports (and their files) older than the retention; return how many."""
    cutoff = _retention_cutoff(now)
    expired = list(DataExport.objects.filter(created_at__lt=cutoff))
    folder = export_dir(create=False)
    for export in expired:
        if export.file_name:
            (folder / export.file_name).unlink(missing_ok=True)
            (folder / f"{export.file_name}.part").unlink(missing_ok=True)
    DataExport.objects.filter(pk__in=[export.pk for export in expired]).delete()
    return len(expired)


def _retention_cutoff(now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    return now - timedelta(hours=app_settings.MEMBERAUDIT_DATA_EXPORT_RETENTION_HOURS)


def _progress(export: DataExport, done: int) -> None:
    DataExport.objects.filter(pk=export.pk).update(rows_done=done)


def _finish(
    export: DataExport, status: str, error: str = "", size: int = 0, rows: int = 0
) -> DataExport:
    export.status = status
    export.error_message = error
    export.file_size = size
    export.finished_at = timezone.now()
    export.rows_done = rows
    export.save(update_fields=["status", "error_message", "file_size", "finished_at", "rows_done"])
    return export
