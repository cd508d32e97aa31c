"""Location section: solar system plus station or structure, against the fake EVE server."""

from datetime import timedelta

import pytest

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from memberaudit import esi_gateway, updater
from memberaudit.models import CharacterLocation, Location, SectionUpdateStatus
from memberaudit.sections import registry

from .helpers import writes_to

pytestmark = pytest.mark.django_db

ARIA = 90_000_001  # docked in a Jita station
DAX = 90_000_004  # docked in a structure with docking rights
ELIN = 90_000_005  # in space
FEN = 2_112_000_001  # docked in a structure without docking rights
HIRO = 2_112_000_003  # token without the location scope

JITA = 30_000_142
JITA_STATION = 60_003_760
AMARR = 30_002_187
AMARR_STATION = 60_008_494
NEW_CALDARI = 30_000_145
PERIMETER = 30_000_144
TRADING_TOWER = 1_035_466_617_946
IMPERIAL_PALACE = 1_022_734_985_679

LOCATION_ROUTE = "GetCharactersCharacterIdLocation"
STRUCTURE_ROUTE = "GetUniverseStructuresStructureId"
STATION_ROUTE = "GetUniverseStationsStationId"
LOCATION_SCOPE = "esi-location.read_location.v1"


def status_of(character) -> SectionUpdateStatus:
    return SectionUpdateStatus.objects.get(character=character, section="location")


def stored(character) -> tuple:
    row = CharacterLocation.objects.get(character=character)
    return row.eve_solar_system_id, row.location_id


def test_should_register_location_in_ring_1_with_only_the_location_scope():
    section = registry.get("location")
    assert section.ring == 1
    assert section.scopes == (LOCATION_SCOPE,)
    assert set(section.operations) == {LOCATION_ROUTE, STATION_ROUTE, STRUCTURE_ROUTE}


def test_should_store_solar_system_and_station_when_docked_in_a_station(make_character):
    character = make_character(ARIA)

    outcome = updater.update_section(character, "location")

    assert outcome.is_success, outcome.message
    row = CharacterLocation.objects.select_related("location__owner").get(character=character)
    assert row.eve_solar_system.name == "Jita"
    assert row.is_docked
    assert row.location.id == JITA_STATION
    assert row.location.name == "Jita IV - Moon 4 - Caldari Navy Assembly Plant"
    assert row.location.eve_solar_system_id == JITA
    assert row.location.eve_type_id == 1529
    assert row.location.owner.name == "Caldari Navy"


def test_should_store_solar_system_only_when_in_space(make_character, fake_eve):
    character = make_character(ELIN)

    outcome = updater.update_section(character, "location")

    assert outcome.is_success, outcome.message
    assert stored(character) == (NEW_CALDARI, None)
    assert fake_eve.log.count(route=STATION_ROUTE) == 0
    assert fake_eve.log.count(route=STRUCTURE_ROUTE) == 0


def test_should_store_structure_when_docking_rights_allow_the_lookup(make_character):
    character = make_character(DAX)

    outcome = updater.update_section(character, "location")

    assert outcome.is_success, outcome.message
    row = CharacterLocation.objects.select_related("location__owner").get(character=character)
    assert row.eve_solar_system_id == PERIMETER
    assert row.location.name == "Perimeter - Tranquility Trading Tower"
    assert row.location.eve_type.name == "Keepstar"
    assert row.location.owner.name == "Eclipse Shipyards"


def test_should_store_unknown_structure_with_backoff_when_docking_rights_are_missing(
    make_character,
):
    character = make_character(FEN)

    outcome = updater.update_section(character, "location")

    assert outcome.is_success, outcome.message
    row = CharacterLocation.objects.select_related("location__eve_solar_system").get(
        character=character
    )
    assert row.location_id == IMPERIAL_PALACE
    assert row.location.name == ""  # ESI does not tell
    assert row.location.is_unknown
    assert row.location.failed_attempts == 1
    assert row.location.retry_after > timezone.now() + timedelta(minutes=59)


def test_should_give_an_unknown_structure_the_system_of_a_character_docked_there(
    make_character,
):
    character = make_character(FEN)  # docked in the Imperial Palace, in 1DQ1-A

    updater.update_section(character, "location")

    location = Location.objects.select_related("eve_solar_system").get(id=IMPERIAL_PALACE)
    system_id = CharacterLocation.objects.get(character=character).eve_solar_system_id
    assert location.eve_solar_system_id == system_id
    system = location.eve_solar_system.name
    assert location.display_name == f"Unknown structure in {system} (#{IMPERIAL_PALACE})"


def test_should_only_fill_in_a_missing_system_and_never_replace_one(make_character):
    updater.update_section(make_character(ARIA), "location")  # loads Jita
    character = make_character(DAX)  # docked in the Trading Tower, in Perimeter
    updater.update_section(character, "location")
    Location.objects.filter(id=TRADING_TOWER).update(eve_solar_system_id=JITA)

    updater.update_section(character, "location", force=True)

    assert Location.objects.get(id=TRADING_TOWER).eve_solar_system_id == JITA


@pytest.mark.parametrize("force", [False, True], ids=["etag", "forced"])
def test_should_not_ask_for_a_structure_again_within_its_backoff(make_character, fake_eve, force):
    character = make_character(FEN)
    updater.update_section(character, "location")
    assert fake_eve.log.count(route=STRUCTURE_ROUTE, status=403) == 1

    outcome = updater.update_section(character, "location", force=force)

    assert outcome.is_success, outcome.message
    assert fake_eve.log.count(route=STRUCTURE_ROUTE) == 1


