"""Wallet journal: an insert-only history fetched page by page."""

import copy
from decimal import Decimal

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from eveuniverse.models import EveEntity

from fake_eve.scenario import generate_journal
from memberaudit import updater
from memberaudit.esi_gateway import EsiUnavailable
from memberaudit.models import (
    CharacterWalletJournalEntry,
    CharacterWalletJournalSearch,
    SectionUpdateStatus,
)

from .helpers import create_character, expire_esi_cache, install_canned_esi, writes_to

CHARACTER_ID = 91_000_001
OPERATION = "GetCharactersCharacterIdWalletJournal"
TABLE = CharacterWalletJournalEntry._meta.db_table
SEARCH_TABLE = CharacterWalletJournalSearch._meta.db_table


def make_entry(entry_id: int, **fields) -> dict:
    return {
        "id": entry_id,
        "date": f"2025-12-01T{entry_id % 24:02d}:{entry_id % 60:02d}:00Z",
        "ref_type": "player_donation",
        "description": f"Entry {entry_id}",
        "amount": 1000.5,
        "balance": 2_000_000.25,
        "first_party_id": CHARACTER_ID,
        "second_party_id": 1_000_125,
        **fields,
    }


@pytest.fixture
def character(db):
    return create_character(CHARACTER_ID, "Wayne Enterprises", "WYE")


@pytest.fixture
def esi(monkeypatch):
    """Canned ESI answers by operation id; an exception as answer is raised."""
    answers = {
        "PostUniverseNames": lambda params: [
            {"id": entity_id, "name": f"Entity {entity_id}", "category": "character"}
            for entity_id in params["body"]
        ]
    }

    return install_canned_esi(monkeypatch, answers)


def is_journal_insert(sql: str) -> bool:
    return sql.upper().startswith("INSERT") and TABLE in sql.split("(")[0]


def is_search_row_insert(sql: str) -> bool:
    return sql.upper().startswith("INSERT") and SEARCH_TABLE in sql.split("(")[0]


