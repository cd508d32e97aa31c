"""Calendar events of characters, with their details."""

from django.db import models
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from ..markup import sanitize_eve_markup_html
from .characters import Character

__all__ = ["CharacterCalendarEvent"]


class CharacterCalendarEvent(models.Model):
    """An upcoming event in a character's calendar, as ESI lists them."""

    class Response(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        NOT_RESPONDED = "not_responded", _("not responded")
        TENTATIVE = "tentative", _("tentative")
        UNKNOWN = "unknown", _("unknown")

    character = models.ForeignKey(
        Character, on_delete=models.CASCADE, related_name="calendar_events"
    )
    event_id = models.BigIntegerField()
    title = models.CharField(max_length=500, blank=True, default="")
    event_date = models.DateTimeField(db_index=True)
    duration = models.PositiveIntegerField(default=0, help_text=_("In minutes"))
    importance = models.IntegerField(default=0)
    response = models.CharField(max_length=16, choices=Response.choices, default=Response.UNKNOWN)
    owner_id_raw = models.BigIntegerField(null=True, default=None)
    owner_name = models.CharField(max_length=254, blank=True, default="")
    owner_type = models.CharField(max_length=16, blank=True, default="")
    text = models.TextField(blank=True, default="", help_text=_("EVE markup as sent by ESI"))

    class Meta:
        default_permissions = ()
        verbose_name = _("calendar event")
        verbose_name_plural = _("calendar events")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "event_id"], name="memberaudit_unique_calendar_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.title}"

    @property
    def text_html(self) -> SafeString:
        """The event's text as HTML that is safe to show (allow-list sanitized)."""
        return sanitize_eve_markup_html(self.text)