def test_should_ask_for_a_structure_again_once_its_backoff_has_passed(make_character, fake_eve):
    character = make_character(FEN)
    updater.update_section(character, "location")
    Location.objects.filter(id=IMPERIAL_PALACE).update(retry_after=timezone.now())

    outcome = updater.update_section(character, "location")

    assert outcome.is_success, outcome.message
    assert fake_eve.log.count(route=STRUCTURE_ROUTE) == 2
    location = Location.objects.get(id=IMPERIAL_PALACE)
    assert location.failed_attempts == 2
    assert location.retry_after > timezone.now() + timedelta(hours=1, minutes=59)


def test_should_store_placeholder_without_request_when_token_lacks_structure_scope(
    make_character, fake_eve
):
    character = make_character(DAX, scopes=[LOCATION_SCOPE])

    outcome = updater.update_section(character, "location")

    assert outcome.is_success, outcome.message
    assert stored(character) == (PERIMETER, TRADING_TOWER)
    assert Location.objects.get(id=TRADING_TOWER).is_unknown
    assert fake_eve.log.count(route=STRUCTURE_ROUTE) == 0


def test_should_not_look_up_a_recently_resolved_station_again(make_character, fake_eve):
    character = make_character(ARIA)
    updater.update_section(character, "location")
    cache.clear()  # no cached answers: only the stale rule can save the request

    outcome = updater.update_section(character, "location", force=True)

    assert outcome.is_success, outcome.message
    assert fake_eve.log.count(route=STATION_ROUTE) == 1


def test_should_write_nothing_when_location_is_unchanged(make_character):
    character = make_character(ARIA)
    updater.update_section(character, "location")
    cache.clear()  # no ETag: the full answer is fetched and compared by content

    with CaptureQueriesContext(connection) as queries:
        outcome = updater.update_section(character, "location")

    assert outcome.is_success, outcome.message
    assert writes_to(queries.captured_queries, CharacterLocation._meta.db_table) == []
    assert writes_to(queries.captured_queries, Location._meta.db_table) == []


def test_should_update_the_location_when_the_character_moves(make_character, fake_eve):
    character = make_character(ARIA)
    updater.update_section(character, "location")
    fake_eve.scenario.update_character(
        ARIA, {"location": {"solar_system_id": AMARR, "station_id": AMARR_STATION}}
    )

    with CaptureQueriesContext(connection) as queries:
        outcome = updater.update_section(character, "location", force=True)

    assert outcome.is_success, outcome.message
    assert stored(character) == (AMARR, AMARR_STATION)
    assert Location.objects.get(id=AMARR_STATION).name.startswith("Amarr VIII")
    statements = writes_to(queries.captured_queries, CharacterLocation._meta.db_table)
    assert len(statements) == 1
    assert statements[0].lstrip().upper().startswith("UPDATE")


def test_should_store_in_space_when_station_id_is_dropped(make_character, fake_eve):
    character = make_character(ARIA)
    fake_eve.faults.add(LOCATION_ROUTE, character_id=ARIA, drop_fields=["station_id"])

    outcome = updater.update_section(character, "location")

    assert outcome.is_success, outcome.message
    assert stored(character) == (JITA, None)


@pytest.mark.parametrize(
    "fault",
    [{"status": 500}, {"status": 503}, {"malformed": True}, {"drop_fields": ["solar_system_id"]}],
    ids=str,
)
def test_should_keep_stored_location_when_esi_fails(make_character, fake_eve, fault):
    character = make_character(ARIA)
    updater.update_section(character, "location")
    fake_eve.faults.add(LOCATION_ROUTE, character_id=ARIA, **fault)

    outcome = updater.update_section(character, "location", force=True)

    assert not outcome.is_success
    status = status_of(character)
    assert status.is_success is False
    assert status.error_message
    assert stored(character) == (JITA, JITA_STATION)


def test_should_record_a_timeout_and_keep_stored_location(make_character, fake_eve, monkeypatch):
    from esi import app_settings as esi_settings

    character = make_character(ARIA)
    updater.update_section(character, "location")
    monkeypatch.setattr(esi_settings, "ESI_REQUESTS_READ_TIMEOUT", 0.5)
    monkeypatch.setattr(esi_settings, "ESI_SERVER_ERROR_MAX_RETRIES", 1)
    esi_gateway.provider()._client = None  # rebuild the client with the short timeout
    fake_eve.faults.add(LOCATION_ROUTE, character_id=ARIA, latency=2.0)
    try:
        outcome = updater.update_section(character, "location", force=True)
    finally:
        esi_gateway.provider()._client = None

    assert not outcome.is_success
    assert "did not answer" in status_of(character).error_message
    assert stored(character) == (JITA, JITA_STATION)


def test_should_not_fail_the_section_when_the_structure_lookup_fails(make_character, fake_eve):
    character = make_character(DAX)
    fake_eve.faults.add(STRUCTURE_ROUTE, status=500)

    outcome = updater.update_section(character, "location")

    assert outcome.is_success, outcome.message
    assert stored(character) == (PERIMETER, TRADING_TOWER)
    assert Location.objects.get(id=TRADING_TOWER).is_unknown


def test_should_report_missing_scope_as_limited_token(make_character):
    character = make_character(HIRO)

    outcome = updater.update_section(character, "location")

    assert not outcome.is_success
    assert status_of(character).error_kind == SectionUpdateStatus.ErrorKind.TOKEN_LIMITED
