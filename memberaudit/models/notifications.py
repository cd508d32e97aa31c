"""In-game notifications of characters, and who added them as a contact."""

from django.db import models
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity

from ..markup import sanitize_eve_markup_html
from .characters import Character

__all__ = ["CharacterContactNotification", "CharacterNotification"]


class CharacterNotification(models.Model):
    """One notification; kept after ESI stops listing it (ESI lists only recent ones).

    ``text`` is the YAML ESI sends, kept as sent. ``details`` holds the fields parsed from it
    for the types we know (names already resolved), ``{}`` for other types; ``is_parsed``
    tells whether parsing worked. Show it through :mod:`memberaudit.notification_texts`.
    """

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="notifications")
    notification_id = models.BigIntegerField()
    sender = models.ForeignKey(
        EveEntity, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    sender_id_raw = models.BigIntegerField(
        null=True, default=None, help_text=_("Sender id as sent by ESI")
    )
    sender_type = models.CharField(max_length=16, blank=True, default="")
    type = models.CharField(max_length=100, db_index=True)
    group = models.CharField(max_length=20, db_index=True, default="other")
    timestamp = models.DateTimeField(db_index=True)
    is_read = models.BooleanField(default=False)
    text = models.TextField(blank=True, default="")
    details = models.JSONField(default=dict, blank=True)
    is_parsed = models.BooleanField(default=False)

    class Meta:
        default_permissions = ()
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "notification_id"], name="memberaudit_unique_notification"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notification_id}: {self.type}"


class CharacterContactNotification(models.Model):
    """Someone added the character as a contact, with a standing and maybe a message."""

    character = models.ForeignKey(
        Character, on_delete=models.CASCADE, related_name="contact_notifications"
    )
    notification_id = models.BigIntegerField()
    sender = models.ForeignKey(
        EveEntity, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    sender_character_id = models.BigIntegerField()
    standing_level = models.FloatField(default=0.0)
    message = models.TextField(blank=True, default="", help_text=_("EVE markup as sent by ESI"))
    send_date = models.DateTimeField(db_index=True)

    class Meta:
        default_permissions = ()
        verbose_name = _("contact notification")
        verbose_name_plural = _("contact notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "notification_id"],
                name="memberaudit_unique_contact_notification",
            )
        ]

    def __str__(self) -> str:
        return f"{self.notification_id}: {self.sender_character_id}"

    @property
    def message_html(self) -> SafeString:
        """The message as HTML that is safe to show (allow-list sanitized)."""
        return sanitize_eve_markup_html(self.message)

    @property
    def sender_name(self) -> str:
        if self.sender_id and self.sender.name:
            return self.sender.name
        return f"#{self.sender_character_id}"
