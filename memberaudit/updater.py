"""Update one section of one character: fetch, compare, store, record the outcome.

Every section goes through :func:`update_section`; a failure at any step leaves the stored
data as it was and records a readable message on the section's status row.

A character whose token stopped working (EVE SSO refused it, or no token is left at all) is
disabled like an orphan: its data stays, its updates stop, and its owner is told once.
Registering the character again enables it. A token that merely lacks scopes only suspends
the sections that need them.
"""

import hashlib
import json
import logging
import random
import time
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connections, router, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from allianceauth.authentication.models import OwnershipRecord
from esi.models import Token

from . import auth_notifications, change_events, esi_usage
from .compliance import queue_compliance_update
from .esi_gateway import (
    EsiError,
    EsiErrorLimitReached,
    EsiGateway,
    EsiTokenError,
    NotModified,
    error_limit_reset_in,
)
from .heartbeats import heartbeat, running_sections
from .models import Character, SectionUpdateStatus
from .sections import registry
from .sections.base import Section

logger = logging.getLogger(__name__)

# A section met a deadlock or lock timeout of the database: tries in all, and the pause unit.
LOCK_CONFLICT_ATTEMPTS = 3
LOCK_CONFLICT_PAUSE_SECONDS = 1.0
# While ESI's error limit pauses all calls, a section waits for the reset (ESI's error window
# is 60 s) instead of failing and waiting for the next periodic run: at most this long in all.
ERROR_LIMIT_MAX_WAIT_SECONDS = 90
# django-esi never changes the scopes of a stored token (a new grant is a new token), so the
# scope names of a token are kept this long in the cache, sparing each section run a query.
TOKEN_SCOPES_CACHE_SECONDS = 24 * 3600

ErrorKind = SectionUpdateStatus.ErrorKind


class SectionDataError(Exception):
    """The data from ESI cannot be stored as it is; the message is meant for humans."""


