"""Wallet transactions, market orders and the order history; average market prices.

Scenario data of a character: ``wallet_transactions`` (ESI's shape), ``market_orders`` (open
orders) and ``market_order_history`` (closed orders with their ``state``). Generators:

- ``wallet_transactions_generate`` (``{"count", "seed"?, "with_journal"?}``): transactions
  one every 17 minutes; with ``with_journal`` each also gets its ``market_transaction`` entry
  in the wallet journal (``journal_ref_id``), with a running balance.
- ``market_orders_generate`` (``{"count", "seed"?, "open"?}``): ``open`` open orders (a fifth
  by default), the others in the history as cancelled, expired or filled (expired, nothing
  left).

Wallet transactions come at most ``page_sizes["GetCharactersCharacterIdWalletTransactions"]``
(default 2,500) per call, newest first; ``from_id`` answers those with that id or older.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from ..router import RouteTable
from ..validation import list_of, obj, opt, req
from .common import CHAR_WALLET, DAY, rate

routes = RouteTable()

WALLET_SCOPE = "esi-wallet.read_character_wallet.v1"
ORDERS_SCOPE = "esi-markets.read_character_orders.v1"
TRANSACTIONS = "GetCharactersCharacterIdWalletTransactions"
TRANSACTIONS_PER_CALL = 2500

TRANSACTION = {
    "transaction_id": req("int"),
    "date": req("datetime"),
    "type_id": req("int"),
    "quantity": req("int"),
    "unit_price": req("number"),
    "is_buy": req("bool"),
    "is_personal": req("bool"),
    "client_id": req("int"),
    "location_id": req("int"),
    "journal_ref_id": req("int"),
}
ORDER = {
    "order_id": req("int"),
    "type_id": req("int"),
    "is_buy_order": opt("bool"),
    "is_corporation": req("bool"),
    "issued": req("datetime"),
    "duration": req("int"),
    "escrow": opt("number"),
    "location_id": req("int"),
    "region_id": req("int"),
    "min_volume": opt("int"),
    "price": req("number"),
    "range": req("str"),
    "volume_remain": req("int"),
    "volume_total": req("int"),
    "state": opt("str"),  # history only; not checked: ESI may add states
}
CHARACTER_FIELDS = {
    "wallet_transactions": list_of(obj(TRANSACTION)),
    "wallet_transactions_generate": obj(
        {"count": req("int"), "seed": opt("int"), "with_journal": opt("bool")}
    ),
    "market_orders": list_of(obj(ORDER)),
    "market_order_history": list_of(obj(ORDER)),
    "market_orders_generate": obj({"count": req("int"), "seed": opt("int"), "open": opt("int")}),
}


@routes.get(
    "/characters/{character_id}/wallet/transactions",
    TRANSACTIONS,
    scope=WALLET_SCOPE,
    cache_seconds=3600,
    **rate(CHAR_WALLET),
)
def wallet_transactions(ctx):
    rows = sorted(
        ctx.character().get("wallet_transactions", []),
        key=lambda row: row["transaction_id"],
        reverse=True,
    )
    from_id = ctx.request.arg("from_id")
    if from_id:
        rows = [row for row in rows if row["transaction_id"] <= int(from_id)]
    return rows[: int(ctx.server.page_sizes.get(TRANSACTIONS, TRANSACTIONS_PER_CALL))]


@routes.get(
    "/characters/{character_id}/orders",
    "GetCharactersCharacterIdOrders",
    scope=ORDERS_SCOPE,
    cache_seconds=1200,
)
def open_orders(ctx):
    return sorted(ctx.character().get("market_orders", []), key=lambda row: row["order_id"])


@routes.get(
    "/characters/{character_id}/orders/history",
    "GetCharactersCharacterIdOrdersHistory",
    scope=ORDERS_SCOPE,
    cache_seconds=3600,
    paged=True,
    page_size=1000,
)
def order_history(ctx):
    return sorted(
        ctx.character().get("market_order_history", []),
        key=lambda row: row["order_id"],
        reverse=True,
    )


# Average and adjusted prices; Kernite (20) has none, as some types have none on ESI.
PRICES = {
    34: (5.1, 4.9),
    35: (11.8, 10.2),
    36: (62.0, 58.3),
    1230: (14.5, 13.9),
    1228: (22.1, 21.0),
    1224: (41.7, 40.2),
    18: (58.3, 57.1),
    587: (620_000.0, 580_000.0),
    438: (15_400.0, 14_900.0),
    2454: (3_900.0, 3_700.0),
}


@routes.get("/markets/prices", "GetMarketsPrices", cache_seconds=DAY // 24)
def market_prices(ctx):
    return [
        {"type_id": type_id, "average_price": average, "adjusted_price": adjusted}
        for type_id, (average, adjusted) in sorted(PRICES.items())
    ]


# --- generators ----------------------------------------------------------------------------

_CLIENTS = (90000001, 90000002, 90000003, 90000004, 98000001, 98000002, 2112000001)
_STATIONS = (60003760, 60008494, 60004588)
_STRUCTURES = (1035466617946, 1022734985679)  # the last: no docking rights
_REGIONS = {60003760: 10000002, 60008494: 10000043, 60004588: 10000030}
_GOODS = {  # type id -> typical unit price
    34: 5.0,
    35: 12.0,
    36: 60.0,
    438: 15_000.0,
    484: 9_500.0,
    2046: 4_200.0,
    499: 11_000.0,
    2454: 3_800.0,
    587: 600_000.0,
}
_TIME = "%Y-%m-%dT%H:%M:%SZ"


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)


def generate_transactions(
    character_id: int, count: int, seed: int = 1, with_journal: bool = False
) -> tuple[list[dict], list[dict]]:
    """Transactions newest first, and their journal entries when ``with_journal``."""
    rng = random.Random(seed)
    newest = _now()
    first_id = 5_000_000_000 + character_id % 1_000_000 * 10_000
    journal_first_id = 21_000_000_000 + character_id % 1_000_000 * 10_000
    balance = 850_000_000.0
    transactions, journal = [], []
    for n in range(count):
        type_id = rng.choice(list(_GOODS))
        quantity = 1 if _GOODS[type_id] > 100_000 else rng.randint(1, 5000)
        unit_price = round(_GOODS[type_id] * rng.uniform(0.8, 1.2), 2)
        is_buy = rng.random() < 0.45
        date = (newest - timedelta(minutes=17 * n)).strftime(_TIME)
        location_id = rng.choice(_STATIONS + _STRUCTURES)
        journal_id = journal_first_id + count - n
        transactions.append(
            {
                "transaction_id": first_id + count - n,
                "date": date,
                "type_id": type_id,
                "quantity": quantity,
                "unit_price": unit_price,
                "is_buy": is_buy,
                "is_personal": rng.random() < 0.95,
                "client_id": rng.choice(_CLIENTS),
                "location_id": location_id,
                "journal_ref_id": journal_id,
            }
        )
        amount = round(quantity * unit_price, 2) * (-1 if is_buy else 1)
        journal.append(
            {
                "id": journal_id,
                "date": date,
                "ref_type": "market_transaction",
                "description": "Market transaction",
                "amount": amount,
                "balance": round(balance, 2),
                "first_party_id": character_id,
                "second_party_id": character_id,
                "context_id": first_id + count - n,
                "context_id_type": "market_transaction_id",
            }
        )
        balance -= amount
    return transactions, journal if with_journal else []


def generate_orders(
    character_id: int, count: int, seed: int = 1, open: int | None = None
) -> tuple[list[dict], list[dict]]:
    """Open orders and closed ones (the history), ``count`` in all."""
    rng = random.Random(seed)
    now = _now()
    first_id = 6_000_000_000 + character_id % 1_000_000 * 10_000
    open_count = count // 5 if open is None else min(open, count)
    open_orders, history = [], []
    for n in range(count):
        type_id = rng.choice(list(_GOODS))
        is_buy = rng.random() < 0.4
        total = 1 if _GOODS[type_id] > 100_000 else rng.randint(10, 20_000)
        price = round(_GOODS[type_id] * rng.uniform(0.9, 1.1), 2)
        location_id = rng.choice(_STATIONS)
        is_open = n < open_count
        issued = now - timedelta(hours=rng.randint(1, 80 * 24 if not is_open else 80))
        remain = rng.randint(1, total) if is_open else total
        order = {
            "order_id": first_id + n,
            "type_id": type_id,
            "is_corporation": rng.random() < 0.1,
            "issued": issued.strftime(_TIME),
            "duration": rng.choice((1, 3, 7, 14, 30, 90)),
            "location_id": location_id,
            "region_id": _REGIONS[location_id],
            "price": price,
            "range": "region" if is_buy else "station",
            "volume_total": total,
        }
        if is_buy:
            order.update({"is_buy_order": True, "min_volume": 1})
            order["escrow"] = round(price * remain, 2)
        if is_open:
            order["volume_remain"] = remain
            open_orders.append(order)
            continue
        state = rng.choices(("expired", "cancelled", "filled"), weights=(2, 2, 5))[0]
        order["volume_remain"] = 0 if state == "filled" else rng.randint(1, total)
        order["state"] = "expired" if state == "filled" else state
        if is_buy:
            order["escrow"] = 0.0
        history.append(order)
    return open_orders, history


def expand_character(character: dict) -> None:
    generator = character.pop("wallet_transactions_generate", None)
    if generator:
        transactions, journal = generate_transactions(character["character_id"], **generator)
        character["wallet_transactions"] = character.get("wallet_transactions", []) + transactions
        if journal:
            character["wallet_journal"] = character.get("wallet_journal", []) + journal
    generator = character.pop("market_orders_generate", None)
    if generator:
        open_orders, history = generate_orders(character["character_id"], **generator)
        character["market_orders"] = character.get("market_orders", []) + open_orders
        character["market_order_history"] = character.get("market_order_history", []) + history
