"""A table's search finds the rows whose shown text contains the searched text, ignoring case.
Tables that find the few matching related rows first (parties, places, senders, mailing lists)
instead of joining every row to them match exactly the rows a join would, also for non-ASCII
text and for the characters LIKE treats specially (``%``, ``_``, ``\\``)."""

import datetime as dt
import random
import re

import pytest

from django.db import connection
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from eveuniverse.models import EveEntity

from memberaudit import json_tables, tables
from memberaudit.models import CharacterContract, CharacterMail, CharacterMailingList, Location
from memberaudit.tables import Column

from .factories import create_entities

pytestmark = pytest.mark.django_db

NAMES = [
    "Ärger & Söhne",
    "ärger im Paradies",
    "Straße",
    "Strasse",
    "100% Safe",
    "100 Percent",
    "under_score",
    "underXscore",
    "back\\slash",
    "backslash",
    "Plain Name",
    "",
]
TEXTS = ["ä", "Ä", "ärger", "ß", "ss", "%", "100%", "_", "r_s", "\\", "k\\s", "plain", "e", "zz"]


@pytest.fixture
def entities():
    return create_entities(NAMES, first_id=3_100_001)


def searched(table, text: str) -> set:
    table.columns.append(Column("pk", lambda row: row.pk))
    page = table.page({"search[value]": text, "length": "500"})
    assert page["recordsFiltered"] == len(page["data"])
    return {row["pk"] for row in page["data"]}


@pytest.fixture
def contracts(character, entities):
    places = [
        Location.objects.create(id=60_100_001 + number, name=name)
        for number, name in enumerate(NAMES)
    ]
    count = len(NAMES)
    for number in range(2 * count):
        CharacterContract.objects.create(
            character=character,
            contract_id=number,
            title=NAMES[(number + 3) % count] if number % 3 else "",
            issuer=entities[number % count],
            assignee=entities[(number + 5) % count] if number % 2 else None,
            acceptor=entities[(number + 7) % count] if number % 4 else None,
            start_location=places[(number + 1) % count] if number % 5 else None,
            end_location=places[(number + 9) % count] if number % 3 else None,
            date_issued=timezone.now(),
        )


@pytest.mark.usefixtures("contracts")
@pytest.mark.parametrize("text", TEXTS)
def test_should_search_contracts_as_joining_their_parties_and_places_would(character, text):
    joined = Q()
    for path in (
        "contract_type",
        "status",
        "title",
        "issuer__name",
        "assignee__name",
        "acceptor__name",
        "start_location__name",
        "end_location__name",
    ):
        joined |= Q(**{f"{path}__icontains": text})
    expected = set(character.contracts.filter(joined).values_list("pk", flat=True))

    assert searched(json_tables.contracts(character), text) == expected


@pytest.fixture
def mails(character, entities):
    count = len(NAMES)
    lists = [
        CharacterMailingList.objects.create(character=character, list_id=9_000 + number, name=name)
        for number, name in enumerate(NAMES)
    ]
    for number in range(3 * count):
        from_list = lists[(number + 2) % count] if number % 3 == 0 else None
        CharacterMail.objects.create(
            character=character,
            mail_id=number,
            # a mail from a list without a name shows its sender
            sender=entities[number % count] if number % 4 else None,
            sender_mailing_list=from_list,
            subject=NAMES[(number + 5) % count] if number % 2 else "",
            timestamp=timezone.now(),
        )


@pytest.mark.usefixtures("mails")
@pytest.mark.parametrize("text", TEXTS)
def test_should_search_mails_as_joining_their_senders_and_lists_would(character, text):
    shown_sender = Coalesce(NullIf("sender_mailing_list__name", Value("")), "sender__name")
    expected = set(
        character.mails.annotate(shown_sender=shown_sender)
        .filter(Q(shown_sender__icontains=text) | Q(subject__icontains=text))
        .values_list("pk", flat=True)
    )

    assert searched(json_tables.mails(character), text) == expected


