"""What characters build and mine: industry jobs, blueprints and the mining ledger."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity, EveSolarSystem, EveType

from .characters import Character
from .locations import Location

__all__ = ["CharacterBlueprint", "CharacterIndustryJob", "CharacterMiningEntry"]


class CharacterIndustryJob(models.Model):
    """An industry job, active or finished; kept as history."""

    class Activity(models.IntegerChoices):
        MANUFACTURING = 1, _("manufacturing")
        RESEARCH_TE = 3, _("time efficiency research")
        RESEARCH_ME = 4, _("material efficiency research")
        COPYING = 5, _("copying")
        REVERSE_ENGINEERING = 7, _("reverse engineering")
        INVENTION = 8, _("invention")
        REACTIONS = 9, _("reactions")
        REACTIONS_LEGACY = 11, _("reactions")
        UNKNOWN = 0, _("unknown")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        CANCELLED = "cancelled", _("cancelled")
        DELIVERED = "delivered", _("delivered")
        PAUSED = "paused", _("paused")
        READY = "ready", _("ready")
        REVERTED = "reverted", _("reverted")
        UNKNOWN = "unknown", _("unknown")

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="industry_jobs")
    job_id = models.BigIntegerField()
    activity_id = models.PositiveSmallIntegerField(choices=Activity.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    blueprint_id = models.BigIntegerField()
    blueprint_type = models.ForeignKey(EveType, on_delete=models.CASCADE, related_name="+")
    product_type = models.ForeignKey(
        EveType, on_delete=models.SET_NULL, null=True, default=None, blank=True, related_name="+"
    )
    runs = models.PositiveIntegerField()
    licensed_runs = models.PositiveIntegerField(null=True, default=None)
    successful_runs = models.PositiveIntegerField(null=True, default=None)
    probability = models.FloatField(null=True, default=None)
    cost = models.DecimalField(max_digits=20, decimal_places=2, null=True, default=None)
    facility = models.ForeignKey(
        Location,
        on_delete=models.SET_NULL,
        null=True,
        default=None,
        blank=True,
        related_name="+",
        help_text=_("A structure the character may not see is kept as an unknown place"),
    )
    installer = models.ForeignKey(
        EveEntity, on_delete=models.SET_NULL, null=True, default=None, blank=True, related_name="+"
    )
    start_date = models.DateTimeField()
    end_date = models.DateTimeField()
    pause_date = models.DateTimeField(null=True, default=None)
    completed_date = models.DateTimeField(null=True, default=None)

    class Meta:
        default_permissions = ()
        verbose_name = _("industry job")
        verbose_name_plural = _("industry jobs")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "job_id"], name="memberaudit_unique_industry_job"
            )
        ]
        indexes = [
            models.Index(fields=["character", "-end_date"], name="memberaudit_job_by_end"),
        ]

    def __str__(self) -> str:
        return f"{self.character_id}-{self.job_id}"


class CharacterBlueprint(models.Model):
    """A blueprint a character owns: an original (quantity -1) or a copy (quantity -2)."""

    ORIGINAL = -1
    COPY = -2

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="blueprints")
    item_id = models.BigIntegerField()
    eve_type = models.ForeignKey(EveType, on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(
        Location,
        on_delete=models.SET_NULL,
        null=True,
        default=None,
        blank=True,
        related_name="+",
        help_text=_("The station, structure or solar system, also for blueprints in containers"),
    )
    container_item_id = models.BigIntegerField(
        null=True, default=None, blank=True, help_text=_("The item (e.g. container) it is in")
    )
    container_name = models.CharField(max_length=255, blank=True, default="")
    location_flag = models.CharField(max_length=100, blank=True, default="")
    quantity = models.IntegerField(
        help_text=_("-1: original, -2: copy, a positive number: a stack of originals")
    )
    material_efficiency = models.PositiveSmallIntegerField()
    time_efficiency = models.PositiveSmallIntegerField()
    runs = models.IntegerField(help_text=_("-1 for originals: unlimited runs"))

    class Meta:
        default_permissions = ()
        verbose_name = _("blueprint")
        verbose_name_plural = _("blueprints")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "item_id"], name="memberaudit_unique_blueprint"
            )
        ]

    def __str__(self) -> str:
        return f"{self.character_id}-{self.item_id}"

    @property
    def is_copy(self) -> bool:
        return self.quantity == self.COPY


class CharacterMiningEntry(models.Model):
    """What a character mined of one ore in one solar system on one day."""

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="mining_ledger")
    date = models.DateField()
    eve_solar_system = models.ForeignKey(EveSolarSystem, on_delete=models.CASCADE, related_name="+")
    eve_type = models.ForeignKey(EveType, on_delete=models.CASCADE, related_name="+")
    quantity = models.BigIntegerField()

    class Meta:
        default_permissions = ()
        verbose_name = _("mining ledger entry")
        verbose_name_plural = _("mining ledger entries")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "date", "eve_solar_system", "eve_type"],
                name="memberaudit_unique_mining_entry",
            )
        ]

    def __str__(self) -> str:
        return f"{self.character_id}-{self.date}-{self.eve_type_id}"
