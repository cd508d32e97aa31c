"""Hourly counters of the app's ESI use, kept by the gateway for the budget dashboard."""

import pytest

from esi.models import Token

from memberaudit import esi_gateway, esi_usage
from memberaudit.esi_gateway import EsiErrorLimitReached, EsiGateway, EsiNotFound, EsiRateLimited

pytestmark = pytest.mark.django_db

ARIA = 90000001
ONLINE = "GetCharactersCharacterIdOnline"  # rate-limit group char-location
STRUCTURE = "GetUniverseStructuresStructureId"


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    monkeypatch.setattr(esi_gateway, "BACKOFF_SECONDS", 0.01)


@pytest.fixture
def gateway(make_character):
    make_character(ARIA)
    return EsiGateway(token=Token.objects.get(character_id=ARIA), section="online_status")


def this_hour() -> dict:
    hour = esi_usage.current_hour()
    return esi_usage.read_hours(hour, hour)[0]


def test_should_count_requests_304s_and_errors_per_section_and_route(gateway, fake_eve):
    from django.core.cache import cache

    gateway.get(ONLINE, character_id=ARIA)
    cache.delete_pattern("esi_*")  # the cached answer expired: ask again with the ETag
    with pytest.raises(esi_gateway.NotModified):
        gateway.get(ONLINE, character_id=ARIA)
    fake_eve.faults.add(route=ONLINE, character_id=ARIA, status=404, times=1)
    cache.delete_pattern("esi_*")
    with pytest.raises(EsiNotFound):
        gateway.get(ONLINE, character_id=ARIA)

    counts = this_hour()["counts"]
    assert counts["requests|online_status|" + ONLINE] == 3
    assert counts["not_modified|online_status|" + ONLINE] == 1
    assert counts["errors|online_status|" + ONLINE + "|404"] == 1


def test_should_count_tokens_of_the_rate_limit_group_and_the_fewest_left(gateway, fake_eve):
    gateway.get(ONLINE, character_id=ARIA)

    hour = this_hour()
    assert hour["counts"]["tokens|char-location"] == 2  # a 2xx costs 2 tokens
    budget = esi_gateway.operation_info(ONLINE).max_tokens
    assert 0 <= hour["low"]["group|char-location"] < budget
    assert hour["low"][esi_usage.ERROR_LIMIT] <= 100


def test_should_count_failures_of_the_character_whose_token_was_used(gateway, fake_eve):
    fake_eve.faults.add(route=ONLINE, character_id=ARIA, status=404, times=2)
    for _ in range(2):
        with pytest.raises(EsiNotFound):
            gateway.get(ONLINE, character_id=ARIA)

    assert this_hour()["failures"] == {ARIA: 2}


def test_should_count_calls_held_back_by_a_429_pause(gateway, fake_eve):
    fake_eve.faults.add(route=ONLINE, character_id=ARIA, status=429, retry_after=30, times=1)
    for _ in range(3):  # the first is answered 429, the others are not sent
        with pytest.raises(EsiRateLimited):
            gateway.get(ONLINE, character_id=ARIA)

    counts = this_hour()["counts"]
    assert counts["paused|online_status|" + ONLINE + "|429"] == 3
    assert counts["errors|online_status|" + ONLINE + "|429"] == 1


def test_should_count_calls_held_back_by_the_error_limit(gateway, fake_eve):
    fake_eve.error_limiter.configure(window=17)
    fake_eve.faults.add(route=ONLINE, character_id=ARIA, status=420, times=1)
    for _ in range(2):
        with pytest.raises(EsiErrorLimitReached):
            gateway.get(ONLINE, character_id=ARIA)

    assert this_hour()["counts"]["paused|online_status|" + ONLINE + "|420"] == 2


def test_should_call_esi_without_counters_when_redis_is_not_there(gateway, fake_eve, monkeypatch):
    monkeypatch.setattr(esi_usage, "redis_client", lambda: None)

    assert gateway.get(ONLINE, character_id=ARIA) is not None
    assert this_hour()["counts"] == {}


def test_should_not_count_calls_made_outside_the_gateway():
    esi_gateway._count_request(None, operation=ONLINE, status_code=200, headers={})

    assert this_hour()["counts"] == {}


class TestBoundedSize:
    def test_should_let_every_hour_expire_after_a_week(self):
        now = 1_800_000_000.0
        esi_usage.record_answer(
            section="skills",
            operation=ONLINE,
            status_code=500,
            headers={"X-ESI-Error-Limit-Remain": "90"},
            rate_group="char-location",
            character_id=ARIA,
            now=now,
        )
        esi_usage.record_pause(section="skills", operation=ONLINE, kind="429", now=now)

        client = esi_usage.redis_client()
        hour = esi_usage.current_hour(now)
        expected = (hour + esi_usage.HOURS_KEPT + 1) * 3600
        for key in (
            esi_usage.hour_key(hour),
            esi_usage.low_key(hour),
            esi_usage.failures_key(hour),
        ):
            assert client.exists(key), key
            assert client.expiretime(key) == expected

    def test_should_keep_only_the_characters_with_the_most_failures(self, monkeypatch):
        monkeypatch.setattr(esi_usage, "TOP_CHARACTERS_KEPT", 3)
        for character_id, failures in ((1, 5), (2, 1), (3, 4), (4, 3), (5, 2)):
            for _ in range(failures):
                esi_usage.record_answer(
                    section="skills",
                    operation=ONLINE,
                    status_code=404,
                    headers={},
                    character_id=character_id,
                )

        assert this_hour()["failures"] == {1: 5, 3: 4, 4: 3}

    def test_should_keep_the_lowest_value_seen_in_an_hour(self):
        for remain in (80, 40, 95):
            esi_usage.record_answer(
                section="skills",
                operation=ONLINE,
                status_code=200,
                headers={"X-ESI-Error-Limit-Remain": str(remain)},
            )

        assert this_hour()["low"][esi_usage.ERROR_LIMIT] == 40
        assert esi_usage.last_error_limit()[0] == 95
