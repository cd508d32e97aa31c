"""The wallet journal's search rows: one kept for every entry however it is stored, and a
search of the journal finds through them exactly the entries whose type, description or
reason holds the text (whatever its case and accents) or whose parties' names do."""

import datetime as dt
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from eveuniverse.models import EveEntity

from memberaudit import json_tables, query_params, tables
from memberaudit.character_data import delete_character_data
from memberaudit.json_tables import finances as finance_tables
from memberaudit.models import CharacterWalletJournalEntry, CharacterWalletJournalSearch
from memberaudit.models.finances import fill_journal_search_rows, folded, journal_search_text
from memberaudit.sections import wallet_journal as journal_section
from memberaudit.tables import Column

from .factories import create_entities

pytestmark = pytest.mark.django_db

NOW = timezone.now()
SEARCH_TABLE = CharacterWalletJournalSearch._meta.db_table
JOURNAL_TABLE = CharacterWalletJournalEntry._meta.db_table

# texts with case, accents, ligatures, LIKE's wildcards and its escape character
TEXTS = [
    "",
    "Café au lait",
    "CAFE",
    "Straße 5",
    "STRASSE",
    "100% sure",
    "under_score",
    "back\\slash",
    "ﬁne print",
    "naïve",
    "plain",
    "player_donation",
    "bounty_prizes",
    "e\u0301clair",
    "Ünïcödé",
]
PARTY_NAMES = ["Amarr Trader", "Ärger GmbH", "x_y 100%", "Caldari Navy"]
ALPHABET = "aAeEéÉsSßfiﬁïÜu%_\\ 05\n\u0301"


@pytest.fixture
def parties():
    return create_entities(PARTY_NAMES, first_id=3_000_001)


@pytest.fixture
def journal(character, parties) -> list[CharacterWalletJournalEntry]:
    """Sixty entries of texts drawn from TEXTS, with equal dates and amounts (ties), some
    without parties; stored in bulk as the section stores them."""
    rng = random.Random(7)
    entries = [
        CharacterWalletJournalEntry(
            character=character,
            entry_id=number,
            date=NOW - dt.timedelta(hours=number % 5),
            ref_type=rng.choice(TEXTS) or "unknown",
            amount=rng.choice([5, -5, 100]),
            description=rng.choice(TEXTS),
            reason=rng.choice(TEXTS),
            first_party=rng.choice([*parties, None]),
            second_party=rng.choice([*parties, None]),
        )
        for number in range(60)
    ]
    CharacterWalletJournalEntry.objects.bulk_create(entries, ignore_conflicts=True)
    return list(character.wallet_journal.all())


def with_keys(table):
    table.columns.append(Column("pk", lambda row: row.pk))
    return table


def found(character, search: str, **params) -> list[int]:
    """The keys of the entries a search of the journal table finds, in the page's order."""
    return searched_page(character, search, **params)[0]


def searched_page(character, search: str, **params) -> tuple[list[int], list[str]]:
    """The keys of the entries a search of the journal table finds, in the page's order,
    and the SQL of the page's queries; every match is on the page and counted."""
    entries = character.wallet_journal.count()
    table = with_keys(json_tables.wallet_journal(character))
    with CaptureQueriesContext(connection) as queries:
        page = table.page({"search[value]": search, "length": "500", **params})
    keys = [row["pk"] for row in page["data"]]
    assert page["recordsFiltered"] == len(keys)
    assert page["recordsTotal"] == entries
    return keys, [query["sql"] for query in queries]


def searches(queries: list[str]) -> list[str]:
    """The queries that search texts, but for those of entities' names (MariaDB reads the
    keys of the parties named first)."""
    entities = connection.ops.quote_name(EveEntity._meta.db_table)
    return [
        sql for sql in queries if "LIKE" in sql.upper() and not sql.startswith(f"SELECT {entities}")
    ]


def columns_condition(text: str) -> Q:
    """What the journal's columns match for ``text``, asked of the journal itself."""
    condition = Q()
    for field in ("ref_type", "description", "reason", "first_party__name", "second_party__name"):
        condition |= Q(**{f"{field}__icontains": text})
    return condition


def expected(journal: list, search: str) -> set[int]:
    """The entries a search for ``search`` (as typed) must find: those with a text holding
    it folded, or a party whose name holds it (as the database compares names); a text
    that cannot be searched among folded texts is searched in the journal's columns."""
    text = query_params.text({"search": search}, "search")
    needle = folded(text)
    if not needle or "\n" in needle:
        rows = CharacterWalletJournalEntry.objects.filter(pk__in=[e.pk for e in journal])
        return set(rows.filter(columns_condition(text)).values_list("pk", flat=True))
    named = set(EveEntity.objects.filter(name__icontains=text).values_list("pk", flat=True))
    return {
        entry.pk
        for entry in journal
        if any(
            needle in folded(value) for value in (entry.ref_type, entry.description, entry.reason)
        )
        or entry.first_party_id in named
        or entry.second_party_id in named
    }


