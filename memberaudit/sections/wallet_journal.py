"""Wallet journal: an insert-only history of a character's ISK movements.

ESI only returns the entries of the last 30 days, so entries are never updated or deleted:
each update adds the entries it has not seen before.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .. import app_settings, change_events, json_tables
from ..entities import resolve_entities
from ..fitted_fields import fit_to_column
from ..models import CharacterWalletJournalEntry
from .base import NavGroup, Section, ViewerTab, registry

Entry = CharacterWalletJournalEntry

PARTY_FIELDS = ("first_party_id", "second_party_id", "tax_receiver_id")
CENT = Decimal("0.01")


def fetch(character, gateway) -> list[dict]:
    rows = gateway.get(
        "GetCharactersCharacterIdWalletJournal", paged=True, character_id=character.character_id
    )
    entries = {}
    for row in rows or []:
        entry = _clean_entry(row)
        if entry is not None:
            entries[entry["entry_id"]] = entry
    # context_id is not an entity id in general (stations, contracts, types...): never resolved
    party_ids = {entry[field] for entry in entries.values() for field in PARTY_FIELDS}
    known = resolve_entities(party_ids, gateway)
    for entry in entries.values():
        for field in PARTY_FIELDS:
            if entry[field] not in known:
                entry[field] = None
    return sorted(entries.values(), key=lambda entry: entry["entry_id"], reverse=True)


def _clean_entry(row: dict) -> dict | None:
    """A journal entry as plain data, or None when it lacks an id or a date."""
    entry_id = row.get("id")
    date = _as_datetime(row.get("date"))
    if not entry_id or date is None:
        return None
    context_id_type = row.get("context_id_type")
    return {
        "entry_id": int(entry_id),
        "date": date.isoformat(),
        "ref_type": fit_to_column(
            Entry, "ref_type", getattr(row.get("ref_type"), "value", row.get("ref_type"))
        ),
        "amount": _as_money(row.get("amount")),
        "balance": _as_money(row.get("balance")),
        "description": row.get("description") or "",
        "reason": row.get("reason") or "",
        "first_party_id": _as_id(row.get("first_party_id")),
        "second_party_id": _as_id(row.get("second_party_id")),
        "tax": _as_money(row.get("tax")),
        "tax_receiver_id": _as_id(row.get("tax_receiver_id")),
        "context_id": _as_id(row.get("context_id")),
        "context_id_type": fit_to_column(
            Entry, "context_id_type", getattr(context_id_type, "value", context_id_type)
        ),
    }


def _as_datetime(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return parse_datetime(value)
    return None


def _as_money(value) -> str | None:
    if value is None:
        return None
    try:
        return str(Decimal(str(value)).quantize(CENT))
    except (InvalidOperation, ValueError):
        return None


def _as_id(value) -> int | None:
    return int(value) if value else None


def store(character, data: list[dict]) -> bool:
    if not data:
        return False
    oldest = min(_as_datetime(entry["date"]) for entry in data)
    # An entry already stored has the same (immutable) date as in ESI, so it is in this window.
    stored_ids = set(
        CharacterWalletJournalEntry.objects.filter(
            character=character, date__gte=oldest
        ).values_list("entry_id", flat=True)
    )
    new_entries = [
        CharacterWalletJournalEntry(
            character=character,
            entry_id=entry["entry_id"],
            date=_as_datetime(entry["date"]),
            ref_type=entry["ref_type"],
            amount=_decimal_or_none(entry["amount"]),
            balance=_decimal_or_none(entry["balance"]),
            description=entry["description"],
            reason=entry["reason"],
            first_party_id=entry["first_party_id"],
            second_party_id=entry["second_party_id"],
            tax=_decimal_or_none(entry["tax"]),
            tax_receiver_id=entry["tax_receiver_id"],
            context_id=entry["context_id"],
            context_id_type=entry["context_id_type"],
        )
        for entry in data
        if entry["entry_id"] not in stored_ids
    ]
    if not new_entries:
        return False
    CharacterWalletJournalEntry.objects.bulk_create(
        new_entries,
        batch_size=app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE,
        ignore_conflicts=True,  # an entry whose date ESI changed is already stored: keep it
    )
    change_events.report(created=new_entries)
    return True


def _decimal_or_none(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


registry.register(
    Section(
        name="wallet_journal",
        title=_("wallet journal"),
        ring=2,
        scopes=("esi-wallet.read_character_wallet.v1",),
        operations=("GetCharactersCharacterIdWalletJournal",),
        fetch=fetch,
        store=store,
        events=change_events.wallet_journal,
        tab=ViewerTab(
            group=NavGroup.FINANCES,
            template="memberaudit/tabs/wallet_journal.html",
            tables={"wallet_journal": json_tables.wallet_journal},
        ),
    )
)
