"""EVE mail of characters: mailing lists, labels, mail headers, bodies and recipients."""

from django.db import models
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity

from ..markup import eve_markup_to_text, sanitize_eve_markup_html
from .characters import Character

__all__ = ["CharacterMail", "CharacterMailLabel", "CharacterMailRecipient", "CharacterMailingList"]


class CharacterMailingList(models.Model):
    """A mailing list a character is (or was) subscribed to.

    Lists that only appear in mails (e.g. after leaving them) are kept with an empty name, so
    mails from and to them still show where they came from.
    """

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="mailing_lists")
    list_id = models.BigIntegerField()
    name = models.CharField(max_length=254, blank=True, default="")

    class Meta:
        default_permissions = ()
        verbose_name = _("mailing list")
        verbose_name_plural = _("mailing lists")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "list_id"], name="memberaudit_unique_mailing_list"
            )
        ]

    def __str__(self) -> str:
        return self.name or f"#{self.list_id}"


class CharacterMailLabel(models.Model):
    """A mail label of a character (Inbox, Sent, [Corp], [Alliance] or a custom one)."""

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="mail_labels")
    label_id = models.BigIntegerField()
    name = models.CharField(max_length=100, blank=True, default="")
    color = models.CharField(max_length=16, blank=True, default="")
    unread_count = models.PositiveIntegerField(default=0)

    class Meta:
        default_permissions = ()
        verbose_name = _("mail label")
        verbose_name_plural = _("mail labels")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "label_id"], name="memberaudit_unique_mail_label"
            )
        ]

    def __str__(self) -> str:
        return self.name or str(self.label_id)


class CharacterMail(models.Model):
    """One mail of a character: its header, and its body once fetched.

    The body is stored as ESI sends it (EVE markup, players control it): show it through
    :attr:`body_html`, never raw.
    """

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="mails")
    mail_id = models.BigIntegerField()
    from_id = models.BigIntegerField(
        null=True, default=None, help_text=_("Sender id as sent by ESI")
    )
    sender = models.ForeignKey(
        EveEntity,
        on_delete=models.SET_NULL,
        null=True,
        default=None,
        related_name="+",
        help_text=_("Sending character, corporation or alliance"),
    )
    sender_mailing_list = models.ForeignKey(
        CharacterMailingList,
        on_delete=models.SET_NULL,
        null=True,
        default=None,
        related_name="sent_mails",
        help_text=_("Set when the mail was sent from a mailing list"),
    )
    subject = models.CharField(max_length=1000, blank=True, default="")
    body = models.TextField(
        null=True, default=None, help_text=_("EVE markup as sent by ESI; empty until fetched")
    )
    timestamp = models.DateTimeField(null=True, default=None, db_index=True)
    is_read = models.BooleanField(default=False)
    labels = models.ManyToManyField(CharacterMailLabel, blank=True, related_name="mails")

    class Meta:
        default_permissions = ()
        verbose_name = _("mail")
        verbose_name_plural = _("mails")
        constraints = [
            models.UniqueConstraint(fields=["character", "mail_id"], name="memberaudit_unique_mail")
        ]
        indexes = [
            models.Index(fields=["character", "timestamp"], name="memberaudit_mail_time"),
            # unread counts (launcher, mail folders) read only this index, and the unread
            # folder's pages walk it newest first
            models.Index(
                fields=["character", "is_read", "timestamp"], name="memberaudit_mail_unread_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mail_id}: {self.subject}"

    @property
    def body_html(self) -> SafeString:
        """The body as HTML that is safe to show (allow-list sanitized)."""
        return sanitize_eve_markup_html(self.body)

    @property
    def body_text(self) -> str:
        """The body as plain text, e.g. for previews (let templates escape it)."""
        return eve_markup_to_text(self.body)

    @property
    def sender_name(self) -> str:
        if self.sender_mailing_list_id:
            return str(self.sender_mailing_list)
        if self.sender_id and self.sender.name:
            return self.sender.name
        return f"#{self.from_id}" if self.from_id else ""


class CharacterMailRecipient(models.Model):
    """A recipient of a mail: a character, corporation, alliance or mailing list."""

    class Kind(models.TextChoices):
        ALLIANCE = "alliance", _("alliance")
        CHARACTER = "character", _("character")
        CORPORATION = "corporation", _("corporation")
        MAILING_LIST = "mailing_list", _("mailing list")
        UNKNOWN = "unknown", _("unknown")

    mail = models.ForeignKey(CharacterMail, on_delete=models.CASCADE, related_name="recipients")
    recipient_id = models.BigIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.UNKNOWN)
    eve_entity = models.ForeignKey(
        EveEntity, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    mailing_list = models.ForeignKey(
        CharacterMailingList,
        on_delete=models.SET_NULL,
        null=True,
        default=None,
        related_name="received_mails",
    )

    class Meta:
        default_permissions = ()
        verbose_name = _("mail recipient")
        verbose_name_plural = _("mail recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["mail", "recipient_id"], name="memberaudit_unique_mail_recipient"
            )
        ]

    def __str__(self) -> str:
        if self.mailing_list_id:
            return str(self.mailing_list)
        if self.eve_entity_id and self.eve_entity.name:
            return self.eve_entity.name
        return f"#{self.recipient_id}"
