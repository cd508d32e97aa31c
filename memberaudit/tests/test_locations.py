"""Resolving ESI location ids into Location rows, with a stand-in gateway (no HTTP)."""

from datetime import timedelta

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from eveuniverse.tests.testdata.factories_2 import (
    EveEntityCorporationFactory,
    EveSolarSystemFactory,
    EveTypeFactory,
)

from memberaudit.esi_batches import Answer, any_failure
from memberaudit.esi_gateway import (
    EsiError,
    EsiErrorLimitReached,
    EsiForbidden,
    EsiNotFound,
    EsiUnavailable,
)
from memberaudit.locations import STRUCTURES_SCOPE, resolve_locations, retry_delay
from memberaudit.models import Location

pytestmark = pytest.mark.django_db

STATION_ID = 60_003_760
STRUCTURE_ID = 1_022_734_985_679
ASSET_SAFETY_ID = 2004


class StubScopes:
    def __init__(self, names):
        self.names = set(names)

    def filter(self, name):
        return StubScopes({name} & self.names)

    def exists(self):
        return bool(self.names)


class StubToken:
    def __init__(self, scopes=(STRUCTURES_SCOPE,)):
        self.scopes = StubScopes(scopes)


class StubGateway:
    """Answers ``get`` from a dict of (operation, id) -> data or exception, else 404; logs
    every call."""

    def __init__(self, answers=None, token=None):
        self.answers = answers or {}
        self.token = token if token is not None else StubToken()
        self.calls = []

    def get(self, operation_id, *, paged=False, public=False, **params):
        key_id = next((v for k, v in params.items() if k.endswith("_id")), None)
        self.calls.append((operation_id, key_id))
        # what it was not given, ESI does not know (EVE data is then left to eveuniverse)
        answer = self.answers.get((operation_id, key_id), EsiNotFound("not found", 404))
        if isinstance(answer, Exception):
            raise answer
        return answer

    def get_each(self, operation_id, calls, *, public=False, use_etag=None, stop=any_failure):
        """Like the gateway's: answers in order, up to the first one ``stop`` picks."""
        answers = []
        for params in calls:
            try:
                answer = Answer(params, data=self.get(operation_id, public=public, **params))
            except EsiError as exc:
                answer = Answer(params, error=exc)
            answers.append(answer)
            if answer.error is not None and stop(answer):
                break
        return answers

    def post(self, operation_id, body, *, public=False, **params):
        self.calls.append((operation_id, tuple(body)))
        return []

    def count(self, operation_id):
        return sum(1 for op, _ in self.calls if op == operation_id)


@pytest.fixture
def system():
    return EveSolarSystemFactory(id=30_000_142, name="Jita")


@pytest.fixture
def station_type():
    return EveTypeFactory(id=52678, name="Caldari Navy Assembly Plant")


@pytest.fixture
def owner():
    return EveEntityCorporationFactory(id=1000035, name="Caldari Navy")


def station_answer(system_id=30_000_142, **kwargs):
    return {
        "station_id": STATION_ID,
        "name": "Jita IV - Moon 4 - Caldari Navy Assembly Plant",
        "system_id": system_id,
        "type_id": 52678,
        "owner": 1000035,
        **kwargs,
    }


def structure_answer(**kwargs):
    return {
        "name": "Jita - Fortress of Solitude",
        "solar_system_id": 30_000_142,
        "type_id": 52678,
        "owner_id": 1000035,
        **kwargs,
    }


def test_should_resolve_a_station_with_system_type_and_owner(system, station_type, owner):
    gateway = StubGateway({("GetUniverseStationsStationId", STATION_ID): station_answer()})

    result = resolve_locations([STATION_ID], gateway)

    location = Location.objects.get(id=STATION_ID)
    assert result[STATION_ID].id == STATION_ID
    assert location.name == "Jita IV - Moon 4 - Caldari Navy Assembly Plant"
    assert location.eve_solar_system == system
    assert location.eve_type == station_type
    assert location.owner == owner
    assert location.updated_at is not None
    assert not location.is_placeholder


def test_should_resolve_a_solar_system_without_asking_the_gateway(system):
    gateway = StubGateway()

    resolve_locations([30_000_142], gateway)

    location = Location.objects.get(id=30_000_142)
    assert location.name == "Jita"
    assert location.eve_solar_system == system
    assert gateway.calls == []


