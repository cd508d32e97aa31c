"""Corporation history: memberships with end dates derived from the next membership."""

import datetime as dt

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from memberaudit import updater
from memberaudit.esi_gateway import EsiBadResponse, EsiUnavailable
from memberaudit.models import CharacterCorporationHistory, SectionUpdateStatus

from .helpers import create_character, install_canned_esi, writes_to

CHARACTER_ID = 90_000_102
OPERATION = "GetCharactersCharacterIdCorporationhistory"
TABLE = CharacterCorporationHistory._meta.db_table


def day(year, month, day_) -> dt.datetime:
    return dt.datetime(year, month, day_, tzinfo=dt.UTC)


def history(count: int) -> list[dict]:
    """``count`` memberships, newest first as ESI sends them."""
    entries = [
        {
            "record_id": 1000 + n,
            "corporation_id": 98_000_000 + n,
            "start_date": day(2010, 1, 1) + dt.timedelta(days=30 * n),
            "is_deleted": None,
        }
        for n in range(count)
    ]
    return list(reversed(entries))


@pytest.fixture
def character(db):
    return create_character(CHARACTER_ID)


@pytest.fixture
def esi(monkeypatch):
    answers = {
        OPERATION: history(3),
        "PostUniverseNames": lambda params: [
            {"id": i, "name": f"Corp {i}", "category": "corporation"} for i in params["body"]
        ],
    }

    return install_canned_esi(monkeypatch, answers)


def stored(character) -> list[tuple]:
    return list(
        character.corporation_history.order_by("record_id").values_list(
            "record_id", "corporation_id", "start_date", "is_deleted"
        )
    )


class TestCorporationHistoryWithCannedEsi:
    def test_should_store_every_membership_with_corporation_names(self, character, esi):
        esi[OPERATION] = [
            {
                "record_id": 7,
                "corporation_id": 98_000_002,
                "start_date": day(2020, 5, 1),
                "is_deleted": True,
            },
            {"record_id": 3, "corporation_id": 1_000_167, "start_date": day(2015, 3, 24)},
        ]

        outcome = updater.update_section(character, "corporation_history")

        assert outcome.is_success, outcome.message
        assert stored(character) == [
            (3, 1_000_167, day(2015, 3, 24), False),
            (7, 98_000_002, day(2020, 5, 1), True),
        ]
        assert character.corporation_history.get(record_id=7).corporation.name == ("Corp 98000002")

    def test_should_derive_end_dates_from_next_membership(self, character, esi):
        esi[OPERATION] = [
            {"record_id": 30, "corporation_id": 3, "start_date": day(2021, 1, 1)},
            {"record_id": 20, "corporation_id": 2, "start_date": day(2020, 6, 1)},
            {"record_id": 10, "corporation_id": 1, "start_date": day(2020, 1, 1)},
        ]
        updater.update_section(character, "corporation_history")

        entries = {
            entry.record_id: entry
            for entry in CharacterCorporationHistory.objects.filter(
                character=character
            ).with_end_dates()
        }

        assert entries[10].end_date == day(2020, 6, 1)
        assert entries[20].end_date == day(2021, 1, 1)
        assert entries[30].end_date is None
        assert entries[10].duration == dt.timedelta(days=152)
        assert entries[30].duration > dt.timedelta(days=365)

    def test_should_order_by_record_id_when_start_dates_are_equal(self, character, esi):
        esi[OPERATION] = [
            {"record_id": 11, "corporation_id": 2, "start_date": day(2020, 1, 1)},
            {"record_id": 10, "corporation_id": 1, "start_date": day(2020, 1, 1)},
        ]
        updater.update_section(character, "corporation_history")

        entries = {
            entry.record_id: entry for entry in character.corporation_history.all().with_end_dates()
        }

        assert entries[10].end_date == day(2020, 1, 1)
        assert entries[11].end_date is None

    def test_should_not_mix_end_dates_of_different_characters(self, character, esi):
        other = create_character(90_000_199)
        esi[OPERATION] = [{"record_id": 1, "corporation_id": 1, "start_date": day(2019, 1, 1)}]
        updater.update_section(other, "corporation_history")
        esi[OPERATION] = [{"record_id": 2, "corporation_id": 2, "start_date": day(2020, 1, 1)}]
        updater.update_section(character, "corporation_history")

        ends = dict(
            CharacterCorporationHistory.objects.with_end_dates().values_list(
                "record_id", "end_date"
            )
        )

        assert ends == {1: None, 2: None}

    def test_should_store_missing_is_deleted_as_false(self, character, esi):
        esi[OPERATION] = [{"record_id": 1, "corporation_id": 1, "start_date": day(2019, 1, 1)}]

        updater.update_section(character, "corporation_history")

        assert stored(character) == [(1, 1, day(2019, 1, 1), False)]

    def test_should_keep_corporations_esi_cannot_name(self, character, esi):
        esi["PostUniverseNames"] = lambda params: []

        outcome = updater.update_section(character, "corporation_history")

        assert outcome.is_success, outcome.message
        assert character.corporation_history.count() == 3

    def test_should_write_nothing_when_unchanged(self, character, esi):
        updater.update_section(character, "corporation_history")

        with CaptureQueriesContext(connection) as queries:
            outcome = updater.update_section(character, "corporation_history")

        assert outcome.is_success
        assert not outcome.changed
        assert writes_to(queries.captured_queries, TABLE) == []

    def test_should_only_add_the_new_membership(self, character, esi):
        updater.update_section(character, "corporation_history")
        pks_before = set(character.corporation_history.values_list("pk", flat=True))
        esi[OPERATION] = history(4)

        with CaptureQueriesContext(connection) as queries:
            outcome = updater.update_section(character, "corporation_history")

        assert outcome.changed
        writes = writes_to(queries.captured_queries, TABLE)
        assert len(writes) == 1
        assert writes[0].lstrip().upper().startswith("INSERT")
        assert pks_before < set(character.corporation_history.values_list("pk", flat=True))
        assert character.corporation_history.count() == 4

    def test_should_update_only_the_changed_membership(self, character, esi):
        updater.update_section(character, "corporation_history")
        answer = history(3)
        answer[-1]["is_deleted"] = True
        esi[OPERATION] = answer

        updater.update_section(character, "corporation_history")

        deleted = dict(character.corporation_history.values_list("record_id", "is_deleted"))
        assert deleted == {1000: True, 1001: False, 1002: False}

    def test_should_use_same_number_of_queries_for_10_and_150_entries(self, character, esi):
        def count_queries(entries):
            esi[OPERATION] = entries
            with CaptureQueriesContext(connection) as queries:
                outcome = updater.update_section(character, "corporation_history", force=True)
            assert outcome.is_success, outcome.message
            return len(queries.captured_queries)

        count_queries(history(1))  # creates the status row
        character.corporation_history.all().delete()
        small = count_queries(history(10))
        character.corporation_history.all().delete()
        # SQLite splits an insert at 999 values: history rows at 199, change events at 99 (a
        # re-sync after the deletion sees each row as new: a corporation left and one joined)
        large = count_queries(history(35))

        assert large == small
        assert character.corporation_history.count() == 35

    @pytest.mark.parametrize(
        "error",
        [
            EsiUnavailable(f"ESI answered 502 for {OPERATION}", 502),
            EsiBadResponse(f"ESI sent an unusable answer for {OPERATION}"),
        ],
    )
    def test_should_keep_stored_data_when_esi_fails(self, character, esi, error):
        updater.update_section(character, "corporation_history")
        before = stored(character)
        esi[OPERATION] = error

        outcome = updater.update_section(character, "corporation_history")

        assert not outcome.is_success
        status = SectionUpdateStatus.objects.get(character=character, section="corporation_history")
        assert status.is_success is False
        assert OPERATION in status.error_message
        assert stored(character) == before