@pytest.mark.usefixtures("mails")
def test_should_search_mails_from_an_unnamed_list_by_their_sender(character, entities):
    lists = {item.name: item for item in character.mailing_lists.order_by("list_id")}
    unnamed = lists[""]
    mail = CharacterMail.objects.create(
        character=character,
        mail_id=999,
        sender=entities[NAMES.index("Plain Name")],
        sender_mailing_list=unnamed,
        timestamp=timezone.now(),
    )
    named = CharacterMail.objects.create(
        character=character,
        mail_id=1000,
        sender=entities[NAMES.index("Plain Name")],
        sender_mailing_list=lists["Straße"],
        timestamp=timezone.now(),
    )

    found = searched(json_tables.mails(character), "plain")

    assert mail.pk in found and named.pk not in found


@pytest.mark.usefixtures("contracts", "mails")
@pytest.mark.parametrize("builder", [json_tables.contracts, json_tables.mails])
def test_should_search_and_count_without_joining_parties_places_or_senders(character, builder):
    """The page's keys and the counts read the table alone: a join would read the related row
    of every contract or mail of the character."""
    with CaptureQueriesContext(connection) as queries:
        page = builder(character).page({"search[value]": "ä"})

    assert page["data"]
    counted = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert counted and all("JOIN" not in sql for sql in counted)


def test_should_search_the_top_level_items_on_an_index_of_theirs_alone(character):
    """The items at places are found on the index of (character, parent, type, name): a
    search reads the character's top-level items, not every item inside ships and containers."""
    with CaptureQueriesContext(connection) as queries:
        json_tables.asset_items(character).page({"search[value]": "ä"})

    counted = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert "memberaudit_asset_parent_name" in plan_of(counted[0])


def plan_of(sql: str) -> str:
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


def _fetched(item_id, type_names, type_id, place_id=None, parent_id=None, name="") -> dict:
    """An item as the assets section fetches it, with the name it is shown by."""
    return {
        "item_id": item_id,
        "type_id": type_id,
        "quantity": 1,
        "location_flag": "Cargo" if parent_id else "Hangar",
        "is_singleton": bool(name),
        "is_blueprint_copy": None,
        "name": name,
        "sort_name": name or type_names[type_id],
        "is_active_ship_in_space": False,
        "parent_id": parent_id,
        "location_id": None if parent_id else place_id,
    }


@pytest.fixture
def assets(character):
    """Items named, typed and placed after the tricky names, three levels deep, stored by the
    assets section as it stores what it fetches."""
    from memberaudit.sections import assets as assets_section

    from .factories import create_item_type

    count = len(NAMES)
    type_names = {3_000 + number: name or "Nameless type" for number, name in enumerate(NAMES)}
    for type_id, name in type_names.items():
        create_item_type(type_id, name)
    places = [
        Location.objects.create(id=60_200_001 + number, name=name).pk
        for number, name in enumerate(NAMES)
    ]
    types = list(type_names)
    items = []
    for number in range(count):  # ships and containers at places
        name = NAMES[(number + 4) % count]
        items.append(
            _fetched(10_000 + number, type_names, types[number], places[number], name=name)
        )
    for number in range(2 * count):  # containers inside them, some unnamed
        parent = 10_000 + number % count
        name = NAMES[(number + 7) % count] if number % 3 else ""
        type_id = types[(number + 2) % count]
        items.append(_fetched(20_000 + number, type_names, type_id, parent_id=parent, name=name))
    for number in range(6 * count):  # items inside both, and loose items at places
        type_id = types[(number + 5) % count]
        if number % 4:
            parent = (10_000 + number % count) if number % 2 else (20_000 + number % (2 * count))
            items.append(_fetched(30_000 + number, type_names, type_id, parent_id=parent))
        else:
            place = places[(number + 3) % count]
            items.append(_fetched(30_000 + number, type_names, type_id, place))
    assets_section.store(character, items)


