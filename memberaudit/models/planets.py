"""Planetary colonies of characters and their layout."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EvePlanet, EveSolarSystem, EveType

from .characters import Character

__all__ = ["CharacterPlanet", "CharacterPlanetPin"]


class CharacterPlanet(models.Model):
    """A colony of a character on one planet."""

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="planets")
    planet_id = models.PositiveIntegerField()
    eve_solar_system = models.ForeignKey(
        EveSolarSystem, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    eve_planet = models.ForeignKey(
        EvePlanet, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    planet_type = models.CharField(max_length=16, blank=True, default="")
    upgrade_level = models.PositiveSmallIntegerField(default=0)
    num_pins = models.PositiveIntegerField(default=0)
    last_update = models.DateTimeField(null=True, default=None)

    class Meta:
        default_permissions = ()
        verbose_name = _("planetary colony")
        verbose_name_plural = _("planetary colonies")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "planet_id"], name="memberaudit_unique_planet"
            )
        ]

    def __str__(self) -> str:
        return f"{self.character_id}-{self.planet_id}"


class CharacterPlanetPin(models.Model):
    """One installation of a colony: extractor, factory, storage, launchpad or command center."""

    class Kind(models.TextChoices):
        COMMAND_CENTER = "command_center", _("command center")
        EXTRACTOR = "extractor", _("extractor")
        FACTORY = "factory", _("factory")
        STORAGE = "storage", _("storage")
        OTHER = "other", _("other")

    planet = models.ForeignKey(CharacterPlanet, on_delete=models.CASCADE, related_name="pins")
    pin_id = models.BigIntegerField()
    eve_type = models.ForeignKey(
        EveType, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    schematic_id = models.PositiveIntegerField(null=True, default=None)
    product_type = models.ForeignKey(
        EveType,
        on_delete=models.SET_NULL,
        null=True,
        default=None,
        related_name="+",
        help_text=_("What an extractor extracts"),
    )
    qty_per_cycle = models.PositiveIntegerField(null=True, default=None)
    cycle_time = models.PositiveIntegerField(null=True, default=None)
    install_time = models.DateTimeField(null=True, default=None)
    expiry_time = models.DateTimeField(null=True, default=None)
    last_cycle_start = models.DateTimeField(null=True, default=None)
    contents_amount = models.BigIntegerField(default=0, help_text=_("Units stored in the pin"))

    class Meta:
        default_permissions = ()
        verbose_name = _("colony installation")
        verbose_name_plural = _("colony installations")
        constraints = [
            models.UniqueConstraint(fields=["planet", "pin_id"], name="memberaudit_unique_pin")
        ]

    def __str__(self) -> str:
        return f"{self.planet_id}-{self.pin_id}"

    @property
    def is_expired(self) -> bool:
        return bool(self.expiry_time and self.expiry_time <= timezone.now())