# --- the search rows are kept ---------------------------------------------------------


def search_rows(character) -> dict[int, tuple]:
    rows = CharacterWalletJournalSearch.objects.filter(character=character)
    return {
        entry: (date, text, first, second)
        for entry, date, text, first, second in rows.values_list(
            "entry_id", "date", "text", "first_party_id", "second_party_id"
        )
    }


def rows_of(entries) -> dict[int, tuple]:
    return {
        entry.pk: (
            entry.date,
            journal_search_text(entry.ref_type, entry.description, entry.reason),
            entry.first_party_id,
            entry.second_party_id,
        )
        for entry in entries
    }


def test_should_keep_a_search_row_for_every_entry_stored_in_bulk(character, journal):
    assert search_rows(character) == rows_of(journal)
    assert search_rows(character)[journal[0].pk][1] == folded(
        f"{journal[0].ref_type}\n{journal[0].description}\n{journal[0].reason}"
    )


def test_should_keep_a_search_row_for_an_entry_saved_alone(character, parties):
    entry = CharacterWalletJournalEntry.objects.create(
        character=character,
        entry_id=1,
        date=NOW,
        ref_type="player_donation",
        description="Café for Ärger",
        first_party=parties[0],
    )
    assert search_rows(character) == {
        entry.pk: (NOW, "player_donation\ncafe for arger\n", parties[0].pk, None)
    }

    entry.reason = "Changed later"
    entry.date = NOW - dt.timedelta(days=1)
    entry.save()
    assert search_rows(character) == {
        entry.pk: (
            entry.date,
            "player_donation\ncafe for arger\nchanged later",
            parties[0].pk,
            None,
        )
    }


def test_should_keep_the_row_of_what_is_stored_when_an_insert_ignores_a_conflict(character):
    stored = CharacterWalletJournalEntry.objects.create(
        character=character, entry_id=1, date=NOW, ref_type="a", description="first"
    )
    again = CharacterWalletJournalEntry(
        character=character, entry_id=1, date=NOW - dt.timedelta(days=1), ref_type="b"
    )
    new = CharacterWalletJournalEntry(
        character=character, entry_id=2, date=NOW - dt.timedelta(days=2), ref_type="c"
    )

    CharacterWalletJournalEntry.objects.bulk_create([again, new], ignore_conflicts=True)

    assert search_rows(character) == rows_of(character.wallet_journal.all())
    assert search_rows(character)[stored.pk] == (NOW, "a\nfirst\n", None, None)


def test_should_keep_search_rows_of_entries_the_section_stores(character, parties):
    data = [
        {
            "entry_id": number,
            "date": (NOW - dt.timedelta(minutes=number)).isoformat(),
            "ref_type": "bounty_prizes",
            "amount": "10.00",
            "balance": "20.00",
            "description": f"Naïve {number}",
            "reason": "",
            "first_party_id": parties[0].pk,
            "second_party_id": None,
            "tax": None,
            "tax_receiver_id": None,
            "context_id": None,
            "context_id_type": "",
        }
        for number in range(1, 4)
    ]

    assert journal_section.store(character, data)
    assert journal_section.store(character, data[:1] + [{**data[1], "entry_id": 9}])

    assert search_rows(character) == rows_of(character.wallet_journal.all())
    assert len(search_rows(character)) == 4


def test_should_fill_the_search_rows_of_entries_stored_without_them(character, journal):
    CharacterWalletJournalSearch.objects.filter(entry__in=journal[::2]).delete()

    assert fill_journal_search_rows(chunk=7) == len(journal[::2])
    assert search_rows(character) == rows_of(journal)
    assert fill_journal_search_rows() == 0


def test_should_delete_the_search_rows_with_their_entries(character, journal, parties):
    journal[0].delete()
    assert search_rows(character) == rows_of(journal[1:])

    parties[0].delete()
    assert search_rows(character) == rows_of(character.wallet_journal.all())

    delete_character_data(character)
    assert search_rows(character) == {}


