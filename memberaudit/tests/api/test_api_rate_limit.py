"""Each token has its own budget of calls a minute; a call beyond it answers 429 with
``Retry-After``, and the next minute opens a new budget."""

import pytest

from memberaudit import api_rate_limit

from .conftest import api_user, characters_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """The rate limit's clock, set by the test: ``clock.now`` in seconds since the epoch."""

    class Clock:
        now = 1_800_000_000.0  # the start of a minute

    monkeypatch.setattr(api_rate_limit.TokenRateLimit, "timer", lambda self: Clock.now)
    return Clock


def test_should_answer_429_with_retry_after_beyond_the_budget(call, token_of, settings, clock):
    settings.MEMBERAUDIT_API_RATE_LIMIT = 3
    plain = token_of(api_user())
    clock.now += 15

    statuses = [call(characters_url(), plain).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    refused = call(characters_url(), plain)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    assert refused.json() == {"detail": "Too many requests."}


def test_should_open_a_new_budget_the_next_minute(call, token_of, settings, clock):
    settings.MEMBERAUDIT_API_RATE_LIMIT = 2
    plain = token_of(api_user())
    for _ in range(3):
        call(characters_url(), plain)

    clock.now += 60

    assert call(characters_url(), plain).status_code == 200


def test_should_count_each_token_on_its_own(call, token_of, settings, clock):
    settings.MEMBERAUDIT_API_RATE_LIMIT = 1
    user = api_user()
    first, second = token_of(user, "first"), token_of(user, "second")

    assert call(characters_url(), first).status_code == 200
    assert call(characters_url(), first).status_code == 429
    assert call(characters_url(), second).status_code == 200


def test_should_not_count_calls_refused_for_their_token(call, token_of, settings, clock):
    """Calls without a valid token are 401 before any budget is touched."""
    settings.MEMBERAUDIT_API_RATE_LIMIT = 1
    plain = token_of(api_user())

    for _ in range(3):
        assert call(characters_url(), "ma_nothing_here").status_code == 401
    assert call(characters_url(), plain).status_code == 200


def test_should_ask_to_wait_at_least_a_second(clock):
    clock.now += 59.99

    assert api_rate_limit.TokenRateLimit().wait() == 1
