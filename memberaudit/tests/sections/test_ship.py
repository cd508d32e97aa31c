"""Ship section, against the fake EVE server."""

import pytest

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from eveuniverse.models import EveType

from memberaudit import esi_gateway, updater
from memberaudit.models import CharacterShip, SectionUpdateStatus
from memberaudit.sections import registry

from .helpers import writes_to

pytestmark = pytest.mark.django_db

ARIA = 90_000_001  # flies the Drake "Forge Flame"
ROUTE = "GetCharactersCharacterIdShip"
TABLE = CharacterShip._meta.db_table
DRAKE = 24698
RAVEN = 638


def stored(character) -> tuple:
    row = CharacterShip.objects.get(character=character)
    return row.eve_type_id, row.item_id, row.name


def test_should_register_ship_in_ring_1_with_its_scope_and_operation():
    section = registry.get("ship")
    assert section.ring == 1
    assert section.scopes == ("esi-location.read_ship_type.v1",)
    assert section.operations == (ROUTE,)


def test_should_store_ship_type_item_id_and_name(make_character):
    character = make_character(ARIA)

    outcome = updater.update_section(character, "ship")

    assert outcome.is_success, outcome.message
    assert stored(character) == (DRAKE, 1_040_000_000_001, "Forge Flame")
    assert CharacterShip.objects.get(character=character).eve_type.name == "Drake"


def test_should_write_nothing_when_ship_is_unchanged(make_character):
    character = make_character(ARIA)
    updater.update_section(character, "ship")
    cache.clear()  # no ETag: the full answer is fetched and compared by content

    with CaptureQueriesContext(connection) as queries:
        outcome = updater.update_section(character, "ship")

    assert outcome.is_success, outcome.message
    assert writes_to(queries.captured_queries, TABLE) == []


def test_should_update_ship_when_the_character_boards_another(make_character, fake_eve):
    character = make_character(ARIA)
    updater.update_section(character, "ship")
    fake_eve.scenario.update_character(
        ARIA,
        {"ship": {"ship_item_id": 1_040_000_009_999, "ship_name": "Big", "ship_type_id": RAVEN}},
    )

    with CaptureQueriesContext(connection) as queries:
        outcome = updater.update_section(character, "ship", force=True)

    assert outcome.is_success, outcome.message
    assert stored(character) == (RAVEN, 1_040_000_009_999, "Big")
    statements = writes_to(queries.captured_queries, TABLE)
    assert len(statements) == 1
    assert statements[0].lstrip().upper().startswith("UPDATE")


def test_should_store_an_unnamed_ship_with_an_empty_name(make_character, fake_eve):
    character = make_character(ARIA)
    fake_eve.scenario.update_character(
        ARIA, {"ship": {"ship_item_id": 1_040_000_000_001, "ship_name": "", "ship_type_id": DRAKE}}
    )

    outcome = updater.update_section(character, "ship")

    assert outcome.is_success, outcome.message
    assert stored(character) == (DRAKE, 1_040_000_000_001, "")


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 500},
        {"status": 504},
        {"malformed": True},
        {"drop_fields": ["ship_type_id"]},
    ],
    ids=str,
)
def test_should_keep_stored_ship_when_esi_fails(make_character, fake_eve, fault):
    character = make_character(ARIA)
    updater.update_section(character, "ship")
    fake_eve.faults.add(ROUTE, character_id=ARIA, **fault)

    outcome = updater.update_section(character, "ship", force=True)

    assert not outcome.is_success
    status = SectionUpdateStatus.objects.get(character=character, section="ship")
    assert status.is_success is False
    assert status.error_message
    assert stored(character) == (DRAKE, 1_040_000_000_001, "Forge Flame")


def test_should_fail_readably_when_the_ship_type_cannot_be_loaded(make_character, fake_eve):
    character = make_character(ARIA)
    fake_eve.faults.add("GetUniverseTypesTypeId", status=404)

    outcome = updater.update_section(character, "ship")

    assert not outcome.is_success
    assert "ship type 24698" in outcome.message
    assert not CharacterShip.objects.filter(character=character).exists()


def test_should_record_a_timeout_and_keep_stored_ship(make_character, fake_eve, monkeypatch):
    from esi import app_settings as esi_settings

    character = make_character(ARIA)
    updater.update_section(character, "ship")
    monkeypatch.setattr(esi_settings, "ESI_REQUESTS_READ_TIMEOUT", 0.5)
    monkeypatch.setattr(esi_settings, "ESI_SERVER_ERROR_MAX_RETRIES", 1)
    esi_gateway.provider()._client = None  # rebuild the client with the short timeout
    fake_eve.faults.add(ROUTE, character_id=ARIA, latency=2.0)
    try:
        outcome = updater.update_section(character, "ship", force=True)
    finally:
        esi_gateway.provider()._client = None

    assert not outcome.is_success
    assert stored(character) == (DRAKE, 1_040_000_000_001, "Forge Flame")


def test_should_ask_for_a_new_ship_type_its_group_and_category_through_the_gateway(
    make_character, fake_eve
):
    character = make_character(ARIA)
    EveType.objects.filter(id=DRAKE).delete()

    outcome = updater.update_section(character, "ship")

    assert outcome.is_success, outcome.message
    assert EveType.objects.get(id=DRAKE).eve_group.eve_category_id
    assert fake_eve.log.count(route="GetUniverseTypesTypeId") == 1  # eveuniverse did not ask again


def test_should_check_a_known_ship_type_in_one_query(make_character, fake_eve):
    character = make_character(ARIA)
    updater.update_section(character, "ship")
    cache.clear()  # no ETag: the answer is read again

    with CaptureQueriesContext(connection) as queries:
        outcome = updater.update_section(character, "ship", force=True)

    assert outcome.is_success, outcome.message
    type_queries = [q for q in queries.captured_queries if "eveuniverse_evetype" in q["sql"]]
    assert len(type_queries) == 1
    assert fake_eve.log.count(route="GetUniverseTypesTypeId") == 1  # only for the first update