def _as_joining_their_containers(character, queryset, text: str) -> set:
    """The items whose name, type, place or container's shown name contain the text: the
    search as it was before container names were stored on the items."""
    joined = Q()
    for path in ("sort_name", "eve_type__name", "place__name", "parent__sort_name"):
        joined |= Q(**{f"{path}__icontains": text})
    return set(queryset.filter(joined).values_list("pk", flat=True))


@pytest.mark.usefixtures("assets")
@pytest.mark.parametrize("text", TEXTS)
def test_should_search_assets_as_joining_their_containers_would(character, text):
    expected = _as_joining_their_containers(character, character.assets.all(), text)

    assert searched(json_tables.assets(character), text) == expected


@pytest.mark.usefixtures("assets")
@pytest.mark.parametrize("text", ["ä", "%", "_", "\\", "plain", "zz"])
def test_should_search_a_containers_contents_as_joining_their_container_would(character, text):
    for container in character.assets.filter(item_id__lt=30_000):
        contents = character.assets.filter(parent=container)
        expected = _as_joining_their_containers(character, contents, text)

        assert searched(json_tables.asset_children(character, container), text) == expected


@pytest.mark.usefixtures("assets")
def test_should_search_assets_by_their_container_on_one_index_without_a_subquery(character):
    """The items are counted per type on the index of (character, type, place, parent, names)
    alone: no second pass over the names of every item to find the containers."""
    with CaptureQueriesContext(connection) as queries:
        page = json_tables.assets(character).page({"search[value]": "ärger"})

    assert page["data"]
    counted = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    per_type = [sql for sql in counted if "container_name" in sql]
    assert per_type
    for sql in per_type:
        assert len(re.findall(r"FROM [`\"]memberaudit_characterasset[`\"]", sql)) == 1
        assert "memberaudit_asset_type_names" in plan_of(sql)


@pytest.mark.usefixtures("contracts")
@pytest.mark.parametrize("listed_keys", [0, 3, 8, 1_000])
@pytest.mark.parametrize("field", ["issuer", "assignee", "acceptor"])
@pytest.mark.parametrize("text", TEXTS)
def test_should_find_the_same_rows_by_the_keys_found_or_those_not_found(
    monkeypatch, character, field, text, listed_keys
):
    """Related rows a search finds are named by their keys, or, when more are found than are
    listed and few are not, by the keys not found: the same rows either way, and never a row
    whose field is empty (``assignee`` and ``acceptor`` may be)."""
    monkeypatch.setattr(tables, "keys_read_as_list", lambda: True)
    monkeypatch.setattr(tables, "LISTED_KEYS", listed_keys)
    found = EveEntity.objects.filter(name__icontains=text)
    expected = set(
        character.contracts.filter(**{f"{field}__in": found}).values_list("pk", flat=True)
    )

    with CaptureQueriesContext(connection) as queries:
        condition = tables.found_keys_condition(field, EveEntity, Q(name__icontains=text))
        rows = set(character.contracts.filter(condition).values_list("pk", flat=True))

    assert rows == expected
    not_found = EveEntity.objects.exclude(name__icontains=text).count()
    if found.count() > listed_keys >= not_found:
        assert re.search(r"\bNOT\b", queries[-1]["sql"]), queries[-1]["sql"]


