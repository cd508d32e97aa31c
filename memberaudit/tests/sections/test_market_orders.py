"""Market orders: open orders and the history; an order ends in its final state, never lost."""

from decimal import Decimal

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fake_eve.esi.trade import generate_orders
from memberaudit import updater
from memberaudit.esi_gateway import EsiUnavailable
from memberaudit.models import CharacterMarketOrder, Location
from memberaudit.sections.market_orders import overview

from ..factories import create_item_type
from .fault_matrix import FAULTS, rows_of, update_with_fault
from .helpers import create_character, expire_esi_cache, install_canned_esi, status_of, writes_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_retries")]

CHARACTER_ID = 91_000_012
OPEN = "GetCharactersCharacterIdOrders"
HISTORY = "GetCharactersCharacterIdOrdersHistory"
TABLE = CharacterMarketOrder._meta.db_table
ARIA = 90_000_001
GWEN = 2_112_000_002
State = CharacterMarketOrder.State


def make_order(order_id: int, type_id: int, **fields) -> dict:
    return {
        "order_id": order_id,
        "type_id": type_id,
        "is_corporation": False,
        "issued": "2025-12-01T10:00:00Z",
        "duration": 30,
        "location_id": 60_003_760,
        "region_id": 10_000_002,
        "price": 100.0,
        "range": "station",
        "volume_remain": 5,
        "volume_total": 10,
        **fields,
    }


@pytest.fixture
def character(db):
    return create_character(CHARACTER_ID)


@pytest.fixture
def type_id(db):
    return create_item_type().id


@pytest.fixture
def esi(monkeypatch, db):
    Location.objects.create(id=60_003_760, name="Jita IV", updated_at="2030-01-01T00:00:00Z")
    return install_canned_esi(monkeypatch, {OPEN: [], HISTORY: []})


def states(character) -> dict[int, str]:
    return dict(character.market_orders.values_list("order_id", "state"))


class TestWithCannedEsi:
    def test_should_store_open_orders_and_history(self, character, esi, type_id):
        esi[OPEN] = [make_order(1, type_id, is_buy_order=True, escrow=250.0, min_volume=2)]
        esi[HISTORY] = [make_order(2, type_id, state="cancelled")]

        outcome = updater.update_section(character, "market_orders")

        assert outcome.is_success, outcome.message
        order = character.market_orders.get(order_id=1)
        assert order.state == State.OPEN and order.is_buy_order and order.escrow == Decimal("250")
        assert order.min_volume == 2 and order.location.name == "Jita IV"
        assert order.range == "station" and order.region_id == 10_000_002
        assert states(character) == {1: State.OPEN, 2: State.CANCELLED}
        assert [call[2]["paged"] for call in esi["calls"] if call[0] == HISTORY] == [True]

    def test_should_call_an_expired_order_with_nothing_left_filled(self, character, esi, type_id):
        esi[HISTORY] = [
            make_order(1, type_id, state="expired", volume_remain=0),
            make_order(2, type_id, state="expired", volume_remain=3),
        ]

        updater.update_section(character, "market_orders")

        assert states(character) == {1: State.FILLED, 2: State.EXPIRED}

    def test_should_move_an_order_from_open_to_its_final_state(self, character, esi, type_id):
        esi[OPEN] = [make_order(1, type_id)]
        updater.update_section(character, "market_orders")
        pk = character.market_orders.get().pk
        esi[OPEN] = []
        esi[HISTORY] = [make_order(1, type_id, state="expired", volume_remain=0)]

        updater.update_section(character, "market_orders")

        order = character.market_orders.get()
        assert order.pk == pk and order.state == State.FILLED and order.volume_remain == 0

    def test_should_keep_an_order_that_left_the_open_list_before_the_history_has_it(
        self, character, esi, type_id
    ):
        esi[OPEN] = [make_order(1, type_id)]
        updater.update_section(character, "market_orders")
        esi[OPEN] = []

        outcome = updater.update_section(character, "market_orders")

        assert outcome.is_success
        assert states(character) == {1: State.CLOSED}

    def test_should_keep_closed_orders_esi_no_longer_returns(self, character, esi, type_id):
        esi[HISTORY] = [make_order(1, type_id, state="cancelled")]
        updater.update_section(character, "market_orders")
        esi[HISTORY] = []

        updater.update_section(character, "market_orders")

        assert states(character) == {1: State.CANCELLED}

    def test_should_store_states_esi_adds_later_as_closed(self, character, esi, type_id):
        esi[HISTORY] = [make_order(1, type_id, state="suspended_by_concord")]

        outcome = updater.update_section(character, "market_orders")

        assert outcome.is_success and states(character) == {1: State.CLOSED}

    def test_should_write_only_the_changed_order(self, character, esi, type_id):
        esi[OPEN] = [make_order(n, type_id) for n in range(1, 21)]
        updater.update_section(character, "market_orders")
        esi[OPEN] = [make_order(n, type_id, volume_remain=1 if n == 7 else 5) for n in range(1, 21)]

        with CaptureQueriesContext(connection) as context:
            updater.update_section(character, "market_orders")

        writes = writes_to(context.captured_queries, TABLE)
        assert len(writes) == 1 and writes[0].lstrip().upper().startswith("UPDATE")
        assert character.market_orders.get(order_id=7).volume_remain == 1

    def test_should_keep_stored_orders_when_the_history_fails(self, character, esi, type_id):
        esi[OPEN] = [make_order(1, type_id)]
        updater.update_section(character, "market_orders")
        esi[OPEN] = []
        esi[HISTORY] = EsiUnavailable(f"ESI answered 503 for {HISTORY}", 503)

        outcome = updater.update_section(character, "market_orders")

        assert not outcome.is_success
        assert states(character) == {1: State.OPEN}

    def test_should_sum_escrow_and_isk_on_the_market_of_open_orders(self, character, esi, type_id):
        esi[OPEN] = [
            make_order(1, type_id, is_buy_order=True, escrow=1000.0, price=10.0),
            make_order(2, type_id, is_buy_order=True, escrow=500.5, price=10.0),
            make_order(3, type_id, price=200.0, volume_remain=4),
            make_order(4, type_id, price=0.5, volume_remain=2),
        ]
        esi[HISTORY] = [make_order(5, type_id, state="expired", price=999.0, escrow=77.0)]
        updater.update_section(character, "market_orders")

        totals = overview(character)

        assert totals["escrow"] == Decimal("1500.50")
        assert totals["on_market"] == Decimal("801.00")

    def test_should_show_no_sums_without_open_orders(self, character, esi):
        assert overview(character) == {"escrow": None, "on_market": None}


