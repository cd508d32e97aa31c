"""Celery tasks: the periodic run, one task per character and one task for any section."""

import inspect
import logging

from celery import shared_task, states
from celery.result import EagerResult

from allianceauth.services.tasks import QueueOnce

from . import app_settings, change_events, red_flags, statistics, updater
from .models import Character, WatchedEntity
from .sections import registry

logger = logging.getLogger(__name__)

DEFAULT_TASK_PRIORITY = 6
USER_TASK_PRIORITY = 3
TIME_LIMIT = app_settings.MEMBERAUDIT_TASKS_TIME_LIMIT
# Queueing a character's sections takes seconds: a lock left by a killed worker must not skip
# the character's next periodic run.
QUEUEING_LOCK_TIMEOUT = 600
# Rows searched per run of the retroactive watchlist search.
WATCHLIST_BATCH_SIZE = 2000


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
    """Queue an update of every enabled character with a stale section (the hourly run).

    Returns how many character updates were really queued: one still queued from an earlier
    run is not queued twice, and not counted.
    """
    if app_settings.MEMBERAUDIT_LOG_UPDATE_STATS:
        statistics.log_update_statistics()
    for housekeeping in (
        update_compliance_groups_for_all,
        notify_expiring_shares,
        purge_data_exports,
    ):
        housekeeping.apply_async(priority=DEFAULT_TASK_PRIORITY)
    character_pks = list(Character.objects.needing_update().values_list("pk", flat=True))
    queued = sum(
        was_queued(
            update_character.apply_async(
                kwargs={"character_pk": character_pk}, priority=DEFAULT_TASK_PRIORITY
            )
        )
        for character_pk in character_pks
    )
    logger.info(
        "Queued updates for %d of %d characters with stale sections (the others are queued "
        "already)",
        queued,
        len(character_pks),
    )
    return queued


def was_queued(result) -> bool:
    """Whether ``apply_async`` of a once-task really queued it: celery_once answers a task
    whose lock is taken with a local result in state REJECTED (no result backend asked)."""
    rejected = isinstance(result, EagerResult) and result.state == states.REJECTED
    return result is not None and not rejected


@shared_task(
    base=QueueOnceByArguments,
    # A user's forced update is never dropped because a periodic one is still queued; the
    # section tasks below are what is never queued twice.
    once={"keys": ["character_pk", "force"], "graceful": True, "timeout": QUEUEING_LOCK_TIMEOUT},
    time_limit=TIME_LIMIT,
)
def update_character(
    character_pk: int,
    force: bool = False,
    sections: list[str] | None = None,
    priority: int = DEFAULT_TASK_PRIORITY,
) -> list[str]:
    """Queue the section updates one character needs: the stale ones, or all when forced.

    Sections whose last run died (a killed worker) are recorded as interrupted and their
    locks released first, so they are queued again now. Returns the sections queued.
    """
    character = _character_with_owner(character_pk)
    if character is None:
        return []
    if character.is_orphan:
        if not character.is_disabled:
            updater.disable_for_lost_token(character)
        return []
    if _gets_no_updates(character, force):
        return []
    for name in updater.recover_interrupted_runs(character):
        update_section.once_backend.clear_lock(_section_lock_key(character.pk, name))
    names = sections or registry.names()
    if not force and not sections:
        fresh = set(character.update_status_set.fresh().values_list("section", flat=True))
        names = [name for name in names if name not in fresh]
    return [
        name
        for name in names
        if was_queued(
            update_section.apply_async(
                kwargs={"character_pk": character.pk, "section": name, "force": force},
                priority=priority,
            )
        )
    ]


def _section_lock_key(character_pk: int, section: str) -> str:
    return update_section.get_key(kwargs={"character_pk": character_pk, "section": section})


@shared_task(
    base=QueueOnce,
    once={"keys": ["character_pk", "section"], "graceful": True, "timeout": TIME_LIMIT},
    time_limit=TIME_LIMIT,
)
def update_section(character_pk: int, section: str, force: bool = False) -> bool:
    """Update one section of one character: the one task behind every section."""
    character = _character_with_owner(character_pk)
    if character is None or _gets_no_updates(character, force):
        return False
    return updater.update_section(character, section, force=force).is_success


