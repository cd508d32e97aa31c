"""Character contracts with their items and bids.

Scenario data: a character's ``contracts`` is a list of contract headers in the shape of the
ESI answer, each optionally carrying its ``items`` and ``bids`` lists (served by their own
routes, never in the header list). ``contracts_generate`` (``{"count", "seed"?, "first_id"?}``)
adds deterministic contracts of every kind, with a few that a careful client must tolerate:
contracts without a title, one of a type and one of a status that the spec does not list.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from ..messages import EsiError
from ..router import RouteTable
from ..validation import list_of, obj, opt, req
from .common import rate

routes = RouteTable()

CONTRACTS_SCOPE = "esi-contracts.read_character_contracts.v1"
CHAR_CONTRACT = ("char-contract", (600, "15m"))
# Enum values are not checked: ESI adds new ones, and clients must cope with them.
CONTRACT = {
    "contract_id": req("int"),
    "issuer_id": req("int"),
    "issuer_corporation_id": req("int"),
    "assignee_id": req("int"),
    "acceptor_id": req("int"),
    "type": req("str"),
    "status": req("str"),
    "availability": req("str"),
    "for_corporation": req("bool"),
    "date_issued": req("datetime"),
    "date_expired": req("datetime"),
    "date_accepted": opt("datetime"),
    "date_completed": opt("datetime"),
    "days_to_complete": opt("int"),
    "start_location_id": opt("int"),
    "end_location_id": opt("int"),
    "price": opt("number"),
    "reward": opt("number"),
    "collateral": opt("number"),
    "buyout": opt("number"),
    "volume": opt("number"),
    "title": opt("str"),
    "items": list_of(
        obj(
            {
                "record_id": req("int"),
                "type_id": req("int"),
                "quantity": req("int"),
                "is_included": req("bool"),
                "is_singleton": req("bool"),
                "raw_quantity": opt("int"),
            }
        )
    ),
    "bids": list_of(
        obj(
            {
                "bid_id": req("int"),
                "bidder_id": req("int"),
                "amount": req("number"),
                "date_bid": req("datetime"),
            }
        )
    ),
}
CHARACTER_FIELDS = {
    "contracts": list_of(obj(CONTRACT)),
    "contracts_generate": obj({"count": req("int"), "seed": opt("int"), "first_id": opt("int")}),
}
_NESTED = ("items", "bids")


def _contract(ctx) -> dict:
    contract_id = ctx.params["contract_id"]
    for contract in ctx.character().get("contracts", []):
        if contract["contract_id"] == contract_id:
            return contract
    raise EsiError(404, "Contract not found!")


@routes.get(
    "/characters/{character_id}/contracts",
    "GetCharactersCharacterIdContracts",
    scope=CONTRACTS_SCOPE,
    cache_seconds=300,
    paged=True,
    page_size=1000,
    **rate(CHAR_CONTRACT),
)
def contracts(ctx):
    headers = [
        {k: v for k, v in contract.items() if k not in _NESTED}
        for contract in ctx.character().get("contracts", [])
    ]
    return sorted(headers, key=lambda c: c["contract_id"], reverse=True)


@routes.get(
    "/characters/{character_id}/contracts/{contract_id}/items",
    "GetCharactersCharacterIdContractsContractIdItems",
    scope=CONTRACTS_SCOPE,
    cache_seconds=3600,
    **rate(CHAR_CONTRACT),
)
def contract_items(ctx):
    return _contract(ctx).get("items", [])


@routes.get(
    "/characters/{character_id}/contracts/{contract_id}/bids",
    "GetCharactersCharacterIdContractsContractIdBids",
    scope=CONTRACTS_SCOPE,
    cache_seconds=300,
    **rate(CHAR_CONTRACT),
)
def contract_bids(ctx):
    return sorted(_contract(ctx).get("bids", []), key=lambda b: b["bid_id"], reverse=True)


def expand_character(character: dict) -> None:
    generator = character.pop("contracts_generate", None)
    if generator:
        character["contracts"] = character.get("contracts", []) + generate_contracts(
            character["character_id"], character["corporation_id"], **generator
        )


# --- generator ---------------------------------------------------------------------------

# Parties that /universe/names knows in the default scenario, with their corporations.
_PARTIES = {
    90000001: 98000001,
    90000002: 98000002,
    90000003: 98000003,
    90000004: 98000001,
    2112000001: 98000002,
    2112000003: 98000002,
}
_STATIONS = (60003760, 60008494, 60004588, 60005686)
_STRUCTURES = (1035466617946, 1030049082711, 1022734985679)  # the last: no docking rights
_ITEM_TYPES = {  # type id -> (volume, stackable)
    587: (27289.0, False),
    603: (16500.0, False),
    621: (92000.0, False),
    638: (486000.0, False),
    24698: (252000.0, False),
    438: (5.0, True),
    484: (5.0, True),
    2046: (5.0, True),
    499: (5.0, True),
    9899: (1.0, True),
    9941: (1.0, True),
}
_TITLES = (
    "Fitted Rifter",
    "Frigate bundle",
    "Moving out",
    "Cheap modules",
    "Implant sale",
    "Doctrine ships",
    "Jita run",
    "Leftovers",
)
_TIME = "%Y-%m-%dT%H:%M:%SZ"


def generate_contracts(
    character_id: int, corporation_id: int, count: int, seed: int = 1, first_id: int | None = None
) -> list[dict]:
    """Deterministic contracts of all kinds; the first two carry an unknown type and status."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    first_id = first_id or 150_000_000 + character_id % 1_000_000 * 1000
    record_ids = iter(range(first_id * 10, first_id * 10 + count * 10))
    bid_ids = iter(range(first_id * 10, first_id * 10 + count * 10))
    result = []
    for n in range(count):
        kind = rng.choices(("item_exchange", "auction", "courier"), weights=(5, 2, 3))[0]
        issued = now - timedelta(hours=rng.randint(1, 29 * 24))
        issuer_id = character_id if rng.random() < 0.7 else rng.choice(list(_PARTIES))
        contract = {
            "contract_id": first_id + n,
            "issuer_id": issuer_id,
            "issuer_corporation_id": _PARTIES.get(issuer_id, corporation_id),
            "for_corporation": False,
            "type": kind,
            "date_issued": issued.strftime(_TIME),
            "date_expired": (issued + timedelta(days=14)).strftime(_TIME),
        }
        _add_parties(contract, character_id, issuer_id, rng)
        _add_status(contract, issued, now, rng)
        if kind == "courier":
            _add_courier(contract, rng)
        else:
            contract["start_location_id"] = contract["end_location_id"] = rng.choice(
                _STATIONS + _STRUCTURES
            )
            contract["items"] = _items(record_ids, kind, rng)
            contract["volume"] = round(
                sum(
                    _ITEM_TYPES[item["type_id"]][0] * item["quantity"] for item in contract["items"]
                ),
                2,
            )
            contract["price"] = float(rng.randint(1, 5000) * 100_000)
            if kind == "auction":
                contract["buyout"] = contract["price"] * 3
                if contract["status"] == "outstanding" or rng.random() < 0.5:
                    contract["bids"] = _bids(bid_ids, contract, character_id, now, rng)
        roll = rng.random()
        if roll < 0.8:
            contract["title"] = rng.choice(_TITLES)
        elif roll < 0.9:
            contract["title"] = ""
        # else: no title at all
        result.append(contract)
    if count >= 2:  # values real ESI may start sending any day
        result[0]["type"] = "flea_market"
        result[1]["status"] = "under_review"
    return result


