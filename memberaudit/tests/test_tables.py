import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.db import connection
from django.db.models import IntegerField
from django.test.utils import CaptureQueriesContext

from memberaudit import tables
from memberaudit.models import Character
from memberaudit.query_params import InvalidParameter
from memberaudit.tables import MAX_PAGE_LENGTH, Column, ServerSideTable

from .factories import create_character

pytestmark = pytest.mark.django_db


def table(keys_first=False, count_with_keys=True, queryset=None, total=None):
    return ServerSideTable(
        Character.objects.select_related("eve_character") if queryset is None else queryset,
        [
            Column("url", lambda c: f"/character/{c.pk}/"),  # a field only, not shown
            Column(
                "name",
                lambda c: c.name,
                "eve_character__character_name",
                "eve_character__character_name",
                title="Name",
            ),
            Column("id", lambda c: c.character_id, "eve_character__character_id", title="ID"),
        ],
        default_order="-eve_character__character_id",
        keys_first=keys_first,
        count_with_keys=count_with_keys,
        total=total,
    )


def page_params(start, length, column, direction, search):
    return {
        "start": str(start),
        "length": str(length),
        "order[0][column]": column,
        "order[0][dir]": direction,
        "search[value]": search,
    }


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
    assert {row["name"] for row in result["data"]} == {"Alpha", "Charlie"}
    assert result["recordsFiltered"] == 2 and result["recordsTotal"] == 5


def test_should_ignore_a_negative_length_and_an_unknown_column(characters):
    result = table().page({"length": "-5", "order[0][column]": "99"})
    assert len(result["data"]) == 5


@pytest.mark.parametrize("start", ["x", "-1", "1.5", "99999999999999999999999"])
def test_should_refuse_a_malformed_start(characters, start):
    with pytest.raises(InvalidParameter, match="start"):
        table().page({"start": start})


def test_should_cap_page_length(characters):
    result = table().page({"length": str(MAX_PAGE_LENGTH * 10)})
    assert len(result["data"]) == 5


def test_should_use_constant_queries(django_assert_num_queries, characters):
    with django_assert_num_queries(3):
        table().page({"search[value]": "a", "length": "2"})


def test_should_number_only_the_shown_columns_when_sorting_by_index(characters):
    result = table().page({"order[0][column]": "1", "order[0][dir]": "asc"})
    ids = [row["id"] for row in result["data"]]
    assert ids == sorted(ids)


def test_should_sort_by_the_column_the_request_names(characters):
    params = {"order[0][column]": "0", "order[0][dir]": "desc", "columns[0][data]": "name"}
    result = table().page(params)
    assert [row["name"] for row in result["data"]] == ["Echo", "Delta", "Charlie", "Bravo", "Alpha"]


def test_should_ignore_a_sort_by_a_column_that_is_not_shown(characters):
    params = {"order[0][column]": "0", "order[0][dir]": "asc", "columns[0][data]": "url"}
    result = table().page(params)  # falls back to the default order: newest id first
    ids = [row["id"] for row in result["data"]]
    assert ids == sorted(ids, reverse=True)


def test_should_send_the_browser_only_shown_columns_and_the_default_order():
    spec = table().browser_spec()
    assert [column["data"] for column in spec["columns"]] == ["name", "id"]
    assert spec["columns"][0] == {
        "data": "name",
        "title": "Name",
        "orderable": True,
        "searchable": True,
        "render": "text",
        "priority": 5,
        "align": "start",
        "details": False,
    }
    assert spec["order"] == [[1, "desc"]]


