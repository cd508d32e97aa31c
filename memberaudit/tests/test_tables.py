import pytest

from memberaudit.models import Character
from memberaudit.tables import MAX_PAGE_LENGTH, Column, ServerSideTable

from .factories import create_character

pytestmark = pytest.mark.django_db


def table():
    return ServerSideTable(
        Character.objects.all(),
        [
            Column(
                "name",
                lambda c: c.name,
                "eve_character__character_name",
                "eve_character__character_name",
            ),
            Column("id", lambda c: c.character_id, "eve_character__character_id"),
        ],
    )


@pytest.fixture
def characters():
    names = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    return [create_character(character_name=name) for name in names]


def test_should_page(characters):
    result = table().page({"draw": "3", "start": "1", "length": "2"})
    assert result["draw"] == 3
    assert result["recordsTotal"] == result["recordsFiltered"] == 5
    assert len(result["data"]) == 2


def test_should_sort_descending(characters):
    result = table().page({"order[0][column]": "0", "order[0][dir]": "desc", "length": "10"})
    assert [row["name"] for row in result["data"]] == ["Echo", "Delta", "Charlie", "Bravo", "Alpha"]


def test_should_search_searchable_columns(characters):
    result = table().page({"search[value]": "ha"})
    assert [row["name"] for row in result["data"]] == ["Alpha", "Charlie"]
    assert result["recordsFiltered"] == 2 and result["recordsTotal"] == 5


def test_should_ignore_bad_parameters(characters):
    result = table().page({"start": "x", "length": "-5", "order[0][column]": "99"})
    assert len(result["data"]) == 5


def test_should_cap_page_length(characters):
    result = table().page({"length": str(MAX_PAGE_LENGTH * 10)})
    assert len(result["data"]) == 5


def test_should_use_constant_queries(django_assert_num_queries, characters):
    with django_assert_num_queries(3):
        table().page({"search[value]": "a", "length": "2"})
