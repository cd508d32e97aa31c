"""The character sheet: attributes, corporation roles and titles, medals, NPC standings,
faction warfare, jump fatigue and research agents."""

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity

from ..markup import eve_markup_to_text, sanitize_eve_markup_html
from .characters import Character

__all__ = [
    "CharacterAttributes",
    "CharacterCorporationRole",
    "CharacterFwStats",
    "CharacterJumpFatigue",
    "CharacterMedal",
    "CharacterResearchAgent",
    "CharacterStanding",
    "CharacterTitle",
]


class CharacterAttributes(models.Model):
    """The five attributes of a character and its neural remaps."""

    character = models.OneToOneField(
        Character, on_delete=models.CASCADE, primary_key=True, related_name="attributes"
    )
    charisma = models.PositiveIntegerField()
    intelligence = models.PositiveIntegerField()
    memory = models.PositiveIntegerField()
    perception = models.PositiveIntegerField()
    willpower = models.PositiveIntegerField()
    bonus_remaps = models.PositiveIntegerField(null=True, default=None)
    last_remap_date = models.DateTimeField(null=True, default=None)
    accrued_remap_cooldown_date = models.DateTimeField(
        null=True, default=None, help_text=_("When the next remap becomes available")
    )

    NAMES = ("charisma", "intelligence", "memory", "perception", "willpower")

    class Meta:
        default_permissions = ()
        verbose_name = _("attributes")
        verbose_name_plural = _("attributes")

    def __str__(self) -> str:
        return str(self.character)

    def can_remap_now(self, now: dt.datetime | None = None) -> bool:
        """Whether a regular remap is available (bonus remaps aside)."""
        now = now or timezone.now()
        cooldown = self.accrued_remap_cooldown_date
        return cooldown is None or cooldown <= now


class CharacterCorporationRole(models.Model):
    """One corporation role a character holds, in general or at a kind of location."""

    class Scope(models.TextChoices):
        GENERAL = "general", _("general")
        HQ = "hq", _("at headquarters")
        BASE = "base", _("at base")
        OTHER = "other", _("at other locations")

    KEY_ROLES = ("Director", "Accountant")  # what auditors look for first

    character = models.ForeignKey(
        Character, on_delete=models.CASCADE, related_name="corporation_roles"
    )
    scope = models.CharField(max_length=8, choices=Scope.choices)
    role = models.CharField(max_length=64, help_text=_("Role as ESI names it, e.g. Director"))

    class Meta:
        default_permissions = ()
        verbose_name = _("corporation role")
        verbose_name_plural = _("corporation roles")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "scope", "role"], name="memberaudit_unique_corporation_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.character_id}-{self.scope}-{self.role}"

    @property
    def role_name(self) -> str:
        """The role as the game shows it: ``Account_Take_1`` -> ``Account Take 1``."""
        return self.role.replace("_", " ")

    @property
    def is_key_role(self) -> bool:
        return self.role in self.KEY_ROLES


class CharacterTitle(models.Model):
    """A corporation title of a character; its name may contain EVE markup."""

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="titles")
    title_id = models.BigIntegerField()
    name = models.TextField(blank=True, default="", help_text=_("As sent by ESI (EVE markup)"))

    class Meta:
        default_permissions = ()
        verbose_name = _("title")
        verbose_name_plural = _("titles")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "title_id"], name="memberaudit_unique_title"
            )
        ]

    def __str__(self) -> str:
        return eve_markup_to_text(self.name) or str(self.title_id)

    @cached_property
    def name_html(self) -> SafeString:
        """The name, sanitized and safe to render as HTML."""
        return sanitize_eve_markup_html(self.name)


class CharacterMedal(models.Model):
    """A medal awarded to a character."""

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="medals")
    medal_id = models.BigIntegerField()
    title = models.CharField(max_length=255, blank=True, default="")
    description = models.TextField(
        blank=True, default="", help_text=_("As sent by ESI (EVE markup)")
    )
    corporation = models.ForeignKey(
        EveEntity, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    issuer = models.ForeignKey(
        EveEntity, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    reason = models.TextField(blank=True, default="")
    date = models.DateTimeField()
    is_public = models.BooleanField(default=False)

    class Meta:
        default_permissions = ()
        verbose_name = _("medal")
        verbose_name_plural = _("medals")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "medal_id", "date"], name="memberaudit_unique_medal"
            )
        ]

    def __str__(self) -> str:
        return self.title or str(self.medal_id)

    @cached_property
    def description_html(self) -> SafeString:
        """The description, sanitized and safe to render as HTML."""
        return sanitize_eve_markup_html(self.description)

    @cached_property
    def reason_html(self) -> SafeString:
        """The reason, sanitized and safe to render as HTML."""
        return sanitize_eve_markup_html(self.reason)


