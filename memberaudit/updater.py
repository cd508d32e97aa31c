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
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from allianceauth.authentication.models import OwnershipRecord
from allianceauth.notifications import notify
from esi.models import Token

from .esi_gateway import EsiError, EsiGateway, EsiTokenError, NotModified
from .models import Character, SectionUpdateStatus
from .sections import registry
from .sections.base import Section

logger = logging.getLogger(__name__)

# A section met a deadlock or lock timeout of the database: tries in all, and the pause unit.
LOCK_CONFLICT_ATTEMPTS = 3
LOCK_CONFLICT_PAUSE_SECONDS = 1.0

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
    """The owner's newest token of this character that has all scopes of the section."""
    if not section.needs_token:
        return None
    owner = character.owner
    if owner is None:
        raise TokenProblem(
            _("This character has no owner in Auth anymore."), ErrorKind.TOKEN_INVALID
        )
    tokens = Token.objects.filter(user=owner, character_id=character.character_id)
    # require_scopes([]) would only match tokens without any scope
    scoped = tokens.require_scopes(list(section.scopes)) if section.scopes else tokens
    token = scoped.order_by("-created").first()
    if token is not None:
        return token
    if tokens.exists():
        granted = set(tokens.values_list("scopes__name", flat=True))
        missing = sorted(set(section.scopes) - granted)
        raise TokenProblem(
            _("The token lacks scopes: %(scopes)s") % {"scopes": ", ".join(missing)},
            ErrorKind.TOKEN_LIMITED,
        )
    raise TokenProblem(_("No token found for this character."), ErrorKind.TOKEN_INVALID)


def update_section(character: Character, section_name: str, force: bool = False) -> UpdateOutcome:
    """Update one section of a character from ESI and record how it went."""
    section = registry.get(section_name)
    status, _created = SectionUpdateStatus.objects.get_or_create(
        character=character, section=section.name
    )
    started_at = timezone.now()
    SectionUpdateStatus.objects.filter(pk=status.pk).update(started_at=started_at)
    gateway = EsiGateway(section=section.name, use_etag=bool(status.is_success) and not force)
    try:
        gateway.token = find_token(character, section)
        changed = _fetch_and_store(character, section, gateway, status, force)
    except TokenProblem as exc:
        if exc.kind == ErrorKind.TOKEN_INVALID:
            disable_for_lost_token(character)
        return _record_failure(status, gateway, started_at, exc.kind, str(exc))
    except EsiTokenError as exc:
        disable_for_lost_token(character)
        return _record_failure(status, gateway, started_at, ErrorKind.TOKEN_INVALID, str(exc))
    except EsiError as exc:
        return _record_failure(status, gateway, started_at, ErrorKind.ESI, str(exc))
    except SectionDataError as exc:
        return _record_failure(status, gateway, started_at, ErrorKind.DATA, str(exc))
    except Exception as exc:  # the status row must tell, whatever went wrong
        logger.exception("%s: unexpected error updating %s", character, section.name)
        message = f"{type(exc).__name__}: {exc}"
        return _record_failure(status, gateway, started_at, ErrorKind.INTERNAL, message)
    now = timezone.now()
    SectionUpdateStatus.objects.filter(pk=status.pk).update(
        is_success=True,
        error_kind=ErrorKind.NONE,
        error_message="",
        finished_at=now,
        last_success_at=now,
        content_hash=status.content_hash,
        changed=changed,
        **_counts(gateway),
    )
    if character.token_error_notified_at and section.needs_token:
        Character.objects.filter(pk=character.pk).update(token_error_notified_at=None)
    return UpdateOutcome(section.name, True, changed)


def _fetch_and_store(character, section, gateway, status, force: bool) -> bool:
    """Fetch and store a section; return whether its data changed.

    When the database gives up on a lock conflict with another section updated at the same
    time (e.g. both loading the same EVE types), nothing was kept: try again a little later,
    fetching in full, because an ETag taken by the failed try would hide the data it never
    stored.
    """
    for attempt in range(1, LOCK_CONFLICT_ATTEMPTS):
        try:
            return _fetch_and_store_once(character, section, gateway, status, force)
        except OperationalError as exc:
            if not is_lock_conflict(exc):
                raise
            logger.info(
                "%s: %s met a lock conflict (%s), trying again", character, section.name, exc
            )
            gateway.use_etag = False
            time.sleep(random.uniform(0.5, 1.0) * attempt * LOCK_CONFLICT_PAUSE_SECONDS)
    return _fetch_and_store_once(character, section, gateway, status, force)  # the last try


def _fetch_and_store_once(character, section, gateway, status, force: bool) -> bool:
    try:
        data = section.fetch(character, gateway)
    except NotModified:
        changed = False
    else:
        digest = content_hash(data)
        # After a failed run the stored data may not match the last digest: store again.
        changed = force or not status.is_success or digest != status.content_hash
        if changed:
            with transaction.atomic():
                section.store(character, data)
            status.content_hash = digest
    if section.after_store:
        section.after_store(character, changed)
    return changed


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


def _record_failure(status, gateway, started_at, kind, message) -> UpdateOutcome:
    logger.info("%s: section %s failed: %s", status.character_id, status.section, message)
    SectionUpdateStatus.objects.filter(pk=status.pk).update(
        is_success=False,
        error_kind=kind,
        error_message=message[:2000],
        finished_at=max(timezone.now(), started_at),
        changed=False,
        **_counts(gateway),
    )
    return UpdateOutcome(status.section, False, False, message)


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
        notify(
            user,
            _("%(name)s: token no longer valid") % {"name": character.name},
            _(
                "Member Audit can no longer update %(name)s: its token was revoked, has "
                "expired or was deleted. Its data is kept; register the character again to "
                "resume its updates."
            )
            % {"name": character.name},
            level="danger",
        )


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
