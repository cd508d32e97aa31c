"""Shares of characters with recruiters, and the log of who opened whose character."""

from django.contrib.auth.models import Group, User
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .characters import Character

__all__ = ["AccessLogEntry", "CharacterShare"]


class CharacterShare(models.Model):
    """One share of a character: with all recruiters, one user or one group, until a time.

    Whether a share opens a character is decided in :mod:`memberaudit.access`, which compares
    ``expires_at`` with now; an expired row opens nothing and is only tidied away later.
    """

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="shares")
    shared_by = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        help_text=_("The owner who shared; the share opens nothing once someone else owns it"),
    )
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The recruiter this share is for; empty with no group: all recruiters"),
    )
    group = models.ForeignKey(
        Group,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The group this share is for; empty with no user: all recruiters"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text=_("Empty: until revoked")
    )

    class Meta:
        default_permissions = ()
        verbose_name = _("character share")
        verbose_name_plural = _("character shares")
        constraints = [
            models.CheckConstraint(
                condition=~Q(user__isnull=False, group__isnull=False),
                name="memberaudit_share_user_or_group",
            )
        ]

    def __str__(self) -> str:
        # what an admin inline row is labelled with, under the character it belongs to
        return str(_("Shared with %(audience)s") % {"audience": self.audience_name})

    @property
    def is_for_all_recruiters(self) -> bool:
        return self.user_id is None and self.group_id is None

    @property
    def audience_name(self) -> str:
        if self.user_id:
            return str(self.user)
        if self.group_id:
            return str(self.group)
        return str(_("all recruiters"))


class AccessLogEntry(models.Model):
    """Someone opened a character that is not theirs: one row per viewer, character, section
    and hour, with the right that let them."""

    class Reason(models.TextChoices):
        SHARE = "share", _("share")
        CORPORATION = "corporation", _("corporation scope")
        ALLIANCE = "alliance", _("alliance scope")
        EVERYTHING = "everything", _("everything")
        SUPERUSER = "superuser", _("superuser")

    viewer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    character = models.ForeignKey(
        Character, on_delete=models.CASCADE, related_name="access_log_entries"
    )
    section = models.CharField(
        max_length=64, help_text=_("What was opened: the viewer page, a section, a report")
    )
    reason = models.CharField(max_length=16, choices=Reason.choices)
    hour = models.DateTimeField(help_text=_("The hour of the first view in this row"))
    viewed_at = models.DateTimeField(db_index=True)

    class Meta:
        default_permissions = ()
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")
        constraints = [
            models.UniqueConstraint(
                fields=["viewer", "character", "section", "hour"],
                name="memberaudit_access_log_once_an_hour",
            )
        ]
        indexes = [models.Index(fields=["character", "reason", "viewed_at"])]

    def __str__(self) -> str:
        return f"{self.viewer_id}-{self.character_id}-{self.section}-{self.hour:%Y%m%d%H}"
