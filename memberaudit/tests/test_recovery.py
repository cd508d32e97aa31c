"""Nothing lost, nothing stuck: runs that died, dropped connections, ESI's error limit and
forced updates of unchanged data, shown with the wallet balance section."""

from datetime import timedelta

import pytest

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from memberaudit import esi_gateway, heartbeats, tasks, updater
from memberaudit.managers import CharacterStatus
from memberaudit.models import Character, CharacterWalletBalance, SectionUpdateStatus

pytestmark = pytest.mark.django_db

ARIA = 90000001
WALLET = "GetCharactersCharacterIdWallet"


def status(character, section="wallet_balance") -> SectionUpdateStatus:
    return SectionUpdateStatus.objects.get(character=character, section=section)


def die_in_the_middle(character, section="wallet_balance", minutes_ago=5) -> None:
    """What a worker killed during a run leaves: started, no outcome, no heartbeat."""
    started = timezone.now() - timedelta(minutes=minutes_ago)
    SectionUpdateStatus.objects.filter(character=character, section=section).update(
        started_at=started, finished_at=started - timedelta(seconds=30), is_success=True
    )


def wallet_writes(queries) -> list[str]:
    table = CharacterWalletBalance._meta.db_table
    return [q["sql"] for q in queries if table in q["sql"] and not q["sql"].startswith("SELECT")]


class TestEtagsCountOnlyOnceStored:
    def test_should_fetch_in_full_after_a_run_that_died_before_recording(
        self, make_character, fake_eve
    ):
        character = make_character(ARIA)
        updater.update_section(character, "wallet_balance")
        fake_eve.scenario.update_character(ARIA, {"wallet_balance": 123.45})
        cache.delete_pattern("esi_*")
        # a run fetched the new balance (its ETag is now known), then its worker was killed
        gateway = updater.EsiGateway(section="wallet_balance")
        gateway.token = updater.find_token(character, updater.registry.get("wallet_balance"))
        gateway.get(WALLET, character_id=ARIA)
        die_in_the_middle(character)
        cache.delete_pattern("esi_*")  # the cached answer expired; the ETag is still known

        outcome = updater.update_section(character, "wallet_balance")

        assert outcome.is_success
        assert float(CharacterWalletBalance.objects.get(character=character).total) == 123.45
        assert fake_eve.log.count(route=WALLET, status=304) == 0

    def test_should_trust_etags_after_a_run_that_recorded_success(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "wallet_balance")
        cache.delete_pattern("esi_*")

        updater.update_section(character, "wallet_balance")

        assert fake_eve.log.count(route=WALLET, status=304) == 1


class TestForcedUpdates:
    def test_should_write_nothing_and_record_unchanged_for_unchanged_data(
        self, make_character, fake_eve
    ):
        character = make_character(ARIA)
        updater.update_section(character, "wallet_balance")

        with CaptureQueriesContext(connection) as queries:
            outcome = updater.update_section(character, "wallet_balance", force=True)

        assert outcome.is_success and not outcome.changed
        assert wallet_writes(queries.captured_queries) == []
        assert fake_eve.log.count(route=WALLET, status=200) == 2  # fetched in full
        assert status(character).changed is False

    def test_should_store_changed_data(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "wallet_balance")
        fake_eve.scenario.update_character(ARIA, {"wallet_balance": 99.5})

        outcome = updater.update_section(character, "wallet_balance", force=True)

        assert outcome.changed
        assert float(CharacterWalletBalance.objects.get(character=character).total) == 99.5