def inserts_for(model, rows: int) -> int:
    """How many statements insert ``rows`` rows of ``model`` in bulk."""
    fields = model._meta.concrete_fields
    rows_per_insert = min(rows, connection.ops.bulk_batch_size(fields, [None] * rows))
    if model is CharacterWalletJournalSearch:
        rows_per_insert = min(rows_per_insert, 1000)
    return -(-rows // rows_per_insert)


def status_of(character) -> SectionUpdateStatus:
    return SectionUpdateStatus.objects.get(character=character, section="wallet_journal")


class TestStoringWithCannedEsi:
    def test_should_store_all_fields_of_new_entries(self, character, esi):
        esi[OPERATION] = [
            make_entry(
                5,
                ref_type="market_transaction",
                amount=-1234.56,
                balance=99.9,
                reason="for the ammo",
                tax=12.5,
                tax_receiver_id=1_000_035,
                context_id=60_003_760,
                context_id_type="station_id",
            )
        ]

        outcome = updater.update_section(character, "wallet_journal")

        assert outcome.is_success, outcome.message
        entry = character.wallet_journal.get()
        assert entry.entry_id == 5
        assert entry.ref_type == "market_transaction"
        assert entry.amount == Decimal("-1234.56")
        assert entry.balance == Decimal("99.90")
        assert entry.description == "Entry 5"
        assert entry.reason == "for the ammo"
        assert entry.tax == Decimal("12.50")
        assert entry.first_party.name == f"Entity {CHARACTER_ID}"
        assert entry.second_party_id == 1_000_125
        assert entry.tax_receiver_id == 1_000_035
        assert entry.context_id == 60_003_760
        assert entry.context_id_type == "station_id"
        assert entry.date.isoformat() == "2025-12-01T05:05:00+00:00"

    def test_should_fetch_all_pages(self, character, esi):
        esi[OPERATION] = [make_entry(n) for n in range(1, 4)]

        updater.update_section(character, "wallet_journal")

        journal_calls = [call for call in esi["calls"] if call[0] == OPERATION]
        assert journal_calls[0][2]["paged"] is True

    def test_should_never_resolve_context_ids_as_entities(self, character, esi):
        esi[OPERATION] = [
            make_entry(1, context_id=123_456_789, context_id_type="contract_id"),
        ]

        updater.update_section(character, "wallet_journal")

        sent = [
            id_
            for op, params, _ in esi["calls"]
            if op == "PostUniverseNames"
            for id_ in params["body"]
        ]
        assert 123_456_789 not in sent
        assert set(sent) == {CHARACTER_ID, 1_000_125}
        assert not EveEntity.objects.filter(id=123_456_789).exists()

    def test_should_keep_entries_that_esi_no_longer_returns(self, character, esi):
        esi[OPERATION] = [make_entry(1), make_entry(2)]
        updater.update_section(character, "wallet_journal")
        esi[OPERATION] = [make_entry(2), make_entry(3)]

        outcome = updater.update_section(character, "wallet_journal")

        assert outcome.is_success
        assert set(character.wallet_journal.values_list("entry_id", flat=True)) == {1, 2, 3}

    def test_should_insert_exactly_one_row_for_one_new_entry(self, character, esi):
        esi[OPERATION] = [make_entry(n) for n in range(1, 51)]
        updater.update_section(character, "wallet_journal")
        first = {e.entry_id: e.pk for e in character.wallet_journal.all()}
        esi[OPERATION] = [make_entry(n) for n in range(1, 52)]

        with CaptureQueriesContext(connection) as context:
            updater.update_section(character, "wallet_journal")

        assert character.wallet_journal.count() == 51
        writes = writes_to(context.captured_queries, TABLE)
        assert len(writes) == 1 and writes[0].lstrip().upper().startswith("INSERT")
        assert {e.entry_id: e.pk for e in character.wallet_journal.exclude(entry_id=51)} == first

    def test_should_never_update_stored_entries(self, character, esi):
        esi[OPERATION] = [make_entry(1)]
        updater.update_section(character, "wallet_journal")
        esi[OPERATION] = [make_entry(1, description="rewritten", amount=1.0), make_entry(2)]

        updater.update_section(character, "wallet_journal")

        assert character.wallet_journal.get(entry_id=1).description == "Entry 1"

    def test_should_write_nothing_when_nothing_is_new(self, character, esi):
        esi[OPERATION] = [make_entry(n) for n in range(1, 11)]
        updater.update_section(character, "wallet_journal", force=True)

        with CaptureQueriesContext(connection) as context:
            outcome = updater.update_section(character, "wallet_journal", force=True)

        assert outcome.is_success
        assert writes_to(context.captured_queries, TABLE) == []

    def test_should_keep_stored_entries_when_esi_fails(self, character, esi):
        esi[OPERATION] = [make_entry(1)]
        updater.update_section(character, "wallet_journal")
        esi[OPERATION] = EsiUnavailable(f"ESI answered 502 for {OPERATION}", 502)

        outcome = updater.update_section(character, "wallet_journal")

        assert not outcome.is_success
        status = status_of(character)
        assert status.is_success is False
        assert "502" in status.error_message
        assert list(character.wallet_journal.values_list("entry_id", flat=True)) == [1]

    def test_should_store_missing_optional_fields_as_empty(self, character, esi):
        esi[OPERATION] = [
            {
                "id": 7,
                "date": "2025-12-01T10:00:00Z",
                "ref_type": "brokers_fee",
                "description": "Brokers fee",
            }
        ]

        outcome = updater.update_section(character, "wallet_journal")

        assert outcome.is_success, outcome.message
        entry = character.wallet_journal.get()
        assert entry.amount is None and entry.balance is None and entry.tax is None
        assert entry.reason == "" and entry.context_id is None and entry.context_id_type == ""
        assert entry.first_party is None and entry.second_party is None
        assert entry.tax_receiver is None

    def test_should_accept_any_ref_type(self, character, esi):
        esi[OPERATION] = [make_entry(1, ref_type="brand_new_ref_type_from_ccp")]

        outcome = updater.update_section(character, "wallet_journal")

        assert outcome.is_success
        assert character.wallet_journal.get().ref_type == "brand_new_ref_type_from_ccp"

    def test_should_skip_entries_without_id_or_date(self, character, esi):
        esi[OPERATION] = [make_entry(1), {**make_entry(2), "date": None}, {**make_entry(0)}]

        updater.update_section(character, "wallet_journal")

        assert list(character.wallet_journal.values_list("entry_id", flat=True)) == [1]

    def test_should_leave_parties_empty_when_esi_cannot_name_them(self, character, esi):
        esi["PostUniverseNames"] = lambda params: [
            {"id": i, "name": f"Entity {i}", "category": "character"}
            for i in params["body"]
            if i != 1_000_125
        ]
        esi[OPERATION] = [make_entry(1)]

        outcome = updater.update_section(character, "wallet_journal")

        assert outcome.is_success, outcome.message
        entry = character.wallet_journal.get()
        assert entry.first_party_id == CHARACTER_ID
        assert entry.second_party_id is None

    def test_should_need_the_same_number_of_queries_whatever_the_size(self, db, esi):
        def queries_for(count: int, character_id: int) -> list[str]:
            character = create_character(character_id, "Wayne Enterprises", "WYE")
            esi[OPERATION] = [make_entry(n) for n in range(1, count + 1)]
            with CaptureQueriesContext(connection) as context:
                assert updater.update_section(character, "wallet_journal").is_success
            assert character.wallet_journal.count() == count
            return [query["sql"] for query in context.captured_queries]

        EveEntity.objects.bulk_create(
            [EveEntity(id=i, name=f"E{i}", category="character") for i in (CHARACTER_ID, 1_000_125)]
        )
        small = queries_for(10, CHARACTER_ID)
        large = queries_for(300, CHARACTER_ID + 1)

        def without_inserts(queries):
            return [
                sql
                for sql in queries
                if not is_journal_insert(sql) and not is_search_row_insert(sql)
            ]

        assert len(without_inserts(small)) == len(without_inserts(large))
        # SQLite caps the parameters of one statement: the backend splits the bulk insert
        assert sum(map(is_journal_insert, large)) == inserts_for(CharacterWalletJournalEntry, 300)
        assert sum(map(is_search_row_insert, large)) == inserts_for(
            CharacterWalletJournalSearch, 300
        )


# --- against the fake EVE server over HTTP ------------------------------------------------

ARIA = 90_000_001  # 250 generated journal entries in the scenario
CYRA = 90_000_003  # one hand-written entry


def journal_of(character) -> set[int]:
    return set(character.wallet_journal.values_list("entry_id", flat=True))


def scenario_journal(fake_eve, character_id: int) -> list[dict]:
    return copy.deepcopy(fake_eve.scenario.character(character_id)["wallet_journal"])


def new_entry(entry_id: int, character_id: int) -> dict:
    return {
        "id": entry_id,
        "date": "2025-12-02T10:00:00Z",
        "ref_type": "player_donation",
        "description": "A gift",
        "amount": 1.0,
        "balance": 2.0,
        "first_party_id": 90_000_002,
        "second_party_id": character_id,
    }


@pytest.mark.integration
class TestWalletJournalOverHttp:
    def test_should_store_the_journal_on_first_update(self, make_character, fake_eve):
        character = make_character(CYRA)

        outcome = updater.update_section(character, "wallet_journal")

        assert outcome.is_success, outcome.message
        entry = character.wallet_journal.get()
        assert entry.entry_id == 19_000_000_001
        assert entry.ref_type == "player_donation"
        assert entry.amount == Decimal("50000000.00")
        assert entry.balance == Decimal("98000000000.00")
        assert entry.reason == "for the ships"
        assert entry.first_party.name == "Aria Jaxon"
        assert entry.second_party.name == "Cyra Oris"
        assert entry.description == "Aria Jaxon deposited cash into Cyra Oris's account"

    def test_should_fetch_every_page(self, make_character, fake_eve):
        fake_eve.set_page_size(OPERATION, 100)
        character = make_character(ARIA)

        outcome = updater.update_section(character, "wallet_journal")

        assert outcome.is_success, outcome.message
        assert character.wallet_journal.count() == 250
        assert journal_of(character) == {e["id"] for e in scenario_journal(fake_eve, ARIA)}
        # every page once (a busy machine may have retried one that was slow to answer)
        answered = fake_eve.log.entries(route=OPERATION, status=200)
        assert {entry.page for entry in answered} == {1, 2, 3}

    def test_should_write_nothing_when_the_journal_is_unchanged(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "wallet_journal")
        expire_esi_cache()

        with CaptureQueriesContext(connection) as context:
            outcome = updater.update_section(character, "wallet_journal")

        assert outcome.is_success and not outcome.changed
        assert writes_to(context.captured_queries, TABLE) == []

    def test_should_insert_exactly_the_one_new_entry(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "wallet_journal")
        before = dict(character.wallet_journal.values_list("entry_id", "pk"))
        fake_eve.scenario.append_to_character(
            ARIA, "wallet_journal", [new_entry(30_000_000_000, ARIA)]
        )
        expire_esi_cache()

        with CaptureQueriesContext(connection) as context:
            outcome = updater.update_section(character, "wallet_journal")

        assert outcome.is_success and outcome.changed
        assert journal_of(character) == set(before) | {30_000_000_000}
        writes = writes_to(context.captured_queries, TABLE)
        assert len(writes) == 1 and writes[0].startswith("INSERT")
        after = dict(character.wallet_journal.values_list("entry_id", "pk"))
        assert {key: after[key] for key in before} == before

    def test_should_keep_entries_esi_no_longer_returns(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "wallet_journal")
        newest_ten = sorted(scenario_journal(fake_eve, ARIA), key=lambda e: -e["id"])[:10]
        fake_eve.scenario.update_character(ARIA, {"wallet_journal": newest_ten})
        expire_esi_cache()

        outcome = updater.update_section(character, "wallet_journal")

        assert outcome.is_success
        assert character.wallet_journal.count() == 250

    def test_should_store_nothing_when_page_two_fails(self, make_character, fake_eve):
        fake_eve.set_page_size(OPERATION, 100)
        character = make_character(ARIA)
        updater.update_section(character, "wallet_journal")
        before = journal_of(character)
        fake_eve.scenario.append_to_character(
            ARIA, "wallet_journal", [new_entry(30_000_000_000, ARIA)]
        )
        fake_eve.faults.add(OPERATION, character_id=ARIA, page=2, status=500)
        expire_esi_cache()

        outcome = updater.update_section(character, "wallet_journal")

        assert not outcome.is_success
        status = status_of(character)
        assert status.is_success is False
        assert "500" in status.error_message and OPERATION in status.error_message
        assert journal_of(character) == before

    @pytest.mark.parametrize(
        "fault",
        [{"status": 502}, {"status": 503}, {"malformed": True}],
        ids=["bad-gateway", "unavailable", "malformed-body"],
    )
    def test_should_keep_stored_entries_when_esi_fails(self, make_character, fake_eve, fault):
        character = make_character(ARIA)
        updater.update_section(character, "wallet_journal")
        fake_eve.scenario.append_to_character(
            ARIA, "wallet_journal", [new_entry(30_000_000_000, ARIA)]
        )
        fake_eve.faults.add(OPERATION, character_id=ARIA, **fault)
        expire_esi_cache()

        outcome = updater.update_section(character, "wallet_journal")

        assert not outcome.is_success
        status = status_of(character)
        assert status.is_success is False and OPERATION in status.error_message
        assert character.wallet_journal.count() == 250

    def test_should_store_missing_optional_fields_as_empty(self, make_character, fake_eve):
        fake_eve.faults.add(
            OPERATION,
            character_id=CYRA,
            drop_fields=["amount", "balance", "reason", "first_party_id", "second_party_id"],
        )
        character = make_character(CYRA)

        outcome = updater.update_section(character, "wallet_journal")

        assert outcome.is_success, outcome.message
        entry = character.wallet_journal.get()
        assert entry.amount is None and entry.balance is None and entry.reason == ""
        assert entry.first_party is None and entry.second_party is None

    def test_should_store_unknown_ref_types_as_given(self, make_character, fake_eve):
        entry = {**new_entry(5, CYRA), "ref_type": "brand_new_ref_type_from_ccp"}
        fake_eve.scenario.update_character(CYRA, {"wallet_journal": [entry]})
        character = make_character(CYRA)

        outcome = updater.update_section(character, "wallet_journal")

        assert outcome.is_success, outcome.message
        assert character.wallet_journal.get().ref_type == "brand_new_ref_type_from_ccp"

    def test_should_need_the_same_queries_for_10_or_300_entries(self, make_character, fake_eve):
        def queries_for(character_id: int, count: int) -> list[str]:
            entries = generate_journal(character_id, count, seed=5)
            fake_eve.scenario.update_character(character_id, {"wallet_journal": entries})
            character = make_character(character_id)
            with CaptureQueriesContext(connection) as context:
                assert updater.update_section(character, "wallet_journal").is_success
            assert character.wallet_journal.count() == count
            return [query["sql"] for query in context.captured_queries]

        fake_eve.set_page_size(OPERATION, 1000)  # each page costs a token check: same pages
        small = queries_for(90_000_002, 10)
        large = queries_for(ARIA, 300)

        def without_journal_inserts(queries):
            return [
                sql
                for sql in queries
                if not is_journal_insert(sql) and not is_search_row_insert(sql)
            ]

        assert len(without_journal_inserts(small)) == len(without_journal_inserts(large))
        assert sum(map(is_journal_insert, large)) == inserts_for(CharacterWalletJournalEntry, 300)
        assert sum(map(is_search_row_insert, large)) == inserts_for(
            CharacterWalletJournalSearch, 300
        )
