import datetime as dt

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from memberaudit import esi_gateway, updater
from memberaudit.models import CharacterSkillqueueEntry, SectionUpdateStatus
from memberaudit.sections import registry
from memberaudit.sections import skill_queue as skill_queue_section

from ..factories import create_orphan_character
from .helpers import FakeGateway, create_skill_types, forget_cached_esi_answers, writes_to

QUEUE_TABLE = CharacterSkillqueueEntry._meta.db_table
NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)


def make_entry(position, skill_id, level=3, start=None, finish=None):
    return {
        "queue_position": position,
        "skill_id": skill_id,
        "finished_level": level,
        "start_date": start,
        "finish_date": finish,
        "level_start_sp": 8000,
        "level_end_sp": 45255,
        "training_start_sp": 9000,
    }


def training_queue(skill_ids, started=NOW - dt.timedelta(hours=1), hours_each=2):
    """A running queue: the first entry started before ``NOW``, the rest follow."""
    entries = []
    start = started
    for position, skill_id in enumerate(skill_ids):
        finish = start + dt.timedelta(hours=hours_each)
        entries.append(make_entry(position, skill_id, start=start, finish=finish))
        start = finish
    return entries


def paused_queue(skill_ids):
    return [make_entry(position, skill_id) for position, skill_id in enumerate(skill_ids)]


@pytest.fixture
def character(db):
    return create_orphan_character()


@pytest.fixture
def skill_ids(db):
    return create_skill_types(5)


def test_should_register_skill_queue_section_in_ring_2_with_its_scope_and_operation():
    section = registry.get("skill_queue")
    assert section.ring == 2
    assert section.scopes == ("esi-skills.read_skillqueue.v1",)
    assert section.operations == ("GetCharactersCharacterIdSkillqueue",)


def test_should_store_queue_entries_in_order_with_all_fields(character, skill_ids):
    assert skill_queue_section.store(character, training_queue(skill_ids[:2])) is True

    entries = list(character.skillqueue.order_by("queue_position"))
    assert [(e.queue_position, e.eve_type_id) for e in entries] == [
        (0, skill_ids[0]),
        (1, skill_ids[1]),
    ]
    first = entries[0]
    assert first.finished_level == 3
    assert first.start_date == NOW - dt.timedelta(hours=1)
    assert first.finish_date == NOW + dt.timedelta(hours=1)
    assert (first.level_start_sp, first.level_end_sp, first.training_start_sp) == (
        8000,
        45255,
        9000,
    )


def test_should_store_a_paused_queue_without_dates(character, skill_ids):
    skill_queue_section.store(character, paused_queue(skill_ids[:3]))

    entries = character.skillqueue.all()
    assert entries.count() == 3
    assert all(e.start_date is None and e.finish_date is None for e in entries)
    assert all(e.is_paused for e in entries)


def test_should_find_no_active_entry_in_a_paused_queue(character, skill_ids):
    skill_queue_section.store(character, paused_queue(skill_ids[:3]))

    assert character.skillqueue.active(NOW).count() == 0
    assert character.skillqueue.active_entry(NOW) is None
    assert character.skillqueue.remaining_time(NOW) is None
    assert not any(entry.is_active(NOW) for entry in character.skillqueue.all())
    assert all(entry.remaining_time(NOW) is None for entry in character.skillqueue.all())


def test_should_find_the_entry_whose_training_runs_now(character, skill_ids):
    skill_queue_section.store(character, training_queue(skill_ids[:3]))

    active = character.skillqueue.active_entry(NOW)

    assert (active.queue_position, active.eve_type_id) == (0, skill_ids[0])
    assert active.is_active(NOW)
    assert active.remaining_time(NOW) == dt.timedelta(hours=1)
    assert [e.is_active(NOW) for e in character.skillqueue.order_by("queue_position")] == [
        True,
        False,
        False,
    ]
    assert character.skillqueue.remaining_time(NOW) == dt.timedelta(hours=5)


