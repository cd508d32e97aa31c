"""The read API costs a constant number of queries, whatever the number of characters and
rows, and logging a read of someone else's character costs at most one more."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from memberaudit.models import AccessLogEntry

from ..views.test_query_counts import add_characters, add_rows, user_with_main
from .conftest import API_PERMISSIONS, character_url, characters_url, dataset_url

pytestmark = pytest.mark.django_db

FEW_CHARACTERS, MANY_CHARACTERS = 3, 30
FEW_ROWS, MANY_ROWS = 20, 600
# Measured on SQLite: the token with its user, the user's permissions, the access decision,
# the rows (a large table: the page's keys with their count, then its rows by key); one more
# to log a read of someone else's character
MAX_QUERIES = {"list": 8, "summary": 8, "table_dataset": 9, "stored_dataset": 9}


def endpoints(character) -> dict[str, str]:
    return {
        "list": characters_url(),
        "summary": character_url(character.pk),
        "table_dataset": dataset_url(character.pk, "wallet_journal", "wallet_journal"),
        "stored_dataset": dataset_url(character.pk, "medals", "medals"),
    }


def count_queries(call, url, token) -> int:
    with CaptureQueriesContext(connection) as context:
        response = call(url, token)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.fixture
def auditor():
    return user_with_main(
        *API_PERMISSIONS, "memberaudit.characters_access", "memberaudit.view_everything"
    )


@pytest.mark.parametrize("name", list(MAX_QUERIES))
def test_should_cost_the_same_queries_for_few_and_many_characters_and_rows(
    name, auditor, call, token_of, settings
):
    settings.MEMBERAUDIT_API_RATE_LIMIT = 1000
    first = add_characters(auditor, FEW_CHARACTERS)[0]
    add_rows(first, FEW_ROWS)
    url = endpoints(first)[name]
    token = token_of(auditor)
    call(url, token)
    few = count_queries(call, url, token)

    add_characters(auditor, MANY_CHARACTERS - FEW_CHARACTERS)
    add_rows(first, MANY_ROWS - FEW_ROWS, first_id=100_000)
    many = count_queries(call, url, token)

    print(f"{name}: {few} queries with few characters and rows, {many} with many")
    assert many == few
    assert many <= MAX_QUERIES[name]


@pytest.mark.parametrize("name", list(MAX_QUERIES))
def test_should_cost_at_most_one_query_more_to_log_a_read_of_someone_elses_character(
    name, auditor, call, token_of, settings
):
    settings.MEMBERAUDIT_API_RATE_LIMIT = 1000
    owner = user_with_main(*API_PERMISSIONS)
    character = add_characters(owner, 1)[0]
    add_rows(character, FEW_ROWS)
    url = endpoints(character)[name]
    owner_token = token_of(owner)
    call(url, owner_token)
    by_owner = count_queries(call, url, owner_token)

    auditor_token = token_of(auditor)
    call(url, auditor_token)
    by_auditor = count_queries(call, url, auditor_token)

    print(f"{name}: {by_owner} queries for the owner, {by_auditor} for an auditor")
    assert by_auditor <= by_owner + 1
    assert AccessLogEntry.objects.filter(viewer=auditor, character=character).exists()
    assert not AccessLogEntry.objects.filter(viewer=owner).exists()
