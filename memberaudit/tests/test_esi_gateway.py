"""The ESI gateway against the fake EVE server over HTTP."""

import time

import pytest

from esi.models import Token

from memberaudit import esi_gateway
from memberaudit.esi_gateway import (
    EsiBadResponse,
    EsiErrorLimitReached,
    EsiGateway,
    EsiNotFound,
    EsiRateLimited,
    NotModified,
)

pytestmark = pytest.mark.django_db

ARIA = 90000001  # 250 wallet journal entries
JOURNAL = "GetCharactersCharacterIdWalletJournal"
ONLINE = "GetCharactersCharacterIdOnline"


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    monkeypatch.setattr(esi_gateway, "BACKOFF_SECONDS", 0.01)


@pytest.fixture
def gateway(make_character):
    make_character(ARIA)
    return EsiGateway(token=Token.objects.get(character_id=ARIA), section="test")


def test_should_follow_all_pages(gateway, fake_eve):
    fake_eve.set_page_size(JOURNAL, 100)

    entries = gateway.get(JOURNAL, character_id=ARIA, paged=True)

    assert len(entries) == 250
    assert len({entry["id"] for entry in entries}) == 250
    assert fake_eve.log.count(route=JOURNAL) == 3
    assert gateway.counter.requests == 3


def test_should_read_the_token_scopes_once_for_all_calls_and_pages(gateway, fake_eve):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fake_eve.set_page_size(JOURNAL, 10)  # 25 pages
    with CaptureQueriesContext(connection) as first_call:
        gateway.get(ONLINE, character_id=ARIA)

    with CaptureQueriesContext(connection) as later_calls:
        entries = gateway.get(JOURNAL, character_id=ARIA, paged=True)
        with pytest.raises(NotModified):  # asked again: the token was still sent
            gateway.get(ONLINE, character_id=ARIA)

    assert len(entries) == 250
    assert fake_eve.log.count(route=JOURNAL) == 25
    scope_queries = [q for q in first_call if "esi_scope" in q["sql"]]
    assert len(scope_queries) == 1
    assert not [q for q in later_calls if "esi_scope" in q["sql"]]


def test_should_still_refuse_a_token_without_the_operations_scope(gateway, fake_eve):
    gateway.token.scopes.remove(*gateway.token.scopes.filter(name__contains="online"))

    with pytest.raises(ValueError, match="Missing Scopes"):
        gateway.get(ONLINE, character_id=ARIA)


def test_should_fail_whole_fetch_when_a_page_fails(gateway, fake_eve):
    fake_eve.set_page_size(JOURNAL, 100)
    fake_eve.faults.add(route=JOURNAL, character_id=ARIA, page=2, status=500)

    with pytest.raises(esi_gateway.EsiUnavailable):
        gateway.get(JOURNAL, character_id=ARIA, paged=True)
    assert gateway.counter.errors == 1


