"""Change events: what notably changed in a character's data, found in each store's own diff.

A section's store reports what it wrote (:func:`report`: created rows, changed rows with their
old values, removed rows, and anything else it already knew); the updater collects that while
the store runs (:func:`collecting`) and hands it to the section's recorder (``Section.events``),
which returns :class:`Event` objects. They are written in bulk in the store's transaction.

No change events are recorded on a character's first successful update of a section:
everything would be "new"; only its watchlist matches are. A recorder reads only the rows in
the diff (and at most a few small lookups), never the section's whole table.

Anything involving an entity of the watchlist (:class:`~memberaudit.models.WatchedEntity`)
raises a red flag; :func:`match_watched_entity` finds the matches in data stored before the
entity was added, batch by batch.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from allianceauth.eveonline.models import EveCharacter, EveCorporationInfo

from . import app_settings
from .models import ChangeEvent, Character, WatchedEntity

Kind = ChangeEvent.Kind
Severity = ChangeEvent.Severity

SEVERITY = {
    Kind.CORPORATION_JOINED: Severity.MEDIUM,
    Kind.CORPORATION_LEFT: Severity.MEDIUM,
    Kind.CONTACT_ADDED: Severity.LOW,
    Kind.CONTACT_REMOVED: Severity.LOW,
    Kind.CONTACT_STANDING: Severity.LOW,
    Kind.LARGE_TRANSFER: Severity.MEDIUM,
    Kind.NEW_SYSTEM: Severity.LOW,
    Kind.SKILL_INJECTED: Severity.LOW,
    Kind.CORPORATION_APPLICATION: Severity.MEDIUM,
    Kind.LOCATOR_AGENT: Severity.MEDIUM,
    Kind.OUTSIDE_CO_ATTACKERS: Severity.MEDIUM,
    Kind.WATCHLIST: Severity.HIGH,
}

# Journal entries that move ISK between two players on purpose.
TRANSFER_REF_TYPES = {"player_donation", "contract_price"}
APPLICATION_NOTIFICATIONS = {
    "CharAppAcceptMsg",
    "CharAppRejectMsg",
    "CharAppWithdrawMsg",
    "CorpAppAcceptMsg",
    "CorpAppInvitedMsg",
    "CorpAppNewMsg",
    "CorpAppRejectCustomMsg",
    "CorpAppRejectMsg",
}
LOCATOR_NOTIFICATIONS = {"LocateCharMsg"}
# Faster than any character trains (best attributes, implants and accelerators), with room
# for a skill finished between two updates.
MAX_TRAINING_SP_PER_HOUR = 4_000
TRAINING_SLACK_SP = 10_000


@dataclass
class StoreDiff:
    """What one store wrote: created rows, ``(row, old values)`` of changed rows, removed
    rows, and ``context`` a store adds (e.g. what it held before); plus when the section
    last succeeded before this run."""

    created: list = field(default_factory=list)
    changed: list[tuple[Any, dict]] = field(default_factory=list)
    removed: list = field(default_factory=list)
    context: dict = field(default_factory=dict)
    since: datetime | None = None


@dataclass
class Event:
    """An event a recorder found; ``key`` must tell it apart from others of its kind."""

    kind: str
    key: str
    occurred_at: datetime
    section: str
    source_id: int | None = None
    entity_id: int | None = None
    details: dict = field(default_factory=dict)
    severity: int | None = None  # None: the kind's severity

    def as_model(self, character_pk: int, now: datetime) -> ChangeEvent:
        return ChangeEvent(
            character_id=character_pk,
            kind=self.kind,
            key=self.key[:100],
            occurred_at=self.occurred_at or now,
            recorded_at=now,
            section=self.section,
            source_id=self.source_id,
            entity_id=self.entity_id,
            details=self.details,
            severity=self.severity or SEVERITY[self.kind],
        )


_diff: ContextVar[StoreDiff | None] = ContextVar("memberaudit_store_diff", default=None)


@contextmanager
def collecting(since: datetime | None) -> Iterator[StoreDiff]:
    """Collect what the store running inside reports (see :func:`report`)."""
    diff = StoreDiff(since=since)
    token = _diff.set(diff)
    try:
        yield diff
    finally:
        _diff.reset(token)


def report(created: Iterable = (), changed: Iterable = (), removed: Iterable = (), **context):
    """Tell the running update what a store wrote; nothing happens outside one (e.g. on a
    character's first update, when no events are recorded)."""
    diff = _diff.get()
    if diff is None:
        return
    diff.created.extend(created)
    diff.changed.extend(changed)
    diff.removed.extend(removed)
    diff.context.update(context)


def record(character: Character, recorder: Callable, diff: StoreDiff, first: bool) -> int:
    """Write the events ``recorder`` finds in ``diff`` (on the ``first`` update of a section
    only watchlist matches); returns how many it found."""
    events = list(recorder(character, diff))
    if first:
        events = [event for event in events if event.kind == Kind.WATCHLIST]
    save(character.pk, events)
    return len(events)


def save(character_pk: int, events: list[Event]) -> None:
    """Write events in bulk; one already recorded (same kind and key) is kept as it was."""
    if not events:
        return
    now = timezone.now()
    ChangeEvent.objects.bulk_create(
        [event.as_model(character_pk, now) for event in events],
        batch_size=app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE,
        ignore_conflicts=True,
    )


# --- the watchlist ---------------------------------------------------------------------------


def watched_ids() -> set[int]:
    return set(WatchedEntity.objects.values_list("entity_id", flat=True))


def watchlist_events(
    character: Character,
    section: str,
    candidates: Iterable[tuple[int | None, Iterable[int | None], Any]],
    what: str,
) -> list[Event]:
    """Red flags for rows involving a watched entity other than the character itself.
    ``candidates`` holds, per row, its id, the entity ids it involves and when it happened;
    ``what`` names the row for people."""
    candidates = list(candidates)
    if not candidates:
        return []
    watched = watched_ids() - {character.character_id}
    events = []
    for source_id, entity_ids, occurred_at in candidates:
        for entity_id in sorted(set(entity_ids) & watched):
            events.append(
                Event(
                    Kind.WATCHLIST,
                    key=f"{section}:{source_id}:{entity_id}",
                    occurred_at=_as_datetime(occurred_at),
                    section=section,
                    source_id=source_id,
                    entity_id=entity_id,
                    details={"source": what},
                )
            )
    return events


@dataclass(frozen=True)
class WatchSource:
    """Where stored data can involve an entity: a model, the fields that may name it, and
    how a matching row becomes an event."""

    section: str
    what: str
    model: str
    fields: tuple[str, ...]
    character: str
    source_id: str
    occurred_at: str


WATCH_SOURCES = (
    WatchSource(
        "contacts", "contact", "CharacterContact", ("eve_entity_id",), "character_id",
        "eve_entity_id", "",
    ),
    WatchSource(
        "corporation_history", "corporation history", "CharacterCorporationHistory",
        ("corporation_id",), "character_id", "record_id", "start_date",
    ),
    WatchSource(
        "wallet_journal", "wallet transfer", "CharacterWalletJournalEntry",
        ("first_party_id", "second_party_id"), "character_id", "entry_id", "date",
    ),
    WatchSource(
        "contracts", "contract", "CharacterContract",
        ("issuer_id", "issuer_corporation_id", "assignee_id", "acceptor_id"), "character_id",
        "contract_id", "date_issued",
    ),
    WatchSource(
        "mails", "mail", "CharacterMail", ("sender_id",), "character_id", "mail_id", "timestamp",
    ),
    WatchSource(
        "mails", "mail", "CharacterMailRecipient", ("eve_entity_id",), "mail__character_id",
        "mail__mail_id", "mail__timestamp",
    ),
)  # fmt: skip


def match_watched_entity(
    entity_id: int, source_index: int, after_pk: int, batch: int
) -> tuple[int, int] | None:
    """Record red flags for one batch of stored rows that involve the entity: rows of
    ``WATCH_SOURCES[source_index]`` after primary key ``after_pk``, then killmail co-attacks.

    Returns where the next batch starts (``(source_index, after_pk)``), or None when all
    sources are searched.
    """
    from . import models

    if source_index == len(WATCH_SOURCES):
        after = match_watched_killmails(entity_id, after_pk, batch)
        return None if after is None else (source_index, after)
    if source_index > len(WATCH_SOURCES):
        return None
    source = WATCH_SOURCES[source_index]
    model = getattr(models, source.model)
    condition = Q()
    for name in source.fields:
        condition |= Q(**{name: entity_id})
    columns = ["pk", source.character, source.source_id]
    if source.occurred_at:
        columns.append(source.occurred_at)
    rows = list(
        model.objects.filter(condition, pk__gt=after_pk)
        .order_by("pk")
        .values_list(*columns)[:batch]
    )
    itself = set(Character.objects.filter(eve_character__character_id=entity_id).values_list("pk"))
    by_character: dict[int, list[Event]] = {}
    for row in rows:
        if (row[1],) in itself:
            continue
        occurred_at = row[3] if source.occurred_at else None
        event = Event(
            Kind.WATCHLIST,
            key=f"{source.section}:{row[2]}:{entity_id}",
            occurred_at=occurred_at or timezone.now(),
            section=source.section,
            source_id=row[2],
            entity_id=entity_id,
            details={"source": source.what},
        )
        by_character.setdefault(row[1], []).append(event)
    for character_pk, events in by_character.items():
        save(character_pk, events)
    if len(rows) < batch:
        return source_index + 1, 0
    return source_index, rows[-1][0]


def match_watched_killmails(entity_id: int, after_pk: int, batch: int) -> int | None:
    """Record red flags for one batch of killmail attackers that are the entity (or belong
    to it) on kills of our characters; returns where the next batch starts, or None."""
    from .models import CharacterKillmail, KillmailAttacker

    attackers = list(
        KillmailAttacker.objects.filter(
            Q(character_id=entity_id) | Q(corporation_id=entity_id) | Q(alliance_id=entity_id),
            pk__gt=after_pk,
        )
        .order_by("pk")
        .values_list("pk", "killmail_id", "killmail__time")[:batch]
    )
    times = {killmail_id: time for _, killmail_id, time in attackers}
    links = CharacterKillmail.objects.filter(
        killmail_id__in=list(times), is_loss=False
    ).values_list("character_id", "killmail_id")
    for character_pk, killmail_id in links:
        save(character_pk, _co_attack_flags([(killmail_id, times[killmail_id])], {entity_id}))
    if len(attackers) < batch:
        return None
    return attackers[-1][0]


def _co_attack_flags(killmails: list[tuple[int, datetime]], entity_ids: set[int]):
    return [
        Event(
            Kind.WATCHLIST,
            key=f"killmails:{killmail_id}:{entity_id}",
            occurred_at=time,
            section="killmails",
            source_id=killmail_id,
            entity_id=entity_id,
            details={"source": "killmail co-attack"},
        )
        for killmail_id, time in killmails
        for entity_id in sorted(entity_ids)
    ]


# --- recorders, one per section that has notable changes --------------------------------------


def corporation_history(character: Character, diff: StoreDiff) -> list[Event]:
    """Joined a corporation (each new record) and left the one before it."""
    created = sorted(diff.created, key=lambda row: row.start_date)
    if not created:
        return []
    new_ids = [row.record_id for row in created]
    before = (
        character.corporation_history.exclude(record_id__in=new_ids)
        .filter(start_date__lt=created[0].start_date)
        .order_by("-start_date")
        .values_list("corporation_id", flat=True)
        .first()
    )
    events = []
    for row in created:
        common = {"section": "corporation_history", "source_id": row.record_id}
        key = str(row.record_id)
        if before:
            events.append(
                Event(Kind.CORPORATION_LEFT, key, row.start_date, entity_id=before, **common)
            )
        events.append(
            Event(
                Kind.CORPORATION_JOINED, key, row.start_date, entity_id=row.corporation_id, **common
            )
        )
        before = row.corporation_id
    events += watchlist_events(
        character,
        "corporation_history",
        [(row.record_id, [row.corporation_id], row.start_date) for row in created],
        "corporation history",
    )
    return events


def contacts(character: Character, diff: StoreDiff) -> list[Event]:
    """Contacts added, removed, or whose standing changed; watched ones are red flags."""
    now = timezone.now()
    stamp = f"{now:%Y%m%d%H%M%S%f}"
    events = []
    for row in diff.created:
        events.append(_contact_event(Kind.CONTACT_ADDED, row, stamp, now, standing=row.standing))
    for row in diff.removed:
        events.append(_contact_event(Kind.CONTACT_REMOVED, row, stamp, now, standing=row.standing))
    standing_changed = [
        (row, old) for row, old in diff.changed if old.get("standing") != row.standing
    ]
    for row, old in standing_changed:
        events.append(
            _contact_event(
                Kind.CONTACT_STANDING, row, stamp, now, old=old["standing"], new=row.standing
            )
        )
    involved = [*diff.created, *(row for row, _ in standing_changed)]
    events += watchlist_events(
        character,
        "contacts",
        [(row.eve_entity_id, [row.eve_entity_id], now) for row in involved],
        "contact",
    )
    return events


def _contact_event(kind, row, stamp: str, now: datetime, **details) -> Event:
    return Event(
        kind,
        key=f"{row.eve_entity_id}:{stamp}",
        occurred_at=now,
        section="contacts",
        source_id=row.eve_entity_id,
        entity_id=row.eve_entity_id,
        details=details,
    )


def wallet_journal(character: Character, diff: StoreDiff) -> list[Event]:
    """Player donations and contract prices above the threshold setting with someone outside
    the owner's alliance; transfers with watched entities are red flags."""
    threshold = app_settings.MEMBERAUDIT_RED_FLAGS_TRANSFER_THRESHOLD
    me = character.character_id
    large = [
        entry
        for entry in diff.created
        if entry.ref_type in TRANSFER_REF_TYPES
        and entry.amount is not None
        and abs(entry.amount) >= threshold
    ]
    others = {entry.entry_id: _other_party(entry, me) for entry in large}
    outside = _outsiders(character, {other for other in others.values() if other})
    events = [
        Event(
            Kind.LARGE_TRANSFER,
            key=str(entry.entry_id),
            occurred_at=entry.date,
            section="wallet_journal",
            source_id=entry.entry_id,
            entity_id=others[entry.entry_id],
            details={"amount": str(entry.amount), "ref_type": entry.ref_type},
        )
        for entry in large
        if others[entry.entry_id] in outside
    ]
    events += watchlist_events(
        character,
        "wallet_journal",
        [
            (entry.entry_id, [entry.first_party_id, entry.second_party_id], entry.date)
            for entry in diff.created
        ],
        "wallet transfer",
    )
    return events


def _other_party(entry, me: int) -> int | None:
    return entry.second_party_id if entry.first_party_id == me else entry.first_party_id


def _outsiders(character: Character, ids: set[int]) -> set[int]:
    """Which of the characters and corporations ``ids`` are outside the alliance of the
    character's owner (its corporation when it has no alliance): those Auth knows to be
    elsewhere and those it does not know at all."""
    if not ids:
        return set()
    corporation_id, alliance_id = _home_of(character)
    inside = set()
    for character_id, corp_id, ally_id in EveCharacter.objects.filter(
        character_id__in=ids
    ).values_list("character_id", "corporation_id", "alliance_id"):
        if (alliance_id and ally_id == alliance_id) or corp_id == corporation_id:
            inside.add(character_id)
    corporations = EveCorporationInfo.objects.filter(corporation_id__in=ids)
    for corp_id, ally_id in corporations.values_list("corporation_id", "alliance__alliance_id"):
        if (alliance_id and ally_id == alliance_id) or corp_id == corporation_id:
            inside.add(corp_id)
    return ids - inside - {alliance_id, corporation_id}


def _home_of(character: Character) -> tuple[int | None, int | None]:
    """Corporation and alliance of the owner's main, else of the character itself."""
    owner = character.owner
    main = getattr(getattr(owner, "profile", None), "main_character", None) if owner else None
    home = main or character.eve_character
    return home.corporation_id, home.alliance_id


def assets(character: Character, diff: StoreDiff) -> list[Event]:
    """Assets that appeared in a solar system where the character had none before."""
    from .models import Location

    old_places = diff.context.get("old_places", set())
    candidates = {row.place_id for row in diff.created} | {row.place_id for row, _ in diff.changed}
    candidates = {place for place in candidates if place} - old_places
    if not candidates:
        return []
    systems = dict(
        Location.objects.filter(id__in=candidates | old_places).values_list(
            "id", "eve_solar_system_id"
        )
    )
    had = {systems.get(place) for place in old_places}
    new_systems = {systems.get(place) for place in candidates} - had - {None}
    return [_new_system_event(system_id, "assets") for system_id in sorted(new_systems)]


def location(character: Character, diff: StoreDiff) -> list[Event]:
    """The character (its ship) moved to a system where it keeps no assets."""
    from .models import CharacterAsset

    events = []
    for row, old in diff.changed:
        system_id, old_system_id = row.eve_solar_system_id, old.get("eve_solar_system_id")
        if not system_id or not old_system_id or system_id == old_system_id:
            continue
        has_assets = CharacterAsset.objects.filter(
            character=character, place__eve_solar_system_id=system_id
        ).exists()
        if not has_assets:
            events.append(_new_system_event(system_id, "location"))
    return events


def _new_system_event(system_id: int, section: str) -> Event:
    """Keyed by the system: a character is "new" in a system only once."""
    from eveuniverse.models import EveSolarSystem

    name = EveSolarSystem.objects.filter(id=system_id).values_list("name", flat=True).first()
    return Event(
        Kind.NEW_SYSTEM,
        key=f"system:{system_id}",
        occurred_at=timezone.now(),
        section=section,
        source_id=system_id,
        details={"solar_system": name or str(system_id), "seen_by": section},
    )


def skills(character: Character, diff: StoreDiff) -> list[Event]:
    """Skill points grew faster than any character can train since the last update."""
    events = []
    for row, old in diff.changed:
        if "total" not in old or diff.since is None:
            continue
        gained = (row.total + (row.unallocated or 0)) - (
            old["total"] + (old.get("unallocated") or 0)
        )
        hours = max((timezone.now() - diff.since) / timedelta(hours=1), 0)
        allowed = int(hours * MAX_TRAINING_SP_PER_HOUR) + TRAINING_SLACK_SP
        if gained > allowed:
            now = timezone.now()
            events.append(
                Event(
                    Kind.SKILL_INJECTED,
                    key=f"{now:%Y%m%d%H%M%S%f}",
                    occurred_at=now,
                    section="skills",
                    details={"gained": gained, "allowed": allowed, "total": row.total},
                )
            )
    return events


def notifications(character: Character, diff: StoreDiff) -> list[Event]:
    """Corporation applications and locator agent results among new notifications."""
    events = []
    for row in diff.created:
        if row.type in APPLICATION_NOTIFICATIONS:
            kind = Kind.CORPORATION_APPLICATION
        elif row.type in LOCATOR_NOTIFICATIONS:
            kind = Kind.LOCATOR_AGENT
        else:
            continue
        events.append(
            Event(
                kind,
                key=str(row.notification_id),
                occurred_at=row.timestamp,
                section="notifications",
                source_id=row.notification_id,
                entity_id=row.sender_id,
                details={"type": row.type},
            )
        )
    return events


def killmails(character: Character, diff: StoreDiff) -> list[Event]:
    """Kills with co-attackers outside the owner's alliance; watched co-attackers are red
    flags."""
    from .models import KillmailAttacker

    killmail_ids = [row.killmail_id for row in diff.created]
    if not killmail_ids:
        return []
    me = character.character_id
    corporation_id, alliance_id = _home_of(character)
    watched = watched_ids()
    attackers: dict[int, list[tuple]] = {}
    times = {}
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    for start in range(0, len(killmail_ids), batch_size):
        rows = KillmailAttacker.objects.filter(
            killmail_id__in=killmail_ids[start : start + batch_size],
            character_id__isnull=False,
        ).exclude(killmail__victim_character_id=me)
        for row in rows.values_list(
            "killmail_id", "character_id", "corporation_id", "alliance_id", "killmail__time"
        ):
            attackers.setdefault(row[0], []).append(row[1:4])
            times[row[0]] = row[4]
    events = []
    for killmail_id, rows in attackers.items():
        if me not in {row[0] for row in rows}:
            continue
        others = [row for row in rows if row[0] != me]
        outsiders = [
            row
            for row in others
            if not ((alliance_id and row[2] == alliance_id) or row[1] == corporation_id)
        ]
        if outsiders:
            events.append(
                Event(
                    Kind.OUTSIDE_CO_ATTACKERS,
                    key=str(killmail_id),
                    occurred_at=times[killmail_id],
                    section="killmails",
                    source_id=killmail_id,
                    entity_id=outsiders[0][2] or outsiders[0][1],
                    details={"outsiders": len(outsiders), "co_attackers": len(others)},
                )
            )
        involved = {entity for row in others for entity in row} & watched
        events += _co_attack_flags([(killmail_id, times[killmail_id])], involved)
    return events


def mails(character: Character, diff: StoreDiff) -> list[Event]:
    """New mails from or to a watched entity."""
    return watchlist_events(
        character,
        "mails",
        [
            (
                mail["mail_id"],
                [mail["from_id"], *(r["recipient_id"] for r in mail["recipients"])],
                mail["timestamp"],
            )
            for mail in diff.created
        ],
        "mail",
    )


def contracts(character: Character, diff: StoreDiff) -> list[Event]:
    """New or changed contracts issued by, to or accepted by a watched entity."""
    rows = [*diff.created, *(row for row, _ in diff.changed)]
    return watchlist_events(
        character,
        "contracts",
        [
            (
                row.contract_id,
                [row.issuer_id, row.issuer_corporation_id, row.assignee_id, row.acceptor_id],
                row.date_issued,
            )
            for row in rows
        ],
        "contract",
    )


def _as_datetime(value) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None:
            return parsed
    return timezone.now()
