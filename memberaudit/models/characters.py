"""Registered characters and the update status of their sections."""

from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from allianceauth.eveonline.models import EveCharacter

from ..managers import CharacterManager, SectionUpdateStatusManager, running_since

__all__ = ["Character", "SectionUpdateStatus"]


# the fields of a character that copy its owner's names (see memberaudit.owner_copies)
OWNER_COPIES = ("owner_main_name", "owner_state_name")


class Character(models.Model):
    """A character registered with Member Audit: one per Alliance Auth ``EveCharacter``.

    ``owner_main_name`` and ``owner_state_name`` copy the name of the owner's main and of
    the owner's state ("" without an owner, a main or a state), so that the finder sorts by
    them along an index of this table instead of joining four tables to every character.
    Nothing reads them to decide who may see a character; :mod:`memberaudit.owner_copies`
    keeps them up to date.
    """

    eve_character = models.OneToOneField(
        EveCharacter, on_delete=models.CASCADE, related_name="memberaudit_character"
    )
    is_disabled = models.BooleanField(
        default=False,
        db_index=True,
        help_text=_("Disabled characters keep their data but are no longer updated"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    token_error_notified_at = models.DateTimeField(null=True, default=None, editable=False)
    owner_main_name = models.CharField(max_length=254, default="", editable=False)
    owner_state_name = models.CharField(max_length=254, default="", editable=False)

    objects = CharacterManager()

    class Meta:
        default_permissions = ()
        verbose_name = _("character")
        verbose_name_plural = _("characters")
        # In the finder's order (the copy, then the EVE character's key, its tiebreaker): a
        # page sorted by a copy walks its index and stops at the page's end.
        indexes = [
            models.Index(fields=[name, "eve_character"], name=f"memberaudit_{name}")
            for name in OWNER_COPIES
        ]

    def __str__(self) -> str:
        return f"{self.eve_character.character_name} ({self.pk})"

    def save(self, *args, **kwargs):
        """Save the character. An existing one is saved without its copies of the owner,
        which only :mod:`memberaudit.owner_copies` writes: an instance read before the names
        changed does not write back the names it held."""
        if not self._state.adding and not args and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in OWNER_COPIES
            ]
        super().save(*args, **kwargs)

    @property
    def character_id(self) -> int:
        return self.eve_character.character_id

    @property
    def name(self) -> str:
        return self.eve_character.character_name

    @cached_property
    def owner(self) -> User | None:
        """The user who owns this character in Auth right now, if any."""
        ownership = getattr(self.eve_character, "character_ownership", None)
        return ownership.user if ownership else None

    @property
    def is_orphan(self) -> bool:
        return self.owner is None


class SectionUpdateStatus(models.Model):
    """How the last update of one section of one character went."""

    class ErrorKind(models.TextChoices):
        NONE = "", _("none")
        ESI = "esi", _("ESI error")
        TOKEN_LIMITED = "token_limited", _("token misses scopes")
        TOKEN_INVALID = "token_invalid", _("token invalid")
        DATA = "data", _("unusable data")
        INTERNAL = "internal", _("internal error")
        INTERRUPTED = "interrupted", _("interrupted")

    character = models.ForeignKey(
        Character, on_delete=models.CASCADE, related_name="update_status_set"
    )
    section = models.CharField(max_length=32, db_index=True)
    is_success = models.BooleanField(null=True, default=None, db_index=True)
    error_kind = models.CharField(
        max_length=16, choices=ErrorKind.choices, default=ErrorKind.NONE, blank=True
    )
    error_message = models.TextField(blank=True, default="")
    started_at = models.DateTimeField(null=True, default=None)
    finished_at = models.DateTimeField(null=True, default=None, db_index=True)
    last_success_at = models.DateTimeField(null=True, default=None)
    content_hash = models.CharField(max_length=32, blank=True, default="")
    esi_requests = models.PositiveIntegerField(default=0)
    esi_not_modified = models.PositiveIntegerField(default=0)
    esi_errors = models.PositiveIntegerField(default=0)
    changed = models.BooleanField(
        default=False, help_text=_("Whether the last successful run wrote new data")
    )

    objects = SectionUpdateStatusManager()

    class Meta:
        default_permissions = ()
        verbose_name = _("section update status")
        verbose_name_plural = _("section update statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "section"], name="memberaudit_unique_section_status"
            )
        ]

    def __str__(self) -> str:
        return capfirst(self.section_title)

    @property
    def section_title(self) -> str:
        """The section's title (its name when the section is no longer registered)."""
        from ..sections import registry

        if self.section in registry:
            return str(registry.get(self.section).title)
        return self.section

    @property
    def is_in_progress(self) -> bool:
        """A run started and recorded no outcome yet: running, or died without a word."""
        return self.started_at is not None and (
            self.finished_at is None or self.finished_at < self.started_at
        )

    @property
    def is_running(self) -> bool:
        """In progress, and younger than the task time limit: no run can last longer."""
        return self.is_in_progress and self.started_at >= running_since()

    @property
    def is_interrupted(self) -> bool:
        """The last run died: recorded so by the periodic run, or older than the time limit."""
        return self.error_kind == self.ErrorKind.INTERRUPTED or (
            self.is_in_progress and not self.is_running
        )

    @property
    def duration(self) -> float | None:
        if self.started_at and self.finished_at and self.finished_at >= self.started_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