def nine_pages(fake_eve) -> int:
    """Page size that splits Aria's 250 journal entries into 1 + 2 x MAX_REQUESTS_IN_FLIGHT
    pages."""
    pages = 1 + 2 * esi_gateway.MAX_REQUESTS_IN_FLIGHT
    fake_eve.set_page_size(JOURNAL, -(-250 // pages))
    return pages


def test_should_fetch_the_pages_after_the_first_several_at_a_time(gateway, fake_eve, monkeypatch):
    import threading

    limit = esi_gateway.MAX_REQUESTS_IN_FLIGHT
    pages = nine_pages(fake_eve)
    # each later page waits until `limit` of them are in flight: fewer would break the barrier
    barrier = threading.Barrier(limit, timeout=10)
    real_call = EsiGateway._call
    lock = threading.Lock()
    seen = {"in_flight": 0, "most": 0}

    def call(self, operation_id, params, **options):
        if params.get("page", 1) == 1:
            return real_call(self, operation_id, params, **options)
        with lock:
            seen["in_flight"] += 1
            seen["most"] = max(seen["most"], seen["in_flight"])
        try:
            barrier.wait()
            return real_call(self, operation_id, params, **options)
        finally:
            with lock:
                seen["in_flight"] -= 1

    monkeypatch.setattr(EsiGateway, "_call", call)

    entries = gateway.get(JOURNAL, character_id=ARIA, paged=True)

    assert len(entries) == 250
    assert seen["most"] == limit > 1
    answered = fake_eve.log.entries(route=JOURNAL, status=200)
    assert sorted(entry.page for entry in answered) == list(range(1, pages + 1))


def test_should_return_the_rows_of_all_pages_in_page_order(gateway, fake_eve):
    pages = nine_pages(fake_eve)

    entries = gateway.get(JOURNAL, character_id=ARIA, paged=True)

    one_by_one = [
        row
        for page in range(1, pages + 1)
        for row in EsiGateway(token=gateway.token, use_etag=False).get(
            JOURNAL, character_id=ARIA, page=page
        )
    ]
    assert [entry["id"] for entry in entries] == [entry["id"] for entry in one_by_one]


def test_should_fail_whole_fetch_when_the_last_page_fails(gateway, fake_eve):
    pages = nine_pages(fake_eve)
    fake_eve.faults.add(route=JOURNAL, character_id=ARIA, page=pages, status=404)

    with pytest.raises(EsiNotFound):
        gateway.get(JOURNAL, character_id=ARIA, paged=True)


def test_should_fetch_again_in_full_the_unchanged_pages_of_a_changed_list(gateway, fake_eve):
    from django.core.cache import cache

    fake_eve.set_page_size(JOURNAL, 100)
    gateway.get(JOURNAL, character_id=ARIA, paged=True)
    journal = fake_eve.scenario.character(ARIA)["wallet_journal"]
    oldest = min(journal, key=lambda entry: entry["id"])  # on the last page: newest come first
    changed = [{**entry, "amount": 1.5} if entry is oldest else entry for entry in journal]
    fake_eve.scenario.update_character(ARIA, {"wallet_journal": changed})
    cache.delete_pattern("esi_*")
    fake_eve.log.clear()

    entries = gateway.get(JOURNAL, character_id=ARIA, paged=True)

    assert len(entries) == 250
    assert {e["amount"] for e in entries if e["id"] == oldest["id"]} == {1.5}
    unchanged = fake_eve.log.entries(route=JOURNAL, status=304)
    assert sorted(entry.page for entry in unchanged) == [1, 2]
    answered = fake_eve.log.entries(route=JOURNAL, status=200)
    assert sorted(entry.page for entry in answered) == [1, 2, 3]


def test_should_not_send_pages_beyond_the_rate_limit_budget(gateway, fake_eve):
    nine_pages(fake_eve)
    fake_eve.rate_limiter.set_limit("char-wallet", 8)  # page 1 leaves 6 tokens: 3 pages

    with pytest.raises(EsiRateLimited, match="char-wallet"):
        gateway.get(JOURNAL, character_id=ARIA, paged=True)

    assert fake_eve.log.count(route=JOURNAL) == 4
    assert fake_eve.log.count(status=429) == 0


def test_should_report_malformed_body_as_bad_response(gateway, fake_eve):
    fake_eve.faults.add(route=ONLINE, character_id=ARIA, malformed=True)

    with pytest.raises(EsiBadResponse, match="unusable answer"):
        gateway.get(ONLINE, character_id=ARIA)


def test_should_raise_not_modified_for_unchanged_pages(gateway, fake_eve):
    fake_eve.set_page_size(JOURNAL, 100)
    gateway.get(JOURNAL, character_id=ARIA, paged=True)
    from django.core.cache import cache

    cache.delete_pattern("esi_*")

    with pytest.raises(NotModified):
        gateway.get(JOURNAL, character_id=ARIA, paged=True)
    assert fake_eve.log.count(route=JOURNAL, status=304) == 3


def test_should_resolve_different_name_bodies_correctly(gateway):
    """django-esi's response cache ignores POST bodies; the gateway must never use it."""
    first = gateway.post("PostUniverseNames", body=[ARIA], public=True)
    second = gateway.post("PostUniverseNames", body=[98000001], public=True)

    assert [item["id"] for item in first] == [ARIA]
    assert [item["id"] for item in second] == [98000001]


def test_should_translate_404(gateway):
    with pytest.raises(EsiNotFound):
        gateway.post("PostUniverseNames", body=[1], public=True)


def test_should_send_pinned_compatibility_date(gateway, fake_eve):
    gateway.get(ONLINE, character_id=ARIA)
    entry = fake_eve.log.entries(route=ONLINE)[-1]
    assert entry.compatibility_date == esi_gateway.COMPATIBILITY_DATE


def test_should_only_allow_operations_the_app_uses():
    operations = set(esi_gateway.provider()._operations)
    assert "GetCharactersCharacterIdWallet" in operations
    assert "PostCharactersCharacterIdMail" not in operations  # never sends mail
    assert all(op.startswith(("Get", "Post")) for op in operations)


def test_should_refuse_unknown_operation(gateway):
    with pytest.raises(ValueError, match="Unknown ESI operation"):
        gateway.get("GetNothing")


LOCATION = "GetCharactersCharacterIdLocation"  # same rate-limit group as ONLINE: char-location
WALLET = "GetCharactersCharacterIdWallet"  # group char-wallet


def test_should_pause_the_rate_limit_group_for_retry_after_seconds(gateway, fake_eve):
    fake_eve.faults.add(route=ONLINE, character_id=ARIA, status=429, retry_after=1, times=1)

    with pytest.raises(EsiRateLimited, match="429"):
        gateway.get(ONLINE, character_id=ARIA)

    assert 0 < esi_gateway.rate_limit_reset_in("char-location", ARIA) <= 1
    for operation in (ONLINE, LOCATION):  # the whole group waits, without asking ESI
        with pytest.raises(EsiRateLimited, match="char-location.*paused for 1 s"):
            gateway.get(operation, character_id=ARIA)
    assert fake_eve.log.count(route=ONLINE) == 1
    assert fake_eve.log.count(route=LOCATION) == 0
    gateway.get(WALLET, character_id=ARIA)  # other groups go on

    time.sleep(esi_gateway.rate_limit_reset_in("char-location", ARIA) + 0.05)

    assert gateway.get(ONLINE, character_id=ARIA) is not None
    assert fake_eve.log.count(route=ONLINE, status=200) == 1


def test_should_share_a_rate_limit_pause_between_gateways(gateway, fake_eve):
    fake_eve.faults.add(route=ONLINE, character_id=ARIA, status=429, retry_after=30, times=1)
    with pytest.raises(EsiRateLimited):
        gateway.get(ONLINE, character_id=ARIA)

    other = EsiGateway(token=gateway.token, section="other")  # e.g. in another worker
    with pytest.raises(EsiRateLimited):
        other.get(LOCATION, character_id=ARIA)

    assert fake_eve.log.count(route=LOCATION) == 0
    assert 29 < esi_gateway.rate_limit_reset_in("char-location", ARIA) <= 30


def test_should_pause_all_calls_until_the_error_limit_resets_after_a_420(gateway, fake_eve):
    fake_eve.error_limiter.configure(window=17)  # ESI says: the window resets in <= 17 s
    fake_eve.faults.add(route=ONLINE, character_id=ARIA, status=420, times=1)

    with pytest.raises(EsiErrorLimitReached, match="error limit reached"):
        gateway.get(ONLINE, character_id=ARIA)

    assert 0 < esi_gateway.error_limit_reset_in() <= 17
    requests = len(fake_eve.log.entries(kind="esi"))
    with pytest.raises(EsiErrorLimitReached):
        gateway.get(WALLET, character_id=ARIA)
    assert len(fake_eve.log.entries(kind="esi")) == requests


def test_should_keep_the_gateway_modules_below_the_sections():
    """The gateway is handed the operations to load; it never imports the section registry."""
    import ast
    from pathlib import Path

    package = Path(esi_gateway.__file__).parent
    for name in (
        "esi_gateway",
        "esi_batches",
        "esi_client",
        "esi_limits",
        "esi_errors",
        "esi_usage",
    ):
        tree = ast.parse((package / f"{name}.py").read_text())
        imported = {
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        } | {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        assert not any("sections" in module for module in imported), name


def test_should_offer_every_operation_the_sections_declare():
    from memberaudit.esi_client import _operations_to_load
    from memberaudit.sections import registry

    assert set(registry.all_operations()) <= _operations_to_load


# --- batches of independent calls ----------------------------------------------------------

TYPE = "GetUniverseTypesTypeId"  # public, no rate-limit group
BODY = "GetCharactersCharacterIdMailMailId"  # group char-social


def type_calls(fake_eve, count: int) -> list[dict]:
    type_ids = sorted(item["type_id"] for item in fake_eve.scenario.items("types"))
    assert len(type_ids) >= count
    return [{"type_id": type_id} for type_id in type_ids[:count]]


def watch_calls(monkeypatch, fail_on: int | None = None, barrier=None) -> dict:
    """Count the calls of a batch as they happen; optionally fail one or hold them at
    ``barrier`` until as many are in flight as it waits for."""
    import threading

    real_get = EsiGateway.get
    lock = threading.Lock()
    seen = {"sent": [], "in_flight": 0, "most": 0}

    def get(self, operation_id, **params):
        with lock:
            seen["sent"].append(params.get("type_id"))
            seen["in_flight"] += 1
            seen["most"] = max(seen["most"], seen["in_flight"])
        try:
            if barrier is not None:
                barrier.wait()
            if params.get("type_id") == fail_on:
                raise esi_gateway.EsiUnavailable("ESI answered 503", 503)
            return real_get(self, operation_id, **params)
        finally:
            with lock:
                seen["in_flight"] -= 1

    monkeypatch.setattr(EsiGateway, "get", get)
    return seen


def test_should_answer_a_batch_in_order_with_a_bounded_number_in_flight(
    gateway, fake_eve, monkeypatch
):
    import threading

    limit = esi_gateway.MAX_REQUESTS_IN_FLIGHT
    calls = type_calls(fake_eve, 2 * limit)
    # each call waits until `limit` calls are in flight: fewer at once would break the barrier
    seen = watch_calls(monkeypatch, barrier=threading.Barrier(limit, timeout=10))

    answers = gateway.get_each(TYPE, calls, public=True)

    assert [answer.params for answer in answers] == calls
    assert [answer.data["type_id"] for answer in answers] == [c["type_id"] for c in calls]
    assert all(answer.error is None for answer in answers)
    assert seen["most"] == limit > 1
    assert fake_eve.log.count(route=TYPE) == len(calls)


def test_should_stop_a_batch_at_the_first_failure_keeping_what_came_before(
    gateway, fake_eve, monkeypatch
):
    limit = esi_gateway.MAX_REQUESTS_IN_FLIGHT
    calls = type_calls(fake_eve, 3 * limit)
    failing = calls[2]["type_id"]
    seen = watch_calls(monkeypatch, fail_on=failing)

    answers = gateway.get_each(TYPE, calls, public=True)

    assert [answer.params for answer in answers] == calls[:3]
    assert [answer.error for answer in answers[:2]] == [None, None]
    assert isinstance(answers[2].error, esi_gateway.EsiUnavailable)
    # nothing was sent after the failure but what was already in flight
    assert len(seen["sent"]) <= 3 + limit - 1 < len(calls)


def test_should_send_no_further_request_of_a_batch_once_the_error_limit_is_reached(
    gateway, fake_eve
):
    calls = type_calls(fake_eve, 3 * esi_gateway.MAX_REQUESTS_IN_FLIGHT)
    fake_eve.faults.add(route=TYPE, status=420, times=1)

    answers = gateway.get_each(TYPE, calls, public=True, stop=lambda answer: False)

    sent = fake_eve.log.count(route=TYPE)
    assert sent < len(calls)
    assert len(answers) == len(calls)
    paused = [answer for answer in answers if isinstance(answer.error, EsiErrorLimitReached)]
    assert len(paused) == len(calls) - sent + 1  # the 420 itself and every call not sent


def test_should_not_send_calls_of_a_batch_beyond_the_rate_limit_budget(gateway, fake_eve):
    mail_ids = sorted(mail["mail_id"] for mail in fake_eve.scenario.character(ARIA)["mails"])
    calls = [{"character_id": ARIA, "mail_id": mail_id} for mail_id in mail_ids[:5]]
    fake_eve.rate_limiter.set_limit("char-social", 8)
    gateway.get("GetCharactersCharacterIdMail", character_id=ARIA)  # 6 tokens left: 3 calls

    answers = gateway.get_each(BODY, calls)

    assert [answer.error for answer in answers[:3]] == [None, None, None]
    assert len(answers) == 4 and isinstance(answers[3].error, EsiRateLimited)
    assert "char-social" in str(answers[3].error)
    assert fake_eve.log.count(route=BODY) == 3
    assert fake_eve.log.count(status=429) == 0
