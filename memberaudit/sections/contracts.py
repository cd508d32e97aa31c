"""Contracts: headers, the items of each contract and the bids on outstanding auctions.

- Headers come from one paged call and are stored row by row: only new or changed contracts
  are written. Contracts that ESI no longer lists (it shows about 30 days) are kept as history.
- Items never change, so each contract's items are fetched once: only for contracts whose
  items were never fetched, newest first, at most ``MAX_ITEM_REQUESTS_PER_RUN`` per run (the
  route's rate limit bucket is small); the rest follow in the next runs. Couriers are never
  asked: ESI answers an empty list for them (a courier package's contents are hidden), and
  the contract page says so instead of waiting for items.
- Bids are fetched for outstanding auctions only, on every run, even when the headers did not
  change: a new bid does not change the header.
- Type, status and availability values that ESI adds after this was written are stored as
  ``"unknown"``; a missing title is stored as an empty string.
"""

import logging
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import OperationalError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import app_settings, change_events, json_tables, selectors, updater
from ..bulk import bulk_update_changes
from ..entities import resolve_entities
from ..esi_gateway import (
    EsiError,
    EsiForbidden,
    EsiNotFound,
    EsiRateLimited,
    EsiTokenError,
    NotModified,
)
from ..eve_types import load_eve_types
from ..fitted_fields import fit_to_column
from ..locations import resolve_locations
from ..models import CharacterContract, CharacterContractBid, CharacterContractItem
from .base import NavGroup, Section, ViewerTab, registry

logger = logging.getLogger(__name__)

CONTRACTS = "GetCharactersCharacterIdContracts"
ITEMS = "GetCharactersCharacterIdContractsContractIdItems"
BIDS = "GetCharactersCharacterIdContractsContractIdBids"
MAX_ITEM_REQUESTS_PER_RUN = 200
CENT = Decimal("0.01")

Type = CharacterContract.ContractType
Status = CharacterContract.Status
Availability = CharacterContract.Availability

PARTY_FIELDS = ("issuer_id", "issuer_corporation_id", "assignee_id", "acceptor_id")
LOCATION_FIELDS = ("start_location_id", "end_location_id")
HEADER_FIELDS = (
    "contract_type",
    "status",
    "availability",
    "title",
    "for_corporation",
    "date_issued",
    "date_expired",
    "date_accepted",
    "date_completed",
    "days_to_complete",
    "price",
    "reward",
    "collateral",
    "buyout",
    "volume",
)
# Model fields written from a header; the FK fields hold ids of resolved rows.
STORED_FIELDS = HEADER_FIELDS + PARTY_FIELDS + LOCATION_FIELDS


# --- fetch --------------------------------------------------------------------------------


# Why the last item fetch of a character stopped early, from store() to after_store().
_item_failures: dict[int, str] = {}


def fetch(character, gateway) -> dict:
    """Headers (None when unchanged), items of contracts without items, bids of auctions."""
    _item_failures.pop(character.pk, None)
    stored = {
        contract_id: {"contract_type": kind, "status": status, "items_fetched": fetched}
        for contract_id, kind, status, fetched in character.contracts.values_list(
            "contract_id", "contract_type", "status", "items_fetched"
        )
    }
    try:
        rows = gateway.get(CONTRACTS, paged=True, character_id=character.character_id)
    except NotModified:
        headers = None
    else:
        headers = _clean_headers(rows)
    current = headers if headers is not None else stored
    bids = _fetch_bids(character, gateway, current, stored)
    items, failure = _fetch_items(character, gateway, current, stored)
    if headers is None and not bids and not items:
        if failure:
            raise EsiError(failure)
        raise NotModified()
    entity_ids = {bid["bidder_id"] for rows in bids.values() for bid in rows}
    if headers is not None:
        entity_ids |= {contract[field] for contract in headers.values() for field in PARTY_FIELDS}
    known_entities = resolve_entities(entity_ids, gateway)
    if headers is not None:
        _resolve_places(headers, known_entities, gateway)
    for rows in bids.values():
        for bid in rows:
            if bid["bidder_id"] not in known_entities:
                bid["bidder_id"] = None
    _load_types({item["type_id"] for rows in items.values() for item in rows}, gateway)
    return {
        "contracts": [headers[key] for key in sorted(headers)] if headers is not None else None,
        "items": items,
        "bids": bids,
        "items_failure": failure,
    }


