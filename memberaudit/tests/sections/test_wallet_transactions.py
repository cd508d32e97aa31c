"""Wallet transactions: fetched backwards with ``from_id``, insert-only, kept for good."""

from decimal import Decimal

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from eveuniverse.models import EveEntity

from fake_eve.esi.trade import generate_transactions
from memberaudit import updater
from memberaudit.esi_gateway import EsiUnavailable
from memberaudit.models import CharacterWalletTransaction, Location

from ..factories import create_item_type
from .fault_matrix import FAULTS, rows_of, update_with_fault
from .helpers import create_character, expire_esi_cache, install_canned_esi, status_of, writes_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_retries")]

CHARACTER_ID = 91_000_011
OPERATION = "GetCharactersCharacterIdWalletTransactions"
TABLE = CharacterWalletTransaction._meta.db_table
ARIA = 90_000_001
GWEN = 2_112_000_002


def make_row(transaction_id: int, type_id: int, **fields) -> dict:
    return {
        "transaction_id": transaction_id,
        "date": f"2025-12-01T{transaction_id % 24:02d}:{transaction_id % 60:02d}:00Z",
        "type_id": type_id,
        "quantity": 10,
        "unit_price": 99.5,
        "is_buy": True,
        "is_personal": True,
        "client_id": 1_000_125,
        "location_id": 60_003_760,
        "journal_ref_id": 7_000 + transaction_id,
        **fields,
    }


@pytest.fixture
def character(db):
    return create_character(CHARACTER_ID)


@pytest.fixture
def eve_type(db):
    return create_item_type()


@pytest.fixture
def esi(monkeypatch, db):
    """Canned ESI: ``transactions`` are served newest first, 3 per call, below ``from_id``."""
    Location.objects.create(id=60_003_760, name="Jita IV", updated_at="2030-01-01T00:00:00Z")
    transactions: list[dict] = []

    def serve(params):
        rows = sorted(transactions, key=lambda row: -row["transaction_id"])
        if params.get("from_id"):
            rows = [row for row in rows if row["transaction_id"] <= params["from_id"]]
        return rows[:3]

    answers = install_canned_esi(
        monkeypatch,
        {
            OPERATION: serve,
            "PostUniverseNames": lambda params: [
                {"id": i, "name": f"Entity {i}", "category": "corporation"} for i in params["body"]
            ],
        },
    )
    answers["transactions"] = transactions
    return answers


def calls_of(esi) -> list[dict]:
    return [params for operation, params, _ in esi["calls"] if operation == OPERATION]


class TestWithCannedEsi:
    def test_should_store_every_field_and_resolve_client_and_location(
        self, character, esi, eve_type
    ):
        esi["transactions"].append(
            make_row(5, eve_type.id, is_buy=False, is_personal=False, unit_price=1234.567)
        )

        outcome = updater.update_section(character, "wallet_transactions")

        assert outcome.is_success, outcome.message
        row = character.wallet_transactions.get()
        assert row.transaction_id == 5 and row.eve_type == eve_type
        assert row.quantity == 10 and row.unit_price == Decimal("1234.57")
        assert row.is_buy is False and row.is_personal is False
        assert row.client.name == "Entity 1000125"
        assert row.location.name == "Jita IV"
        assert row.journal_ref_id == 7_005
        assert row.date.isoformat() == "2025-12-01T05:05:00+00:00"

    def test_should_fetch_backwards_with_from_id_until_esi_has_nothing_older(
        self, character, esi, eve_type
    ):
        esi["transactions"].extend(make_row(n, eve_type.id) for n in range(1, 8))

        updater.update_section(character, "wallet_transactions")

        assert [call.get("from_id") for call in calls_of(esi)] == [None, 5, 3, 1]
        assert set(character.wallet_transactions.values_list("transaction_id", flat=True)) == set(
            range(1, 8)
        )

    def test_should_stop_going_back_once_it_reaches_stored_transactions(
        self, character, esi, eve_type
    ):
        esi["transactions"].extend(make_row(n, eve_type.id) for n in range(1, 8))
        updater.update_section(character, "wallet_transactions")
        esi["calls"].clear()
        esi["transactions"].extend(make_row(n, eve_type.id) for n in (8, 9))

        updater.update_section(character, "wallet_transactions", force=True)

        assert [call.get("from_id") for call in calls_of(esi)] == [None]
        assert character.wallet_transactions.count() == 9

    def test_should_keep_transactions_esi_no_longer_returns(self, character, esi, eve_type):
        esi["transactions"].extend(make_row(n, eve_type.id) for n in range(1, 4))
        updater.update_section(character, "wallet_transactions")
        esi["transactions"][:] = [make_row(n, eve_type.id) for n in (3, 4)]

        outcome = updater.update_section(character, "wallet_transactions", force=True)

        assert outcome.is_success
        assert set(character.wallet_transactions.values_list("transaction_id", flat=True)) == {
            1,
            2,
            3,
            4,
        }

    def test_should_never_rewrite_a_stored_transaction(self, character, esi, eve_type):
        esi["transactions"].append(make_row(1, eve_type.id))
        updater.update_section(character, "wallet_transactions")
        esi["transactions"][:] = [make_row(1, eve_type.id, quantity=999)]

        with CaptureQueriesContext(connection) as context:
            updater.update_section(character, "wallet_transactions", force=True)

        assert writes_to(context.captured_queries, TABLE) == []
        assert character.wallet_transactions.get().quantity == 10

    def test_should_skip_rows_without_id_date_type_or_price(self, character, esi, eve_type):
        esi["transactions"].extend(
            [
                make_row(1, eve_type.id),
                {**make_row(2, eve_type.id), "date": None},
                {**make_row(3, eve_type.id), "unit_price": None},
                {**make_row(4, eve_type.id), "type_id": None},
            ]
        )

        outcome = updater.update_section(character, "wallet_transactions")

        assert outcome.is_success
        assert list(character.wallet_transactions.values_list("transaction_id", flat=True)) == [1]

    def test_should_leave_the_client_empty_when_esi_cannot_name_it(self, character, esi, eve_type):
        esi["PostUniverseNames"] = lambda params: []
        esi["transactions"].append(make_row(1, eve_type.id))

        outcome = updater.update_section(character, "wallet_transactions")

        assert outcome.is_success, outcome.message
        assert character.wallet_transactions.get().client is None
        assert not EveEntity.objects.filter(id=1_000_125).exists()

    def test_should_store_nothing_of_a_run_whose_older_batch_fails(self, character, esi, eve_type):
        esi["transactions"].extend(make_row(n, eve_type.id) for n in range(1, 8))
        serve = esi[OPERATION]

        def fail_going_back(params):
            if params.get("from_id"):
                raise EsiUnavailable(f"ESI answered 502 for {OPERATION}", 502)
            return serve(params)

        esi[OPERATION] = fail_going_back

        outcome = updater.update_section(character, "wallet_transactions")

        assert not outcome.is_success and "502" in outcome.message
        assert character.wallet_transactions.count() == 0


