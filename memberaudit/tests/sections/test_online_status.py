"""Online status section, against the fake EVE server."""

from datetime import timedelta

import pytest

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from memberaudit import esi_gateway, updater
from memberaudit.models import CharacterOnlineStatus, SectionUpdateStatus
from memberaudit.sections import registry

from .helpers import writes_to

pytestmark = pytest.mark.django_db

ARIA = 90_000_001  # online, with all fields
ELIN = 90_000_005  # online, never logged out
HIRO = 2_112_000_003  # online, only a login count
ROUTE = "GetCharactersCharacterIdOnline"
TABLE = CharacterOnlineStatus._meta.db_table


def stored(character) -> CharacterOnlineStatus:
    return CharacterOnlineStatus.objects.get(character=character)


def test_should_register_online_status_in_ring_1_with_its_scope_and_operation():
    section = registry.get("online_status")
    assert section.ring == 1
    assert section.scopes == ("esi-location.read_online.v1",)
    assert section.operations == (ROUTE,)


def test_should_store_online_flag_login_times_and_count(make_character):
    character = make_character(ARIA)

    outcome = updater.update_section(character, "online_status")

    assert outcome.is_success, outcome.message
    row = stored(character)
    now = timezone.now()
    assert row.is_online is True
    assert row.logins == 1834
    assert abs(row.last_login - (now - timedelta(hours=2))) < timedelta(minutes=5)
    assert abs(row.last_logout - (now - timedelta(days=1))) < timedelta(minutes=5)


def test_should_store_missing_optional_fields_as_empty(make_character):
    character = make_character(HIRO)

    outcome = updater.update_section(character, "online_status")

    assert outcome.is_success, outcome.message
    row = stored(character)
    assert row.is_online is True
    assert row.logins == 4000
    assert row.last_login is None
    assert row.last_logout is None


def test_should_store_dropped_fields_as_empty(make_character, fake_eve):
    character = make_character(ARIA)
    fake_eve.faults.add(
        ROUTE, character_id=ARIA, drop_fields=["last_login", "last_logout", "logins"]
    )

    outcome = updater.update_section(character, "online_status")

    assert outcome.is_success, outcome.message
    row = stored(character)
    assert (row.is_online, row.last_login, row.last_logout, row.logins) == (True, None, None, None)


def test_should_write_nothing_when_status_is_unchanged(make_character):
    character = make_character(ARIA)
    updater.update_section(character, "online_status")
    cache.clear()  # no ETag: the full answer is fetched and compared by content

    with CaptureQueriesContext(connection) as queries:
        outcome = updater.update_section(character, "online_status")

    assert outcome.is_success, outcome.message
    assert writes_to(queries.captured_queries, TABLE) == []


def test_should_update_status_when_the_character_logs_out(make_character, fake_eve):
    character = make_character(ELIN)
    updater.update_section(character, "online_status")
    assert stored(character).last_logout is None
    fake_eve.scenario.update_character(
        ELIN,
        {
            "online": {
                "online": False,
                "last_login": "2025-12-01T10:00:00Z",
                "last_logout": "2025-12-01T11:00:00Z",
                "logins": 4,
            }
        },
    )

    with CaptureQueriesContext(connection) as queries:
        outcome = updater.update_section(character, "online_status", force=True)

    assert outcome.is_success, outcome.message
    row = stored(character)
    assert row.is_online is False
    assert row.logins == 4
    assert row.last_logout.isoformat() == "2025-12-01T11:00:00+00:00"
    statements = writes_to(queries.captured_queries, TABLE)
    assert len(statements) == 1
    assert statements[0].lstrip().upper().startswith("UPDATE")


@pytest.mark.parametrize(
    "fault",
    [{"status": 500}, {"status": 502}, {"malformed": True}, {"drop_fields": ["online"]}],
    ids=str,
)
def test_should_keep_stored_status_when_esi_fails(make_character, fake_eve, fault):
    character = make_character(ARIA)
    updater.update_section(character, "online_status")
    before = stored(character)
    fake_eve.faults.add(ROUTE, character_id=ARIA, **fault)

    outcome = updater.update_section(character, "online_status", force=True)

    assert not outcome.is_success
    status = SectionUpdateStatus.objects.get(character=character, section="online_status")
    assert status.is_success is False
    assert ROUTE in status.error_message
    after = stored(character)
    assert (after.is_online, after.last_login, after.logins) == (
        before.is_online,
        before.last_login,
        before.logins,
    )


def test_should_record_a_timeout_and_keep_stored_status(make_character, fake_eve, monkeypatch):
    from esi import app_settings as esi_settings

    character = make_character(ARIA)
    updater.update_section(character, "online_status")
    monkeypatch.setattr(esi_settings, "ESI_REQUESTS_READ_TIMEOUT", 0.5)
    monkeypatch.setattr(esi_settings, "ESI_SERVER_ERROR_MAX_RETRIES", 1)
    esi_gateway.provider()._client = None  # rebuild the client with the short timeout
    fake_eve.faults.add(ROUTE, character_id=ARIA, latency=2.0)
    try:
        outcome = updater.update_section(character, "online_status", force=True)
    finally:
        esi_gateway.provider()._client = None

    assert not outcome.is_success
    assert stored(character).logins == 1834