def test_should_refuse_an_unknown_renderer():
    with pytest.raises(ValueError):
        Column("x", lambda row: row, render="html")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.integers(min_value=0, max_value=6),
    length=st.integers(min_value=1, max_value=6),
    column=st.sampled_from(["0", "1"]),
    direction=st.sampled_from(["asc", "desc"]),
    search=st.sampled_from(["", "a", "ha", "zz"]),
)
def test_should_give_the_same_pages_when_finding_keys_first(
    characters, start, length, column, direction, search
):
    params = page_params(start, length, column, direction, search)

    assert table(keys_first=True).page(params) == table().page(params)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.integers(min_value=0, max_value=6),
    length=st.integers(min_value=1, max_value=4),
    ahead=st.integers(min_value=0, max_value=3),
    column=st.sampled_from(["0", "1"]),
    direction=st.sampled_from(["asc", "desc"]),
    search=st.text(alphabet="aehlrtoZ9", min_size=1, max_size=3),
)
def test_should_give_the_rows_of_a_search_whether_its_matches_are_few_or_many(
    characters, monkeypatch, start, length, ahead, column, direction, search
):
    """The keys of a search's matches are read in the page's order, up to a count past the
    page: when they end before it, they are all counted; else there are "more"."""
    monkeypatch.setattr(tables, "SEARCH_COUNT_AHEAD", ahead)
    params = page_params(start, length, column, direction, search)
    plain = table().page(params)

    page = table(keys_first=True).page(params)

    assert page["data"] == plain["data"]
    assert page["recordsTotal"] == plain["recordsTotal"] == len(characters)
    if plain["recordsFiltered"] > start + length + ahead:
        assert page["recordsFiltered"] == start + length + ahead
        assert page["recordsFilteredMore"] is True
    else:
        assert page["recordsFiltered"] == plain["recordsFiltered"]
        assert "recordsFilteredMore" not in page


@pytest.mark.parametrize("search", ["Delta", "zz", "a"])
def test_should_ask_a_search_of_the_rows_once_for_the_page_and_its_count(characters, search):
    """A text few rows hold is searched in one pass over the rows: not once for the page
    and again for its count."""
    with CaptureQueriesContext(connection) as queries:
        table(keys_first=True).page({"search[value]": search, "length": "2"})

    searched = [query["sql"] for query in queries if "LIKE" in query["sql"].upper()]
    assert len(searched) == 1
    assert searched[0].upper().count("LIKE") == 1


def test_should_load_a_page_found_keys_first_in_constant_queries(
    django_assert_num_queries, characters
):
    """The counts, the page's keys, then its rows: one query more than the plain pager."""
    with django_assert_num_queries(4):
        table(keys_first=True, count_with_keys=False).page({"search[value]": "a", "length": "2"})


@pytest.mark.parametrize(
    "params",
    [
        {"length": "2"},
        {"start": "4", "length": "2"},
        {"start": "10", "length": "2"},  # past the end
        {"search[value]": "ha", "length": "1"},
        {"search[value]": "ha", "start": "5"},
        {"search[value]": "nobody"},
        {"order[0][column]": "0", "order[0][dir]": "asc", "start": "1"},
    ],
)
def test_should_count_with_the_keys_as_a_separate_count_does(characters, params):
    counted_apart = table(keys_first=True, count_with_keys=False).page(params)

    with CaptureQueriesContext(connection) as queries:
        counted_with_keys = table(keys_first=True).page(params)

    assert counted_with_keys == counted_apart
    if counted_with_keys["data"]:
        # the counts (of the rows found and, searched, of all) and the page's keys (searched:
        # the keys of the matches, of which the page is a slice) are one query, then its rows
        assert len(queries) == 2


def test_should_count_with_the_keys_by_default_without_a_window_over_every_row(characters):
    """A window count would make the database read and sort every row for any page."""
    with CaptureQueriesContext(connection) as queries:
        table(keys_first=True).page({"length": "2"})

    assert len(queries) == 2
    assert "OVER" not in queries[0]["sql"].upper()


def test_should_count_a_search_only_so_far_past_its_page_and_say_there_are_more(
    characters, monkeypatch
):
    """Four names contain "a": with one row per page and one counted past it, the count
    stops at two and the page says there are more."""
    monkeypatch.setattr(tables, "SEARCH_COUNT_AHEAD", 1)

    page = table(keys_first=True).page({"search[value]": "a", "length": "1"})

    assert page["recordsFiltered"] == 2 and page["recordsFilteredMore"] is True
    assert page["recordsTotal"] == 5
    assert len(page["data"]) == 1


def test_should_count_a_search_exactly_when_its_matches_end_before_the_count_stops(
    characters, monkeypatch
):
    monkeypatch.setattr(tables, "SEARCH_COUNT_AHEAD", 1)
    plain = table().page({"search[value]": "a", "start": "2", "length": "2"})

    page = table(keys_first=True).page({"search[value]": "a", "start": "2", "length": "2"})

    assert page == plain
    assert page["recordsFiltered"] == 4 and "recordsFilteredMore" not in page


