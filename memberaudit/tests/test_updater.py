"""The generic update path, shown with the wallet balance section against the fake EVE server."""

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest

from django.core.cache import cache
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from allianceauth.notifications.models import Notification

from memberaudit import esi_gateway, updater
from memberaudit.models import CharacterWalletBalance, SectionUpdateStatus

pytestmark = pytest.mark.django_db

ARIA = 90000001
ELIN = 90000005  # her token lacks the wallet and contacts scopes
WALLET = "GetCharactersCharacterIdWallet"


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    monkeypatch.setattr(esi_gateway, "BACKOFF_SECONDS", 0.01)


def status(character, section="wallet_balance") -> SectionUpdateStatus:
    return SectionUpdateStatus.objects.get(character=character, section=section)


def test_should_store_section_and_record_success(make_character, fake_eve):
    character = make_character(ARIA)

    outcome = updater.update_section(character, "wallet_balance")

    assert outcome.is_success and outcome.changed
    expected = Decimal(str(fake_eve.scenario.character(ARIA)["wallet_balance"])).quantize(
        Decimal("0.01")
    )
    assert CharacterWalletBalance.objects.get(character=character).total == expected
    row = status(character)
    assert row.is_success and row.error_message == ""
    assert row.finished_at >= row.started_at
    assert row.esi_requests == 1


def wallet_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "memberaudit_characterwalletbalance" in q["sql"].lower()
        and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def test_should_treat_cached_answer_as_unchanged_and_write_nothing(make_character, fake_eve):
    character = make_character(ARIA)
    updater.update_section(character, "wallet_balance")

    with CaptureQueriesContext(connection) as queries:
        outcome = updater.update_section(character, "wallet_balance")

    assert outcome.is_success and not outcome.changed
    assert wallet_writes(queries) == []
    assert fake_eve.log.count(route=WALLET) == 1  # the answer was still fresh: no request
    assert status(character).esi_not_modified == 1


def test_should_treat_304_as_unchanged_and_write_nothing(make_character, fake_eve):
    character = make_character(ARIA)
    updater.update_section(character, "wallet_balance")
    cache.delete_pattern("esi_*")  # the cached answer expired, the ETag is still known

    with CaptureQueriesContext(connection) as queries:
        outcome = updater.update_section(character, "wallet_balance")

    assert outcome.is_success and not outcome.changed
    assert wallet_writes(queries) == []
    assert fake_eve.log.count(route=WALLET, status=304) == 1
    row = status(character)
    assert (row.esi_requests, row.esi_not_modified) == (1, 1)


def test_should_fetch_in_full_after_a_failed_run_even_if_etag_matches(make_character, fake_eve):
    character = make_character(ARIA)
    updater.update_section(character, "wallet_balance")
    CharacterWalletBalance.objects.all().delete()
    SectionUpdateStatus.objects.filter(character=character).update(is_success=False)
    cache.delete_pattern("esi_*")

    outcome = updater.update_section(character, "wallet_balance")

    assert outcome.is_success
    assert CharacterWalletBalance.objects.filter(character=character).exists()
    assert fake_eve.log.count(route=WALLET, status=200) == 2


def test_should_update_changed_data(make_character, fake_eve):
    character = make_character(ARIA)
    updater.update_section(character, "wallet_balance")
    fake_eve.scenario.update_character(ARIA, {"wallet_balance": 123.45})
    cache.delete_pattern("esi_*")  # the cached answer expired

    outcome = updater.update_section(character, "wallet_balance")

    assert outcome.changed
    assert CharacterWalletBalance.objects.get(character=character).total == Decimal("123.45")


@pytest.mark.parametrize(
    ("fault", "message_part"),
    [
        ({"status": 500}, "500"),
        ({"status": 502, "times": 5}, "502"),
        ({"status": 404}, "404"),
    ],
)
def test_should_keep_stored_data_and_record_failure_when_esi_fails(
    make_character, fake_eve, fault, message_part
):
    character = make_character(ARIA)
    updater.update_section(character, "wallet_balance")
    stored = CharacterWalletBalance.objects.get(character=character).total
    fake_eve.scenario.update_character(ARIA, {"wallet_balance": 1.0})
    fake_eve.faults.add(route=WALLET, character_id=ARIA, **fault)

    outcome = updater.update_section(character, "wallet_balance", force=True)

    assert not outcome.is_success
    assert CharacterWalletBalance.objects.get(character=character).total == stored
    row = status(character)
    assert row.is_success is False
    assert message_part in row.error_message