class TestInterruptedRuns:
    def test_should_record_a_dead_run_as_interrupted(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "wallet_balance")
        die_in_the_middle(character)

        dead = updater.recover_interrupted_runs(character)

        assert dead == ["wallet_balance"]
        row = status(character)
        assert row.error_kind == SectionUpdateStatus.ErrorKind.INTERRUPTED
        assert row.is_interrupted and not row.is_in_progress and row.is_success is False

    def test_should_release_the_lock_of_a_dead_run_and_update_it_at_the_next_run(
        self, make_character, fake_eve
    ):
        character = make_character(ARIA)
        updater.update_section(character, "wallet_balance")
        die_in_the_middle(character, minutes_ago=300)  # stale as well
        key = tasks._section_lock_key(character.pk, "wallet_balance")
        tasks.update_section.once_backend.raise_or_lock(key, timeout=7200)  # the dead run's

        queued = tasks.update_character(character.pk)  # the periodic run's task

        assert "wallet_balance" in queued
        row = status(character)
        assert row.is_success and not row.is_in_progress, row.error_message

    def test_should_not_touch_a_run_whose_heartbeat_is_alive(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "wallet_balance")
        die_in_the_middle(character)

        with heartbeats.heartbeat(character.pk, "wallet_balance"):
            assert updater.recover_interrupted_runs(character) == []

        assert status(character).is_in_progress

    def test_should_keep_the_heartbeat_only_while_the_run_lasts(self, make_character, fake_eve):
        character = make_character(ARIA)
        seen = []
        real_store = updater.registry.get("wallet_balance").store

        def store(char, data):
            seen.append(heartbeats.running_sections(char.pk, ["wallet_balance", "skills"]))
            return real_store(char, data)

        section = updater.registry.get("wallet_balance")
        import dataclasses

        updater.registry._sections["wallet_balance"] = dataclasses.replace(section, store=store)
        try:
            updater.update_section(character, "wallet_balance")
        finally:
            updater.registry._sections["wallet_balance"] = section

        assert seen == [{"wallet_balance"}]
        assert heartbeats.running_sections(character.pk, ["wallet_balance"]) == set()

    def test_should_show_a_run_older_than_the_time_limit_as_interrupted_not_running(
        self, make_character, fake_eve, settings
    ):
        settings.MEMBERAUDIT_TASKS_TIME_LIMIT = 3600
        character = make_character(ARIA)
        updater.update_section(character, "wallet_balance")
        die_in_the_middle(character, minutes_ago=61)

        row = status(character)
        total = Character.objects.with_status().get(pk=character.pk).total_status

        assert row.is_interrupted and not row.is_running
        assert total != CharacterStatus.IN_PROGRESS

    def test_should_show_a_young_run_as_running(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "wallet_balance")
        die_in_the_middle(character, minutes_ago=1)

        total = Character.objects.with_status().get(pk=character.pk).total_status

        assert status(character).is_running
        assert total == CharacterStatus.IN_PROGRESS


@pytest.mark.django_db(transaction=True)
def test_should_record_the_outcome_on_a_fresh_connection_when_the_connection_dropped(
    make_character, fake_eve, drop_connection_once
):
    character = make_character(ARIA)
    # the first outcome write meets a connection the server dropped
    failures = drop_connection_once(SectionUpdateStatus, lambda fields: "is_success" in fields)

    outcome = updater.update_section(character, "wallet_balance")

    assert outcome.is_success and failures
    row = status(character)
    assert row.is_success and not row.is_in_progress
    assert CharacterWalletBalance.objects.filter(character=character).exists()


class TestErrorLimitPause:
    @pytest.fixture
    def waits(self, monkeypatch):
        """Waiting lets the pause pass at once and is recorded."""
        recorded = []

        def pause(seconds):
            recorded.append(seconds)
            cache.delete(esi_gateway.ERROR_LIMIT_CACHE_KEY)

        monkeypatch.setattr(updater, "pause", pause)
        monkeypatch.setattr(updater, "ERROR_LIMIT_MAX_WAIT_SECONDS", 90)
        return recorded

    def test_should_wait_for_the_reset_and_then_update(self, make_character, fake_eve, waits):
        character = make_character(ARIA)
        esi_gateway.EsiGateway._pause_for(30)

        outcome = updater.update_section(character, "wallet_balance")

        assert outcome.is_success, outcome.message
        assert len(waits) == 1 and 30 <= waits[0] <= 31.5
        assert CharacterWalletBalance.objects.filter(character=character).exists()

    def test_should_wait_when_another_route_pauses_calls_in_the_middle(
        self, make_character, fake_eve, waits
    ):
        character = make_character(ARIA)
        fake_eve.faults.add(route=WALLET, character_id=ARIA, status=420, times=1)

        outcome = updater.update_section(character, "wallet_balance")

        assert outcome.is_success, outcome.message
        assert len(waits) == 1

    def test_should_give_up_when_the_pause_is_longer_than_the_bound(
        self, make_character, fake_eve, waits
    ):
        character = make_character(ARIA)
        esi_gateway.EsiGateway._pause_for(300)

        outcome = updater.update_section(character, "wallet_balance")

        assert not outcome.is_success and "error limit" in outcome.message
        assert waits == []
        assert fake_eve.log.count(route=WALLET) == 0


class TestPeriodicRunCounts:
    def test_should_count_only_characters_really_queued(self, make_character, fake_eve):
        character = make_character(ARIA)
        key = tasks.update_character.get_key(kwargs={"character_pk": character.pk})
        tasks.update_character.once_backend.raise_or_lock(key, timeout=600)  # still queued

        assert tasks.run_regular_updates() == 0

        tasks.update_character.once_backend.clear_lock(key)
        assert tasks.run_regular_updates() == 1

    def test_should_return_only_sections_really_queued(self, make_character, fake_eve):
        character = make_character(ARIA)
        key = tasks._section_lock_key(character.pk, "wallet_balance")
        tasks.update_section.once_backend.raise_or_lock(key, timeout=600)

        queued = tasks.update_character(character.pk, sections=["wallet_balance", "location"])

        assert queued == ["location"]
