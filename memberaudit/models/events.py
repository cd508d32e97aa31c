"""Change events of characters, the watchlist of hostile entities, and who saw red flags when."""

from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity

from .characters import Character

__all__ = ["ChangeEvent", "RedFlagsVisit", "WatchedEntity"]


class ChangeEvent(models.Model):
    """Something notable that changed in a character's data, recorded while a section stored
    it (see :mod:`memberaudit.change_events`).

    ``key`` tells events of the same kind of one character apart: recording an event twice
    (e.g. a watchlist match found by the live update and again by the retroactive search)
    keeps the first. ``section`` and ``source_id`` lead to the row in the viewer.
    """

    class Kind(models.TextChoices):
        CORPORATION_JOINED = "corporation_joined", _("joined a corporation")
        CORPORATION_LEFT = "corporation_left", _("left a corporation")
        CONTACT_ADDED = "contact_added", _("contact added")
        CONTACT_REMOVED = "contact_removed", _("contact removed")
        CONTACT_STANDING = "contact_standing", _("contact standing changed")
        LARGE_TRANSFER = "large_transfer", _("large transfer outside the alliance")
        NEW_SYSTEM = "new_system", _("seen in a new system")
        SKILL_INJECTED = "skill_injected", _("skill points injected")
        CORPORATION_APPLICATION = "corporation_application", _("corporation application")
        LOCATOR_AGENT = "locator_agent", _("locator agent used")
        OUTSIDE_CO_ATTACKERS = "outside_co_attackers", _("kill with outsiders")
        WATCHLIST = "watchlist", _("watchlist match")

    class Severity(models.IntegerChoices):
        LOW = 1, _("low")
        MEDIUM = 2, _("medium")
        HIGH = 3, _("high")

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="change_events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, default=Severity.LOW)
    occurred_at = models.DateTimeField(help_text=_("When it happened in EVE, as far as known"))
    recorded_at = models.DateTimeField(default=timezone.now)
    section = models.CharField(max_length=32, help_text=_("The section the event comes from"))
    source_id = models.BigIntegerField(
        null=True, default=None, blank=True, help_text=_("Id of the row in its section")
    )
    # No database constraint: an entity may be stored after the event that names it.
    entity = models.ForeignKey(
        EveEntity,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        default=None,
        blank=True,
        related_name="+",
        help_text=_("The other party: a contact, a corporation, a watched entity..."),
    )
    details = models.JSONField(default=dict, blank=True)
    key = models.CharField(max_length=100)

    class Meta:
        default_permissions = ()
        verbose_name = _("change event")
        verbose_name_plural = _("change events")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "kind", "key"], name="memberaudit_unique_change_event"
            )
        ]
        indexes = [
            # the Changes tab: one character's events, newest first
            models.Index(fields=["character", "occurred_at"], name="ma_event_character_time"),
            # the red flags report, newest first: read backwards until a page is full; with
            # the severity, counting red flags reads only this index
            models.Index(fields=["occurred_at", "severity"], name="ma_event_time_severity"),
            # the daily digest and "new since my last visit"
            models.Index(fields=["recorded_at"], name="ma_event_recorded"),
            # the report of a viewer with a scope (or searching a name): the red flags of
            # some characters, counted and sorted by time from this index alone
            models.Index(
                fields=["character", "severity", "occurred_at"], name="ma_event_character_flags"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.character_id}-{self.kind}-{self.key}"

    @property
    def is_red_flag(self) -> bool:
        return self.severity >= self.Severity.MEDIUM


class WatchedEntity(models.Model):
    """A hostile alliance, corporation or character: anything involving it raises a red flag."""

    entity = models.OneToOneField(
        EveEntity,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("entity"),
        help_text=_("An alliance, corporation or character"),
    )
    reason = models.CharField(max_length=200, blank=True, default="", verbose_name=_("reason"))
    added_at = models.DateTimeField(default=timezone.now, editable=False)
    added_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        verbose_name = _("watched entity")
        verbose_name_plural = _("watchlist")

    def __str__(self) -> str:
        return str(self.entity.name or self.entity_id)


class RedFlagsVisit(models.Model):
    """When a user last opened the red flags report: what is newer is "new" to them."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(help_text=_("Start of the current visit"))
    seen_before = models.DateTimeField(
        null=True, default=None, help_text=_("Start of the visit before; None: never")
    )

    class Meta:
        default_permissions = ()
        verbose_name = _("red flags visit")
        verbose_name_plural = _("red flags visits")

    def __str__(self) -> str:
        return f"{self.user_id}-{self.seen_at:%Y-%m-%d %H:%M}"