# --- against the fake EVE server over HTTP --------------------------------------------------


def transaction_ids(character) -> set[int]:
    return set(character.wallet_transactions.values_list("transaction_id", flat=True))


@pytest.mark.integration
class TestOverHttp:
    def test_should_link_transactions_to_their_journal_entries(self, make_character, fake_eve):
        character = make_character(GWEN)
        fake_eve.set_page_size(OPERATION, 1000)

        assert updater.update_section(character, "wallet_journal").is_success
        outcome = updater.update_section(character, "wallet_transactions")

        assert outcome.is_success, outcome.message
        assert character.wallet_transactions.count() == 2500
        assert fake_eve.log.count(route=OPERATION, status=200) == 4  # 3 batches, 1 empty
        journal = set(character.wallet_journal.values_list("entry_id", flat=True))
        refs = set(character.wallet_transactions.values_list("journal_ref_id", flat=True))
        assert refs <= journal

    def test_should_write_nothing_when_nothing_changed(self, make_character, fake_eve):
        character = make_character(ARIA)
        assert updater.update_section(character, "wallet_transactions").is_success
        expire_esi_cache()

        with CaptureQueriesContext(connection) as context:
            outcome = updater.update_section(character, "wallet_transactions")

        assert outcome.is_success and not outcome.changed
        assert writes_to(context.captured_queries, TABLE) == []

    def test_should_keep_stored_rows_when_esi_returns_fewer(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "wallet_transactions")
        before = transaction_ids(character)
        newest = max(
            fake_eve.scenario.character(ARIA)["wallet_transactions"],
            key=lambda r: r["transaction_id"],
        )
        fake_eve.scenario.update_character(ARIA, {"wallet_transactions": [newest]})
        expire_esi_cache()

        outcome = updater.update_section(character, "wallet_transactions")

        assert outcome.is_success
        assert transaction_ids(character) == before

    def test_should_keep_what_was_stored_when_a_longer_history_fails_to_load(
        self, make_character, fake_eve
    ):
        fake_eve.set_page_size(OPERATION, 1000)
        character = make_character(GWEN)
        fake_eve.scenario.update_character(
            GWEN, {"wallet_transactions": generate_transactions(GWEN, 1200, seed=3)[0]}
        )
        assert updater.update_section(character, "wallet_transactions").is_success
        before = rows_of(character.wallet_transactions.all())
        fake_eve.scenario.update_character(
            GWEN, {"wallet_transactions": generate_transactions(GWEN, 2500, seed=3)[0]}
        )
        fake_eve.faults.add(OPERATION, character_id=GWEN, status=500, times=10)
        expire_esi_cache()

        outcome = updater.update_section(character, "wallet_transactions")

        assert not outcome.is_success
        assert rows_of(character.wallet_transactions.all()) == before

    @pytest.mark.parametrize("fault", FAULTS)
    def test_should_keep_stored_rows_when_esi_fails(self, make_character, fake_eve, fault):
        character = make_character(ARIA)
        assert updater.update_section(character, "wallet_transactions").is_success
        before = rows_of(character.wallet_transactions.all())
        fake_eve.scenario.update_character(
            ARIA, {"wallet_transactions": generate_transactions(ARIA, 5, seed=9)[0]}
        )

        outcome = update_with_fault(fake_eve, character, "wallet_transactions", OPERATION, fault)

        assert not outcome.is_success
        assert status_of(character, "wallet_transactions").is_success is False
        assert rows_of(character.wallet_transactions.all()) == before
