"""What a refresh costs the database: a section whose data did not change is refreshed with
its status row written at the start and at the end and its token read once, whatever the
section."""

import dataclasses
import re

import pytest

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from esi.models import Token

from fake_eve.tokens import create_token
from memberaudit import heartbeats, tasks, updater
from memberaudit.models import SectionUpdateStatus
from memberaudit.scopes import REGISTRATION_SCOPES
from memberaudit.sections import registry

pytestmark = pytest.mark.django_db

ARIA = 90000001
WALLET_SCOPE = "esi-wallet.read_character_wallet.v1"
# Tables the update path itself reads and writes, whatever the section: the status row, the
# token and its scopes, the character and its owner.
MACHINERY = re.compile(
    r"[`\"](memberaudit_sectionupdatestatus|esi_token|esi_scope|esi_token_scopes|auth_user"
    r"|eveonline_evecharacter|authentication_characterownership|memberaudit_character)[`\"]"
)
# The start write, the token (its scopes come from the cache) and the outcome write.
MACHINERY_QUERIES_PER_SECTION = 3
# The sections' own reads to tell that nothing changed, e.g. the newest stored transaction.
OWN_QUERIES_IN_ALL = 11


def expire_esi_answers() -> None:
    cache.delete_pattern("esi_*")  # cached answers expired, ETags still known


@pytest.fixture
def refreshed_character(make_character, fake_eve):
    """Aria with every section stored once, and ESI's cached answers expired."""
    character = make_character(ARIA)
    for section in registry:
        outcome = updater.update_section(character, section.name)
        assert outcome.is_success, f"{section.name}: {outcome.message}"
    expire_esi_answers()
    return character


def machinery_queries(queries) -> list[str]:
    return [query["sql"] for query in queries if MACHINERY.search(query["sql"])]


def test_should_refresh_unchanged_sections_with_three_queries_of_the_update_path_each(
    refreshed_character,
):
    totals = {}
    for section in registry:
        with CaptureQueriesContext(connection) as queries:
            outcome = updater.update_section(refreshed_character, section.name)

        assert outcome.is_success and not outcome.changed, f"{section.name}: {outcome.message}"
        machinery = machinery_queries(queries.captured_queries)
        assert len(machinery) <= MACHINERY_QUERIES_PER_SECTION, (section.name, machinery)
        totals[section.name] = len(queries.captured_queries)

    budget = MACHINERY_QUERIES_PER_SECTION * len(registry) + OWN_QUERIES_IN_ALL
    assert sum(totals.values()) <= budget, totals


def test_should_refresh_an_unchanged_section_from_its_task_in_four_queries(
    refreshed_character, django_assert_max_num_queries
):
    # the character with its owner, the start write, the token, the outcome write
    with django_assert_max_num_queries(4):
        assert tasks.update_section(refreshed_character.pk, "wallet_balance")

    row = SectionUpdateStatus.objects.get(character=refreshed_character, section="wallet_balance")
    assert row.is_success and not row.is_in_progress and row.esi_not_modified == 1


def test_should_read_a_tokens_scopes_once_for_the_runs_of_all_sections(make_character, fake_eve):
    character = make_character(ARIA)
    runs = []
    for name in ("wallet_balance", "online_status", "skills"):
        with CaptureQueriesContext(connection) as queries:
            assert updater.update_section(character, name).is_success
        runs.append([q["sql"] for q in queries.captured_queries if "esi_token_scopes" in q["sql"]])

    assert [len(scope_queries) for scope_queries in runs] == [1, 0, 0]


def test_should_use_a_new_token_with_more_scopes_at_once(make_character, fake_eve):
    scopes = [scope for scope in REGISTRATION_SCOPES if scope != WALLET_SCOPE]
    character = make_character(ARIA, scopes=scopes)
    refused = updater.update_section(character, "wallet_balance")
    assert not refused.is_success and WALLET_SCOPE in refused.message

    create_token(fake_eve, ARIA, character.owner, list(REGISTRATION_SCOPES))
    outcome = updater.update_section(character, "wallet_balance")

    assert outcome.is_success, outcome.message


def test_should_hand_the_token_over_with_all_its_scope_names(make_character, fake_eve):
    character = make_character(ARIA)

    token = updater.find_token(character, registry.get("location"))

    # also scopes the section does not require, e.g. for structures it may look up
    stored = set(Token.objects.get(pk=token.pk).scopes.values_list("name", flat=True))
    assert set(token.scope_names) == stored


def test_should_show_the_run_in_progress_while_it_runs(refreshed_character, monkeypatch):
    section = registry.get("wallet_balance")
    seen = []

    def fetch(character, gateway):
        row = SectionUpdateStatus.objects.get(character=character, section=section.name)
        seen.append((row.is_in_progress, row.is_running))
        return real_fetch(character, gateway)

    real_fetch = section.fetch
    monkeypatch.setitem(registry._sections, section.name, dataclasses.replace(section, fetch=fetch))

    outcome = updater.update_section(refreshed_character, section.name)

    assert outcome.is_success
    assert seen == [(True, True)]
    row = SectionUpdateStatus.objects.get(character=refreshed_character, section=section.name)
    assert not row.is_in_progress


def test_should_leave_a_run_that_died_in_progress_for_the_stuck_detection(
    refreshed_character, monkeypatch
):
    section = registry.get("wallet_balance")

    class WorkerKilled(BaseException):
        """Not an Exception: nothing in the update path records it, as with a killed worker."""

    def fetch(character, gateway):
        raise WorkerKilled()

    monkeypatch.setitem(registry._sections, section.name, dataclasses.replace(section, fetch=fetch))
    with pytest.raises(WorkerKilled):
        updater.update_section(refreshed_character, section.name)

    row = SectionUpdateStatus.objects.get(character=refreshed_character, section=section.name)
    assert row.is_in_progress and row.is_success  # the last outcome, with a newer start
    assert updater.recover_interrupted_runs(refreshed_character) == [section.name]
    assert heartbeats.running_sections(refreshed_character.pk, [section.name]) == set()


def test_should_create_the_status_row_at_the_first_run(make_character, fake_eve):
    character = make_character(ARIA)

    with CaptureQueriesContext(connection) as queries:
        outcome = updater.update_section(character, "wallet_balance")

    assert outcome.is_success
    row = SectionUpdateStatus.objects.get(character=character, section="wallet_balance")
    assert row.is_success and row.started_at <= row.finished_at and row.content_hash
    # two start writes finding no row, its creation (a read and an insert), the outcome write:
    # the last outcome of a row just created is not read
    table = SectionUpdateStatus._meta.db_table
    status_queries = [q["sql"] for q in queries.captured_queries if table in q["sql"]]
    assert len(status_queries) == 5, status_queries


@pytest.mark.django_db(transaction=True)
def test_should_record_the_start_on_a_fresh_connection_when_the_connection_dropped(
    make_character, fake_eve, drop_connection_once
):
    character = make_character(ARIA)
    assert updater.update_section(character, "wallet_balance").is_success
    expire_esi_answers()
    # the write of the start meets a connection the server dropped
    failures = drop_connection_once(
        SectionUpdateStatus, lambda fields: set(fields) == {"started_at"}
    )

    outcome = updater.update_section(character, "wallet_balance")

    assert outcome.is_success and failures
    assert fake_eve.log.count(route="GetCharactersCharacterIdWallet", status=304) == 1
    row = SectionUpdateStatus.objects.get(character=character, section="wallet_balance")
    assert row.is_success and not row.is_in_progress