def scoped_as_the_finder(characters, as_list: bool):
    """The characters but the first, chosen as the finder's scope is: by key from a list (as on
    MariaDB) or from a union of rules (as on SQLite)."""
    keys = Character.objects.order_by().values_list("pk", flat=True)
    rules = keys.filter(pk__in=[c.pk for c in characters[1:3]]).union(
        keys.filter(pk__in=[c.pk for c in characters[3:]])
    )
    scope = list(rules) if as_list else rules
    return Character.objects.select_related("eve_character").filter(pk__in=scope)


@pytest.mark.parametrize("as_list", [True, False])
@pytest.mark.parametrize(
    "params",
    [
        {"length": "2"},
        {"start": "2", "length": "2"},
        {"start": "10", "length": "2"},  # past the end
        {"search[value]": "a", "length": "1"},
        {"search[value]": "nobody"},
    ],
)
def test_should_count_a_scope_chosen_by_key_with_the_keys_as_a_separate_count_does(
    characters, params, as_list
):
    """The finder's case: its scope is a list of keys or a union of rules, counted inside
    the query of the page's keys (no window over every row)."""
    scoped = scoped_as_the_finder(characters, as_list)
    counted_apart = table(keys_first=True, count_with_keys=False, queryset=scoped).page(params)

    with CaptureQueriesContext(connection) as queries:
        page = table(keys_first=True, queryset=scoped).page(params)

    assert page == counted_apart
    assert counted_apart["recordsTotal"] == 4
    assert not any("OVER" in query["sql"].upper() for query in queries)


@pytest.mark.parametrize("count_with_keys", [True, False])
@pytest.mark.parametrize(
    "params",
    [
        {"length": "2"},
        {"start": "2", "length": "2"},
        {"start": "3", "length": "2"},
        {"start": "4", "length": "3"},
        {"start": "10", "length": "2"},  # past the end
        {"order[0][column]": "0", "order[0][dir]": "asc", "start": "1"},
        {"order[0][column]": "0", "order[0][dir]": "asc", "start": "3", "length": "1"},
        {"search[value]": "a", "length": "1"},
        {"search[value]": "a", "start": "10"},  # past the end of a search
        {"search[value]": "nobody"},
    ],
)
def test_should_count_no_rows_the_caller_already_counted(characters, params, count_with_keys):
    """A total the caller knows (the finder's scope read as keys) is not counted again: a
    page neither searched nor filtered counts nothing, a search only its matches."""
    plain = table(keys_first=True, count_with_keys=count_with_keys).page(params)

    with CaptureQueriesContext(connection) as queries:
        page = table(keys_first=True, count_with_keys=count_with_keys, total=5).page(params)

    assert page == plain
    counting = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    if "search[value]" not in params:
        assert counting == []
    else:  # the matches, never all rows again
        assert all(sql.upper().count("COUNT(") == 1 for sql in counting)


@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_should_find_a_page_past_the_middle_of_a_known_total_from_the_end(characters, direction):
    """The last page of a table whose rows are known in number is found in the reverse
    order from its end: the database passes no row before it."""
    params = {"order[0][column]": "0", "order[0][dir]": direction, "start": "3", "length": "2"}
    plain = table(keys_first=True).page(params)

    with CaptureQueriesContext(connection) as queries:
        page = table(keys_first=True, total=5).page(params)

    assert page == plain
    keys = queries[0]["sql"]
    assert "OFFSET" not in keys.upper()
    reverse = "DESC" if direction == "asc" else "ASC"
    assert f"{connection.ops.quote_name('character_name')} {reverse}" in keys


@pytest.mark.parametrize("size", [0, 1, 3, 5])
def test_should_keep_the_rows_among_keys_read_before(characters, size):
    keys = [character.pk for character in characters[:size]] + [10**9]

    rows = tables.among_keys(Character.objects.order_by("eve_character__character_name"), keys)

    assert list(rows.values_list("pk", flat=True)) == [
        character.pk
        for character in sorted(characters[:size], key=lambda character: character.name)
    ]


def test_should_not_look_up_every_key_for_each_row_of_a_joined_sort(characters):
    """SQLite would walk the joined table's index of the sort and, for each of its rows,
    seek every key of the list in the index of (EVE character, key) (at 10,000 characters
    the superuser's finder searched for a name's start took 800 ms): the keys are a
    condition on each row's key plus 0 instead, which no index serves. MariaDB gets the
    plain list, which it reads as a table of keys and joins."""
    keys = [character.pk for character in characters]
    rows = tables.among_keys(Character.objects.all(), keys).order_by(
        "eve_character__character_name"
    )

    sql, _params = rows.values_list("pk").query.sql_with_params()

    if connection.vendor == "sqlite":
        assert '"memberaudit_character"."id" + %s) IN (' in sql
    else:
        assert "+ %s" not in sql and "`memberaudit_character`.`id` IN (" in sql