def test_should_retry_server_errors_502_503_504_and_succeed(make_character, fake_eve):
    character = make_character(ARIA)
    fake_eve.faults.add(route=WALLET, character_id=ARIA, status=503, times=2)

    outcome = updater.update_section(character, "wallet_balance")

    assert outcome.is_success
    assert fake_eve.log.count(route=WALLET, status=503) == 2
    assert status(character).esi_requests == 3


def test_should_not_retry_client_errors(make_character, fake_eve):
    character = make_character(ARIA)
    fake_eve.faults.add(route=WALLET, character_id=ARIA, status=400, times=3)

    outcome = updater.update_section(character, "wallet_balance")

    assert not outcome.is_success
    assert fake_eve.log.count(route=WALLET) == 1


def test_should_not_retry_500(make_character, fake_eve):
    character = make_character(ARIA)
    fake_eve.faults.add(route=WALLET, character_id=ARIA, status=500, times=3)

    updater.update_section(character, "wallet_balance")

    assert fake_eve.log.count(route=WALLET) == 1


def test_should_record_timeout_as_failure(make_character, fake_eve, settings, monkeypatch):
    from esi import app_settings as esi_settings

    monkeypatch.setattr(esi_settings, "ESI_REQUESTS_READ_TIMEOUT", 0.5)
    monkeypatch.setattr(esi_settings, "ESI_SERVER_ERROR_MAX_RETRIES", 1)
    esi_gateway.provider()._client = None  # rebuild the client with the short timeout
    character = make_character(ARIA)
    fake_eve.faults.add(route=WALLET, character_id=ARIA, latency=2.0)
    try:
        outcome = updater.update_section(character, "wallet_balance")
    finally:
        esi_gateway.provider()._client = None
    assert not outcome.is_success
    message = status(character).error_message
    assert message == f"Timeout: ESI did not answer {WALLET} in time"  # one line, no dump


def test_should_suspend_only_sections_whose_scopes_are_missing(make_character):
    character = make_character(ELIN)

    outcome = updater.update_section(character, "wallet_balance")

    assert not outcome.is_success
    row = status(character)
    assert row.error_kind == SectionUpdateStatus.ErrorKind.TOKEN_LIMITED
    assert "esi-wallet.read_character_wallet.v1" in row.error_message


def test_should_mark_token_error_and_notify_owner_once_when_refresh_is_refused(
    make_character, fake_eve
):
    from esi.models import Token

    character = make_character(ARIA)
    token = Token.objects.get(character_id=ARIA)
    Token.objects.filter(pk=token.pk).update(created=token.created.replace(year=2000))
    fake_eve.sso.revoke_character(ARIA)

    first = updater.update_section(character, "wallet_balance")
    second = updater.update_section(character, "wallet_balance")

    assert not first.is_success and not second.is_success
    assert status(character).error_kind == SectionUpdateStatus.ErrorKind.TOKEN_INVALID
    assert Notification.objects.filter(user=character.owner).count() == 1


def test_should_stop_calling_esi_when_error_limit_is_low(make_character, fake_eve, settings):
    character = make_character(ARIA)
    fake_eve.error_limiter.configure(limit=30, window=60)
    settings.MEMBERAUDIT_ESI_ERROR_LIMIT_THRESHOLD = 29
    fake_eve.faults.add(route=WALLET, character_id=ARIA, status=400, times=1)

    updater.update_section(character, "wallet_balance")  # leaves 29 errors: pause
    requests_before = fake_eve.log.count(route=WALLET)
    outcome = updater.update_section(character, "wallet_balance")

    assert not outcome.is_success
    assert "error limit" in status(character).error_message
    assert fake_eve.log.count(route=WALLET) == requests_before
    assert esi_gateway.error_limit_reset_in() > 0


def test_should_resume_after_error_limit_reset(make_character, fake_eve, monkeypatch):
    character = make_character(ARIA)
    esi_gateway.EsiGateway._pause_for(1)
    monkeypatch.setattr(esi_gateway.time, "time", lambda: 10**10)  # long after the reset

    assert updater.update_section(character, "wallet_balance").is_success


def test_should_report_rate_limit_with_retry_after(make_character, fake_eve):
    character = make_character(ARIA)
    fake_eve.faults.add(route=WALLET, character_id=ARIA, status=429, retry_after=42)

    outcome = updater.update_section(character, "wallet_balance")

    assert not outcome.is_success
    assert "429" in status(character).error_message