def _clean_headers(rows) -> dict[int, dict]:
    headers = {}
    for row in rows or []:
        header = _clean_header(row)
        if header is not None:
            headers[header["contract_id"]] = header
    return headers


def _clean_header(row: dict) -> dict | None:
    if not row.get("contract_id"):
        return None
    days = row.get("days_to_complete")
    volume = row.get("volume")
    return {
        "contract_id": int(row["contract_id"]),
        "contract_type": _choice(row.get("type"), Type),
        "status": _choice(row.get("status"), Status),
        "availability": _choice(row.get("availability"), Availability),
        "title": fit_to_column(CharacterContract, "title", row.get("title")),
        "for_corporation": bool(row.get("for_corporation")),
        "date_issued": _as_datetime(row.get("date_issued")),
        "date_expired": _as_datetime(row.get("date_expired")),
        "date_accepted": _as_datetime(row.get("date_accepted")),
        "date_completed": _as_datetime(row.get("date_completed")),
        "days_to_complete": int(days) if days is not None and days >= 0 else None,
        "price": _as_money(row.get("price")),
        "reward": _as_money(row.get("reward")),
        "collateral": _as_money(row.get("collateral")),
        "buyout": _as_money(row.get("buyout")),
        "volume": float(volume) if volume is not None else None,
        **{field: _as_id(row.get(field)) for field in PARTY_FIELDS + LOCATION_FIELDS},
    }


def _choice(value, choices) -> str:
    value = getattr(value, "value", value)
    if value in choices.values:
        return value
    if value:
        logger.info("Contract %s %r is not known: stored as unknown", choices.__name__, value)
    return choices.UNKNOWN


def _needs_items(contract: dict) -> bool:
    return contract["contract_type"] != Type.COURIER


def _fetch_items(character, gateway, current: dict, stored: dict):
    """Items of contracts whose items were never fetched; a bounded number per run.

    Returns the items by contract and why fetching stopped early (or None). A rate limit
    is no failure: the remaining items follow in the next runs."""
    missing = sorted(
        (
            contract_id
            for contract_id, contract in current.items()
            if _needs_items(contract) and not stored.get(contract_id, {}).get("items_fetched")
        ),
        reverse=True,
    )[:MAX_ITEM_REQUESTS_PER_RUN]
    answers = gateway.get_each(
        ITEMS,
        [{"character_id": character.character_id, "contract_id": cid} for cid in missing],
        use_etag=False,  # nothing stored: a 304 for an earlier answer would hide the items
        stop=lambda answer: not isinstance(answer.error, (EsiNotFound, EsiForbidden)),
    )
    items = {}
    for answer in answers:
        contract_id = answer.params["contract_id"]
        if isinstance(answer.error, (EsiNotFound, EsiForbidden)):
            # ESI no longer shows the items (e.g. a deleted contract): do not ask again
            logger.info("%s: no items for contract %s: %s", character, contract_id, answer.error)
            items[contract_id] = []
        elif isinstance(answer.error, EsiTokenError):
            raise answer.error
        elif isinstance(answer.error, EsiRateLimited):
            logger.info("%s: contract items wait for the next run: %s", character, answer.error)
        elif answer.error is not None:
            left = len(missing) - len(items)
            return items, gettext(
                "Items of %(count)d contracts could not be fetched yet: %(error)s"
            ) % {"count": left, "error": answer.error}
        else:
            items[contract_id] = _clean_items(answer.data)
    return items, None


