"""Skill sets: the skills needed for a ship or an activity, and how each character measures up."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveType

from .characters import Character

__all__ = ["CharacterSkillSetCheck", "SkillSet", "SkillSetGroup", "SkillSetSkill"]

SKILL_CATEGORY_ID = 16
SHIP_CATEGORY_ID = 6
MIN_LEVEL = 1
MAX_LEVEL = 5

_LEVEL_VALIDATORS = [MinValueValidator(MIN_LEVEL), MaxValueValidator(MAX_LEVEL)]


class SkillSet(models.Model):
    """The skills needed to fly a ship or do an activity."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True, default="")
    ship_type = models.ForeignKey(
        EveType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        default=None,
        related_name="+",
        limit_choices_to={"eve_group__eve_category_id": SHIP_CATEGORY_ID},
        verbose_name=_("ship type"),
        help_text=_("The ship this skill set is for, if any"),
    )
    is_active = models.BooleanField(
        _("is active"),
        default=True,
        db_index=True,
        help_text=_("Only active skill sets are checked against characters"),
    )
    is_visible = models.BooleanField(
        _("is visible"),
        default=True,
        help_text=_("Visible skill sets are shown on the skill sets tab of the character viewer"),
    )

    class Meta:
        default_permissions = ()
        verbose_name = _("skill set")
        verbose_name_plural = _("skill sets")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SkillSetGroup(models.Model):
    """A bundle of skill sets, e.g. the ships of a doctrine."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True, default="")
    is_doctrine = models.BooleanField(
        _("is doctrine"), default=False, help_text=_("Whether this group is a doctrine")
    )
    is_active = models.BooleanField(
        _("is active"), default=True, help_text=_("Only active groups are shown")
    )
    skill_sets = models.ManyToManyField(
        SkillSet, related_name="groups", blank=True, verbose_name=_("skill sets")
    )

    class Meta:
        default_permissions = ()
        verbose_name = _("skill set group")
        verbose_name_plural = _("skill set groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SkillSetSkill(models.Model):
    """One skill of a skill set, with a required and/or a recommended level."""

    skill_set = models.ForeignKey(
        SkillSet, on_delete=models.CASCADE, related_name="skills", verbose_name=_("skill set")
    )
    eve_type = models.ForeignKey(
        EveType,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"eve_group__eve_category_id": SKILL_CATEGORY_ID},
        verbose_name=_("skill"),
    )
    required_level = models.PositiveSmallIntegerField(
        _("required level"), null=True, blank=True, default=None, validators=_LEVEL_VALIDATORS
    )
    recommended_level = models.PositiveSmallIntegerField(
        _("recommended level"),
        null=True,
        blank=True,
        default=None,
        validators=_LEVEL_VALIDATORS,
        help_text=_("Optional; at least the required level"),
    )

    class Meta:
        default_permissions = ()
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        constraints = [
            models.UniqueConstraint(
                fields=["skill_set", "eve_type"], name="memberaudit_unique_skill_set_skill"
            )
        ]

    def __str__(self) -> str:
        # the skill's name: what an admin inline row is labelled with
        return self.eve_type.name if self.eve_type_id else str(_("new skill"))

    def clean(self) -> None:
        if self.required_level is None and self.recommended_level is None:
            raise ValidationError(_("Give a required level, a recommended level or both."))
        if (
            self.required_level is not None
            and self.recommended_level is not None
            and self.recommended_level < self.required_level
        ):
            raise ValidationError(
                {
                    "recommended_level": _(
                        "The recommended level must not be lower than the required level."
                    )
                }
            )

    @property
    def target_level(self) -> int:
        """The highest level asked for: recommended if given, else required."""
        return max(self.required_level or 0, self.recommended_level or 0)


class CharacterSkillSetCheck(models.Model):
    """How a character measures up to one skill set: the skills it lacks.

    A check is also a row of the skill sets report, with what the report shows of it kept on
    the row (names and whether the set is met), so the report sorts and pages along an index
    of one table instead of joining five for every row. Who may see a row is never read from
    these copies; :mod:`memberaudit.report_rows` keeps them up to date.
    """

    character = models.ForeignKey(
        Character, on_delete=models.CASCADE, related_name="skill_set_checks"
    )
    skill_set = models.ForeignKey(
        SkillSet, on_delete=models.CASCADE, related_name="character_checks"
    )
    failed_required_skills = models.ManyToManyField(
        SkillSetSkill, related_name="+", verbose_name=_("failed required skills")
    )
    failed_recommended_skills = models.ManyToManyField(
        SkillSetSkill, related_name="+", verbose_name=_("failed recommended skills")
    )
    # What the skills sets report shows, copied from the character, its owner's main and the
    # skill set (see the class docstring).
    character_name = models.CharField(max_length=254, default="")
    main_name = models.CharField(max_length=254, default="")
    corporation_name = models.CharField(max_length=254, default="")
    skill_set_name = models.CharField(max_length=150, default="")
    meets_required = models.BooleanField(default=False)
    meets_all = models.BooleanField(default=False)

    class Meta:
        default_permissions = ()
        verbose_name = _("skill set check")
        verbose_name_plural = _("skill set checks")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "skill_set"], name="memberaudit_unique_skill_set_check"
            )
        ]
        # One per sortable report column, in the report's order (the column, the character,
        # the skill set, the key): a page is read along the index, which also holds what the
        # viewer's scope and the active skill sets are checked on.
        indexes = [
            models.Index(
                fields=[name, "character", "skill_set", "id"], name=f"memberaudit_report_{short}"
            )
            for name, short in (
                ("character_name", "character"),
                ("main_name", "main"),
                ("corporation_name", "corporation"),
                ("skill_set_name", "skill_set"),
                ("meets_required", "required"),
                ("meets_all", "all"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.character_id}-{self.skill_set_id}"

    @property
    def can_fly(self) -> bool:
        """Whether every required level is met (prefetch ``failed_required_skills``)."""
        return not self.failed_required_skills.all()

    @property
    def is_met(self) -> bool:
        """Whether every required and every recommended level is met."""
        return self.can_fly and not self.failed_recommended_skills.all()
