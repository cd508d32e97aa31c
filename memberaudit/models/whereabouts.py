"""Where a character is right now: location, online status and the ship they fly."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveSolarSystem, EveType

from .characters import Character
from .locations import Location

__all__ = ["CharacterLocation", "CharacterOnlineStatus", "CharacterShip"]


class CharacterLocation(models.Model):
    """The solar system a character is in, and the station or structure when docked."""

    character = models.OneToOneField(
        Character, on_delete=models.CASCADE, primary_key=True, related_name="location"
    )
    eve_solar_system = models.ForeignKey(
        EveSolarSystem, on_delete=models.CASCADE, related_name="+", verbose_name=_("solar system")
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.SET_NULL,
        null=True,
        default=None,
        blank=True,
        related_name="+",
        verbose_name=_("location"),
        help_text=_("The station or structure the character is docked in; empty in space"),
    )

    class Meta:
        default_permissions = ()
        verbose_name = _("character location")
        verbose_name_plural = _("character locations")

    def __str__(self) -> str:
        place = self.location or self.eve_solar_system
        return f"{self.character}: {place}"

    @property
    def is_docked(self) -> bool:
        return self.location_id is not None


class CharacterOnlineStatus(models.Model):
    """When a character last logged in and out, and whether they are online now."""

    character = models.OneToOneField(
        Character, on_delete=models.CASCADE, primary_key=True, related_name="online_status"
    )
    is_online = models.BooleanField(default=False, verbose_name=_("online"))
    last_login = models.DateTimeField(null=True, default=None, verbose_name=_("last login"))
    last_logout = models.DateTimeField(null=True, default=None, verbose_name=_("last logout"))
    logins = models.PositiveIntegerField(null=True, default=None, verbose_name=_("logins"))

    class Meta:
        default_permissions = ()
        verbose_name = _("character online status")
        verbose_name_plural = _("character online statuses")

    def __str__(self) -> str:
        state = _("online") if self.is_online else _("offline")
        return f"{self.character}: {state}"


class CharacterShip(models.Model):
    """The ship a character is currently flying (a capsule counts as a ship)."""

    character = models.OneToOneField(
        Character, on_delete=models.CASCADE, primary_key=True, related_name="ship"
    )
    eve_type = models.ForeignKey(
        EveType, on_delete=models.CASCADE, related_name="+", verbose_name=_("ship type")
    )
    item_id = models.BigIntegerField(verbose_name=_("item ID"))
    name = models.CharField(max_length=255, blank=True, default="", verbose_name=_("name"))

    class Meta:
        default_permissions = ()
        verbose_name = _("character ship")
        verbose_name_plural = _("character ships")

    def __str__(self) -> str:
        return f"{self.character}: {self.name or self.eve_type}"