def test_should_record_sso_outage_during_token_refresh_as_esi_unavailable(
    make_character, fake_eve, monkeypatch, caplog
):
    from esi import app_settings as esi_settings
    from esi.models import Token

    monkeypatch.setattr(esi_settings, "ESI_SSO_MAX_RETRIES", 1)  # no waiting between retries
    character = make_character(ARIA)
    updater.update_section(character, "wallet_balance")
    stored = CharacterWalletBalance.objects.get(character=character).total
    # a busy machine may have retried the first fetch; only later requests matter
    wallet_requests = fake_eve.log.count(route=WALLET)
    Token.objects.filter(character_id=ARIA).update(created=timezone.now() - timedelta(days=1))
    fake_eve.faults.add(route="sso_token", status=503)

    with caplog.at_level("WARNING", logger="memberaudit"):
        outcome = updater.update_section(character, "wallet_balance", force=True)

    assert not outcome.is_success
    row = status(character)
    assert row.error_kind == SectionUpdateStatus.ErrorKind.ESI
    assert "EVE SSO did not refresh the token" in row.error_message
    assert fake_eve.log.count(route="sso_token", status=503) == 1
    assert fake_eve.log.count(route=WALLET) == wallet_requests  # no fetch without a token
    assert not [r for r in caplog.records if r.name.startswith("memberaudit") and r.exc_info]
    assert CharacterWalletBalance.objects.get(character=character).total == stored
    character.refresh_from_db()
    assert not character.is_disabled
    assert Token.objects.filter(character_id=ARIA).exists()
    assert not Notification.objects.filter(user=character.owner).exists()


def test_should_disable_character_when_refresh_is_refused(make_character, fake_eve):
    from esi.models import Token

    character = make_character(ARIA)
    Token.objects.filter(character_id=ARIA).update(created=timezone.now() - timedelta(days=1))
    fake_eve.sso.revoke_character(ARIA)

    outcome = updater.update_section(character, "wallet_balance")

    assert not outcome.is_success
    character.refresh_from_db()
    assert character.is_disabled
    assert "no longer works" in status(character).error_message


class TestLockConflicts:
    """Sections updated at the same time can meet in the database (a deadlock, a lock wait
    timeout): the update tries again instead of failing."""

    @pytest.fixture
    def store_failing(self, monkeypatch):
        from memberaudit.sections import registry

        monkeypatch.setattr(updater, "LOCK_CONFLICT_PAUSE_SECONDS", 0.01)
        section = registry.get("wallet_balance")
        real_store = section.store
        errors = []
        self.store_calls = 0

        def store(character, data):
            self.store_calls += 1
            if errors:
                raise errors.pop(0)
            return real_store(character, data)

        monkeypatch.setitem(
            registry._sections, section.name, dataclasses.replace(section, store=store)
        )
        return errors

    def test_should_try_again_after_a_deadlock_and_store(
        self, make_character, fake_eve, store_failing
    ):
        character = make_character(ARIA)
        deadlock = OperationalError(
            1213, "Deadlock found when trying to get lock; try restarting transaction"
        )
        store_failing.append(deadlock)

        outcome = updater.update_section(character, "wallet_balance")

        assert outcome.is_success, outcome.message
        assert CharacterWalletBalance.objects.filter(character=character).exists()
        assert status(character).is_success
        # the second try fetched in full: an ETag of the first would have hidden the data
        assert fake_eve.log.count(route=WALLET, status=200) >= 2
        assert fake_eve.log.count(route=WALLET, status=304) == 0

    def test_should_give_up_after_repeated_lock_conflicts(
        self, make_character, fake_eve, store_failing
    ):
        character = make_character(ARIA)
        store_failing.extend(
            OperationalError(1205, "Lock wait timeout exceeded")
            for _ in range(updater.LOCK_CONFLICT_ATTEMPTS)
        )

        outcome = updater.update_section(character, "wallet_balance")

        assert not outcome.is_success
        assert "Lock wait timeout" in outcome.message
        assert not CharacterWalletBalance.objects.filter(character=character).exists()

    def test_should_not_try_again_after_other_database_errors(
        self, make_character, fake_eve, store_failing
    ):
        character = make_character(ARIA)
        store_failing.append(OperationalError(1054, "Unknown column"))

        outcome = updater.update_section(character, "wallet_balance")

        assert not outcome.is_success and "Unknown column" in outcome.message
        assert self.store_calls == 1  # not tried again

    @pytest.mark.parametrize(
        "error, expected",
        [
            (OperationalError(1213, "Deadlock found"), True),
            (OperationalError(1205, "Lock wait timeout exceeded"), True),
            (OperationalError("database is locked"), True),
            (OperationalError(2006, "MySQL server has gone away"), False),
        ],
        ids=["deadlock", "lock_wait_timeout", "sqlite_locked", "gone_away"],
    )
    def test_should_recognise_lock_conflicts(self, error, expected):
        assert updater.is_lock_conflict(error) is expected
