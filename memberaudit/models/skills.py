"""Skills of characters: trained skills, skill points and the training queue."""

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveType

from .characters import Character

__all__ = [
    "CharacterSkill",
    "CharacterSkillpoints",
    "CharacterSkillpointsRecord",
    "CharacterSkillqueueEntry",
]


class CharacterSkill(models.Model):
    """A skill a character has, trained or only injected (level 0)."""

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="skills")
    eve_type = models.ForeignKey(
        EveType,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("skill"),
    )
    active_skill_level = models.PositiveSmallIntegerField(
        _("active skill level"),
        help_text=_("Level in effect now; lower than trained for alpha clones"),
    )
    trained_skill_level = models.PositiveSmallIntegerField(_("trained skill level"))
    skillpoints_in_skill = models.BigIntegerField(_("skill points in skill"))

    class Meta:
        default_permissions = ()
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "eve_type"], name="memberaudit_unique_character_skill"
            )
        ]
        # The skill search: characters with a skill at a level or higher, read from the
        # index alone (see memberaudit.skill_search).
        indexes = [
            models.Index(
                fields=["eve_type", "active_skill_level", "character"],
                name="memberaudit_skill_level_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.character_id}-{self.eve_type_id}: {self.active_skill_level}"


class CharacterSkillpoints(models.Model):
    """The skill points of a character: spent on skills and not yet allocated."""

    character = models.OneToOneField(
        Character, on_delete=models.CASCADE, primary_key=True, related_name="skillpoints"
    )
    total = models.BigIntegerField(_("total skill points"))
    unallocated = models.BigIntegerField(_("unallocated skill points"), null=True, default=None)

    class Meta:
        default_permissions = ()
        verbose_name = _("skill points")
        verbose_name_plural = _("skill points")

    def __str__(self) -> str:
        return f"{self.character_id}: {self.total}"


class CharacterSkillqueueEntryQuerySet(models.QuerySet):
    def active(self, now: dt.datetime | None = None):
        """Entries in training at ``now``.

        A paused queue has no dates, so nothing in it is in training; entries that finished
        since the last update are not in training either.
        """
        now = now or timezone.now()
        return self.filter(start_date__lte=now, finish_date__gt=now)

    def active_entry(self, now: dt.datetime | None = None) -> "CharacterSkillqueueEntry | None":
        """The one entry in training at ``now``, if any."""
        return self.active(now).order_by("queue_position").first()

    def remaining_time(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        """Time until the whole queue is trained, or ``None`` when it is paused or done."""
        now = now or timezone.now()
        last_finish = self.filter(finish_date__gt=now).aggregate(
            last_finish=models.Max("finish_date")
        )["last_finish"]
        return last_finish - now if last_finish else None


class CharacterSkillqueueEntry(models.Model):
    """One entry of a character's skill queue."""

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="skillqueue")
    queue_position = models.PositiveIntegerField(_("queue position"), db_index=True)
    eve_type = models.ForeignKey(
        EveType,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("skill"),
    )
    finished_level = models.PositiveSmallIntegerField(
        _("finished level"), help_text=_("The level the skill is trained to")
    )
    start_date = models.DateTimeField(_("start date"), null=True, default=None)
    finish_date = models.DateTimeField(_("finish date"), null=True, default=None)
    level_start_sp = models.BigIntegerField(_("skill points at level start"), null=True)
    level_end_sp = models.BigIntegerField(_("skill points at level end"), null=True)
    training_start_sp = models.BigIntegerField(_("skill points at training start"), null=True)

    objects = CharacterSkillqueueEntryQuerySet.as_manager()

    class Meta:
        default_permissions = ()
        verbose_name = _("skill queue entry")
        verbose_name_plural = _("skill queue entries")
        ordering = ["character", "queue_position"]
        constraints = [
            models.UniqueConstraint(
                fields=["character", "queue_position"],
                name="memberaudit_unique_skillqueue_position",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.character_id}-{self.queue_position}: {self.eve_type_id} {self.finished_level}"
        )

    def is_active(self, now: dt.datetime | None = None) -> bool:
        """Whether this entry is in training at ``now`` (never in a paused queue)."""
        if self.start_date is None or self.finish_date is None:
            return False
        now = now or timezone.now()
        return self.start_date <= now < self.finish_date

    def remaining_time(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        """Time left until this entry is trained, or ``None`` when it has no finish date."""
        if self.finish_date is None:
            return None
        now = now or timezone.now()
        return max(self.finish_date - now, dt.timedelta(0))

    @property
    def is_paused(self) -> bool:
        return self.finish_date is None


class CharacterSkillpointsRecord(models.Model):
    """The total skill points of a character at one skills update, for the history chart."""

    character = models.ForeignKey(
        Character, on_delete=models.CASCADE, related_name="skillpoints_records"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    total = models.BigIntegerField(_("total skill points"))

    class Meta:
        default_permissions = ()
        verbose_name = _("skill points record")
        verbose_name_plural = _("skill points records")
        indexes = [
            models.Index(fields=["character", "recorded_at"], name="memberaudit_sp_by_time"),
        ]

    def __str__(self) -> str:
        return f"{self.character_id}: {self.total} at {self.recorded_at}"
