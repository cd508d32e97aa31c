"""Character contracts, their items and bids, as served by the fake ESI."""

from collections import Counter

import pytest

from fake_eve.esi.contracts import generate_contracts
from fake_eve.scenario import ScenarioError

from .helpers import call, login

ARIA = 90000001
GWEN = 2112000002
SCOPE = "esi-contracts.read_character_contracts.v1"
CONTRACTS = "GetCharactersCharacterIdContracts"
KNOWN_TYPES = {"unknown", "item_exchange", "auction", "courier", "loan"}
KNOWN_STATUSES = {
    "outstanding",
    "in_progress",
    "finished_issuer",
    "finished_contractor",
    "finished",
    "cancelled",
    "rejected",
    "failed",
    "deleted",
    "reversed",
}


def token_for(srv, character_id, scopes=(SCOPE,)):
    return login(srv, character_id, list(scopes))["access_token"]


def get(srv, character_id, path="", token=None):
    token = token or token_for(srv, character_id)
    return call(srv, "GET", f"/characters/{character_id}/contracts{path}", token=token)


def test_should_serve_contract_headers_without_items_and_bids(srv):
    reply = get(srv, ARIA)

    assert reply.status == 200 and reply.headers["X-Pages"] == "1"
    contracts = reply.json()
    assert [c["contract_id"] for c in contracts] == [
        190000005,
        190000004,
        190000003,
        190000002,
        190000001,
    ]
    assert all("items" not in c and "bids" not in c for c in contracts)
    courier = next(c for c in contracts if c["contract_id"] == 190000002)
    assert "title" not in courier
    assert courier["end_location_id"] == 1035466617946


def test_should_serve_items_and_bids_of_one_contract(srv):
    token = token_for(srv, ARIA)

    items = get(srv, ARIA, "/190000001/items", token).json()
    bids = get(srv, ARIA, "/190000003/bids", token).json()

    assert [(i["record_id"], i["type_id"]) for i in items] == [(1900000011, 587), (1900000012, 438)]
    assert [b["bid_id"] for b in bids] == [1900000302, 1900000301]
    assert get(srv, ARIA, "/190000002/items", token).json() == []


def test_should_answer_404_for_a_contract_of_someone_else(srv):
    token = token_for(srv, ARIA)

    reply = get(srv, ARIA, "/999/items", token)

    assert reply.status == 404 and reply.json() == {"error": "Contract not found!"}


def test_should_require_the_contracts_scope(srv):
    token = token_for(srv, ARIA, ["esi-wallet.read_character_wallet.v1"])

    assert get(srv, ARIA, token=token).status == 403
    assert get(srv, ARIA, "/190000001/items", token).status == 403


def test_should_page_gwens_500_contracts(srv):
    srv.set_page_size(CONTRACTS, 200)
    token = token_for(srv, GWEN)

    pages = [get(srv, GWEN, f"?page={n}", token) for n in (1, 2, 3)]

    assert [p.headers["X-Pages"] for p in pages] == ["3", "3", "3"]
    ids = [c["contract_id"] for p in pages for c in p.json()]
    assert len(ids) == len(set(ids)) == 500


def test_should_generate_every_kind_of_contract_for_gwen(srv):
    contracts = srv.scenario.character(GWEN)["contracts"]

    types = Counter(c["type"] for c in contracts)
    statuses = Counter(c["status"] for c in contracts)
    assert {"item_exchange", "auction", "courier"} <= set(types)
    assert set(types) - KNOWN_TYPES == {"flea_market"}
    assert set(statuses) - KNOWN_STATUSES == {"under_review"}
    assert any("title" not in c for c in contracts)
    assert any(c.get("bids") for c in contracts if c["status"] == "outstanding")
    assert all(not c.get("items") for c in contracts if c["type"] == "courier")
    assert all(c.get("items") for c in contracts if c["type"] in ("item_exchange", "auction"))
    locations = {c[f] for c in contracts for f in ("start_location_id", "end_location_id")}
    assert any(loc >= 1_000_000_000_000 for loc in locations)  # structures too


def test_should_generate_the_same_contracts_for_the_same_seed():
    first = generate_contracts(GWEN, 98000003, count=30, seed=5)
    again = generate_contracts(GWEN, 98000003, count=30, seed=5)

    assert first == again
    records = [i["record_id"] for c in first for i in c.get("items", [])]
    assert len(records) == len(set(records))


def test_should_reject_contracts_without_required_fields(srv):
    with pytest.raises(ScenarioError, match="contract_id"):
        srv.scenario.update_character(ARIA, {"contracts": [{"type": "courier"}]})