def _character_with_owner(character_pk: int) -> Character | None:
    """The character with its owner, which a run needs to tell orphans and find the token:
    one query instead of one per relation."""
    return (
        Character.objects.select_related("eve_character__character_ownership__user")
        .filter(pk=character_pk)
        .first()
    )


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


@shared_task(base=QueueOnce, once={"graceful": True}, time_limit=TIME_LIMIT)
def purge_access_log() -> int:
    """Delete access log entries older than the retention, batch by batch (the daily run)."""
    from .access_log import PURGE_BATCH_SIZE, purge_old_entries

    total = 0
    while True:
        deleted = purge_old_entries(PURGE_BATCH_SIZE)
        total += deleted
        if deleted < PURGE_BATCH_SIZE:
            break
    logger.info("Purged %d access log entries", total)
    return total


@shared_task(time_limit=TIME_LIMIT)
def delete_expired_shares() -> int:
    """Tidy away shares that have ended (they stopped opening characters at their end)."""
    from .services import delete_expired_shares as delete

    return delete()


@shared_task(base=QueueOnce, once={"graceful": True}, time_limit=TIME_LIMIT)
def update_compliance_groups_for_all() -> None:
    """Bring every user's compliance and every compliance group up to date (the hourly run)."""
    from .compliance import update_compliance

    changes = update_compliance()
    logger.info(
        "Compliance: %d users became compliant, %d lost it", len(changes.gained), len(changes.lost)
    )


@shared_task(time_limit=TIME_LIMIT)
def update_compliance_for_users(user_pks: list[int]) -> None:
    """Bring the compliance of a few users up to date, e.g. after a registration."""
    from .compliance import update_compliance

    update_compliance(user_pks)


@shared_task(base=QueueOnce, once={"graceful": True}, time_limit=TIME_LIMIT)
def notify_expiring_shares() -> int:
    """Tell owners whose shares end within a day (at most once a day per share)."""
    from .services import notify_expiring_shares as notify

    return notify()


@shared_task(
    base=QueueOnce,
    once={"keys": ["export_pk"], "graceful": True, "timeout": TIME_LIMIT},
    time_limit=TIME_LIMIT,
)
def export_data(export_pk: int) -> None:
    """Write the file of one data export."""
    from .data_export import run_export

    run_export(export_pk)


@shared_task(base=QueueOnce, once={"graceful": True}, time_limit=TIME_LIMIT)
def purge_data_exports() -> int:
    """Delete data exports and their files once they are older than the retention."""
    from .data_export import purge_expired_exports

    return purge_expired_exports()


@shared_task(time_limit=TIME_LIMIT)
def match_watchlist_entry(entity_id: int, source_index: int = 0, after_pk: int = 0) -> None:
    """Raise red flags for data stored before an entity was put on the watchlist: one batch
    per run, the next batch queued by the run before; stops when the entity is unwatched."""
    if not WatchedEntity.objects.filter(entity_id=entity_id).exists():
        return
    position = change_events.match_watched_entity(
        entity_id, source_index, after_pk, WATCHLIST_BATCH_SIZE
    )
    if position is not None:
        match_watchlist_entry.apply_async(
            kwargs={"entity_id": entity_id, "source_index": position[0], "after_pk": position[1]},
            priority=DEFAULT_TASK_PRIORITY,
        )


@shared_task(base=QueueOnce, once={"graceful": True}, time_limit=TIME_LIMIT)
def send_red_flags_digest() -> int:
    """Tell each user with ``receive_red_flags`` about the red flags of the last day among
    the characters they may open (the daily run; off unless MEMBERAUDIT_RED_FLAGS_DIGEST).
    Returns how many users were told."""
    if not app_settings.MEMBERAUDIT_RED_FLAGS_DIGEST:
        return 0
    return red_flags.send_digests()