@pytest.mark.integration
class TestOverHttp:
    def test_should_store_300_orders_of_the_heavy_character(self, make_character, fake_eve):
        fake_eve.set_page_size(HISTORY, 100)
        character = make_character(GWEN)

        outcome = updater.update_section(character, "market_orders")

        assert outcome.is_success, outcome.message
        assert character.market_orders.count() == 300
        assert character.market_orders.filter(state=State.OPEN).count() == 60
        assert fake_eve.log.count(route=HISTORY, status=200) == 3
        assert set(states(character).values()) == {
            State.OPEN,
            State.FILLED,
            State.EXPIRED,
            State.CANCELLED,
        }

    def test_should_write_nothing_when_nothing_changed(self, make_character, fake_eve):
        character = make_character(ARIA)
        assert updater.update_section(character, "market_orders").is_success
        expire_esi_cache()

        with CaptureQueriesContext(connection) as context:
            outcome = updater.update_section(character, "market_orders")

        assert outcome.is_success and not outcome.changed
        assert writes_to(context.captured_queries, TABLE) == []

    def test_should_keep_what_was_stored_when_a_history_page_fails(self, make_character, fake_eve):
        fake_eve.set_page_size(HISTORY, 100)
        character = make_character(GWEN)
        assert updater.update_section(character, "market_orders").is_success
        before = rows_of(character.market_orders.all())
        open_orders, history = generate_orders(GWEN, 300, seed=77, open=0)
        fake_eve.scenario.update_character(
            GWEN, {"market_orders": open_orders, "market_order_history": history}
        )
        fake_eve.faults.add(HISTORY, character_id=GWEN, page=2, status=500)
        expire_esi_cache()

        outcome = updater.update_section(character, "market_orders")

        assert not outcome.is_success
        assert rows_of(character.market_orders.all()) == before

    @pytest.mark.parametrize("route", [OPEN, HISTORY])
    @pytest.mark.parametrize("fault", FAULTS)
    def test_should_keep_stored_rows_when_esi_fails(self, make_character, fake_eve, fault, route):
        character = make_character(ARIA)
        assert updater.update_section(character, "market_orders").is_success
        before = rows_of(character.market_orders.all())
        fake_eve.scenario.update_character(ARIA, {"market_orders": []})

        outcome = update_with_fault(fake_eve, character, "market_orders", route, fault)

        assert not outcome.is_success
        assert status_of(character, "market_orders").is_success is False
        assert rows_of(character.market_orders.all()) == before
