"""Every page and JSON endpoint costs a constant number of queries: measured with one
character and a few rows, then held to the same bound with 50 characters and 10,000 rows."""

import datetime as dt

import pytest

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from allianceauth.tests.auth_utils import AuthUtils
from eveuniverse.models import EveEntity

from memberaudit.models import (
    Character,
    CharacterContact,
    CharacterSkillpoints,
    CharacterWalletBalance,
    CharacterWalletJournalEntry,
)

from ..factories import create_character, create_user_with_main, mark_sections

pytestmark = pytest.mark.django_db

MANY_CHARACTERS = 50
MANY_ROWS = 10_000


def user_with_main(*permissions):
    user = create_user_with_main()
    AuthUtils.add_permissions_to_user_by_name(list(permissions), user)
    return User.objects.get(pk=user.pk)


def add_characters(user, count) -> list[Character]:
    characters = [create_character(user=user) for _ in range(count)]
    CharacterWalletBalance.objects.bulk_create(
        [CharacterWalletBalance(character=c, total=1000) for c in characters]
    )
    CharacterSkillpoints.objects.bulk_create(
        [CharacterSkillpoints(character=c, total=5_000_000) for c in characters]
    )
    for character in characters:
        mark_sections(character)
    return characters


def add_rows(character, count, first_id=1):
    now = timezone.now()
    CharacterWalletJournalEntry.objects.bulk_create(
        [
            CharacterWalletJournalEntry(
                character=character,
                entry_id=first_id + index,
                date=now - dt.timedelta(minutes=index),
                ref_type="player_donation",
                amount=index,
                balance=index,
                description=f"entry {index}",
            )
            for index in range(count)
        ],
        batch_size=2000,
    )
    entities = EveEntity.objects.bulk_create(
        [
            EveEntity(
                id=3_000_000_000 + first_id + index, name=f"Contact {index}", category="character"
            )
            for index in range(count)
        ],
        batch_size=2000,
    )
    CharacterContact.objects.bulk_create(
        [CharacterContact(character=character, eve_entity=e, standing=5) for e in entities],
        batch_size=2000,
    )


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(context.captured_queries)


PAGE_PARAMS = {
    "draw": "1",
    "start": "5",
    "length": "50",
    "search[value]": "1",
    "order[0][column]": "0",
    "order[0][dir]": "desc",
}


@pytest.fixture
def pilot():
    return user_with_main(
        "memberaudit.finder_access",
        "memberaudit.characters_access",
        "memberaudit.view_everything",
    )


def endpoints(character):
    return {
        "launcher": (reverse("memberaudit:launcher"), None),
        "viewer": (reverse("memberaudit:character_viewer", args=[character.pk]), None),
        "tab": (reverse("memberaudit:character_tab", args=[character.pk, "skills"]), None),
        "journal": (
            reverse("memberaudit:character_data", args=[character.pk, "wallet_journal"]),
            PAGE_PARAMS,
        ),
        "contacts": (
            reverse("memberaudit:character_data", args=[character.pk, "contacts"]),
            PAGE_PARAMS,
        ),
        "finder": (reverse("memberaudit:finder"), None),
        "finder_data": (reverse("memberaudit:finder_data"), PAGE_PARAMS),
    }


# Measured on SQLite, Alliance Auth's own queries for the session, user and menu (about ten
# per page) included; the bound holds for any number of characters and rows.
MAX_QUERIES = {
    "launcher": 18,
    "viewer": 33,
    "tab": 14,
    "journal": 14,
    "contacts": 15,
    "finder": 20,
    "finder_data": 13,
}


@pytest.mark.parametrize("name", list(MAX_QUERIES))
def test_should_cost_the_same_queries_for_few_and_many_characters_and_rows(
    name, pilot, client, django_assert_max_num_queries
):
    client.force_login(pilot)
    first = add_characters(pilot, 1)[0]
    add_rows(first, 20)
    url, params = endpoints(first)[name]
    client.get(url, params or {})  # Alliance Auth builds its menu on the first page view
    few = count_queries(client, url, params)

    add_characters(pilot, MANY_CHARACTERS - 1)
    add_rows(first, MANY_ROWS - 20, first_id=100_000)
    many = count_queries(client, url, params)

    print(f"{name}: {few} queries with one character, {many} with {MANY_CHARACTERS}")
    assert many == few
    with django_assert_max_num_queries(MAX_QUERIES[name]):
        client.get(url, params or {})
