"""The large tables of a character (journal, transactions, mails, contracts, assets) page by
finding a page's keys on an index first: every page of every sort holds the rows the plain
ordering gives, ties broken by the primary key in the direction of the sorted column."""

import datetime as dt
import itertools

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from memberaudit import json_tables, selectors, tables
from memberaudit.models import (
    CharacterAsset,
    CharacterContract,
    CharacterMail,
    CharacterMailingList,
    CharacterMailLabel,
    CharacterMailRecipient,
    CharacterWalletJournalEntry,
    CharacterWalletTransaction,
    Location,
)
from memberaudit.models.finances import REASON_SORT_LENGTH
from memberaudit.tables import Column

from .factories import create_entities, create_item_type, keep_asset_summaries

pytestmark = pytest.mark.django_db

PAGE = 4
NOW = timezone.now()


@pytest.fixture
def parties():
    names = ["Amarr", "Caldari", "Caldari", "Gallente"]  # a name twice: ties between parties
    return create_entities(names, first_id=3_000_001)


@pytest.fixture
def journal(character, parties):
    """Thirteen entries with many equal dates, amounts, types and parties, one without any."""
    for number in range(13):
        CharacterWalletJournalEntry.objects.create(
            character=character,
            entry_id=number,
            date=NOW - dt.timedelta(hours=number % 3),
            ref_type=["bounty_prizes", "player_donation"][number % 2],
            amount=[5, -5, 100][number % 3],
            balance=number % 4,
            reason="",
            first_party=parties[number % 4] if number != 7 else None,
            second_party=parties[(number + 1) % 4],
        )


@pytest.fixture
def assets(character):
    types = [create_item_type(7000 + n, name) for n, name in enumerate(["Box", "Ark", "Box"])]
    place = Location.objects.create(id=60_000_001, name="Jita IV - Moon 4")
    other = Location.objects.create(id=60_000_002, name="Amarr VIII")
    parents = []
    for number in range(11):
        parents.append(
            CharacterAsset.objects.create(
                character=character,
                item_id=number,
                eve_type=types[number % 3],
                location=(place, other)[number % 2] if number < 6 else None,
                parent=parents[number - 6] if number >= 6 else None,
                place=(place, other)[number % 2],
                quantity=number % 3,
                name="Named" if number == 4 else "",
            )
        )
    keep_asset_summaries(character)


def all_pages(table, column_index: int | None, descending: bool) -> list:
    """The keys of every page, in order, as the browser pages through the table."""
    keys, start = [], 0
    while True:
        params = {"start": str(start), "length": str(PAGE)}
        if column_index is not None:
            params |= {
                "order[0][column]": str(column_index),
                "order[0][dir]": "desc" if descending else "asc",
            }
        page = table.page(params)
        keys += [row["pk"] for row in page["data"]]
        start += PAGE
        if start >= page["recordsFiltered"]:
            return keys


def with_keys(table):
    """The table with each row's primary key as a field."""
    table.columns.append(Column("pk", lambda row: row.pk))
    return table


def plain_order(table, column, descending: bool) -> list:
    """The keys in the order of the whole table sorted by the database, unpaged: by the
    column (the default order when None), then by its related row if it reads one, then by
    the primary key, all in one direction."""
    if column is None:
        descending = table.default_order.startswith("-")
        key = table.default_order.removeprefix("-")
        column = next(column for column in table.columns if column.order_by == key)
    keys = [column.order_by, f"{column.related}__pk" if column.related else None, "pk"]
    direction = "-" if descending else ""
    rows = table.queryset.annotate(**table.sort_keys)
    ordered = rows.order_by(*(f"{direction}{key}" for key in keys if key))
    return list(ordered.values_list("pk", flat=True))


def sortable(table) -> list[tuple[int, Column]]:
    shown = [column for column in table.columns if column.is_shown]
    return [(index, column) for index, column in enumerate(shown) if column.order_by]


@pytest.mark.parametrize(
    "builder",
    [
        json_tables.wallet_journal,
        json_tables.wallet_transactions,
        json_tables.mails,
        json_tables.contracts,
        json_tables.assets,
        json_tables.market_orders,
        json_tables.industry_jobs,
    ],
)
def test_should_find_the_keys_of_a_page_first_for_large_tables(character, builder):
    table = builder(character)

    assert table.keys_first
    assert table.unscoped is not None


