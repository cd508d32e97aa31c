"""Wallet transactions: an insert-only history of what a character bought and sold.

ESI answers the newest transactions (at most 2,500 per call); older ones are asked for with
``from_id`` (the oldest id seen so far), batch after batch, until a batch reaches transactions
already stored or brings nothing new. Rows that ESI no longer returns are never deleted.
Each transaction names its wallet journal entry in ``journal_ref_id``.
"""

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from .. import app_settings, json_tables
from ..entities import resolve_entities
from ..esi_gateway import NotModified
from ..locations import resolve_locations
from ..models import CharacterWalletTransaction
from .base import NavGroup, Section, ViewerTab, registry
from .esi_values import as_datetime, as_id, as_int, as_money, load_types, without_etag

OPERATION = "GetCharactersCharacterIdWalletTransactions"
MAX_BATCHES_PER_RUN = 50  # 125,000 transactions: far more than ESI keeps


def fetch(character, gateway) -> list[dict]:
    newest_stored = character.wallet_transactions.aggregate(newest=Max("transaction_id"))["newest"]
    rows = gateway.get(OPERATION, character_id=character.character_id)  # 304: nothing new
    transactions: dict[int, dict] = {}
    seen: set[int] = set()
    for _batch in range(MAX_BATCHES_PER_RUN):
        new_ids = _add_batch(transactions, seen, rows)
        if not new_ids:
            break
        oldest = min(new_ids)
        if newest_stored is not None and oldest <= newest_stored:
            break  # reached what is stored already
        params = {"character_id": character.character_id, "from_id": oldest}
        try:
            rows = gateway.get(OPERATION, **params)
        except NotModified:  # answered before, yet not stored: ask again in full
            rows = without_etag(gateway).get(OPERATION, **params)
    _resolve(transactions, gateway)
    return [transactions[key] for key in sorted(transactions, reverse=True)]


def _add_batch(transactions: dict[int, dict], seen: set[int], rows) -> set[int]:
    """Add the batch's valid rows; return the ids not seen before, also of unusable rows,
    so that a batch of unusable rows does not end the walk back."""
    new_ids = set()
    for row in rows or []:
        transaction_id = as_id(row.get("transaction_id"))
        if not transaction_id or transaction_id in seen:
            continue
        seen.add(transaction_id)
        new_ids.add(transaction_id)
        transaction = _clean(row)
        if transaction is not None:
            transactions[transaction_id] = transaction
    return new_ids


def _clean(row: dict) -> dict | None:
    """A transaction as plain data, or None when a required value is missing."""
    transaction_id = as_id(row.get("transaction_id"))
    date = as_datetime(row.get("date"))
    unit_price = as_money(row.get("unit_price"))
    type_id = as_id(row.get("type_id"))
    if not transaction_id or date is None or unit_price is None or not type_id:
        return None
    return {
        "transaction_id": transaction_id,
        "date": date.isoformat(),
        "type_id": type_id,
        "quantity": as_int(row.get("quantity"), 0),
        "unit_price": str(unit_price),
        "is_buy": bool(row.get("is_buy")),
        "is_personal": bool(row.get("is_personal")),
        "client_id": as_id(row.get("client_id")),
        "location_id": as_id(row.get("location_id")),
        "journal_ref_id": as_int(row.get("journal_ref_id"), 0),
    }


def _resolve(transactions: dict[int, dict], gateway) -> None:
    """Load item types, name clients, make places exist; unknown clients become None."""
    load_types({row["type_id"] for row in transactions.values()}, _("wallet transactions"), gateway)
    clients = resolve_entities({row["client_id"] for row in transactions.values()}, gateway)
    places = resolve_locations({row["location_id"] for row in transactions.values()}, gateway)
    for row in transactions.values():
        if row["client_id"] not in clients:
            row["client_id"] = None
        if row["location_id"] not in places:
            row["location_id"] = None


def store(character, data: list[dict]) -> bool:
    if not data:
        return False
    oldest = min(as_datetime(row["date"]) for row in data)
    # a stored transaction has the same (immutable) date as in ESI, so it is in this window
    stored_ids = set(
        character.wallet_transactions.filter(date__gte=oldest).values_list(
            "transaction_id", flat=True
        )
    )
    new = [
        CharacterWalletTransaction(
            character=character,
            transaction_id=row["transaction_id"],
            date=as_datetime(row["date"]),
            eve_type_id=row["type_id"],
            quantity=row["quantity"],
            unit_price=row["unit_price"],
            is_buy=row["is_buy"],
            is_personal=row["is_personal"],
            client_id=row["client_id"],
            location_id=row["location_id"],
            journal_ref_id=row["journal_ref_id"],
        )
        for row in data
        if row["transaction_id"] not in stored_ids
    ]
    if not new:
        return False
    CharacterWalletTransaction.objects.bulk_create(
        new, batch_size=app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE, ignore_conflicts=True
    )
    return True


registry.register(
    Section(
        name="wallet_transactions",
        title=_("wallet transactions"),
        ring=2,
        scopes=("esi-wallet.read_character_wallet.v1",),
        operations=(OPERATION,),
        fetch=fetch,
        store=store,
        tab=ViewerTab(
            group=NavGroup.FINANCES,
            title=_("Transactions"),
            template="memberaudit/tabs/wallet_transactions.html",
            tables={"wallet_transactions": json_tables.wallet_transactions},
        ),
    )
)
