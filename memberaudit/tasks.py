"""Celery tasks: the periodic run, one task per character and one task for any section."""

import inspect
import logging

from celery import shared_task

from allianceauth.services.tasks import QueueOnce

from . import app_settings, statistics, updater
from .models import Character
from .sections import registry

logger = logging.getLogger(__name__)

DEFAULT_TASK_PRIORITY = 6
USER_TASK_PRIORITY = 3
TIME_LIMIT = app_settings.MEMBERAUDIT_TASKS_TIME_LIMIT


class QueueOnceByArguments(QueueOnce):
    """Alliance Auth's ``QueueOnce`` whose lock keys may name arguments left at their
    default (celery_once only sees the arguments passed)."""

    abstract = True

    def get_key(self, args=None, kwargs=None):
        bound = inspect.signature(self.run).bind(*(args or ()), **(kwargs or {}))
        bound.apply_defaults()
        return super().get_key(kwargs=dict(bound.arguments))


@shared_task(time_limit=TIME_LIMIT)
def run_regular_updates() -> int:
    """Queue an update of every enabled character with a stale section (the hourly run)."""
    if app_settings.MEMBERAUDIT_LOG_UPDATE_STATS:
        statistics.log_update_statistics()
    character_pks = list(Character.objects.needing_update().values_list("pk", flat=True))
    for character_pk in character_pks:
        update_character.apply_async(
            kwargs={"character_pk": character_pk}, priority=DEFAULT_TASK_PRIORITY
        )
    logger.info("Queued updates for %d characters", len(character_pks))
    return len(character_pks)


@shared_task(
    base=QueueOnceByArguments,
    # A user's forced update is never dropped because a periodic one is still queued; the
    # section tasks below are what is never queued twice.
    once={"keys": ["character_pk", "force"], "graceful": True, "timeout": TIME_LIMIT},
    time_limit=TIME_LIMIT,
)
def update_character(
    character_pk: int,
    force: bool = False,
    sections: list[str] | None = None,
    priority: int = DEFAULT_TASK_PRIORITY,
) -> list[str]:
    """Queue the section updates one character needs: the stale ones, or all when forced."""
    character = Character.objects.filter(pk=character_pk).first()
    if character is None:
        return []
    if character.is_orphan:
        if not character.is_disabled:
            updater.disable_for_lost_token(character)
        return []
    if _gets_no_updates(character, force):
        return []
    names = sections or registry.names()
    if not force and not sections:
        fresh = set(character.update_status_set.fresh().values_list("section", flat=True))
        names = [name for name in names if name not in fresh]
    for name in names:
        update_section.apply_async(
            kwargs={"character_pk": character.pk, "section": name, "force": force},
            priority=priority,
        )
    return names


@shared_task(
    base=QueueOnce,
    once={"keys": ["character_pk", "section"], "graceful": True, "timeout": TIME_LIMIT},
    time_limit=TIME_LIMIT,
)
def update_section(character_pk: int, section: str, force: bool = False) -> bool:
    """Update one section of one character: the one task behind every section."""
    character = Character.objects.filter(pk=character_pk).first()
    if character is None or _gets_no_updates(character, force):
        return False
    return updater.update_section(character, section, force=force).is_success


def _gets_no_updates(character: Character, force: bool) -> bool:
    """Whether a character is left alone: disabled, unless forced (the admin's "update now").

    Not even a forced update runs once its token stopped working, so that after the first
    section found out, the other sections of the same run send no request; registering the
    character again enables it.
    """
    return character.is_disabled and (not force or character.token_error_notified_at is not None)


def update_character_now(character: Character, sections: list[str] | None = None) -> None:
    """Queue a forced update at user priority, e.g. after registration or from the admin."""
    update_character.apply_async(
        kwargs={
            "character_pk": character.pk,
            "force": True,
            "sections": sections,
            "priority": USER_TASK_PRIORITY,
        },
        priority=USER_TASK_PRIORITY,
    )


@shared_task(
    base=QueueOnce,
    once={"keys": ["character_pk"], "graceful": True, "timeout": TIME_LIMIT},
    time_limit=TIME_LIMIT,
)
def delete_character(character_pk: int) -> bool:
    """Delete a character: its data in batches first, so no single statement runs for long.

    The character is disabled at once, so no new update starts while its data is deleted.
    """
    from .character_data import delete_character_data

    character = Character.objects.filter(pk=character_pk).first()
    if character is None:
        return False
    Character.objects.filter(pk=character_pk).update(is_disabled=True)
    deleted = delete_character_data(character)
    name = str(character)
    character.delete()
    logger.info("Deleted %s and %d rows of its data", name, sum(deleted.values()))
    return True


@shared_task(
    base=QueueOnce,
    # Unlocked when it starts: a recheck asked for while one runs must run too, or the
    # running one could miss the latest edit of the skill set.
    once={
        "keys": ["skill_set_id"],
        "graceful": True,
        "timeout": TIME_LIMIT,
        "unlock_before_run": True,
    },
    time_limit=TIME_LIMIT,
)
def update_skill_set_checks(skill_set_id: int) -> None:
    """Recheck every character against one skill set, after the skill set changed."""
    from .skill_set_checks import update_checks_for_skill_sets

    update_checks_for_skill_sets([skill_set_id])