class TokenProblem(Exception):
    """No usable token for a section; ``kind`` is the :class:`ErrorKind` to record."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class UpdateOutcome:
    section: str
    is_success: bool
    changed: bool = False
    message: str = ""


def content_hash(data) -> str:
    """A stable digest of fetched data, to skip writes when nothing changed."""
    encoded = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.md5(encoded.encode("utf-8"), usedforsecurity=False).hexdigest()


def find_token(character: Character, section: Section) -> Token | None:
    """The owner's newest token of this character that has all scopes of the section, with
    its scope names in ``scope_names`` (django-esi checks them before every call)."""
    if not section.needs_token:
        return None
    owner = character.owner
    if owner is None:
        raise TokenProblem(
            _("This character has no owner in Auth anymore."), ErrorKind.TOKEN_INVALID
        )
    tokens = list(
        Token.objects.filter(user=owner, character_id=character.character_id).order_by(
            "-created", "-pk"
        )
    )
    granted = token_scope_names(tokens)
    needed = set(section.scopes)
    for token in tokens:
        if needed <= granted[token.pk]:
            token.scope_names = sorted(granted[token.pk])
            return token
    if tokens:
        missing = sorted(needed - set().union(*granted.values()))
        raise TokenProblem(
            _("The token lacks scopes: %(scopes)s") % {"scopes": ", ".join(missing)},
            ErrorKind.TOKEN_LIMITED,
        )
    raise TokenProblem(_("No token found for this character."), ErrorKind.TOKEN_INVALID)


def token_scope_names(tokens: list[Token]) -> dict[int, set[str]]:
    """The scope names of each token, by token pk: from the cache, the others in one query."""
    keys = {token.pk: _token_scopes_key(token) for token in tokens}
    cached = cache.get_many(list(keys.values())) if keys else {}
    names = {pk: set(cached[key]) for pk, key in keys.items() if key in cached}
    missing = [pk for pk in keys if pk not in names]
    if missing:
        for pk in missing:
            names[pk] = set()
        rows = Token.scopes.through.objects.filter(token_id__in=missing)
        for token_pk, name in rows.values_list("token_id", "scope__name"):
            names[token_pk].add(name)
        cache.set_many(
            {keys[pk]: sorted(names[pk]) for pk in missing}, timeout=TOKEN_SCOPES_CACHE_SECONDS
        )
    return names


def _token_scopes_key(token: Token) -> str:
    # with the time of creation: a database may hand a deleted token's pk to a new one
    return f"memberaudit_token_scopes:{token.pk}:{token.created.timestamp():.6f}"


def update_section(character: Character, section_name: str, force: bool = False) -> UpdateOutcome:
    """Update one section of a character from ESI and record how it went.

    ETags and the stored content hash are trusted only when the last run of the section
    succeeded and recorded its outcome: after a run that died, a 304 could hide data it
    fetched but never stored. A forced update fetches in full but still writes nothing when
    the data did not change.
    """
    section = registry.get(section_name)
    with heartbeat(character.pk, section.name):
        run = SectionRun.start(character, section.name)
        gateway = EsiGateway(section=section.name, use_etag=run.trusted and not force)
        return _run(character, section, run, gateway)


class SectionRun:
    """One run of a section as its status row records it.

    Starting costs one write after a run that went well: it marks the row "in progress" and,
    by its condition, tells whether the last run succeeded and recorded its outcome (then
    ETags may be trusted). What else the run needs of the last outcome is read only once ESI
    sent data.
    """

    def __init__(self, character_id: int, section: str, started_at, trusted: bool):
        self.character_id = character_id
        self.section = section
        self.started_at = started_at
        self.trusted = trusted
        self.new_content_hash: str | None = None
        self._last_outcome: tuple[str, object] | None = None

    @classmethod
    def start(cls, character: Character, section: str) -> "SectionRun":
        started_at = timezone.now()
        rows = _status_rows(character.pk, section)
        last_run_recorded = Q(is_success=True) & (
            Q(started_at__isnull=True) | Q(finished_at__gte=F("started_at"))
        )
        trusted = write_status(rows.filter(last_run_recorded), started_at=started_at) > 0
        run = cls(character.pk, section, started_at, trusted)
        if not trusted and not write_status(rows, started_at=started_at):
            _row, created = SectionUpdateStatus.objects.get_or_create(
                character=character, section=section, defaults={"started_at": started_at}
            )
            if created:  # the first run: nothing stored yet
                run._last_outcome = ("", None)
            else:  # created by a run of the same section a moment ago
                write_status(rows, started_at=started_at)
        return run

    def last_outcome(self) -> tuple[str, object]:
        """The content hash and time of the last successful run (one query, then kept)."""
        if self._last_outcome is None:
            self._last_outcome = (
                _status_rows(self.character_id, self.section)
                .values_list("content_hash", "last_success_at")
                .get()
            )
        return self._last_outcome

    def record(self, **fields) -> None:
        write_status(_status_rows(self.character_id, self.section), **fields)


def _status_rows(character_pk: int, section: str) -> QuerySet:
    return SectionUpdateStatus.objects.filter(character_id=character_pk, section=section)


def _run(character, section, run: SectionRun, gateway) -> UpdateOutcome:
    try:
        gateway.token = find_token(character, section)
        changed = _fetch_and_store(character, section, gateway, run)
    except TokenProblem as exc:
        if exc.kind == ErrorKind.TOKEN_INVALID:
            disable_for_lost_token(character)
        return _record_failure(run, gateway, exc.kind, str(exc))
    except EsiTokenError as exc:
        disable_for_lost_token(character)
        return _record_failure(run, gateway, ErrorKind.TOKEN_INVALID, str(exc))
    except EsiError as exc:
        return _record_failure(run, gateway, ErrorKind.ESI, str(exc))
    except SectionDataError as exc:
        return _record_failure(run, gateway, ErrorKind.DATA, str(exc))
    except Exception as exc:  # the status row must tell, whatever went wrong
        logger.exception("%s: unexpected error updating %s", character, section.name)
        message = f"{type(exc).__name__}: {exc}"
        return _record_failure(run, gateway, ErrorKind.INTERNAL, message)
    now = timezone.now()
    stored = {} if run.new_content_hash is None else {"content_hash": run.new_content_hash}
    run.record(
        is_success=True,
        error_kind=ErrorKind.NONE,
        error_message="",
        finished_at=now,
        last_success_at=now,
        changed=changed,
        **stored,
        **_counts(gateway),
    )
    if character.token_error_notified_at and section.needs_token:
        Character.objects.filter(pk=character.pk).update(token_error_notified_at=None)
    return UpdateOutcome(section.name, True, changed)


def write_status(rows: QuerySet, **fields) -> int:
    """Write fields of status rows and return how many matched; on a lost database
    connection, again on a fresh one.

    The start and the outcome of a run must be recorded even when the connection dropped in
    the middle of it: else the row would say "in progress", or "success" from the run before.
    """
    try:
        return rows.update(**fields)
    except (OperationalError, InterfaceError) as exc:
        if is_lock_conflict(exc):
            raise
        logger.warning("Writing update status failed (%s), reconnecting", exc)
        connections[router.db_for_write(SectionUpdateStatus)].close()
        return rows.update(**fields)


def recover_interrupted_runs(character: Character) -> list[str]:
    """Record runs of this character's sections that died without a word (a killed worker,
    a lost machine) as interrupted, and return their section names.

    A run is dead when its status says "in progress" but its heartbeat stopped.
    """
    in_progress = {
        status.section: status.pk
        for status in character.update_status_set.in_progress().only("pk", "section")
    }
    if not in_progress:
        return []
    dead = sorted(set(in_progress) - running_sections(character.pk, in_progress))
    if dead:
        SectionUpdateStatus.objects.filter(pk__in=[in_progress[name] for name in dead]).update(
            is_success=False,
            error_kind=ErrorKind.INTERRUPTED,
            error_message=_("The update stopped before it finished; it runs again now."),
            finished_at=timezone.now(),
            changed=False,
        )
        logger.warning("%s: updates of %s were interrupted", character, ", ".join(dead))
    return dead


def _fetch_and_store(character, section, gateway, run: SectionRun) -> bool:
    """Fetch and store a section; return whether its data changed.

    Two waits are worth it before giving up:

    - ESI's error limit paused all calls (e.g. another route fails): wait for the reset, a
      bounded time, rather than fail every section until the next periodic run;
    - the database gave up on a lock conflict with another section updated at the same time
      (e.g. both loading the same EVE types): nothing was kept, try again a little later.

    Either way the next try fetches in full, because an ETag taken by the failed try would
    hide the data it never stored.
    """
    waited = 0.0
    conflicts = 0
    while True:
        try:
            reset_in = error_limit_reset_in()
            if reset_in:
                esi_usage.record_pause(
                    section=section.name, operation="", kind=esi_usage.ERROR_LIMIT_PAUSE
                )
                raise EsiErrorLimitReached(reset_in)
            return _fetch_and_store_once(character, section, gateway, run)
        except EsiErrorLimitReached as exc:
            if waited + exc.reset_in > ERROR_LIMIT_MAX_WAIT_SECONDS:
                raise
            logger.info(
                "%s: %s waits %.0f s for ESI's error limit", character, section.name, exc.reset_in
            )
            pause(exc.reset_in + random.uniform(0.1, 1.0))
            waited += exc.reset_in
        except OperationalError as exc:
            conflicts += 1
            if not is_lock_conflict(exc) or conflicts >= LOCK_CONFLICT_ATTEMPTS:
                raise
            logger.info(
                "%s: %s met a lock conflict (%s), trying again", character, section.name, exc
            )
            pause(random.uniform(0.5, 1.0) * conflicts * LOCK_CONFLICT_PAUSE_SECONDS)
        gateway.use_etag = False


def pause(seconds: float) -> None:
    """Wait before trying again (replaced in tests)."""
    time.sleep(seconds)


def _fetch_and_store_once(character, section, gateway, run: SectionRun) -> bool:
    try:
        data = section.fetch(character, gateway)
    except NotModified:
        changed = False
    else:
        digest = content_hash(data)
        stored_hash, last_success_at = run.last_outcome()
        # After a run that failed or died the stored data may not match the last digest.
        changed = not run.trusted or digest != stored_hash
        if changed:
            with transaction.atomic():
                _store(character, section, data, last_success_at)
            run.new_content_hash = digest
    if section.after_store:
        section.after_store(character, changed)
    return changed


def _store(character, section, data, last_success_at) -> None:
    """Store, and record the change events the store's diff shows. On the first successful
    update of the section everything would look new: only watchlist matches are kept."""
    if section.events is None:
        section.store(character, data)
        return
    with change_events.collecting(since=last_success_at) as diff:
        section.store(character, data)
    change_events.record(character, section.events, diff, first=last_success_at is None)


def is_lock_conflict(exc: OperationalError) -> bool:
    """Whether the database refused for a moment only: a deadlock or a lock wait timeout
    (MariaDB/MySQL 1213/1205, PostgreSQL 40P01/40001) or a locked SQLite file."""
    if exc.args and exc.args[0] in (1205, 1213):
        return True
    cause = exc.__cause__
    if getattr(cause, "pgcode", None) in ("40P01", "40001"):
        return True
    return "database is locked" in str(exc)


def _counts(gateway: EsiGateway) -> dict:
    return {
        "esi_requests": gateway.counter.requests,
        "esi_not_modified": gateway.counter.not_modified,
        "esi_errors": gateway.counter.errors,
    }


def _record_failure(run: SectionRun, gateway, kind, message) -> UpdateOutcome:
    logger.info("%s: section %s failed: %s", run.character_id, run.section, message)
    run.record(
        is_success=False,
        error_kind=kind,
        error_message=message[:2000],
        finished_at=max(timezone.now(), run.started_at),
        changed=False,
        **_counts(gateway),
    )
    return UpdateOutcome(run.section, False, False, message)


def disable_for_lost_token(character: Character) -> None:
    """Stop updating a character without a working token or owner; tell its owner once.

    The character keeps all its data and shows as disabled until it is registered again.
    When Auth deleted the last token of a character it also deleted the ownership: then the
    user who owned the character last is told.
    """
    Character.objects.filter(pk=character.pk).update(is_disabled=True)
    character.is_disabled = True
    logger.info("%s: no working token or no owner anymore, disabled", character)
    user = _owner_to_tell(character)
    if user is None:
        return
    updated = Character.objects.filter(
        pk=character.pk, token_error_notified_at__isnull=True
    ).update(token_error_notified_at=timezone.now())
    if updated:
        auth_notifications.token_lost(user, character.pk, character.name)
    queue_compliance_update([user.pk])


def _owner_to_tell(character: Character) -> User | None:
    """The owner of the character, or for an orphan the user who owned it last."""
    if character.owner is not None:
        return character.owner
    record = (  # newest first
        OwnershipRecord.objects.filter(character=character.eve_character)
        .select_related("user")
        .first()
    )
    return record.user if record else None