class CharacterStanding(models.Model):
    """A standing an NPC agent, corporation or faction has towards a character."""

    class Kind(models.TextChoices):
        AGENT = "agent", _("agent")
        CORPORATION = "npc_corp", _("corporation")
        FACTION = "faction", _("faction")

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="standings")
    eve_entity = models.ForeignKey(EveEntity, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    standing = models.FloatField()

    class Meta:
        default_permissions = ()
        verbose_name = _("standing")
        verbose_name_plural = _("standings")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "eve_entity"], name="memberaudit_unique_standing"
            )
        ]

    def __str__(self) -> str:
        return f"{self.character_id}-{self.eve_entity_id}: {self.standing}"


class CharacterFwStats(models.Model):
    """Faction warfare statistics; no faction means the character is not enlisted."""

    character = models.OneToOneField(
        Character, on_delete=models.CASCADE, primary_key=True, related_name="fw_stats"
    )
    faction = models.ForeignKey(
        EveEntity, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    enlisted_on = models.DateTimeField(null=True, default=None)
    current_rank = models.PositiveIntegerField(null=True, default=None)
    highest_rank = models.PositiveIntegerField(null=True, default=None)
    kills_yesterday = models.PositiveIntegerField(default=0)
    kills_last_week = models.PositiveIntegerField(default=0)
    kills_total = models.PositiveIntegerField(default=0)
    victory_points_yesterday = models.PositiveIntegerField(default=0)
    victory_points_last_week = models.PositiveIntegerField(default=0)
    victory_points_total = models.PositiveIntegerField(default=0)

    class Meta:
        default_permissions = ()
        verbose_name = _("faction warfare statistics")
        verbose_name_plural = _("faction warfare statistics")

    def __str__(self) -> str:
        return str(self.character)

    @property
    def is_enlisted(self) -> bool:
        return self.faction_id is not None


class CharacterJumpFatigue(models.Model):
    """Jump fatigue of a character: when it expires and when it last jumped."""

    character = models.OneToOneField(
        Character, on_delete=models.CASCADE, primary_key=True, related_name="jump_fatigue"
    )
    jump_fatigue_expire_date = models.DateTimeField(null=True, default=None)
    last_jump_date = models.DateTimeField(null=True, default=None)
    last_update_date = models.DateTimeField(null=True, default=None)

    class Meta:
        default_permissions = ()
        verbose_name = _("jump fatigue")
        verbose_name_plural = _("jump fatigue")

    def __str__(self) -> str:
        return str(self.character)

    def is_active(self, now: dt.datetime | None = None) -> bool:
        """Whether the character is fatigued now."""
        expires = self.jump_fatigue_expire_date
        return expires is not None and expires > (now or timezone.now())

    @property
    def is_active_now(self) -> bool:
        """:meth:`is_active` for templates."""
        return self.is_active()


class CharacterResearchAgent(models.Model):
    """A research agent working for a character."""

    character = models.ForeignKey(
        Character, on_delete=models.CASCADE, related_name="research_agents"
    )
    agent = models.ForeignKey(EveEntity, on_delete=models.CASCADE, related_name="+")
    skill = models.ForeignKey(
        EveEntity, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    started_at = models.DateTimeField()
    points_per_day = models.FloatField()
    remainder_points = models.FloatField()

    class Meta:
        default_permissions = ()
        verbose_name = _("research agent")
        verbose_name_plural = _("research agents")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "agent"], name="memberaudit_unique_research_agent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.character_id}-{self.agent_id}"

    def research_points(self, now: dt.datetime | None = None) -> float:
        """Research points accumulated until ``now``: the remainder plus a day's points for
        every (fractional) day since research started; ESI only sends the rate."""
        now = now or timezone.now()
        days = max((now - self.started_at).total_seconds(), 0) / 86400
        return self.remainder_points + self.points_per_day * days
