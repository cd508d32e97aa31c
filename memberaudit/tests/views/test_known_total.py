"""A searched page whose browser already read how many rows the table has (``total_known=1``,
sent by ``server-tables.js`` once an unsearched page of the same table and filters came back)
does not count every row again: each JSON table of the app answers the same rows and matches
with ``recordsTotal`` left empty, and asks the database for fewer counts."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from memberaudit import query_params
from memberaudit.models import Character, CharacterWalletJournalEntry

from .test_hostile_parameters import app_urls  # noqa: F401 (a fixture of this module's tests)

pytestmark = pytest.mark.django_db

# texts the fixture's rows hold (names, places, journal texts), one no row holds, and others
SEARCHES = st.one_of(
    st.sampled_from(["e", "Own", "Pilot", "Jita", "bounty", "OWN-SHEET", "no such text", "1"]),
    st.text(min_size=1, max_size=8).filter(lambda text: text.strip(" \x00")),
)


@pytest.fixture
def table_urls(app_urls, client):  # noqa: F811
    """The superuser logged in, with journal entries of their character, and the URLs of the
    app that answer a DataTables page."""
    user, urls = app_urls
    character = Character.objects.get(eve_character__character_name="Own Pilot")
    now = timezone.now()
    CharacterWalletJournalEntry.objects.bulk_create(
        CharacterWalletJournalEntry(
            character=character,
            entry_id=number,
            date=now - dt.timedelta(hours=number),
            ref_type="bounty_prizes" if number % 2 else "player_donation",
            amount=number,
            description=f"Entry {number}",
        )
        for number in range(1, 31)
    )
    client.force_login(user)
    found = []
    for url in urls:
        response = client.get(url, {"draw": "1"})
        if response.status_code == 200 and response["Content-Type"] == "application/json":
            body = response.json()
            if isinstance(body, dict) and "recordsTotal" in body:
                found.append(url)
    assert len(found) >= 20
    return found


def page(client, url: str, params: dict) -> tuple[dict, int]:
    """The JSON of one page and how many counts its queries asked of the database."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, url
    counts = sum(query["sql"].upper().count("COUNT(") for query in captured.captured_queries)
    return response.json(), counts


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(search=SEARCHES, start=st.sampled_from(["0", "10"]))
def test_should_answer_a_search_the_same_without_counting_every_row(
    table_urls, client, search, start
):
    fewer = []
    for url in table_urls:
        params = {"draw": "3", "start": start, "length": "10", "search[value]": search}
        counted, counts = page(client, url, params)
        known, counts_known = page(client, url, {**params, "total_known": "1"})

        # not counted, or known without counting (a table that knows its total for free)
        assert known.pop("recordsTotal") in (None, counted.pop("recordsTotal")), url
        assert known == counted, url
        assert counts_known <= counts, url
        if counts_known < counts:
            fewer.append(url)

    if query_params.text({"search[value]": search}, "search[value]"):
        assert len(fewer) >= 15, fewer  # the journal, the report, the finder, ...


def test_should_count_every_row_of_an_unsearched_page_all_the_same(table_urls, client):
    for url in table_urls:
        params = {"draw": "2", "length": "10"}
        counted, _ = page(client, url, params)
        known, _ = page(client, url, {**params, "total_known": "1"})

        assert isinstance(counted["recordsTotal"], int), url
        assert known == counted, url


@pytest.mark.parametrize("value", ["0", "no", "", "2", "yes please"])
def test_should_count_every_row_unless_told_plainly(table_urls, client, value):
    journal = next(url for url in table_urls if url.endswith("/wallet_journal/"))
    params = {"draw": "4", "search[value]": "Entry", "total_known": value}

    answer, _ = page(client, journal, params)

    assert answer["recordsTotal"] == 30
    assert answer["recordsFiltered"] == 30


def test_should_leave_the_journals_count_of_all_entries_out(table_urls, client):
    journal = next(url for url in table_urls if url.endswith("/wallet_journal/"))
    params = {"draw": "5", "search[value]": "bounty"}

    counted, counts = page(client, journal, params)
    known, counts_known = page(client, journal, {**params, "total_known": "1"})

    assert (counted["recordsTotal"], counted["recordsFiltered"]) == (30, 15)
    assert (known["recordsTotal"], known["recordsFiltered"]) == (None, 15)
    assert counts_known == counts - 1