@pytest.mark.parametrize("ahead", [10, 1_000])
@pytest.mark.parametrize("start", [0, 3, 10**6])
def test_should_read_the_keys_of_matches_only_near_the_start(characters, monkeypatch, ahead, start):
    """The keys of a search's matches are read for a page near the start (at most
    MAX_MATCHES_READ of them); a deeper page searches the rows for the page and for its
    count, and never reads a key it does not show."""
    monkeypatch.setattr(tables, "SEARCH_COUNT_AHEAD", ahead)
    params = {"search[value]": "a", "start": str(start), "length": "2"}
    read = start + 2 + ahead + 1 <= tables.MAX_MATCHES_READ

    with CaptureQueriesContext(connection) as queries:
        page = table(keys_first=True).page(params)

    assert page == table(keys_first=True, count_with_keys=False).page(params)
    searched = "".join(query["sql"] for query in queries).upper()
    assert (searched.count("LIKE") == 1) == read


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    chosen=st.lists(st.integers(min_value=-2, max_value=7), max_size=12),
    size=st.integers(min_value=1, max_value=13),
)
def test_should_keep_the_same_rows_by_a_key_list_as_by_a_lookup(characters, chosen, size):
    """A list of keys written as it is (``in_keys``), in lists of ``size`` keys, keeps, and
    its negation leaves out, the rows a lookup ``__in`` does, whatever the keys: none,
    repeated, unknown."""
    first = characters[0].pk
    keys = [first + number for number in chosen]
    rows = Character.objects.values_list("pk", flat=True)

    listed = tables.in_keys("pk", keys, size)
    assert set(rows.filter(listed)) == set(rows.filter(pk__in=keys))
    assert set(rows.filter(~listed)) == set(rows.exclude(pk__in=keys))
    assert set(rows.filter(tables.in_keys("pk", rows.filter(pk__in=keys)))) == set(
        rows.filter(pk__in=keys)
    )


def test_should_not_prepare_each_key_of_a_long_list_through_the_field(characters, monkeypatch):
    """A condition on thousands of keys read from the database passes them as they are: a
    lookup ``__in`` prepares each value through the field, which cost more than the query."""
    prepared = []
    get_prep_value = IntegerField.get_prep_value

    def counted(field, value):
        prepared.append(value)
        return get_prep_value(field, value)

    monkeypatch.setattr(IntegerField, "get_prep_value", counted)
    keys = [*range(10**6, 10**6 + 5_000), *(character.pk for character in characters)]
    lookup = Character.objects.filter(pk__in=keys)
    str(lookup.query)
    assert len(prepared) >= len(keys)  # what a lookup costs
    prepared.clear()

    listed = Character.objects.filter(tables.in_keys("pk", keys))

    assert set(listed) == set(characters)
    assert prepared == []
    # a condition of its own, not a value compared with true (MariaDB would then read no
    # index by it)
    sql = str(listed.query)
    assert re.findall(r"IN \([0-9, ]+\)", sql)
    assert not re.search(r"IN \([0-9, ]+\)\)*\s*=", sql), sql[-200:]


@pytest.mark.parametrize(
    "count", [tables.MARIADB_IN_TABLE_SIZE - 1, tables.MARIADB_IN_TABLE_SIZE, 2_500]
)
def test_should_write_a_list_of_keys_in_lists_mariadb_reads_as_conditions(characters, count):
    """MariaDB turns a list of 1,000 values or more into a table joined to the query, and
    then may sort every row found (a search finding 1,000 characters: the report's page
    sorted 9,000 rows, 45 ms instead of 33): no list written is that long."""
    keys = [*(character.pk for character in characters), *range(10**6, 10**6 + count - 5)]
    listed = Character.objects.filter(tables.in_keys("pk", keys))

    sql = str(listed.query)

    lengths = [len(found.split(",")) for found in re.findall(r"IN \(([0-9, ]+)\)", sql)]
    assert sum(lengths) == count
    assert max(lengths) < tables.MARIADB_IN_TABLE_SIZE
    assert set(listed) == set(characters)
