"""Contacts and their labels, kept in sync row by row."""

import copy
import re

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from eveuniverse.models import EveEntity

from memberaudit import updater
from memberaudit.esi_gateway import EsiUnavailable, NotModified
from memberaudit.models import (
    CharacterContact,
    CharacterContactLabel,
    SectionUpdateStatus,
)

from .helpers import create_character, expire_esi_cache, install_canned_esi, writes_to

CHARACTER_ID = 91_000_003
CONTACTS = "GetCharactersCharacterIdContacts"
LABELS = "GetCharactersCharacterIdContactsLabels"
TABLES = (
    CharacterContact._meta.db_table,
    CharacterContactLabel._meta.db_table,
    CharacterContact.labels.through._meta.db_table,
)
CATEGORY_BY_RANGE = ((500_000, "faction"), (98_000_000, "corporation"), (99_000_000, "alliance"))


def make_contact(contact_id: int, contact_type: str = "character", **fields) -> dict:
    return {
        "contact_id": contact_id,
        "contact_type": contact_type,
        "standing": 5.0,
        "is_blocked": False,
        "is_watched": False,
        "label_ids": [],
        **fields,
    }


@pytest.fixture
def character(db):
    return create_character(CHARACTER_ID, "Wayne Enterprises", "WYE")


@pytest.fixture
def esi(monkeypatch):
    """Canned ESI answers by operation id; an exception as answer is raised."""
    answers = {
        LABELS: [],
        "PostUniverseNames": lambda params: [
            {"id": entity_id, "name": f"Entity {entity_id}", "category": "character"}
            for entity_id in params["body"]
        ],
    }

    return install_canned_esi(monkeypatch, answers)


def first_table(sql: str) -> str:
    match = re.search(r"(?:FROM|UPDATE|INTO)\s+[`\"]?(\w+)", sql)
    return match.group(1) if match else ""


def contacts_of(character) -> dict[int, tuple]:
    return {
        contact.eve_entity_id: (
            contact.standing,
            contact.is_blocked,
            contact.is_watched,
            sorted(label.label_id for label in contact.labels.all()),
        )
        for contact in character.contacts.prefetch_related("labels")
    }


