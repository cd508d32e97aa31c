"""EVE types loaded in bulk through the gateway, for eveuniverse to build its rows from."""

import threading

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from esi.exceptions import HTTPClientError
from eveuniverse.models import EveType

from memberaudit import esi_gateway
from memberaudit.esi_gateway import EsiGateway
from memberaudit.eve_types import CATEGORY, GROUP, TYPE, load_eve_types

pytestmark = pytest.mark.django_db


def scenario_type_ids(fake_eve, count: int) -> list[int]:
    type_ids = sorted(item["type_id"] for item in fake_eve.scenario.items("types"))
    return type_ids[:count]


def test_should_load_types_groups_and_categories_through_one_gateway_once_each(fake_eve):
    type_ids = scenario_type_ids(fake_eve, 6)
    gateway = EsiGateway(section="test")

    known = load_eve_types(type_ids, gateway)

    assert known == set(type_ids)
    types = EveType.objects.filter(id__in=type_ids).select_related("eve_group__eve_category")
    assert all(eve_type.eve_group.eve_category for eve_type in types)
    groups = {eve_type.eve_group_id for eve_type in types}
    categories = {eve_type.eve_group.eve_category_id for eve_type in types}
    assert fake_eve.log.count(route=TYPE) == len(type_ids)  # eveuniverse did not ask again
    assert fake_eve.log.count(route=GROUP) == len(groups)
    assert fake_eve.log.count(route=CATEGORY) == len(categories)
    # every one of them sent by the gateway, none by a client of eveuniverse's own
    assert gateway.counter.requests == len(type_ids) + len(groups) + len(categories)


def test_should_ask_for_missing_types_several_at_a_time(fake_eve, monkeypatch):
    limit = esi_gateway.MAX_REQUESTS_IN_FLIGHT
    type_ids = scenario_type_ids(fake_eve, 2 * limit)
    barrier = threading.Barrier(limit, timeout=10)  # breaks unless `limit` are in flight
    lock = threading.Lock()
    seen = {"in_flight": 0, "most": 0}
    real_get = EsiGateway.get

    def get(self, operation_id, **params):
        if operation_id != TYPE:
            return real_get(self, operation_id, **params)
        with lock:
            seen["in_flight"] += 1
            seen["most"] = max(seen["most"], seen["in_flight"])
        try:
            barrier.wait()
            return real_get(self, operation_id, **params)
        finally:
            with lock:
                seen["in_flight"] -= 1

    monkeypatch.setattr(EsiGateway, "get", get)

    assert load_eve_types(type_ids, EsiGateway(section="test")) == set(type_ids)
    assert seen["most"] == limit > 1


def test_should_cost_one_query_and_no_request_when_all_types_are_known(fake_eve):
    type_ids = scenario_type_ids(fake_eve, 3)
    load_eve_types(type_ids, EsiGateway(section="test"))
    fake_eve.log.clear()

    with CaptureQueriesContext(connection) as queries:
        known = load_eve_types(type_ids, EsiGateway(section="test"))

    assert known == set(type_ids)
    assert len(queries) == 1
    assert not fake_eve.log.entries(kind="esi")


def test_should_fail_as_eveuniverse_does_for_an_unknown_type(fake_eve):
    type_ids = [*scenario_type_ids(fake_eve, 2), 99999999]

    with pytest.raises(HTTPClientError, match="404"):
        load_eve_types(type_ids, EsiGateway(section="test"))
