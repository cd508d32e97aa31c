"""Data exports: a compressed CSV of one topic for everything a user may open."""

from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["DataExport"]


class DataExport(models.Model):
    """One export asked for by a user: its progress while it runs, then its file until it
    expires."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    topic = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveBigIntegerField(default=0)
    rows_done = models.PositiveBigIntegerField(default=0)
    file_name = models.CharField(max_length=255, blank=True, default="")
    file_size = models.PositiveBigIntegerField(default=0)
    error_message = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, default=None)

    class Meta:
        default_permissions = ()
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        indexes = [models.Index(fields=["user", "created_at"], name="memberaudit_export_user_idx")]

    def __str__(self) -> str:
        return f"{self.topic}-{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        """How far the export got, 0 to 100."""
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