def test_should_resolve_a_structure_with_the_token(system, station_type, owner):
    gateway = StubGateway(
        {("GetUniverseStructuresStructureId", STRUCTURE_ID): structure_answer(type_id=None)}
    )

    resolve_locations([STRUCTURE_ID], gateway)

    location = Location.objects.get(id=STRUCTURE_ID)
    assert location.name == "Jita - Fortress of Solitude"
    assert location.eve_solar_system == system
    assert location.eve_type is None
    assert location.owner == owner


def test_should_store_placeholder_with_backoff_when_structure_refuses_access():
    gateway = StubGateway(
        {("GetUniverseStructuresStructureId", STRUCTURE_ID): EsiForbidden("no access", 403)}
    )

    result = resolve_locations([STRUCTURE_ID], gateway)

    location = Location.objects.get(id=STRUCTURE_ID)
    assert result[STRUCTURE_ID].is_placeholder
    assert location.is_placeholder
    assert location.failed_attempts == 1
    assert location.retry_after > timezone.now() + timedelta(minutes=59)
    assert location.retry_after < timezone.now() + timedelta(hours=1, minutes=1)


def test_should_not_ask_again_before_retry_after():
    gateway = StubGateway(
        {("GetUniverseStructuresStructureId", STRUCTURE_ID): EsiForbidden("no access", 401)}
    )
    resolve_locations([STRUCTURE_ID], gateway)

    resolve_locations([STRUCTURE_ID], gateway)

    assert gateway.count("GetUniverseStructuresStructureId") == 1


def test_should_double_the_backoff_after_each_failure():
    gateway = StubGateway(
        {("GetUniverseStructuresStructureId", STRUCTURE_ID): EsiForbidden("no access", 403)}
    )
    resolve_locations([STRUCTURE_ID], gateway)
    Location.objects.filter(id=STRUCTURE_ID).update(retry_after=timezone.now())

    resolve_locations([STRUCTURE_ID], gateway)

    location = Location.objects.get(id=STRUCTURE_ID)
    assert gateway.count("GetUniverseStructuresStructureId") == 2
    assert location.failed_attempts == 2
    assert location.retry_after > timezone.now() + timedelta(hours=1, minutes=59)


def test_retry_delay_should_grow_exponentially_up_to_one_week():
    assert retry_delay(1) == timedelta(hours=1)
    assert retry_delay(2) == timedelta(hours=2)
    assert retry_delay(3) == timedelta(hours=4)
    assert retry_delay(8) == timedelta(hours=128)
    assert retry_delay(9) == timedelta(weeks=1)
    assert retry_delay(500) == timedelta(weeks=1)


def test_should_keep_known_details_when_a_stale_structure_refuses_access(system):
    Location.objects.create(
        id=STRUCTURE_ID,
        name="Old name",
        eve_solar_system=system,
        updated_at=timezone.now() - timedelta(days=3),
    )
    gateway = StubGateway(
        {("GetUniverseStructuresStructureId", STRUCTURE_ID): EsiForbidden("no access", 403)}
    )

    resolve_locations([STRUCTURE_ID], gateway)

    location = Location.objects.get(id=STRUCTURE_ID)
    assert location.name == "Old name"
    assert location.eve_solar_system == system
    assert location.failed_attempts == 1
    assert location.retry_after is not None


def test_should_reset_the_backoff_after_a_successful_lookup(system, station_type, owner):
    Location.objects.create(
        id=STRUCTURE_ID, failed_attempts=3, retry_after=timezone.now() - timedelta(seconds=1)
    )
    gateway = StubGateway({("GetUniverseStructuresStructureId", STRUCTURE_ID): structure_answer()})

    resolve_locations([STRUCTURE_ID], gateway)

    location = Location.objects.get(id=STRUCTURE_ID)
    assert location.name == "Jita - Fortress of Solitude"
    assert location.failed_attempts == 0
    assert location.retry_after is None


def test_should_store_placeholder_without_call_when_token_lacks_structure_scope():
    gateway = StubGateway(token=StubToken(scopes=()))

    result = resolve_locations([STRUCTURE_ID], gateway)

    assert result[STRUCTURE_ID].is_placeholder
    assert Location.objects.get(id=STRUCTURE_ID).retry_after is None
    assert gateway.calls == []


