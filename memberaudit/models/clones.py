"""Clones of a character: the implants of the active clone, jump clones, home station."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveType

from .characters import Character
from .locations import Location

__all__ = [
    "CharacterCloneInfo",
    "CharacterImplant",
    "CharacterJumpClone",
    "CharacterJumpCloneImplant",
]


class CharacterImplant(models.Model):
    """An implant plugged into the active clone of a character."""

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="implants")
    eve_type = models.ForeignKey(EveType, on_delete=models.CASCADE, related_name="+")
    slot = models.PositiveSmallIntegerField(
        null=True,
        default=None,
        help_text=_("Implant slot (1-10), when known from the type's dogma attributes"),
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text=_("Position in the list sent by ESI")
    )

    class Meta:
        default_permissions = ()
        verbose_name = _("implant")
        verbose_name_plural = _("implants")
        ordering = ["character", models.F("slot").asc(nulls_last=True), "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["character", "eve_type"], name="memberaudit_unique_character_implant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.character_id}-{self.eve_type_id}"


class CharacterCloneInfo(models.Model):
    """Clone facts of a character that are not about one jump clone."""

    character = models.OneToOneField(
        Character, on_delete=models.CASCADE, primary_key=True, related_name="clone_info"
    )
    home_location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    last_clone_jump_date = models.DateTimeField(null=True, default=None)
    last_station_change_date = models.DateTimeField(null=True, default=None)

    class Meta:
        default_permissions = ()
        verbose_name = _("clone info")
        verbose_name_plural = _("clone infos")

    def __str__(self) -> str:
        return str(self.character)


class CharacterJumpClone(models.Model):
    """A jump clone of a character, parked in a station or structure."""

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="jump_clones")
    jump_clone_id = models.BigIntegerField()
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        default_permissions = ()
        verbose_name = _("jump clone")
        verbose_name_plural = _("jump clones")
        ordering = ["character", "jump_clone_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["character", "jump_clone_id"], name="memberaudit_unique_jump_clone"
            )
        ]

    def __str__(self) -> str:
        return f"{self.character_id}-{self.jump_clone_id}"


class CharacterJumpCloneImplant(models.Model):
    """An implant in a jump clone."""

    jump_clone = models.ForeignKey(
        CharacterJumpClone, on_delete=models.CASCADE, related_name="implants"
    )
    eve_type = models.ForeignKey(EveType, on_delete=models.CASCADE, related_name="+")
    slot = models.PositiveSmallIntegerField(
        null=True,
        default=None,
        help_text=_("Implant slot (1-10), when known from the type's dogma attributes"),
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text=_("Position in the list sent by ESI")
    )

    class Meta:
        default_permissions = ()
        verbose_name = _("jump clone implant")
        verbose_name_plural = _("jump clone implants")
        ordering = ["jump_clone", models.F("slot").asc(nulls_last=True), "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["jump_clone", "eve_type"], name="memberaudit_unique_jump_clone_implant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.jump_clone_id}-{self.eve_type_id}"
