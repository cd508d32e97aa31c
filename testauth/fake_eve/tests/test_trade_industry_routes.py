"""Transactions, orders, industry, blueprints, mining, colonies and prices of the fake ESI."""

from datetime import datetime, timezone

import pytest

from fake_eve.esi.industry import generate_mining
from fake_eve.esi.planets import generate_planets
from fake_eve.esi.trade import generate_orders, generate_transactions
from fake_eve.scenario import Scenario, ScenarioError

from .helpers import ALL_SCOPES, call, login

ARIA = 90000001
GWEN = 2112000002
SCOPES = [
    *ALL_SCOPES,
    "esi-wallet.read_character_wallet.v1",
    "esi-markets.read_character_orders.v1",
    "esi-industry.read_character_jobs.v1",
    "esi-industry.read_character_mining.v1",
    "esi-characters.read_blueprints.v1",
    "esi-planets.manage_planets.v1",
]


def get(srv, character_id, path, query=""):
    token = login(srv, character_id, SCOPES)["access_token"]
    return call(srv, "GET", f"/characters/{character_id}/{path}{query}", token=token)


def test_transactions_come_newest_first_and_from_id_goes_back(srv):
    srv.set_page_size("GetCharactersCharacterIdWalletTransactions", 1000)

    first = get(srv, GWEN, "wallet/transactions").json()
    older = get(srv, GWEN, "wallet/transactions", f"?from_id={first[-1]['transaction_id']}").json()

    assert len(first) == 1000
    ids = [row["transaction_id"] for row in first]
    assert ids == sorted(ids, reverse=True)
    assert older[0]["transaction_id"] == first[-1]["transaction_id"]
    assert len(older) == 1000


def test_generated_transactions_name_their_journal_entries():
    transactions, journal = generate_transactions(GWEN, 50, seed=1, with_journal=True)

    assert {row["journal_ref_id"] for row in transactions} == {entry["id"] for entry in journal}
    assert generate_transactions(GWEN, 5, seed=1)[1] == []


def test_orders_are_split_into_open_and_closed_with_every_final_state():
    open_orders, history = generate_orders(GWEN, 300, seed=12, open=60)

    assert len(open_orders) == 60 and len(history) == 240
    assert {order["state"] for order in history} == {"expired", "cancelled"}
    assert any(order["volume_remain"] == 0 for order in history)  # filled


def test_industry_jobs_leave_out_completed_ones_unless_asked(srv):
    without = get(srv, GWEN, "industry/jobs").json()
    with_completed = get(srv, GWEN, "industry/jobs", "?include_completed=true").json()

    assert {job["status"] for job in without} <= {"active", "paused", "ready"}
    assert len(with_completed) == 200 > len(without)


def test_blueprints_and_mining_are_paged(srv):
    srv.set_page_size("GetCharactersCharacterIdBlueprints", 200)
    reply = get(srv, GWEN, "blueprints", "?page=3")

    assert reply.status == 200 and reply.headers["X-Pages"] == "3"
    assert len(reply.json()) == 100
    assert get(srv, GWEN, "mining").headers["X-Pages"] == "1"


def test_mining_generator_covers_every_day():
    rows = generate_mining(90, seed=3)

    assert len({row["date"] for row in rows}) == 90


def test_colonies_and_their_layouts(srv):
    colonies = get(srv, ARIA, "planets").json()
    layout = get(srv, ARIA, f"planets/{colonies[0]['planet_id']}").json()

    assert len(colonies) == 2 and "layout" not in colonies[0]
    extractors = [pin for pin in layout["pins"] if "extractor_details" in pin]
    factories = [pin for pin in layout["pins"] if "factory_details" in pin]
    assert len(extractors) == 2 and len(factories) >= 2
    assert get(srv, ARIA, "planets/123").status == 404


def test_every_colony_is_on_a_planet_the_universe_routes_serve(srv):
    for character_id in (ARIA, GWEN):
        for colony in get(srv, character_id, "planets").json():
            planet = call(srv, "GET", f"/universe/planets/{colony['planet_id']}").json()
            planet_type = call(srv, "GET", f"/universe/types/{planet['type_id']}").json()
            system = call(srv, "GET", f"/universe/systems/{colony['solar_system_id']}").json()

            assert planet["system_id"] == colony["solar_system_id"]
            assert planet["name"].startswith(system["name"] + " ")
            assert planet_type["name"] == f"Planet ({colony['planet_type'].capitalize()})"
            assert {"planet_id": planet["planet_id"]} in system["planets"]
    assert call(srv, "GET", "/universe/planets/123").status == 404


def test_the_installations_and_products_of_colonies_are_known_types(srv):
    colony = get(srv, GWEN, "planets").json()[0]
    pins = get(srv, GWEN, f"planets/{colony['planet_id']}").json()["pins"]
    type_ids = {pin["type_id"] for pin in pins} | {
        pin["extractor_details"]["product_type_id"] for pin in pins if "extractor_details" in pin
    }

    for type_id in type_ids:
        assert call(srv, "GET", f"/universe/types/{type_id}").status == 200


def test_a_scenario_colony_on_an_unknown_planet_is_refused():
    colony = generate_planets(ARIA, 1)[0]
    data = {"characters": [], "character_data": []}
    character = {
        "character_id": ARIA,
        "name": "Aria",
        "corporation_id": 1,
        "birthday": "2020-01-01T00:00:00Z",
        "bloodline_id": 1,
        "race_id": 1,
        "gender": "female",
        "planets": [{**colony, "planet_id": 123}],
    }
    data["characters"].append(character)

    with pytest.raises(ScenarioError, match=r"planets\[0\]\.planet_id: unknown id 123"):
        Scenario.from_dict(data)


def test_the_first_generated_colonies_have_stopped_extractors():
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    colonies = generate_planets(GWEN, 6, seed=1, expired=2)

    def stopped(colony):
        return all(
            pin["expiry_time"] < now
            for pin in colony["layout"]["pins"]
            if "extractor_details" in pin
        )

    assert [stopped(colony) for colony in colonies] == [True, True] + [False] * 4


def test_market_prices_are_public_and_leave_some_types_without_a_price(srv):
    prices = {row["type_id"]: row for row in call(srv, "GET", "/markets/prices").json()}

    assert prices[1230]["average_price"] > 0
    assert 20 not in prices