def test_should_store_asset_safety_and_unknown_ids_without_any_call():
    gateway = StubGateway()

    result = resolve_locations([ASSET_SAFETY_ID, 12345], gateway)

    assert set(result) == {ASSET_SAFETY_ID, 12345}
    assert Location.objects.filter(id__in=[ASSET_SAFETY_ID, 12345]).count() == 2
    assert result[ASSET_SAFETY_ID].display_name == "Asset Safety"
    assert gateway.calls == []


def test_should_not_fetch_a_location_fetched_recently(system):
    Location.objects.create(
        id=STATION_ID, name="Known", eve_solar_system=system, updated_at=timezone.now()
    )
    gateway = StubGateway()

    result = resolve_locations([STATION_ID], gateway)

    assert result[STATION_ID].name == "Known"
    assert gateway.calls == []


def test_should_fetch_a_location_again_once_stale(system, station_type, owner, settings):
    Location.objects.create(
        id=STATION_ID,
        name="Old",
        eve_solar_system=system,
        updated_at=timezone.now() - timedelta(hours=25),
    )
    gateway = StubGateway({("GetUniverseStationsStationId", STATION_ID): station_answer()})

    resolve_locations([STATION_ID], gateway)

    assert gateway.count("GetUniverseStationsStationId") == 1
    assert Location.objects.get(id=STATION_ID).name.startswith("Jita IV")


@pytest.mark.parametrize(
    "error", [EsiUnavailable("ESI answered 502", 502), EsiNotFound("gone", 404)]
)
def test_should_store_placeholder_and_not_fail_on_other_structure_errors(error):
    gateway = StubGateway({("GetUniverseStructuresStructureId", STRUCTURE_ID): error})

    result = resolve_locations([STRUCTURE_ID], gateway)

    assert result[STRUCTURE_ID].is_placeholder
    assert Location.objects.get(id=STRUCTURE_ID).failed_attempts == 1


def test_should_stop_asking_and_not_back_off_when_the_error_limit_is_reached():
    other_id = STRUCTURE_ID + 1
    gateway = StubGateway(
        {
            ("GetUniverseStructuresStructureId", STRUCTURE_ID): EsiErrorLimitReached(30),
            ("GetUniverseStructuresStructureId", other_id): EsiErrorLimitReached(30),
        }
    )

    result = resolve_locations([STRUCTURE_ID, other_id], gateway)

    assert gateway.count("GetUniverseStructuresStructureId") == 1
    assert result[STRUCTURE_ID].is_placeholder
    assert result[other_id].is_placeholder
    assert Location.objects.filter(failed_attempts=0, retry_after__isnull=True).count() == 2


def test_should_back_off_a_station_whose_system_cannot_be_loaded(monkeypatch, station_type):
    from eveuniverse.models import EveSolarSystem

    def broken(**kwargs):
        raise OSError("no connection")

    monkeypatch.setattr(EveSolarSystem.objects, "get_or_create_esi", broken)
    gateway = StubGateway(
        {("GetUniverseStationsStationId", STATION_ID): station_answer(system_id=30_000_001)}
    )

    result = resolve_locations([STATION_ID], gateway)

    assert result[STATION_ID].is_placeholder
    assert Location.objects.get(id=STATION_ID).failed_attempts == 1


def test_should_return_nothing_and_query_nothing_for_no_ids(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert resolve_locations([None, 0], StubGateway()) == {}


def test_should_use_one_query_for_known_fresh_locations(system):
    now = timezone.now()
    Location.objects.bulk_create(
        [
            Location(id=60_000_000 + n, name=f"S{n}", eve_solar_system=system, updated_at=now)
            for n in range(200)
        ]
    )
    with CaptureQueriesContext(connection) as queries:
        result = resolve_locations([60_000_000 + n for n in range(200)], StubGateway())

    assert len(result) == 200
    assert len(queries) == 1


@pytest.mark.parametrize("count", [10, 200])
def test_should_write_in_a_bounded_number_of_queries(count, system, station_type, owner):
    ids = [60_000_000 + n for n in range(count)]
    gateway = StubGateway(
        {
            ("GetUniverseStationsStationId", station_id): station_answer(name=f"S{station_id}")
            for station_id in ids
        }
    )

    with CaptureQueriesContext(connection) as queries:
        resolve_locations(ids, gateway)

    assert Location.objects.filter(id__in=ids, updated_at__isnull=False).count() == count
    assert len(queries) <= 8
