"""Who a character is: public details and the corporations it has been in."""

from django.db import models
from django.db.models import F, Window
from django.db.models.functions import Lead
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveAncestry, EveBloodline, EveEntity, EveRace

from ..markup import eve_markup_to_text, sanitize_eve_markup_html
from .characters import Character

__all__ = ["CharacterCorporationHistory", "CharacterDetails"]


class CharacterDetails(models.Model):
    """The public details of a character, including its biography."""

    class Gender(models.TextChoices):
        MALE = "male", _("male")
        FEMALE = "female", _("female")
        UNKNOWN = "", _("unknown")

    character = models.OneToOneField(
        Character, on_delete=models.CASCADE, primary_key=True, related_name="details"
    )
    birthday = models.DateTimeField(null=True, default=None)
    corporation = models.ForeignKey(
        EveEntity, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    alliance = models.ForeignKey(
        EveEntity, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    faction = models.ForeignKey(
        EveEntity, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    race = models.ForeignKey(
        EveRace, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    bloodline = models.ForeignKey(
        EveBloodline, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    ancestry = models.ForeignKey(
        EveAncestry, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    gender = models.CharField(
        max_length=8, choices=Gender.choices, blank=True, default=Gender.UNKNOWN
    )
    security_status = models.FloatField(null=True, default=None)
    title = models.TextField(
        blank=True, default="", help_text=_("Corporation title as sent by ESI (EVE markup)")
    )
    description = models.TextField(
        blank=True, default="", help_text=_("Biography as sent by ESI (EVE markup)")
    )

    class Meta:
        default_permissions = ()
        verbose_name = _("character details")
        verbose_name_plural = _("character details")

    def __str__(self) -> str:
        return str(self.character)

    @cached_property
    def description_html(self) -> SafeString:
        """The biography, sanitized and safe to render as HTML."""
        return sanitize_eve_markup_html(self.description)

    @cached_property
    def title_html(self) -> SafeString:
        """The title, sanitized and safe to render as HTML."""
        return sanitize_eve_markup_html(self.title)

    @property
    def title_text(self) -> str:
        """The title without markup (to be escaped by the template)."""
        return eve_markup_to_text(self.title)


class CharacterCorporationHistoryQuerySet(models.QuerySet):
    def with_end_dates(self):
        """Annotate ``end_date``: the start of the next membership of the same character.

        The current membership has no end date. ``record_id`` orders the entries, as ESI
        recommends when start dates are ambiguous.
        """
        return self.annotate(
            end_date=Window(
                expression=Lead("start_date"),
                partition_by=[F("character_id")],
                order_by=[F("record_id").asc()],
            )
        )


class CharacterCorporationHistory(models.Model):
    """One membership of a character in a corporation."""

    character = models.ForeignKey(
        Character, on_delete=models.CASCADE, related_name="corporation_history"
    )
    record_id = models.BigIntegerField()
    corporation = models.ForeignKey(EveEntity, on_delete=models.CASCADE, related_name="+")
    start_date = models.DateTimeField(db_index=True)
    is_deleted = models.BooleanField(
        default=False, help_text=_("Whether the corporation has been closed")
    )

    objects = CharacterCorporationHistoryQuerySet.as_manager()

    class Meta:
        default_permissions = ()
        verbose_name = _("corporation history entry")
        verbose_name_plural = _("corporation history")
        ordering = ["character", "-record_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["character", "record_id"],
                name="memberaudit_unique_corporation_history_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.character_id}-{self.record_id}"

    @property
    def duration(self):
        """How long the membership lasted (or has lasted so far).

        Needs ``end_date`` from :meth:`CharacterCorporationHistoryQuerySet.with_end_dates`;
        without it the membership counts as current.
        """
        end = getattr(self, "end_date", None) or timezone.now()
        return end - self.start_date
