"""Each section's data through the API: every section of the registry has datasets, each
dataset pages through its rows, and the rows are plain JSON values."""

import datetime as dt

import pytest

from memberaudit import updater
from memberaudit.api_datasets import plain, section_datasets, stored_relations
from memberaudit.models import CharacterWalletJournalEntry
from memberaudit.sections import registry

from ..factories import create_character
from .conftest import api_user, character_url, characters_url, dataset_url

pytestmark = pytest.mark.django_db

DAX = 90000004


def test_every_section_has_a_dataset():
    missing = [section.name for section in registry if not section_datasets(section)]

    assert not missing, (
        f"sections {missing} have no viewer table and no stored relation named like them: "
        "declare Section(stored=(...)) with the Character relations that hold their rows"
    )


def test_every_stored_relation_exists():
    from memberaudit.models import Character

    accessors = {relation.get_accessor_name() for relation in Character._meta.related_objects}
    for section in registry:
        assert set(stored_relations(section)) <= accessors, section.name


@pytest.fixture
def dax(make_character):
    """Dax Morrow with every section loaded from the fake EVE server, owned by an API user."""
    user = api_user()
    character = make_character(DAX, user=user)
    for section in registry:
        outcome = updater.update_section(character, section.name)
        assert outcome.is_success, f"{section.name}: {outcome.message}"
    return user, character


@pytest.mark.integration
def test_should_serve_rows_of_every_dataset_of_every_section(dax, call, token_of, settings):
    settings.MEMBERAUDIT_API_RATE_LIMIT = 10_000
    user, character = dax
    plain_token = token_of(user)
    summary = call(character_url(character.pk), plain_token).json()
    counts = {}

    for section in summary["sections"]:
        assert section["datasets"], section["name"]
        assert section["is_success"] is True, section["name"]
        for dataset, url in section["datasets"].items():
            response = call(url, plain_token, limit=2)
            assert response.status_code == 200, url
            body = response.json()
            assert (body["section"], body["dataset"]) == (section["name"], dataset)
            assert len(body["results"]) == min(2, body["count"])
            counts[(section["name"], dataset)] = body["count"]

    assert [row["name"] for row in summary["sections"]] == registry.names()
    for loaded in [("location", "location"), ("ship", "ship"), ("skills", "skills")]:
        assert counts[loaded] >= 1, loaded


def journal_rows(character, count):
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    CharacterWalletJournalEntry.objects.bulk_create(
        CharacterWalletJournalEntry(
            character=character,
            entry_id=number,
            date=now - dt.timedelta(minutes=number),
            ref_type="player_donation",
            amount=number,
            balance=1000 + number,
            description=f"row {number}",
        )
        for number in range(1, count + 1)
    )


def test_should_page_through_a_dataset_without_gaps_or_repeats(call, token_of):
    user = api_user()
    character = create_character(user=user)
    journal_rows(character, 23)
    url = dataset_url(character.pk, "wallet_journal", "wallet_journal")
    plain_token = token_of(user)

    seen, pages, next_url = [], 0, f"{url}?limit=5"
    while next_url:
        body = call(next_url, plain_token).json()
        seen += [row["description"] for row in body["results"]]
        next_url = body["next"]
        pages += 1

    assert pages == 5
    assert body["count"] == 23
    assert seen == [f"row {number}" for number in range(1, 24)]  # newest first, as the viewer


def test_should_serve_stored_rows_field_by_field(call, token_of):
    """A section without a viewer table (skills) gives its stored rows: ids, names, numbers."""
    from memberaudit.models import CharacterSkill

    from ..factories import create_item_type

    user = api_user()
    character = create_character(user=user)
    skill_type = create_item_type(type_id=3300, name="Gunnery")
    CharacterSkill.objects.create(
        character=character,
        eve_type=skill_type,
        active_skill_level=4,
        trained_skill_level=5,
        skillpoints_in_skill=256_000,
    )

    body = call(dataset_url(character.pk, "skills", "skills"), token_of(user)).json()

    assert body["count"] == 1
    (row,) = body["results"]
    assert row["eve_type_id"] == 3300
    assert row["eve_type_name"] == "Gunnery"
    assert (row["active_skill_level"], row["skillpoints_in_skill"]) == (4, 256_000)
    assert "character_id" not in row and "id" not in row


def test_should_page_the_character_list_by_name(call, token_of):
    user = api_user("memberaudit.characters_access", "memberaudit.view_everything")
    names = [f"Pilot {letter}" for letter in "EDCBA"]
    for name in names:
        create_character(character_name=name)
    plain_token = token_of(user)

    first = call(characters_url(), plain_token, limit=2).json()
    rest = call(first["next"], plain_token).json()

    everyone = call(characters_url(), plain_token, limit=500).json()
    in_order = [row["name"] for row in everyone["results"]]
    assert in_order == sorted(in_order)
    assert [row["name"] for row in first["results"] + rest["results"]] == in_order[:4]
    assert first["count"] == everyone["count"] == len(in_order)


@pytest.mark.parametrize(
    "params, name",
    [
        ({"offset": "-1"}, "offset"),
        ({"offset": "abc"}, "offset"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "99999999999999999999999"}, "limit"),
        ({"limit": "1.5"}, "limit"),
    ],
)
def test_should_answer_400_for_bad_paging(call, token_of, params, name):
    user = api_user()
    character = create_character(user=user)
    plain_token = token_of(user)

    for url in (characters_url(), dataset_url(character.pk, "skills", "skills")):
        response = call(url, plain_token, **params)

        assert response.status_code == 400, url
        assert response.json()["error"].startswith(f"{name}:")


@pytest.mark.parametrize(
    "value, expected",
    [
        (dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "2026-01-02T03:04:05+00:00"),
        (dt.date(2026, 1, 2), "2026-01-02"),
        (dt.timedelta(minutes=2), 120.0),
        (__import__("decimal").Decimal("1.50"), 1.5),
        ("text", "text"),
        (None, None),
    ],
)
def test_should_turn_stored_values_into_json_values(value, expected):
    assert plain(value) == expected