class TestContactsWithCannedEsi:
    def test_should_store_contacts_with_labels_and_entities(self, character, esi):
        esi[LABELS] = [
            {"label_id": 1, "label_name": "Friends"},
            {"label_id": 2, "label_name": "Enemies"},
        ]
        esi[CONTACTS] = [
            make_contact(90_000_010, standing=10.0, is_watched=True, label_ids=[1]),
            make_contact(98_000_020, "corporation", standing=-5.0, label_ids=[1, 2]),
            make_contact(99_000_030, "alliance", standing=-10.0, is_blocked=True),
            make_contact(500_001, "faction", standing=0.0),
        ]

        outcome = updater.update_section(character, "contacts")

        assert outcome.is_success, outcome.message
        assert dict(character.contact_labels.values_list("label_id", "name")) == {
            1: "Friends",
            2: "Enemies",
        }
        assert contacts_of(character) == {
            90_000_010: (10.0, False, True, [1]),
            98_000_020: (-5.0, False, False, [1, 2]),
            99_000_030: (-10.0, True, False, []),
            500_001: (0.0, False, False, []),
        }
        assert EveEntity.objects.get(id=98_000_020).name == "Entity 98000020"

    def test_should_skip_label_ids_without_a_label(self, character, esi):
        esi[LABELS] = [{"label_id": 1, "label_name": "Friends"}]
        esi[CONTACTS] = [make_contact(90_000_010, label_ids=[1, 404])]

        outcome = updater.update_section(character, "contacts")

        assert outcome.is_success, outcome.message
        assert contacts_of(character) == {90_000_010: (5.0, False, False, [1])}

    def test_should_update_only_the_changed_contact(self, character, esi):
        esi[CONTACTS] = [make_contact(90_000_000 + n) for n in range(10)]
        updater.update_section(character, "contacts")
        esi[CONTACTS][3]["standing"] = -10.0
        changed_pk = character.contacts.get(eve_entity_id=90_000_003).pk

        with CaptureQueriesContext(connection) as context:
            outcome = updater.update_section(character, "contacts")

        assert outcome.is_success
        assert character.contacts.get(eve_entity_id=90_000_003).standing == -10.0
        writes = writes_to(context.captured_queries, *TABLES)
        assert len(writes) == 1 and writes[0].startswith("UPDATE")
        assert f"({changed_pk})" in writes[0] or f"= {changed_pk}" in writes[0]

    def test_should_delete_removed_contacts_and_labels(self, character, esi):
        esi[LABELS] = [
            {"label_id": 1, "label_name": "Friends"},
            {"label_id": 2, "label_name": "Enemies"},
        ]
        esi[CONTACTS] = [
            make_contact(90_000_010, label_ids=[1, 2]),
            make_contact(90_000_011, label_ids=[2]),
        ]
        updater.update_section(character, "contacts")
        esi[LABELS] = [{"label_id": 1, "label_name": "Best friends"}]
        esi[CONTACTS] = [make_contact(90_000_010, label_ids=[1, 2])]

        outcome = updater.update_section(character, "contacts")

        assert outcome.is_success
        assert contacts_of(character) == {90_000_010: (5.0, False, False, [1])}
        assert dict(character.contact_labels.values_list("label_id", "name")) == {1: "Best friends"}

    def test_should_sync_labels_of_a_contact(self, character, esi):
        esi[LABELS] = [
            {"label_id": 1, "label_name": "Friends"},
            {"label_id": 2, "label_name": "Enemies"},
        ]
        esi[CONTACTS] = [make_contact(90_000_010, label_ids=[1])]
        updater.update_section(character, "contacts")
        esi[CONTACTS] = [make_contact(90_000_010, label_ids=[2])]

        updater.update_section(character, "contacts")

        assert contacts_of(character) == {90_000_010: (5.0, False, False, [2])}

    def test_should_write_nothing_when_unchanged(self, character, esi):
        esi[LABELS] = [{"label_id": 1, "label_name": "Friends"}]
        esi[CONTACTS] = [make_contact(90_000_010, label_ids=[1])]
        updater.update_section(character, "contacts", force=True)

        with CaptureQueriesContext(connection) as context:
            outcome = updater.update_section(character, "contacts", force=True)

        assert outcome.is_success
        assert writes_to(context.captured_queries, *TABLES) == []

    def test_should_report_unchanged_when_both_calls_are_not_modified(self, character, esi):
        esi[CONTACTS] = [make_contact(90_000_010)]
        updater.update_section(character, "contacts")
        esi[LABELS] = NotModified()
        esi[CONTACTS] = NotModified()

        outcome = updater.update_section(character, "contacts")

        assert outcome.is_success and not outcome.changed
        assert character.contacts.count() == 1

    def test_should_keep_stored_contacts_when_esi_fails(self, character, esi):
        esi[CONTACTS] = [make_contact(90_000_010)]
        updater.update_section(character, "contacts")
        esi[CONTACTS] = EsiUnavailable(f"ESI answered 503 for {CONTACTS}", 503)

        outcome = updater.update_section(character, "contacts")

        assert not outcome.is_success
        status = SectionUpdateStatus.objects.get(character=character, section="contacts")
        assert status.is_success is False and "503" in status.error_message
        assert character.contacts.count() == 1

    def test_should_store_missing_optional_fields_as_unknown(self, character, esi):
        esi[CONTACTS] = [{"contact_id": 90_000_010, "contact_type": "character", "standing": 1.5}]

        outcome = updater.update_section(character, "contacts")

        assert outcome.is_success, outcome.message
        assert contacts_of(character) == {90_000_010: (1.5, None, False, [])}

    def test_should_accept_unknown_contact_types(self, character, esi):
        esi["PostUniverseNames"] = lambda params: []
        esi[CONTACTS] = [make_contact(90_000_010, "brand_new_type")]

        outcome = updater.update_section(character, "contacts")

        assert outcome.is_success, outcome.message
        assert character.contacts.get().eve_entity.category is None

    def test_should_keep_contacts_esi_cannot_name(self, character, esi):
        esi["PostUniverseNames"] = lambda params: []
        esi[CONTACTS] = [make_contact(99_000_030, "alliance")]

        outcome = updater.update_section(character, "contacts")

        assert outcome.is_success, outcome.message
        assert EveEntity.objects.get(id=99_000_030).category == "alliance"
        assert character.contacts.count() == 1

    def test_should_need_the_same_number_of_queries_whatever_the_size(self, db, esi):
        def queries_for(count: int, character_id: int) -> list[str]:
            character = create_character(character_id, "Wayne Enterprises", "WYE")
            esi[LABELS] = [{"label_id": n, "label_name": f"L{n}"} for n in range(1, 4)]
            esi[CONTACTS] = [
                make_contact(90_000_000 + n, label_ids=[1 + n % 3, 99]) for n in range(count)
            ]
            with CaptureQueriesContext(connection) as context:
                assert updater.update_section(character, "contacts").is_success
            assert character.contacts.count() == count
            return [query["sql"] for query in context.captured_queries]

        EveEntity.objects.bulk_create(
            [EveEntity(id=90_000_000 + n, name=f"E{n}", category="character") for n in range(300)]
        )
        small = queries_for(10, CHARACTER_ID)
        large = queries_for(300, CHARACTER_ID + 1)

        def shapes(queries):
            """Statement kind and first table, without inserts (split by SQLite's limits)."""
            return [
                (sql.split()[0], first_table(sql))
                for sql in queries
                if not sql.startswith(("INSERT", "SAVEPOINT", "RELEASE"))
            ]

        assert shapes(small) == shapes(large)
        # SQLite caps parameters per statement, so the backend may split a bulk insert
        assert len(large) - len(shapes(large)) <= len(small) - len(shapes(small)) + 4


