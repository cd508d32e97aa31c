"""Mining ledger: per day, system and ore; the day's quantity grows; never deleted."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from eveuniverse.models import EveMarketPrice, EveType
from eveuniverse.tests.testdata.factories_2 import EveSolarSystemFactory

from fake_eve.esi.industry import generate_mining
from memberaudit import selectors, updater
from memberaudit.models import CharacterMiningEntry

from ..factories import create_item_type
from .fault_matrix import FAULTS, rows_of, update_with_fault
from .helpers import create_character, expire_esi_cache, install_canned_esi, status_of, writes_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_retries")]

CHARACTER_ID = 91_000_015
OPERATION = "GetCharactersCharacterIdMining"
TABLE = CharacterMiningEntry._meta.db_table
ARIA = 90_000_001
GWEN = 2_112_000_002
TAMA = 30_002_813
VELDSPAR = 1230
KERNITE = 20


def make_row(date: str, type_id: int, quantity: int, system_id: int = TAMA) -> dict:
    return {"date": date, "solar_system_id": system_id, "type_id": type_id, "quantity": quantity}


@pytest.fixture
def character(db):
    return create_character(CHARACTER_ID)


@pytest.fixture
def ores(db):
    """Veldspar with a fresh market price, Kernite without one; and Tama."""
    group = create_item_type().eve_group
    EveType.objects.create(
        id=VELDSPAR, name="Veldspar", eve_group=group, volume=0.1, published=True
    )
    EveType.objects.create(id=KERNITE, name="Kernite", eve_group=group, volume=1.2, published=True)
    EveMarketPrice.objects.create(eve_type_id=VELDSPAR, average_price=15.0)
    EveMarketPrice.objects.create(eve_type_id=KERNITE, average_price=None)
    EveSolarSystemFactory(id=TAMA, name="Tama")


@pytest.fixture
def esi(monkeypatch, ores):
    return install_canned_esi(monkeypatch, {OPERATION: []})


def ledger(character) -> dict:
    return {
        (entry.date.isoformat(), entry.eve_type_id): entry.quantity
        for entry in character.mining_ledger.all()
    }


class TestWithCannedEsi:
    def test_should_store_each_day_system_and_ore(self, character, esi):
        esi[OPERATION] = [
            make_row("2025-11-30", VELDSPAR, 1000),
            make_row("2025-12-01", VELDSPAR, 500),
            make_row("2025-12-01", KERNITE, 20),
        ]

        outcome = updater.update_section(character, "mining_ledger")

        assert outcome.is_success, outcome.message
        assert ledger(character) == {
            ("2025-11-30", VELDSPAR): 1000,
            ("2025-12-01", VELDSPAR): 500,
            ("2025-12-01", KERNITE): 20,
        }
        assert [call[2]["paged"] for call in esi["calls"] if call[0] == OPERATION] == [True]

    def test_should_update_the_quantity_of_a_day_that_grew(self, character, esi):
        esi[OPERATION] = [make_row("2025-12-01", VELDSPAR, 500)]
        updater.update_section(character, "mining_ledger")
        pk = character.mining_ledger.get().pk
        esi[OPERATION] = [make_row("2025-12-01", VELDSPAR, 800)]

        updater.update_section(character, "mining_ledger")

        entry = character.mining_ledger.get()
        assert entry.pk == pk and entry.quantity == 800

    def test_should_keep_days_esi_no_longer_returns(self, character, esi):
        esi[OPERATION] = [make_row("2025-10-01", VELDSPAR, 5), make_row("2025-12-01", KERNITE, 7)]
        updater.update_section(character, "mining_ledger")
        esi[OPERATION] = [make_row("2025-12-01", KERNITE, 7)]

        updater.update_section(character, "mining_ledger")

        assert ledger(character) == {("2025-10-01", VELDSPAR): 5, ("2025-12-01", KERNITE): 7}

    def test_should_group_by_month_and_ore_with_volume_and_isk(self, character, esi):
        esi[OPERATION] = [
            make_row("2025-11-02", VELDSPAR, 1000),
            make_row("2025-11-20", VELDSPAR, 3000),
            make_row("2025-11-20", KERNITE, 10),
            make_row("2025-12-01", VELDSPAR, 100),
        ]
        updater.update_section(character, "mining_ledger")

        months = selectors.mining_ledger_tab(character)["months"]

        assert [month["month"].strftime("%Y-%m") for month in months] == ["2025-12", "2025-11"]
        november = {row.ore: row for row in months[1]["rows"]}
        assert november["Veldspar"].quantity == 4000
        assert november["Veldspar"].volume == pytest.approx(400.0)
        assert november["Veldspar"].isk == pytest.approx(60_000.0)
        assert november["Kernite"].isk is None  # no price: shown as a dash, never 0
        assert months[1]["isk"] == pytest.approx(60_000.0)
        assert months[1]["volume"] == pytest.approx(412.0)

    @settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        st.lists(
            st.tuples(
                st.dates(dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
                st.sampled_from([VELDSPAR, KERNITE]),
                st.integers(0, 10**9),
            ),
            max_size=30,
        )
    )
    def test_should_store_the_sum_of_duplicate_rows_of_a_day(self, character, esi, rows):
        CharacterMiningEntry.objects.filter(character=character).delete()
        esi[OPERATION] = [make_row(day.isoformat(), ore, quantity) for day, ore, quantity in rows]

        assert updater.update_section(character, "mining_ledger", force=True).is_success

        expected: dict = {}
        for day, ore, quantity in rows:
            key = (day.isoformat(), ore)
            expected[key] = expected.get(key, 0) + quantity
        assert ledger(character) == expected


@pytest.mark.integration
class TestOverHttp:
    def test_should_store_90_days_and_load_market_prices(self, make_character, fake_eve):
        fake_eve.set_page_size(OPERATION, 100)
        character = make_character(GWEN)

        outcome = updater.update_section(character, "mining_ledger")

        assert outcome.is_success, outcome.message
        expected = fake_eve.scenario.character(GWEN)["mining_ledger"]
        assert character.mining_ledger.count() == len(expected)
        days = character.mining_ledger.dates("date", "day")
        assert len(days) == 90
        assert EveMarketPrice.objects.get(eve_type_id=VELDSPAR).average_price == 14.5
        assert not EveMarketPrice.objects.filter(eve_type_id=KERNITE).exists()

    def test_should_write_nothing_when_nothing_changed(self, make_character, fake_eve):
        character = make_character(ARIA)
        assert updater.update_section(character, "mining_ledger").is_success
        expire_esi_cache()

        with CaptureQueriesContext(connection) as context:
            outcome = updater.update_section(character, "mining_ledger")

        assert outcome.is_success and not outcome.changed
        assert writes_to(context.captured_queries, TABLE) == []

    def test_should_keep_what_was_stored_when_page_two_fails(self, make_character, fake_eve):
        fake_eve.set_page_size(OPERATION, 20)
        character = make_character(GWEN)
        assert updater.update_section(character, "mining_ledger").is_success
        before = rows_of(character.mining_ledger.all())
        fake_eve.scenario.update_character(GWEN, {"mining_ledger": generate_mining(30, seed=8)})
        fake_eve.faults.add(OPERATION, character_id=GWEN, page=2, status=500)
        expire_esi_cache()

        outcome = updater.update_section(character, "mining_ledger")

        assert not outcome.is_success
        assert rows_of(character.mining_ledger.all()) == before

    @pytest.mark.parametrize("fault", FAULTS)
    def test_should_keep_stored_rows_when_esi_fails(self, make_character, fake_eve, fault):
        character = make_character(ARIA)
        assert updater.update_section(character, "mining_ledger").is_success
        before = rows_of(character.mining_ledger.all())
        today = timezone.now().date().isoformat()
        fake_eve.scenario.update_character(
            ARIA, {"mining_ledger": [make_row(today, VELDSPAR, 12_345)]}
        )

        outcome = update_with_fault(fake_eve, character, "mining_ledger", OPERATION, fault)

        assert not outcome.is_success
        assert status_of(character, "mining_ledger").is_success is False
        assert rows_of(character.mining_ledger.all()) == before