# --- a search finds what the columns' searches find -----------------------------------


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(search=st.text(alphabet=ALPHABET, min_size=1, max_size=4))
def test_should_find_the_entries_whose_texts_or_parties_hold_a_search(character, journal, search):
    default_order = found(character, search)
    by_amount = found(character, search, **{"order[0][column]": "4", "order[0][dir]": "asc"})

    wanted = expected(journal, search)
    assert set(default_order) == wanted
    entries = {entry.pk: entry for entry in journal}
    assert default_order == sorted(wanted, key=lambda pk: (entries[pk].date, pk), reverse=True)
    assert by_amount == sorted(wanted, key=lambda pk: (entries[pk].amount, pk))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(search=st.text(alphabet="abcelnoprstuyABCELPST _%019", min_size=1, max_size=3))
def test_should_find_for_a_plain_text_what_the_journal_columns_find(character, journal, search):
    """Among entries of plain texts, a search of plain characters finds what it found when
    it was asked of the journal's columns."""
    plain = {
        entry.pk
        for entry in journal
        if (entry.ref_type + entry.description + entry.reason).isascii()
    }
    text = query_params.text({"search": search}, "search")
    if not text:
        return
    by_columns = CharacterWalletJournalEntry.objects.filter(pk__in=plain).filter(
        columns_condition(text)
    )

    assert set(found(character, search)) & plain == set(by_columns.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "search, found_texts",
    [
        ("cafe", {"Café au lait", "CAFE"}),
        ("CAFÉ", {"Café au lait", "CAFE"}),
        ("strasse", {"Straße 5", "STRASSE"}),
        ("fine", {"ﬁne print"}),
        ("eclair", {"e\u0301clair"}),
        ("0%", {"100% sure"}),
        ("r_s", {"under_score"}),
    ],
)
def test_should_find_a_text_whatever_its_case_and_accents(character, search, found_texts):
    for number, text in enumerate(TEXTS):
        CharacterWalletJournalEntry.objects.create(
            character=character, entry_id=number, date=NOW, ref_type="x", description=text
        )

    keys = found(character, search)

    descriptions = set(
        character.wallet_journal.filter(pk__in=keys).values_list("description", flat=True)
    )
    assert descriptions == found_texts


@pytest.mark.parametrize("ahead", [0, 2, 5])
@pytest.mark.parametrize("start", [0, 3])
def test_should_count_the_matches_of_a_search_up_to_past_its_page(
    character, journal, monkeypatch, ahead, start
):
    monkeypatch.setattr(tables, "SEARCH_COUNT_AHEAD", ahead)
    wanted = expected(journal, "a")
    entries = {entry.pk: entry for entry in journal}
    in_order = sorted(wanted, key=lambda pk: (entries[pk].date, pk), reverse=True)
    table = with_keys(json_tables.wallet_journal(character))

    page = table.page({"search[value]": "a", "start": str(start), "length": "4"})

    assert [row["pk"] for row in page["data"]] == in_order[start : start + 4]
    if len(wanted) > start + 4 + ahead:
        assert page["recordsFiltered"] == start + 4 + ahead
        assert page["recordsFilteredMore"] is True
    else:
        assert page["recordsFiltered"] == len(wanted)


def test_should_match_many_entries_as_few_in_another_order(character, journal, monkeypatch):
    """More matches than are read as keys: the journal's page is sorted among the entries
    whose search rows match (a subquery), not searched in its own columns, which compare
    texts by the database's collation."""
    monkeypatch.setattr(finance_tables, "MAX_MATCHES_READ", 3)
    wanted = expected(journal, "e")
    assert len(wanted) > 3

    keys, queries = searched_page(
        character, "e", **{"order[0][column]": "4", "order[0][dir]": "desc"}
    )

    entries = {entry.pk: entry for entry in journal}
    assert keys == sorted(wanted, key=lambda pk: (entries[pk].amount, pk), reverse=True)
    searched = searches(queries)
    assert searched
    assert all(SEARCH_TABLE in sql and "description" not in sql for sql in searched)


@pytest.mark.parametrize("search", ["cafe", "no such text", "Amarr"])
def test_should_read_a_searched_page_from_the_search_rows_alone(character, journal, search):
    """A searched page in the default order reads its matches from the search rows, with
    the count of all entries in the same query when any match; the journal's columns are
    not searched."""
    keys, queries = searched_page(character, search)

    searched = searches(queries)
    assert len(searched) == 1
    assert f"FROM {connection.ops.quote_name(SEARCH_TABLE)} WHERE" in searched[0]
    assert "description" not in searched[0]
    assert "COUNT(*)" in searched[0]
    counts = [sql for sql in queries if sql.startswith("SELECT COUNT(*)")]
    assert len(counts) == (0 if keys else 1)  # no row to carry the count
