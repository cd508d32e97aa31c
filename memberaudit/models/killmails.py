"""Killmails: stored once for the whole site and linked to each character that was on them.

A killmail never changes once it exists, so its details (victim, attackers, items) are
fetched from ESI's public route one time only, whichever of our characters lists it first.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity

from .characters import Character

__all__ = ["CharacterKillmail", "Killmail", "KillmailAttacker", "KillmailItem"]

KILLBOARD_URL = "https://zkillboard.com/kill/{killmail_id}/"


def _entity(related_name: str = "+", **options):
    return models.ForeignKey(
        EveEntity,
        on_delete=models.SET_NULL,
        null=True,
        default=None,
        related_name=related_name,
        **options,
    )


class Killmail(models.Model):
    """One killmail with its victim; attackers and items are in their own tables."""

    id = models.BigIntegerField(primary_key=True, help_text=_("Killmail id of EVE"))
    hash = models.CharField(max_length=64)
    time = models.DateTimeField(db_index=True)
    solar_system = _entity()
    moon_id = models.BigIntegerField(null=True, default=None)
    war_id = models.BigIntegerField(null=True, default=None)
    victim_character = _entity()
    victim_corporation = _entity()
    victim_alliance = _entity()
    victim_faction = _entity()
    victim_ship_type = _entity()
    victim_damage_taken = models.BigIntegerField(default=0)
    attacker_count = models.PositiveIntegerField(default=0)

    class Meta:
        default_permissions = ()
        verbose_name = _("killmail")
        verbose_name_plural = _("killmails")

    def __str__(self) -> str:
        return str(self.id)

    @property
    def killboard_url(self) -> str:
        return KILLBOARD_URL.format(killmail_id=self.id)


class KillmailAttacker(models.Model):
    """An attacker on a killmail: a character, an NPC or a structure. The position (its place
    on the killmail) makes storing the same killmail twice at once a no-op."""

    killmail = models.ForeignKey(Killmail, on_delete=models.CASCADE, related_name="attackers")
    position = models.PositiveIntegerField(
        default=0, help_text=_("Order of the attacker on the killmail")
    )
    character = _entity()
    corporation = _entity()
    alliance = _entity()
    faction = _entity()
    ship_type = _entity()
    weapon_type = _entity()
    damage_done = models.BigIntegerField(default=0)
    is_final_blow = models.BooleanField(default=False)
    security_status = models.FloatField(null=True, default=None)

    class Meta:
        default_permissions = ()
        verbose_name = _("killmail attacker")
        verbose_name_plural = _("killmail attackers")
        constraints = [
            models.UniqueConstraint(
                fields=["killmail", "position"], name="memberaudit_unique_killmail_attacker"
            )
        ]

    def __str__(self) -> str:
        # who attacked, as an admin inline row is labelled: a pilot, else an NPC's corporation
        # or faction, else a structure's type
        for entity in (self.character, self.corporation, self.faction, self.ship_type):
            if entity is not None and entity.name:
                return entity.name
        return str(_("unknown attacker"))


class KillmailItem(models.Model):
    """An item the victim had, dropped or destroyed; items inside a container name its
    position (positions avoid depending on the database returning new primary keys)."""

    killmail = models.ForeignKey(Killmail, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(help_text=_("Order of the item on the killmail"))
    parent_position = models.PositiveIntegerField(
        null=True, default=None, help_text=_("Position of the container it was in")
    )
    item_type = _entity()
    flag = models.IntegerField(default=0)
    quantity_destroyed = models.BigIntegerField(default=0)
    quantity_dropped = models.BigIntegerField(default=0)
    is_singleton = models.BooleanField(default=False)

    class Meta:
        default_permissions = ()
        verbose_name = _("killmail item")
        verbose_name_plural = _("killmail items")
        constraints = [
            models.UniqueConstraint(
                fields=["killmail", "position"], name="memberaudit_unique_killmail_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.killmail_id}-{self.item_type_id}"


class CharacterKillmail(models.Model):
    """A killmail that a character's recent kills and losses listed.

    ``killmail_id`` is EVE's killmail id from the list, set before the details are stored
    (hence no database constraint): a link whose killmail is not stored yet waits for its
    details, and ``is_loss`` stays empty until they are.
    """

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="killmails")
    killmail = models.ForeignKey(
        Killmail, on_delete=models.DO_NOTHING, db_constraint=False, related_name="characters"
    )
    killmail_hash = models.CharField(max_length=64)
    is_loss = models.BooleanField(null=True, default=None)

    class Meta:
        default_permissions = ()
        verbose_name = _("character killmail")
        verbose_name_plural = _("character killmails")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "killmail"], name="memberaudit_unique_character_killmail"
            )
        ]

    def __str__(self) -> str:
        return f"{self.character_id}-{self.killmail_id}"
