"""Loyalty points per corporation, kept in sync row by row."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from eveuniverse.models import EveEntity

from memberaudit import updater
from memberaudit.esi_gateway import EsiBadResponse
from memberaudit.models import CharacterLoyaltyEntry, SectionUpdateStatus

from .helpers import create_character, expire_esi_cache, install_canned_esi, writes_to

CHARACTER_ID = 91_000_002
OPERATION = "GetCharactersCharacterIdLoyaltyPoints"
TABLE = CharacterLoyaltyEntry._meta.db_table


@pytest.fixture
def character(db):
    return create_character(CHARACTER_ID, "Wayne Enterprises", "WYE")


@pytest.fixture
def esi(monkeypatch):
    """Canned ESI answers by operation id; an exception as answer is raised."""
    answers = {
        "PostUniverseNames": lambda params: [
            {"id": entity_id, "name": f"Corp {entity_id}", "category": "corporation"}
            for entity_id in params["body"]
        ]
    }

    return install_canned_esi(monkeypatch, answers)


def points_of(character) -> dict[int, int]:
    return dict(character.loyalty_entries.values_list("corporation_id", "loyalty_points"))


class TestLoyaltyWithCannedEsi:
    def test_should_store_points_per_corporation_with_names(self, character, esi):
        esi[OPERATION] = [
            {"corporation_id": 1_000_035, "loyalty_points": 1500},
            {"corporation_id": 1_000_125, "loyalty_points": 20},
        ]

        outcome = updater.update_section(character, "loyalty")

        assert outcome.is_success, outcome.message
        assert points_of(character) == {1_000_035: 1500, 1_000_125: 20}
        corporation = EveEntity.objects.get(id=1_000_035)
        assert corporation.name == "Corp 1000035"
        assert corporation.category == "corporation"

    def test_should_update_only_the_changed_row_and_delete_removed_ones(self, character, esi):
        esi[OPERATION] = [
            {"corporation_id": 1_000_035, "loyalty_points": 1500},
            {"corporation_id": 1_000_125, "loyalty_points": 20},
            {"corporation_id": 1_000_180, "loyalty_points": 7},
        ]
        updater.update_section(character, "loyalty")
        unchanged_pk = character.loyalty_entries.get(corporation_id=1_000_125).pk
        esi[OPERATION] = [
            {"corporation_id": 1_000_035, "loyalty_points": 1600},
            {"corporation_id": 1_000_125, "loyalty_points": 20},
        ]

        with CaptureQueriesContext(connection) as context:
            outcome = updater.update_section(character, "loyalty")

        assert outcome.is_success
        assert points_of(character) == {1_000_035: 1600, 1_000_125: 20}
        assert character.loyalty_entries.get(corporation_id=1_000_125).pk == unchanged_pk
        writes = writes_to(context.captured_queries, TABLE)
        assert len(writes) == 2  # one delete, one update of one row
        update = next(sql for sql in writes if sql.startswith("UPDATE"))
        assert str(unchanged_pk) not in update.split("WHERE")[1]

    def test_should_write_nothing_when_unchanged(self, character, esi):
        esi[OPERATION] = [{"corporation_id": 1_000_035, "loyalty_points": 1500}]
        updater.update_section(character, "loyalty", force=True)

        with CaptureQueriesContext(connection) as context:
            outcome = updater.update_section(character, "loyalty", force=True)

        assert outcome.is_success
        assert writes_to(context.captured_queries, TABLE) == []

    def test_should_keep_stored_points_when_esi_sends_garbage(self, character, esi):
        esi[OPERATION] = [{"corporation_id": 1_000_035, "loyalty_points": 1500}]
        updater.update_section(character, "loyalty")
        esi[OPERATION] = EsiBadResponse(f"ESI sent an unusable answer for {OPERATION}")

        outcome = updater.update_section(character, "loyalty")

        assert not outcome.is_success
        status = SectionUpdateStatus.objects.get(character=character, section="loyalty")
        assert status.is_success is False and "unusable" in status.error_message
        assert points_of(character) == {1_000_035: 1500}

    def test_should_keep_corporations_esi_cannot_name(self, character, esi):
        esi["PostUniverseNames"] = lambda params: []
        esi[OPERATION] = [{"corporation_id": 1_000_035, "loyalty_points": 5}]

        outcome = updater.update_section(character, "loyalty")

        assert outcome.is_success, outcome.message
        assert points_of(character) == {1_000_035: 5}
        assert EveEntity.objects.get(id=1_000_035).category == "corporation"

    def test_should_delete_all_rows_when_esi_reports_none(self, character, esi):
        esi[OPERATION] = [{"corporation_id": 1_000_035, "loyalty_points": 5}]
        updater.update_section(character, "loyalty")
        esi[OPERATION] = []

        updater.update_section(character, "loyalty")

        assert points_of(character) == {}

    def test_should_need_the_same_number_of_queries_whatever_the_size(self, db, esi):
        def queries_for(count: int, character_id: int) -> int:
            character = create_character(character_id, "Wayne Enterprises", "WYE")
            esi[OPERATION] = [
                {"corporation_id": 1_000_000 + n, "loyalty_points": n} for n in range(count)
            ]
            with CaptureQueriesContext(connection) as context:
                assert updater.update_section(character, "loyalty").is_success
            assert character.loyalty_entries.count() == count
            return len(context.captured_queries)

        EveEntity.objects.bulk_create(
            [EveEntity(id=1_000_000 + n, name=f"C{n}", category="corporation") for n in range(40)]
        )
        assert queries_for(5, CHARACTER_ID) == queries_for(40, CHARACTER_ID + 1)


# --- against the fake EVE server over HTTP ------------------------------------------------

ARIA = 90_000_001  # Caldari Navy 152000, CONCORD 900


@pytest.mark.integration
class TestLoyaltyOverHttp:
    def test_should_store_points_on_first_update(self, make_character, fake_eve):
        character = make_character(ARIA)

        outcome = updater.update_section(character, "loyalty")

        assert outcome.is_success, outcome.message
        assert dict(
            character.loyalty_entries.values_list("corporation__name", "loyalty_points")
        ) == {
            "Caldari Navy": 152_000,
            "CONCORD": 900,
        }
        assert EveEntity.objects.get(id=1_000_035).category == "corporation"

    def test_should_write_nothing_when_unchanged(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "loyalty")
        expire_esi_cache()

        with CaptureQueriesContext(connection) as context:
            outcome = updater.update_section(character, "loyalty")

        assert outcome.is_success and not outcome.changed
        assert writes_to(context.captured_queries, TABLE) == []

    def test_should_update_only_what_changed(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "loyalty")
        concord_pk = character.loyalty_entries.get(corporation_id=1_000_125).pk
        fake_eve.scenario.update_character(
            ARIA, {"loyalty_points": [{"corporation_id": 1_000_125, "loyalty_points": 1000}]}
        )
        expire_esi_cache()

        with CaptureQueriesContext(connection) as context:
            outcome = updater.update_section(character, "loyalty")

        assert outcome.is_success and outcome.changed
        assert points_of(character) == {1_000_125: 1000}
        assert character.loyalty_entries.get().pk == concord_pk
        assert len(writes_to(context.captured_queries, TABLE)) == 2  # delete + update

    @pytest.mark.parametrize(
        "fault",
        [{"status": 500}, {"status": 504}, {"malformed": True}],
        ids=["server-error", "timeout-at-esi", "malformed-body"],
    )
    def test_should_keep_stored_points_when_esi_fails(self, make_character, fake_eve, fault):
        character = make_character(ARIA)
        updater.update_section(character, "loyalty")
        fake_eve.scenario.update_character(ARIA, {"loyalty_points": []})
        fake_eve.faults.add(OPERATION, character_id=ARIA, **fault)
        expire_esi_cache()

        outcome = updater.update_section(character, "loyalty")

        assert not outcome.is_success
        status = SectionUpdateStatus.objects.get(character=character, section="loyalty")
        assert status.is_success is False and OPERATION in status.error_message
        assert points_of(character) == {1_000_035: 152_000, 1_000_125: 900}

    def test_should_need_the_same_queries_for_5_or_200_corporations(self, make_character, fake_eve):
        EveEntity.objects.bulk_create(
            [EveEntity(id=1_500_000 + n, name=f"C{n}", category="corporation") for n in range(200)]
        )

        def queries_for(character_id: int, count: int) -> int:
            rows = [{"corporation_id": 1_500_000 + n, "loyalty_points": n} for n in range(count)]
            fake_eve.scenario.update_character(character_id, {"loyalty_points": rows})
            character = make_character(character_id)
            with CaptureQueriesContext(connection) as context:
                assert updater.update_section(character, "loyalty").is_success
            assert character.loyalty_entries.count() == count
            return len(context.captured_queries)

        assert queries_for(90_000_002, 5) == queries_for(ARIA, 200)