def _clean_items(rows) -> list[dict]:
    items = {}
    for row in rows or []:
        if not row.get("record_id") or not row.get("type_id"):
            continue
        raw_quantity = row.get("raw_quantity")
        items[int(row["record_id"])] = {
            "record_id": int(row["record_id"]),
            "type_id": int(row["type_id"]),
            "quantity": int(row.get("quantity") or 0),
            "is_included": bool(row.get("is_included")),
            "is_singleton": bool(row.get("is_singleton")),
            "raw_quantity": int(raw_quantity) if raw_quantity is not None else None,
        }
    return [items[key] for key in sorted(items)]


def _fetch_bids(character, gateway, current: dict, stored: dict) -> dict[int, list[dict]]:
    """Bids of outstanding auctions; auctions whose bids did not change are left out."""
    auctions = sorted(
        contract_id
        for contract_id, contract in current.items()
        if contract["contract_type"] == Type.AUCTION and contract["status"] == Status.OUTSTANDING
    )
    bids = {}
    again = []  # answered 304 but never stored: asked again in full
    for answer in _ask_bids(character, gateway, auctions, use_etag=None):
        if isinstance(answer.error, NotModified):
            if answer.params["contract_id"] not in stored:
                again.append(answer.params["contract_id"])
        elif answer.error is None:
            bids[answer.params["contract_id"]] = _clean_bids(answer.data)
    for answer in _ask_bids(character, gateway, again, use_etag=False):
        if answer.error is None:
            bids[answer.params["contract_id"]] = _clean_bids(answer.data)
    return bids


def _ask_bids(character, gateway, contract_ids: list[int], use_etag):
    """Answers for the bids of auctions; a 404 means the auction just ended (its header will
    tell next time); any other failure fails the run."""
    answers = gateway.get_each(
        BIDS,
        [{"character_id": character.character_id, "contract_id": cid} for cid in contract_ids],
        use_etag=use_etag,
        stop=lambda answer: not isinstance(answer.error, (NotModified, EsiNotFound)),
    )
    for answer in answers:
        if isinstance(answer.error, EsiError) and not isinstance(answer.error, EsiNotFound):
            raise answer.error
    return answers


def _clean_bids(rows) -> list[dict]:
    bids = {}
    for row in rows or []:
        date_bid = _as_datetime(row.get("date_bid"))
        amount = _as_money(row.get("amount"))
        if not row.get("bid_id") or date_bid is None or amount is None:
            continue
        bids[int(row["bid_id"])] = {
            "bid_id": int(row["bid_id"]),
            "bidder_id": _as_id(row.get("bidder_id")),
            "amount": amount,
            "date_bid": date_bid,
        }
    return [bids[key] for key in sorted(bids)]


def _resolve_places(headers: dict, known_entities: dict, gateway) -> None:
    """Replace ids that did not resolve by None (parties) and make locations exist."""
    location_ids = {contract[field] for contract in headers.values() for field in LOCATION_FIELDS}
    locations = resolve_locations(location_ids, gateway)
    for contract in headers.values():
        for field in PARTY_FIELDS:
            if contract[field] not in known_entities:
                contract[field] = None
        for field in LOCATION_FIELDS:
            if contract[field] not in locations:
                contract[field] = None


def _load_types(type_ids: set[int], gateway) -> None:
    """Make sure eveuniverse knows the item types; fail the run when one cannot be loaded."""
    if not type_ids:
        return
    try:
        found = load_eve_types(type_ids, gateway)
    except OperationalError:  # the database's, e.g. a deadlock: the updater tries again
        raise
    except Exception as exc:  # eveuniverse raises its client's errors
        raise updater.SectionDataError(
            _("Could not load item types of contracts: %(error)s") % {"error": repr(exc)}
        ) from exc
    missing = type_ids - found
    if missing:
        raise updater.SectionDataError(
            _("Unknown item types in contracts: %(type_ids)s") % {"type_ids": sorted(missing)}
        )


