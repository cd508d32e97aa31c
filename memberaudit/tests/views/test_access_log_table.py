"""How the access log table finds its pages: keys first on the ``viewed_at`` index, related
rows looked up before the entries, and the same rows in the same order as sorting every
entry in the database."""

import copy
import datetime as dt
import importlib
import zoneinfo

import pytest

from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from allianceauth.tests.auth_utils import AuthUtils

from memberaudit import access_log, json_tables, selectors
from memberaudit.models import AccessLogEntry

from ..factories import create_character, create_user, create_user_with_main

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def auditor(client):
    user = create_user_with_main(character_name="Log Auditor")
    AuthUtils.add_permissions_to_user_by_name(["memberaudit.view_access_log"], user)
    client.force_login(user)
    return user


@pytest.fixture
def log():
    """Entries with ties in every sortable column: viewers sharing a main's name, one without
    a main, characters sharing a name, views at the same moment."""
    viewers = [
        create_user_with_main("zed", character_name="Same Main"),
        create_user_with_main("amy", character_name="Same Main"),
        create_user_with_main("bob", character_name="Alpha Main 42"),
        create_user("nomain42"),
    ]
    characters = [
        create_character(character_name="Twin"),
        create_character(character_name="Twin"),
        create_character(character_name="Pilot 42"),
    ]
    sections = ["skills", "overview", "report:unknown", "wallet_journal", "zzz_42"]
    reasons = AccessLogEntry.Reason.values
    for hour in range(6):
        for number, viewer in enumerate(viewers):
            access_log.record(
                viewer,
                [character.pk for character in characters[: 1 + (hour + number) % 3]],
                sections[(hour + number) % len(sections)],
                reasons[(hour * number) % len(reasons)],
                START + dt.timedelta(hours=hour // 2),
            )
    return AccessLogEntry.objects.all()


def params(**values) -> QueryDict:
    query = QueryDict(mutable=True)
    query.update({"draw": "1", "start": "0", "length": "7", **values})
    return query


def sorted_by(name: str, direction: str, **values) -> QueryDict:
    spec = json_tables.access_log(AccessLogEntry.objects.none()).browser_spec()
    index = [column["data"] for column in spec["columns"]].index(name)
    return params(
        **{
            "order[0][column]": str(index),
            "order[0][dir]": direction,
            f"columns[{index}][data]": name,
        },
        **values,
    )


def log_queries(captured) -> list[str]:
    table = AccessLogEntry._meta.db_table
    return [query["sql"] for query in captured if table in query["sql"]]


def test_should_find_a_page_without_joining_viewers_characters_or_sort_labels(client, auditor, log):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("memberaudit:access_log_data"), {"length": "5"})

    assert response.status_code == 200
    assert len(response.json()["data"]) == 5
    queries = log_queries(captured)
    ordered = [sql for sql in queries if "ORDER BY" in sql]
    assert len(ordered) == 1
    assert "JOIN" not in ordered[0] and "CASE" not in ordered[0]
    assert all("CASE" not in sql for sql in queries)
    counts = [sql for sql in queries if "COUNT(" in sql]
    assert counts and all("JOIN" not in sql for sql in counts)


@pytest.mark.parametrize(
    "column", ["viewed_at", "viewer", "viewer_username", "character", "opened", "reason"]
)
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_should_give_the_rows_of_sorting_every_entry_in_the_database(log, column, direction):
    table = json_tables.access_log(selectors.access_log_entries())
    naive = copy.copy(table)
    naive.keys_first = False  # every entry joined and sorted by the database

    for start in range(0, log.count() + 7, 7):
        asked = sorted_by(column, direction, start=str(start))
        assert table.page(asked)["data"] == naive.page(asked)["data"], start
    for text in ("42", "same", "twin", "amy", "report"):
        asked = sorted_by(column, direction, **{"search[value]": text, "length": "100"})
        assert table.page(asked) == naive.page(asked), text


def test_should_search_viewers_usernames_characters_and_sections(log):
    table = json_tables.access_log(selectors.access_log_entries())

    found = table.page(params(**{"search[value]": "42", "length": "100"}))

    def texts(entry: AccessLogEntry) -> list[str]:
        main = entry.viewer.profile.main_character
        return [
            main.character_name if main else "",
            entry.viewer.username,
            entry.character.eve_character.character_name,
            entry.section,
        ]

    expected = [entry for entry in log if any("42" in text for text in texts(entry))]
    assert expected
    assert found["recordsFiltered"] == len(expected) == len(found["data"])
    assert found["recordsTotal"] == log.count()


@pytest.mark.parametrize("listed", [1000, 0])
def test_should_find_the_viewers_and_characters_a_search_matches_once(log, listed, monkeypatch):
    module = importlib.import_module("memberaudit.json_tables.access_log")
    monkeypatch.setattr(module, "MAX_LISTED_MATCHES", listed)
    table = json_tables.access_log(selectors.access_log_entries())
    naive = copy.copy(table)
    naive.keys_first = False

    with CaptureQueriesContext(connection) as captured:
        found = table.page(params(**{"search[value]": "42", "length": "100"}))

    assert found == naive.page(params(**{"search[value]": "42", "length": "100"}))
    assert found["recordsFiltered"] > 0
    names_read = [
        sql
        for sql in log_queries(captured)
        if "COUNT(" in sql and ("character_name" in sql or "username" in sql)
    ]
    # few matches: the page's query and its count get their keys, not the names to read again
    assert bool(names_read) == (listed == 0)


def test_should_filter_since_the_start_of_a_day_in_the_current_time_zone(client, auditor):
    viewer = create_user_with_main()
    character = create_character()
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    midnight = dt.datetime(2026, 3, 2, tzinfo=tokyo)
    access_log.record(viewer, [character.pk], "before", "share", midnight - dt.timedelta(0, 1))
    access_log.record(viewer, [character.pk], "at", "share", midnight)
    access_log.record(viewer, [character.pk], "after", "share", midnight + dt.timedelta(1))

    with timezone.override(tokyo), CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("memberaudit:access_log_data"), {"since": "2026-03-02"})

    assert sorted(row["section"] for row in response.json()["data"]) == ["after", "at"]
    # a range on the viewed_at index, not the day of every entry
    queries = log_queries(captured)
    assert queries
    assert all("cast_date" not in sql and "DATE(" not in sql for sql in queries)