@pytest.mark.usefixtures("journal")
def test_should_give_every_journal_page_of_every_sort_as_the_plain_ordering(character):
    table = with_keys(json_tables.wallet_journal(character))
    cases = [(None, None)] + sortable(table)

    for (index, column), descending in itertools.product(cases, (False, True)):
        expected = plain_order(table, column, descending)
        got = all_pages(table, index, descending)
        assert got == expected, column.name if column else "default order"


@pytest.mark.usefixtures("assets")
def test_should_give_every_asset_page_of_every_sort_as_the_plain_ordering(character):
    table = with_keys(json_tables.assets(character))

    for (index, column), descending in itertools.product(sortable(table), (False, True)):
        expected = plain_order(table, column, descending)
        assert all_pages(table, index, descending) == expected, column.name


def test_should_break_ties_in_the_direction_of_the_sorted_column(character):
    """So that one index on (character, column) serves the whole order, both ways."""
    for number in range(3):
        CharacterWalletJournalEntry.objects.create(
            character=character, entry_id=number, date=NOW, ref_type="x", amount=1
        )
    table = with_keys(json_tables.wallet_journal(character))
    amount = next(index for index, column in sortable(table) if column.name == "amount")
    entries = list(character.wallet_journal.order_by("pk").values_list("pk", flat=True))

    assert all_pages(table, amount, descending=False) == entries
    assert all_pages(table, amount, descending=True) == entries[::-1]