FAKE_CHARACTER_ID = 90_000_001


@pytest.mark.integration
@pytest.mark.django_db
class TestCorporationHistoryWithFakeEsi:
    """Through the gateway and HTTP against the fake EVE server."""

    def test_should_store_history_with_end_dates(self, make_character):
        character = make_character(FAKE_CHARACTER_ID)

        outcome = updater.update_section(character, "corporation_history")

        assert outcome.is_success, outcome.message
        entries = list(character.corporation_history.with_end_dates().order_by("record_id"))
        assert [entry.corporation_id for entry in entries] == [1_000_045, 98_000_001]
        assert all(entry.corporation.name for entry in entries)
        assert entries[0].start_date == dt.datetime(2014, 5, 11, 17, 31, tzinfo=dt.UTC)
        assert entries[0].end_date == dt.datetime(2015, 7, 1, 12, 0, tzinfo=dt.UTC)
        assert entries[1].end_date is None
        assert not any(entry.is_deleted for entry in entries)

    def test_should_write_nothing_when_unchanged(self, make_character):
        character = make_character(FAKE_CHARACTER_ID)
        updater.update_section(character, "corporation_history")

        with CaptureQueriesContext(connection) as queries:
            outcome = updater.update_section(character, "corporation_history")

        assert outcome.is_success, outcome.message
        assert writes_to(queries.captured_queries, TABLE) == []

    def test_should_add_a_new_membership(self, make_character, fake_eve):
        character = make_character(FAKE_CHARACTER_ID)
        updater.update_section(character, "corporation_history")
        fake_eve.scenario.append_to_character(
            FAKE_CHARACTER_ID,
            "corporation_history",
            [
                {
                    "corporation_id": 98_000_002,
                    "record_id": 11_000_003,
                    "start_date": "2024-02-01T00:00:00Z",
                }
            ],
        )

        outcome = updater.update_section(character, "corporation_history", force=True)

        assert outcome.is_success, outcome.message
        ends = dict(
            character.corporation_history.with_end_dates().values_list("record_id", "end_date")
        )
        assert ends[11_000_002] == dt.datetime(2024, 2, 1, tzinfo=dt.UTC)
        assert ends[11_000_003] is None

    @pytest.mark.parametrize(
        "fault", [{"status": 500}, {"status": 502}, {"malformed": True}], ids=str
    )
    def test_should_keep_stored_data_when_esi_fails(
        self, make_character, fake_eve, fast_retries, fault
    ):
        character = make_character(FAKE_CHARACTER_ID)
        updater.update_section(character, "corporation_history")
        before = stored(character)
        fake_eve.faults.add(OPERATION, character_id=FAKE_CHARACTER_ID, **fault)

        outcome = updater.update_section(character, "corporation_history", force=True)

        assert not outcome.is_success
        status = SectionUpdateStatus.objects.get(character=character, section="corporation_history")
        assert status.is_success is False
        assert OPERATION in status.error_message
        assert stored(character) == before

    def test_should_store_missing_is_deleted_as_false(self, make_character, fake_eve):
        character = make_character(FAKE_CHARACTER_ID)
        fake_eve.faults.add(OPERATION, character_id=FAKE_CHARACTER_ID, drop_fields=["is_deleted"])

        outcome = updater.update_section(character, "corporation_history")

        assert outcome.is_success, outcome.message
        assert not character.corporation_history.filter(is_deleted=True).exists()