def test_should_not_count_entries_finished_since_the_last_update_as_active(character, skill_ids):
    # The queue was fetched 3 hours ago: its first entry has finished by now.
    skill_queue_section.store(
        character, training_queue(skill_ids[:3], started=NOW - dt.timedelta(hours=3))
    )

    active = character.skillqueue.active_entry(NOW)

    assert active.queue_position == 1
    assert character.skillqueue.active(NOW).count() == 1
    finished = character.skillqueue.get(queue_position=0)
    assert not finished.is_active(NOW)
    assert finished.remaining_time(NOW) == dt.timedelta(0)


def test_should_find_no_active_entry_when_the_whole_queue_has_finished(character, skill_ids):
    skill_queue_section.store(
        character, training_queue(skill_ids[:2], started=NOW - dt.timedelta(days=1))
    )

    assert character.skillqueue.active_entry(NOW) is None
    assert character.skillqueue.remaining_time(NOW) is None


def test_should_use_current_time_by_default(character, skill_ids):
    skill_queue_section.store(
        character, training_queue(skill_ids[:1], started=timezone.now() - dt.timedelta(hours=1))
    )

    assert character.skillqueue.active_entry().is_active()


def test_should_replace_the_queue_when_it_changed(character, skill_ids):
    skill_queue_section.store(character, training_queue(skill_ids[:3]))

    skill_queue_section.store(character, paused_queue([skill_ids[4]]))

    assert list(character.skillqueue.values_list("queue_position", "eve_type_id")) == [
        (0, skill_ids[4])
    ]


def test_should_clear_the_queue_when_esi_returns_an_empty_queue(character, skill_ids):
    skill_queue_section.store(character, training_queue(skill_ids[:3]))

    assert skill_queue_section.store(character, []) is True

    assert character.skillqueue.count() == 0


def test_should_write_nothing_when_the_queue_is_unchanged(character, skill_ids):
    data = training_queue(skill_ids)
    skill_queue_section.store(character, data)

    with CaptureQueriesContext(connection) as ctx:
        changed = skill_queue_section.store(character, data)

    assert changed is False
    assert writes_to(ctx.captured_queries, QUEUE_TABLE) == []


def test_should_write_nothing_when_an_unchanged_paused_queue_is_stored_again(character, skill_ids):
    skill_queue_section.store(character, paused_queue(skill_ids))

    with CaptureQueriesContext(connection) as ctx:
        changed = skill_queue_section.store(character, paused_queue(skill_ids))

    assert changed is False
    assert writes_to(ctx.captured_queries, QUEUE_TABLE) == []


def test_should_accept_dates_as_iso_strings(character, skill_ids):
    entry = make_entry(0, skill_ids[0], start="2025-06-01T11:00:00Z", finish="2025-06-01T13:00:00Z")

    skill_queue_section.store(character, [entry])

    assert character.skillqueue.active_entry(NOW).queue_position == 0


def test_should_keep_the_queues_of_other_characters(character, skill_ids):
    other = create_orphan_character(character_id=90000002)
    skill_queue_section.store(other, paused_queue(skill_ids[:2]))

    skill_queue_section.store(character, training_queue(skill_ids[:1]))

    assert other.skillqueue.count() == 2


def test_should_use_the_same_number_of_queries_for_a_short_and_a_long_queue(db, monkeypatch):
    # SQLite caps parameters per statement, so Django would split big inserts by itself.
    monkeypatch.setattr(connection.ops, "bulk_batch_size", lambda fields, objs: len(objs))
    counts = []
    for number, character_id in ((3, 90000010), (150, 90000011)):
        character = create_orphan_character(character_id=character_id)
        skill_ids = create_skill_types(number)
        skill_queue_section.store(character, paused_queue(skill_ids))
        with CaptureQueriesContext(connection) as ctx:
            skill_queue_section.store(character, training_queue(skill_ids))
        counts.append(len(ctx.captured_queries))

    assert counts[0] == counts[1]