def _add_parties(contract: dict, character_id: int, issuer_id: int, rng) -> None:
    availability = rng.choice(("public", "personal", "personal", "corporation", "alliance"))
    if issuer_id != character_id:
        availability = "personal"  # others' contracts show up when assigned to the character
    assignee = {
        "public": 0,
        "personal": rng.choice(list(_PARTIES)),
        "corporation": 98000003,
        "alliance": 99000002,
    }[availability]
    contract["availability"] = availability
    contract["assignee_id"] = character_id if issuer_id != character_id else assignee
    contract["acceptor_id"] = 0


def _add_status(contract: dict, issued: datetime, now: datetime, rng) -> None:
    expired = issued + timedelta(days=14)
    if expired > now and rng.random() < 0.5:
        status = "outstanding"
    elif contract["type"] == "courier":
        status = rng.choice(("finished", "in_progress", "cancelled", "rejected", "failed"))
    else:
        status = rng.choice(("finished", "finished", "cancelled", "rejected", "deleted"))
    if status in ("finished", "in_progress", "failed"):
        accepted = issued + timedelta(hours=rng.randint(1, 48))
        contract["date_accepted"] = accepted.strftime(_TIME)
        contract["acceptor_id"] = rng.choice(list(_PARTIES))
        if status == "finished":
            contract["date_completed"] = (accepted + timedelta(hours=rng.randint(0, 24))).strftime(
                _TIME
            )
    contract["status"] = status


def _add_courier(contract: dict, rng) -> None:
    start, end = rng.sample(_STATIONS + _STRUCTURES, 2)
    contract.update(
        {
            "start_location_id": start,
            "end_location_id": end,
            "days_to_complete": rng.choice((1, 3, 7, 14)),
            "reward": float(rng.randint(1, 200) * 1_000_000),
            "collateral": float(rng.randint(0, 50) * 10_000_000),
            "volume": float(rng.choice((1000, 12_500, 62_500, 320_000, 845_000))),
        }
    )


def _items(record_ids, kind: str, rng) -> list[dict]:
    items = []
    for type_id in rng.sample(list(_ITEM_TYPES), rng.randint(1, 4)):
        stackable = _ITEM_TYPES[type_id][1]
        quantity = rng.randint(1, 50) if stackable else 1
        item = {
            "record_id": next(record_ids),
            "type_id": type_id,
            "quantity": quantity,
            "is_included": kind == "auction" or rng.random() < 0.85,
            "is_singleton": not stackable,
        }
        item["raw_quantity"] = -1 if not stackable else quantity
        items.append(item)
    return items


def _bids(bid_ids, contract: dict, character_id: int, now: datetime, rng) -> list[dict]:
    bidders = [party for party in _PARTIES if party != contract["issuer_id"]]
    amount = contract["price"]
    bids = []
    issued = datetime.strptime(contract["date_issued"], _TIME).replace(tzinfo=timezone.utc)
    for _ in range(rng.randint(0, 4)):
        amount = round(amount * rng.uniform(1.05, 1.3), 2)
        moment = min(issued + timedelta(hours=rng.randint(1, 72)), now)
        bids.append(
            {
                "bid_id": next(bid_ids),
                "bidder_id": rng.choice(bidders),
                "amount": amount,
                "date_bid": moment.strftime(_TIME),
            }
        )
    return bids