@pytest.mark.usefixtures("contracts")
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("field", ["issuer", "assignee", "acceptor"])
def test_should_match_by_walked_keys_exactly_the_rows_whose_field_holds_one(
    monkeypatch, character, field, seed
):
    """Keys a page walks an index with (:func:`memberaudit.tables.walked_keys`): a list
    longer than one list holds goes to MariaDB as one JSON document. For generated sets of
    keys (none, some, all, keys of no row), the rows matched and not matched are those whose
    field holds one of them, and a row whose field is empty is neither (as with ``IN``); the
    document is used on MariaDB, a list elsewhere."""
    monkeypatch.setattr(tables, "MARIADB_IN_TABLE_SIZE", 2)
    generator = random.Random(seed)
    entity_keys = sorted(EveEntity.objects.values_list("pk", flat=True))
    keys = generator.sample(entity_keys, generator.randint(0, len(entity_keys)))
    keys += generator.sample(range(1, 1_000), 3)  # keys of no entity
    contracts = character.contracts.all()
    values = dict(contracts.values_list("pk", f"{field}_id"))

    with CaptureQueriesContext(connection) as queries:
        matched = set(
            contracts.filter(tables.walked_keys(field, keys)).values_list("pk", flat=True)
        )
        unmatched = set(
            contracts.exclude(tables.walked_keys(field, keys)).values_list("pk", flat=True)
        )

    assert matched == {pk for pk, value in values.items() if value in keys}
    assert unmatched == {pk for pk, value in values.items() if value and value not in keys}
    by_document = [q["sql"] for q in queries.captured_queries if "JSON_TABLE" in q["sql"]]
    assert len(by_document) == (2 if tables._reads_key_documents() else 0)
    assert tables._reads_key_documents() == (connection.vendor == "mysql")


def test_should_walk_the_index_of_a_pages_sort_with_a_document_of_keys(monkeypatch, character):
    """A document of keys is looked up by each row the page's walk meets: the database never
    turns it into a join driven from the document's rows (MariaDB guesses there are 40 of
    them, then sorts every row they find). Elsewhere the keys are a list."""
    monkeypatch.setattr(tables, "MARIADB_IN_TABLE_SIZE", 2)
    now = timezone.now()
    acceptors = create_entities([f"Acceptor {number}" for number in range(100)], 3_200_001)
    CharacterContract.objects.bulk_create(
        CharacterContract(
            character=character,
            contract_id=number,
            acceptor=acceptors[number // 2],
            date_issued=now - dt.timedelta(minutes=number),
        )
        for number in range(2 * len(acceptors))
    )
    keys = [acceptor.pk for acceptor in acceptors[::2]]
    walked = CharacterContract.objects.filter(tables.walked_keys("acceptor", keys))
    page = walked.order_by("character_id", "date_issued", "pk")[:5]
    sql, params = page.query.sql_with_params()

    assert [contract.acceptor_id for contract in page] == [
        key for key in keys[::-1] for _ in range(2)
    ][:5]
    if connection.vendor != "mysql":
        assert "JSON_TABLE" not in sql
        return
    assert "JSON_TABLE" in sql
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        columns = [column[0] for column in cursor.description]
        plan = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    assert plan[0]["table"] == "memberaudit_charactercontract", plan
    assert plan[0]["select_type"] == "PRIMARY", plan
    document = [row for row in plan if row["table"] in ("listed", "<subquery2>")]
    assert document and all(row["select_type"] != "PRIMARY" for row in document), plan


@pytest.mark.usefixtures("contracts")
@pytest.mark.parametrize("seed", range(4))
def test_should_write_listed_keys_into_the_query_as_integers(character, seed):
    """Keys listed by :func:`memberaudit.tables.in_keys` are written into the query as the
    integers they are, not passed as parameters the driver quotes one by one: for generated
    lists (repeated keys, keys given as text, keys of no row) the rows are those holding
    them."""
    generator = random.Random(seed)
    contract_keys = list(character.contracts.values_list("pk", flat=True))
    keys = generator.choices(contract_keys, k=generator.randint(1, 2 * len(contract_keys)))
    keys += [str(key) for key in generator.sample(contract_keys, 2)] + [10**12 + seed]

    found = character.contracts.filter(tables.in_keys("pk", keys, size=5))
    sql, params = found.query.sql_with_params()

    assert set(found.values_list("pk", flat=True)) == {int(key) for key in keys} & set(
        contract_keys
    )
    assert params == character.contracts.all().query.sql_with_params()[1]  # the character
    assert str(10**12 + seed) in sql