def test_should_fetch_entries_sorted_with_missing_optional_fields_as_none(character, skill_ids):
    start = NOW - dt.timedelta(hours=1)
    gateway = FakeGateway(
        {
            "GetCharactersCharacterIdSkillqueue": [
                make_entry(1, skill_ids[1]),
                {
                    "queue_position": 0,
                    "skill_id": skill_ids[0],
                    "finished_level": 4,
                    "start_date": start,
                    "finish_date": None,
                    "level_start_sp": None,
                    "level_end_sp": None,
                    "training_start_sp": None,
                },
            ]
        }
    )

    data = skill_queue_section.fetch(character, gateway)

    assert [entry["queue_position"] for entry in data] == [0, 1]
    assert data[0] == {
        "queue_position": 0,
        "skill_id": skill_ids[0],
        "finished_level": 4,
        "start_date": start,
        "finish_date": None,
        "level_start_sp": None,
        "level_end_sp": None,
        "training_start_sp": None,
    }
    skill_queue_section.store(character, data)
    assert character.skillqueue.get(queue_position=0).level_end_sp is None


# --- against the fake EVE server, through the update engine ---

ARIA = 90000001  # three entries, the first in training
DAX = 90000004  # a paused queue
QUEUE_ROUTE = "GetCharactersCharacterIdSkillqueue"


def stored_queue(character) -> list[tuple]:
    return list(
        character.skillqueue.order_by("queue_position").values_list(
            "queue_position", "eve_type_id", "finished_level", "start_date", "finish_date"
        )
    )


def update_status(character) -> SectionUpdateStatus:
    return SectionUpdateStatus.objects.get(character=character, section="skill_queue")