def _as_datetime(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return parse_datetime(value)
    return None


def _as_money(value) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        return None


def _as_id(value) -> int | None:
    return int(value) if value else None


# --- store --------------------------------------------------------------------------------


def store(character, data: dict) -> bool:
    if data.get("items_failure"):
        _item_failures[character.pk] = data["items_failure"]
    changed = False
    if data["contracts"] is not None:
        changed = _store_headers(character, data["contracts"])
    pks = dict(character.contracts.values_list("contract_id", "pk"))
    items_changed = _store_items(pks, data["items"])
    bids_changed = _store_bids(pks, data["bids"])
    return changed or items_changed or bids_changed


def after_store(character, changed: bool) -> None:
    """Fail the run while items are missing, after headers and the fetched items were kept."""
    failure = _item_failures.pop(character.pk, None)
    if failure:
        raise EsiError(failure)


def _store_headers(character, headers: list[dict]) -> bool:
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    stored = {contract.contract_id: contract for contract in character.contracts.all()}
    changed = []
    new = []
    for header in headers:
        values = {field: header[field] for field in STORED_FIELDS}
        contract = stored.get(header["contract_id"])
        if contract is None:
            new.append(
                CharacterContract(character=character, contract_id=header["contract_id"], **values)
            )
            continue
        differing = [field for field, value in values.items() if getattr(contract, field) != value]
        if differing:
            for field in differing:
                setattr(contract, field, values[field])
            changed.append((contract, differing))
    if changed:
        # only the columns that changed: a status change writes just the status
        bulk_update_changes(CharacterContract, changed, batch_size=batch_size)
    if new:
        CharacterContract.objects.bulk_create(new, batch_size=batch_size)
    change_events.report(created=new, changed=((row, {}) for row, _ in changed))
    return bool(changed or new)


def _store_items(pks: dict[int, int], items: dict[int, list[dict]]) -> bool:
    """Store the items of contracts fetched for the first time and mark them fetched."""
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    contract_pks = [pks[contract_id] for contract_id in sorted(items) if contract_id in pks]
    if not contract_pks:
        return False
    rows = [
        CharacterContractItem(
            contract_id=pks[contract_id],
            record_id=item["record_id"],
            eve_type_id=item["type_id"],
            quantity=item["quantity"],
            is_included=item["is_included"],
            is_singleton=item["is_singleton"],
            raw_quantity=item["raw_quantity"],
        )
        for contract_id, contract_items in items.items()
        if contract_id in pks
        for item in contract_items
    ]
    for start in range(0, len(contract_pks), batch_size):
        chunk = contract_pks[start : start + batch_size]
        CharacterContractItem.objects.filter(contract_id__in=chunk).delete()
        CharacterContract.objects.filter(pk__in=chunk).update(items_fetched=True)
    CharacterContractItem.objects.bulk_create(rows, batch_size=batch_size)
    return True


def _store_bids(pks: dict[int, int], bids: dict[int, list[dict]]) -> bool:
    """Add bids not seen before; a bid never changes."""
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    contract_pks = [pks[contract_id] for contract_id in bids if contract_id in pks]
    stored = set()
    for start in range(0, len(contract_pks), batch_size):
        stored |= set(
            CharacterContractBid.objects.filter(
                contract_id__in=contract_pks[start : start + batch_size]
            ).values_list("contract_id", "bid_id")
        )
    new = [
        CharacterContractBid(
            contract_id=pks[contract_id],
            bid_id=bid["bid_id"],
            bidder_id=bid["bidder_id"],
            amount=bid["amount"],
            date_bid=bid["date_bid"],
        )
        for contract_id, contract_bids in bids.items()
        if contract_id in pks
        for bid in contract_bids
        if (pks[contract_id], bid["bid_id"]) not in stored
    ]
    if new:
        CharacterContractBid.objects.bulk_create(new, batch_size=batch_size)
    return bool(new)


registry.register(
    Section(
        name="contracts",
        title=_("contracts"),
        ring=2,
        scopes=("esi-contracts.read_character_contracts.v1",),
        operations=(CONTRACTS, ITEMS, BIDS),
        fetch=fetch,
        store=store,
        after_store=after_store,
        events=change_events.contracts,
        tab=ViewerTab(
            group=NavGroup.FINANCES,
            template="memberaudit/tabs/contracts.html",
            context=selectors.contracts_tab,
            tables={"contracts": json_tables.contracts},
        ),
    )
)