@pytest.mark.usefixtures("journal")
def test_should_find_the_keys_of_a_journal_page_without_joining_other_tables(character):
    with CaptureQueriesContext(connection) as queries:
        json_tables.wallet_journal(character).page({"start": "8", "length": "4"})

    keys = [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"]]
    assert len(keys) == 1
    assert "JOIN" not in keys[0]
    quote = connection.ops.quote_name
    assert f"{quote('date')} DESC, " in keys[0]
    assert f"{quote('id')} DESC" in keys[0] or "1 DESC" in keys[0]


@pytest.mark.usefixtures("assets")
def test_should_count_assets_without_joining_their_sort_keys(character):
    with CaptureQueriesContext(connection) as queries:
        page = json_tables.assets(character).page({"length": "4"})

    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert page["recordsTotal"] == 11
    assert counts and all("JOIN" not in sql for sql in counts)


@pytest.mark.usefixtures("assets")
def test_should_sort_assets_by_the_name_shown_with_ties_by_pk(character):
    table = with_keys(json_tables.assets(character))
    name = next(index for index, column in sortable(table) if column.name == "name")
    assets = character.assets.select_related("eve_type")
    expected = [asset.pk for asset in sorted(assets, key=lambda a: (a.display_name, a.pk))]

    assert all_pages(table, name, descending=False) == expected
    assert all_pages(table, name, descending=True) == expected[::-1]
    with CaptureQueriesContext(connection) as queries:
        table.page({"order[0][column]": str(name), "order[0][dir]": "asc"})
    keys = [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"]]
    assert keys and "JOIN" not in keys[0]  # the index of sort names, not the types


@pytest.mark.usefixtures("assets")
def test_should_list_places_from_the_counts_kept_when_storing(character):
    with CaptureQueriesContext(connection) as queries:
        page = json_tables.asset_locations(character).page({"length": "50"})

    items = {row["location"]: row["items"] for row in page["data"]}
    assert items == {"Amarr VIII": 3, "Jita IV - Moon 4": 3}
    assert page["recordsTotal"] == 2
    table = connection.ops.quote_name(CharacterAsset._meta.db_table)
    assert not [q for q in queries.captured_queries if f"{table} " in q["sql"]]


@pytest.mark.usefixtures("assets")
def test_should_show_which_assets_hold_others_on_a_page_found_keys_first(character):
    rows = json_tables.assets(character).page({"length": "20"})["data"]

    holders = sorted(row["name"] for row in rows if row["children_url"])
    assert len(holders) == 5  # items 0-4 hold items 6-10
    assert len(rows) == 11


def test_should_load_a_transaction_page_with_its_journal_reason(character, parties):
    eve_type = create_item_type()
    CharacterWalletJournalEntry.objects.create(
        character=character, entry_id=42, date=NOW, ref_type="market_transaction", description="d"
    )
    CharacterWalletTransaction.objects.create(
        character=character,
        transaction_id=1,
        date=NOW,
        eve_type=eve_type,
        quantity=2,
        unit_price=3,
        is_buy=True,
        is_personal=True,
        client=parties[0],
        journal_ref_id=42,
    )

    rows = json_tables.wallet_transactions(character).page({})["data"]

    assert [(row["client"], row["journal"]) for row in rows] == [("Amarr", "d")]


def test_should_page_contracts_newest_first(character, parties):
    for number in range(6):
        CharacterContract.objects.create(
            character=character,
            contract_id=number,
            issuer=parties[number % 4],
            date_issued=NOW - dt.timedelta(days=number % 3),
        )
    table = with_keys(json_tables.contracts(character))

    assert all_pages(table, None, False) == plain_order(table, None, False)


# --- mail folders ---


@pytest.fixture
def mailbox(character, parties):
    """Mails: to a list (unread, read), from a list (unread), to and from another list,
    labelled in the inbox and a custom label."""
    inbox = CharacterMailLabel.objects.create(character=character, label_id=1, name="Inbox")
    custom = CharacterMailLabel.objects.create(character=character, label_id=16, name="Custom")
    CharacterMailLabel.objects.create(character=character, label_id=2, name="Sent")
    fleet = CharacterMailingList.objects.create(character=character, list_id=9001, name="Fleet")
    trade = CharacterMailingList.objects.create(character=character, list_id=9002, name="Trade")
    CharacterMailingList.objects.create(character=character, list_id=9003, name="Quiet")

    def mail(mail_id, is_read, labels, to_list=None, from_list=None, to_people=2):
        created = CharacterMail.objects.create(
            character=character,
            mail_id=mail_id,
            sender=parties[0],
            sender_mailing_list=from_list,
            is_read=is_read,
            timestamp=NOW,
        )
        created.labels.set(labels)
        for party in parties[:to_people]:
            CharacterMailRecipient.objects.create(
                mail=created, recipient_id=party.id, kind="character", eve_entity=party
            )
        if to_list:
            CharacterMailRecipient.objects.create(
                mail=created,
                recipient_id=to_list.list_id,
                kind="mailing_list",
                mailing_list=to_list,
            )

    mail(1, False, [inbox], to_list=fleet)
    mail(2, True, [inbox], to_list=fleet)
    mail(3, False, [inbox, custom], from_list=fleet)
    mail(4, False, [inbox], to_list=trade, from_list=trade)
    mail(5, False, [custom], to_people=4)
    mail(6, True, [custom])
    mail(7, False, [])


def test_should_count_unread_mails_per_folder(character, mailbox):
    tab = selectors.mails_tab(character)

    assert tab["unread"] == 5
    assert [(label.name, label.unread) for label in tab["labels"]] == [
        ("Inbox", 3),
        ("Sent", 0),
        ("Custom", 2),
    ]
    assert [
        (mailing_list.name, mailing_list.unread_to, mailing_list.unread_from)
        for mailing_list in tab["mailing_lists"]
    ] == [("Fleet", 1, 1), ("Quiet", 0, 0), ("Trade", 1, 1)]


def test_should_count_mail_folders_in_constant_queries(
    character, mailbox, django_assert_num_queries
):
    with django_assert_num_queries(4):
        tab = selectors.mails_tab(character)
        list(tab["mailing_lists"])


@pytest.mark.usefixtures("journal")
def test_should_sort_a_journal_page_by_party_without_joining_the_parties(character):
    """The parties are put in order on their own; only the page's entries are sorted."""
    table = json_tables.wallet_journal(character)
    party = next(index for index, column in sortable(table) if column.name == "first_party")

    with CaptureQueriesContext(connection) as queries:
        page = table.page({"order[0][column]": str(party), "start": "4", "length": "4"})

    sorted_queries = [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"]]
    assert len(page["data"]) == 4
    assert sorted_queries and all("JOIN" not in sql for sql in sorted_queries)


@pytest.mark.usefixtures("assets")
@pytest.mark.parametrize(
    "text, item_ids",
    [
        ("ark", {1, 4, 7, 10}),  # the type's name
        ("named", {4, 10}),  # its own name, and the container's
        ("jita", {0, 2, 4, 6, 8, 10}),  # its place, also inside containers
    ],
)
def test_should_search_assets_by_the_names_of_their_type_container_and_place(
    character, text, item_ids
):
    table = json_tables.assets(character)
    table.columns.append(Column("item_id", lambda row: row.item_id))

    page = table.page({"search[value]": text, "length": "50"})

    assert {row["item_id"] for row in page["data"]} == item_ids
    assert page["recordsFiltered"] == len(item_ids)
    assert page["recordsTotal"] == 11


@pytest.mark.usefixtures("assets")
def test_should_count_searched_assets_without_joining_other_tables(character):
    with CaptureQueriesContext(connection) as queries:
        json_tables.assets(character).page({"search[value]": "ark"})

    counted = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert counted and all("JOIN" not in sql for sql in counted)


@pytest.mark.usefixtures("journal")
def test_should_sort_by_party_in_the_database_when_there_are_too_many_parties(
    character, monkeypatch
):
    monkeypatch.setattr(tables, "MAX_RELATED_ROWS", 2)
    table = with_keys(json_tables.wallet_journal(character))
    index, column = next(case for case in sortable(table) if case[1].name == "first_party")

    assert all_pages(table, index, True) == plain_order(table, column, True)


def test_should_sort_the_journal_by_reason_on_its_indexed_sort_key(character):
    """Reasons sort by their first characters (a text column cannot be indexed whole): those
    alike that far sort by entry, as equal reasons do."""
    long = "x" * REASON_SORT_LENGTH
    reasons = ["bounty", "", "Alpha", long + "2", "alpha", long + "1", "", "bounty"]
    for number, reason in enumerate(reasons):
        CharacterWalletJournalEntry.objects.create(
            character=character, entry_id=number, date=NOW, ref_type="x", reason=reason
        )
    table = with_keys(json_tables.wallet_journal(character))
    index = next(index for index, column in sortable(table) if column.name == "reason")
    entries = list(character.wallet_journal.order_by("pk"))
    expected = [
        entry.pk
        for entry in sorted(entries, key=lambda e: (e.reason[:REASON_SORT_LENGTH].lower(), e.pk))
    ]

    with CaptureQueriesContext(connection) as queries:
        ascending = all_pages(table, index, descending=False)

    assert ascending == expected
    assert all_pages(table, index, descending=True) == expected[::-1]
    keys = [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"]]
    assert keys and all(connection.ops.quote_name("reason_sort") in sql for sql in keys)


@pytest.mark.parametrize(
    "builder, column",
    [(json_tables.market_orders, "type"), (json_tables.industry_jobs, "blueprint")],
)
def test_should_sort_by_type_starting_from_the_characters_own_rows(character, builder, column):
    """An empty table sorted by type reads no type: the page starts from the types of the
    character's own rows, not from every type in name order."""
    create_item_type()
    table = builder(character)
    index = next(index for index, shown in sortable(table) if shown.name == column)

    with CaptureQueriesContext(connection) as queries:
        page = table.page({"order[0][column]": str(index), "order[0][dir]": "asc"})

    assert page["data"] == [] and page["recordsTotal"] == 0
    assert not [q for q in queries.captured_queries if "eveuniverse_evetype" in q["sql"]]


@pytest.mark.parametrize("builder", [json_tables.market_orders, json_tables.industry_jobs])
def test_should_search_trade_and_industry_tables_without_joining_types_or_places(
    character, builder
):
    """The few matching types and places are found first, not every row joined to them."""
    with CaptureQueriesContext(connection) as queries:
        page = builder(character).page({"search[value]": "42"})

    assert page["recordsFiltered"] == 0
    assert queries.captured_queries
    assert all("JOIN" not in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("party", ["first_party", "second_party"])
def test_should_walk_a_page_within_one_party_in_entry_order_without_ranking_parties(
    character, parties, party
):
    """Most entries share a party (or have none): a page inside that group is the group's
    entries in key order, found without ranking the parties (which would sort every row)."""
    for number in range(12):
        CharacterWalletJournalEntry.objects.create(
            character=character,
            entry_id=number,
            date=NOW,
            ref_type="x",
            first_party=parties[0] if number < 10 else parties[3],
            second_party=None if number < 10 else parties[3],
        )
    table = with_keys(json_tables.wallet_journal(character))
    index, column = next(case for case in sortable(table) if case[1].name == party)

    with CaptureQueriesContext(connection) as queries:
        pages = all_pages(table, index, descending=False)

    assert pages == plain_order(table, column, descending=False)
    assert all_pages(table, index, descending=True) == plain_order(table, column, True)
    page_queries = [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"]]
    assert any("CASE" not in sql for sql in page_queries if "LIMIT" in sql)