# --- against the fake EVE server over HTTP ------------------------------------------------

ARIA = 90_000_001  # five contacts, labels 1 and 2, one contact pointing at missing label 99


def scenario_contacts(fake_eve, character_id: int) -> list[dict]:
    return copy.deepcopy(fake_eve.scenario.character(character_id)["contacts"])


@pytest.mark.integration
class TestContactsOverHttp:
    def test_should_store_contacts_on_first_update(self, make_character, fake_eve):
        character = make_character(ARIA)

        outcome = updater.update_section(character, "contacts")

        assert outcome.is_success, outcome.message
        assert dict(character.contact_labels.values_list("label_id", "name")) == {
            1: "Friends",
            2: "Enemies",
        }
        assert contacts_of(character) == {
            90_000_002: (10.0, None, True, [1]),
            98_000_003: (-5.0, None, False, [2]),  # label 99 does not exist: skipped
            99_000_002: (-10.0, None, False, []),
            500_001: (5.0, None, False, []),
            3_004_029: (0.0, True, False, []),
        }
        categories = dict(
            EveEntity.objects.filter(
                id__in=[90_000_002, 98_000_003, 99_000_002, 500_001]
            ).values_list("id", "category")
        )
        assert categories == {
            90_000_002: "character",
            98_000_003: "corporation",
            99_000_002: "alliance",
            500_001: "faction",
        }

    def test_should_treat_304_on_both_calls_as_unchanged(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "contacts")

        with CaptureQueriesContext(connection) as context:
            outcome = updater.update_section(character, "contacts")

        assert outcome.is_success and not outcome.changed
        assert writes_to(context.captured_queries, *TABLES) == []

    def test_should_write_nothing_when_unchanged(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "contacts")
        expire_esi_cache()

        with CaptureQueriesContext(connection) as context:
            outcome = updater.update_section(character, "contacts")

        assert outcome.is_success and not outcome.changed
        assert writes_to(context.captured_queries, *TABLES) == []

    def test_should_update_only_the_contact_whose_standing_changed(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "contacts")
        contacts = scenario_contacts(fake_eve, ARIA)
        contacts[3]["standing"] = -7.5  # the faction
        fake_eve.scenario.update_character(ARIA, {"contacts": contacts})
        expire_esi_cache()

        with CaptureQueriesContext(connection) as context:
            outcome = updater.update_section(character, "contacts")

        assert outcome.is_success and outcome.changed
        assert character.contacts.get(eve_entity_id=500_001).standing == -7.5
        writes = writes_to(context.captured_queries, *TABLES)
        faction_pk = character.contacts.get(eve_entity_id=500_001).pk
        assert len(writes) == 1 and writes[0].startswith("UPDATE")
        assert f"= {faction_pk}" in writes[0] or f"({faction_pk})" in writes[0]

    def test_should_delete_removed_contacts_and_sync_labels(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "contacts")
        contacts = scenario_contacts(fake_eve, ARIA)[:2]
        contacts[0]["label_ids"] = [2]
        fake_eve.scenario.update_character(ARIA, {"contacts": contacts})
        expire_esi_cache()

        outcome = updater.update_section(character, "contacts")

        assert outcome.is_success
        assert contacts_of(character) == {
            90_000_002: (10.0, None, True, [2]),
            98_000_003: (-5.0, None, False, [2]),
        }

    def test_should_store_nothing_when_page_two_fails(self, make_character, fake_eve):
        fake_eve.set_page_size(CONTACTS, 2)
        character = make_character(ARIA)
        updater.update_section(character, "contacts")
        assert fake_eve.log.count(route=CONTACTS, status=200) == 3
        before = contacts_of(character)
        contacts = scenario_contacts(fake_eve, ARIA)
        for contact in contacts:
            contact["standing"] = 1.0
        fake_eve.scenario.update_character(ARIA, {"contacts": contacts})
        fake_eve.faults.add(CONTACTS, character_id=ARIA, page=2, status=500)
        expire_esi_cache()

        outcome = updater.update_section(character, "contacts")

        assert not outcome.is_success
        status = SectionUpdateStatus.objects.get(character=character, section="contacts")
        assert status.is_success is False and "500" in status.error_message
        assert contacts_of(character) == before

    @pytest.mark.parametrize(
        "route, fault",
        [
            (LABELS, {"status": 502}),
            (CONTACTS, {"status": 500}),
            (CONTACTS, {"malformed": True}),
        ],
        ids=["labels-bad-gateway", "contacts-server-error", "contacts-malformed"],
    )
    def test_should_keep_stored_contacts_when_esi_fails(
        self, make_character, fake_eve, route, fault
    ):
        character = make_character(ARIA)
        updater.update_section(character, "contacts")
        before = contacts_of(character)
        fake_eve.scenario.update_character(ARIA, {"contacts": [], "contact_labels": []})
        fake_eve.faults.add(route, character_id=ARIA, **fault)
        expire_esi_cache()

        outcome = updater.update_section(character, "contacts")

        assert not outcome.is_success
        status = SectionUpdateStatus.objects.get(character=character, section="contacts")
        assert status.is_success is False and route in status.error_message
        assert contacts_of(character) == before

    def test_should_store_missing_optional_fields_as_unknown(self, make_character, fake_eve):
        fake_eve.faults.add(
            CONTACTS, character_id=ARIA, drop_fields=["is_blocked", "is_watched", "label_ids"]
        )
        character = make_character(ARIA)

        outcome = updater.update_section(character, "contacts")

        assert outcome.is_success, outcome.message
        stored = contacts_of(character)
        assert len(stored) == 5
        assert all(value[1:] == (None, False, []) for value in stored.values())

    def test_should_need_the_same_queries_for_10_or_300_contacts(self, make_character, fake_eve):
        EveEntity.objects.bulk_create(
            [EveEntity(id=95_500_000 + n, name=f"E{n}", category="character") for n in range(300)]
        )
        fake_eve.set_page_size(CONTACTS, 1000)  # each page costs a token check: same pages

        def queries_for(character_id: int, count: int) -> list[str]:
            contacts = [
                {
                    "contact_id": 95_500_000 + n,
                    "contact_type": "character",
                    "standing": float(n % 21 - 10),
                    "label_ids": [1 + n % 2, 99],
                }
                for n in range(count)
            ]
            labels = [{"label_id": 1, "label_name": "A"}, {"label_id": 2, "label_name": "B"}]
            fake_eve.scenario.update_character(
                character_id, {"contacts": contacts, "contact_labels": labels}
            )
            character = make_character(character_id)
            with CaptureQueriesContext(connection) as context:
                assert updater.update_section(character, "contacts").is_success
            assert character.contacts.count() == count
            return [query["sql"] for query in context.captured_queries]

        small = queries_for(90_000_002, 10)
        large = queries_for(ARIA, 300)

        def shapes(queries):
            """Statement kind and first table, without inserts (split by SQLite's limits)."""
            return [
                (sql.split()[0], first_table(sql))
                for sql in queries
                if not sql.startswith(("INSERT", "SAVEPOINT", "RELEASE"))
            ]

        assert shapes(small) == shapes(large)
