"""Contacts of characters: standings towards other characters, corporations, alliances."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity

from .characters import Character

__all__ = ["CharacterContact", "CharacterContactLabel"]


class CharacterContactLabel(models.Model):
    """A label a character defined to group its contacts."""

    character = models.ForeignKey(
        Character, on_delete=models.CASCADE, related_name="contact_labels"
    )
    label_id = models.BigIntegerField()
    name = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        default_permissions = ()
        verbose_name = _("contact label")
        verbose_name_plural = _("contact labels")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "label_id"], name="memberaudit_unique_contact_label"
            )
        ]

    def __str__(self) -> str:
        return self.name or str(self.label_id)


class CharacterContact(models.Model):
    """A character, corporation, alliance or faction in a character's contact list."""

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="contacts")
    eve_entity = models.ForeignKey(EveEntity, on_delete=models.CASCADE, related_name="+")
    standing = models.FloatField()
    is_blocked = models.BooleanField(
        null=True, default=None, help_text=_("Empty when ESI did not tell")
    )
    is_watched = models.BooleanField(default=False)
    labels = models.ManyToManyField(CharacterContactLabel, blank=True, related_name="contacts")

    class Meta:
        default_permissions = ()
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "eve_entity"], name="memberaudit_unique_contact"
            )
        ]

    def __str__(self) -> str:
        return f"{self.character_id}-{self.eve_entity_id}"