@pytest.mark.integration
class TestSkillQueueAgainstFakeEsi:
    def test_should_store_the_queue_and_find_its_active_entry(self, make_character, fake_eve):
        character = make_character(ARIA)

        outcome = updater.update_section(character, "skill_queue")

        assert outcome.is_success, outcome.message
        queue = stored_queue(character)
        assert [(row[0], row[1], row[2]) for row in queue] == [
            (0, 33096, 4),
            (1, 3321, 4),
            (2, 3338, 1),
        ]
        active = character.skillqueue.active_entry()
        assert (active.queue_position, active.eve_type_id) == (0, 33096)
        assert dt.timedelta(days=1, hours=23) < active.remaining_time() <= dt.timedelta(days=2)
        assert character.skillqueue.get(queue_position=0).level_end_sp == 271530

    def test_should_store_a_paused_queue_with_no_active_entry(self, make_character):
        character = make_character(DAX)

        outcome = updater.update_section(character, "skill_queue")

        assert outcome.is_success, outcome.message
        assert [row[3:] for row in stored_queue(character)] == [(None, None), (None, None)]
        assert character.skillqueue.active_entry() is None
        assert character.skillqueue.remaining_time() is None

    def test_should_store_missing_optional_fields_as_null(self, make_character, fake_eve):
        character = make_character(ARIA)
        fake_eve.faults.add(
            QUEUE_ROUTE,
            character_id=ARIA,
            drop_fields=["start_date", "finish_date", "level_end_sp", "training_start_sp"],
        )

        outcome = updater.update_section(character, "skill_queue")

        assert outcome.is_success, outcome.message
        entry = character.skillqueue.get(queue_position=0)
        assert (entry.start_date, entry.finish_date, entry.level_end_sp) == (None, None, None)
        assert entry.level_start_sp == 48000
        assert character.skillqueue.active_entry() is None

    def test_should_write_nothing_when_esi_says_not_modified(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "skill_queue")
        forget_cached_esi_answers()  # the ETag is still known

        with CaptureQueriesContext(connection) as ctx:
            outcome = updater.update_section(character, "skill_queue")

        assert outcome.is_success and not outcome.changed
        assert writes_to(ctx.captured_queries, QUEUE_TABLE) == []
        assert fake_eve.log.count(route=QUEUE_ROUTE, status=304) == 1

    def test_should_write_nothing_on_a_forced_update_with_unchanged_data(self, make_character):
        character = make_character(ARIA)
        updater.update_section(character, "skill_queue")

        with CaptureQueriesContext(connection) as ctx:
            outcome = updater.update_section(character, "skill_queue", force=True)

        assert outcome.is_success, outcome.message
        assert writes_to(ctx.captured_queries, QUEUE_TABLE) == []

    def test_should_replace_the_queue_when_it_changed(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "skill_queue")
        queue = fake_eve.scenario.character(ARIA)["skillqueue"][1:]
        for position, entry in enumerate(queue):
            entry["queue_position"] = position
        fake_eve.scenario.update_character(ARIA, {"skillqueue": queue})
        forget_cached_esi_answers()

        outcome = updater.update_section(character, "skill_queue")

        assert outcome.is_success and outcome.changed
        assert [(row[0], row[1]) for row in stored_queue(character)] == [(0, 3321), (1, 3338)]

    @pytest.mark.parametrize(
        "fault, message",
        [
            ({"status": 500}, "ESI answered 500"),
            ({"status": 504}, "ESI answered 504"),
            ({"malformed": True}, "unusable answer"),
        ],
    )
    def test_should_keep_the_stored_queue_when_esi_fails(
        self, make_character, fake_eve, monkeypatch, fault, message
    ):
        monkeypatch.setattr(esi_gateway, "BACKOFF_SECONDS", 0.01)
        character = make_character(ARIA)
        updater.update_section(character, "skill_queue")
        before = stored_queue(character)
        fake_eve.scenario.update_character(ARIA, {"skillqueue": []})
        forget_cached_esi_answers()
        fake_eve.faults.add(QUEUE_ROUTE, character_id=ARIA, **fault)

        outcome = updater.update_section(character, "skill_queue")

        assert not outcome.is_success
        status = update_status(character)
        assert status.is_success is False
        assert message in status.error_message
        assert stored_queue(character) == before

    def test_should_keep_the_stored_queue_when_esi_times_out(
        self, make_character, fake_eve, monkeypatch
    ):
        from esi import app_settings as esi_settings

        character = make_character(ARIA)
        updater.update_section(character, "skill_queue")
        before = stored_queue(character)
        forget_cached_esi_answers()
        monkeypatch.setattr(esi_settings, "ESI_REQUESTS_READ_TIMEOUT", 0.5)
        monkeypatch.setattr(esi_settings, "ESI_SERVER_ERROR_MAX_RETRIES", 1)
        esi_gateway.provider()._client = None  # rebuild the client with the short timeout
        fake_eve.faults.add(QUEUE_ROUTE, character_id=ARIA, latency=2.0)
        try:
            outcome = updater.update_section(character, "skill_queue")
        finally:
            esi_gateway.provider()._client = None

        assert not outcome.is_success
        assert "did not answer" in update_status(character).error_message
        assert stored_queue(character) == before

    def test_should_need_the_same_number_of_queries_for_a_short_and_a_long_queue(
        self, make_character, fake_eve, monkeypatch
    ):
        monkeypatch.setattr(connection.ops, "bulk_batch_size", lambda fields, objs: len(objs))
        type_ids = create_skill_types(150)
        character = make_character(ARIA)
        updater.update_section(character, "skill_queue")  # status row and token in place
        counts = []
        for size in (5, 150):
            queue = [
                make_entry(position, type_id, start="now+1h", finish="now+2h")
                for position, type_id in enumerate(type_ids[:size])
            ]
            fake_eve.scenario.update_character(ARIA, {"skillqueue": queue})
            forget_cached_esi_answers()
            with CaptureQueriesContext(connection) as ctx:
                outcome = updater.update_section(character, "skill_queue")
            assert outcome.is_success, outcome.message
            assert character.skillqueue.count() == size
            counts.append(len(ctx.captured_queries))

        assert counts[0] == counts[1]
