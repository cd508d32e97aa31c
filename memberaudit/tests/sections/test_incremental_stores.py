"""Incremental stores write exactly what changed: generated inputs for every section that
updates rows in bulk.

Each example stores random data, then random changes to random fields of random rows (with
rows added and removed in the same run), and checks that the stored rows equal the new data
field by field. A store that wrote the union of changed fields to every changed row would
blank or overwrite fields of rows that did not change them.
"""

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eveuniverse.models import EveEntity

from memberaudit.entities import ensure_entity_rows
from memberaudit.locations import ensure_location_rows
from memberaudit.models import (
    CharacterAsset,
    CharacterContact,
    CharacterContract,
    CharacterCorporationHistory,
    CharacterImplant,
    CharacterLoyaltyEntry,
    CharacterMailLabel,
    CharacterSkill,
)
from memberaudit.sections import (
    assets,
    contacts,
    contracts,
    corporation_history,
    implants,
    loyalty,
    mails,
    skills,
)

from .helpers import create_character, create_skill_types

pytestmark = pytest.mark.django_db

TYPE_IDS = list(range(910_000, 910_006))
ENTITY_IDS = list(range(3_000_100, 3_000_106))
PLACE_IDS = [60_003_760, 60_008_494, 30_000_142]
KEYS = st.integers(min_value=1, max_value=12)
SMALL_TEXT = st.text(alphabet="abcxyz ", max_size=6)
DATES = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2026, 1, 1), timezones=st.just(dt.UTC)
).map(lambda value: value.replace(microsecond=0))

_character_ids = itertools.count(2_130_000_000)


@dataclass(frozen=True)
class StoreCase:
    """How to generate, store and read back one section's rows (keyed by their ESI id)."""

    name: str
    fields: dict[str, Any]  # field -> strategy, or a callable(key, keys) -> strategy
    to_data: Callable[[dict[int, dict]], Any]
    read: Callable[[Any], dict[int, dict]]
    store: Callable[[Any, Any], bool]
    keeps_history: bool = False  # rows ESI stops listing stay stored

    def row(self, key: int, keys: set[int]):
        return st.fixed_dictionaries(
            {
                name: strategy(key, keys) if callable(strategy) else strategy
                for name, strategy in self.fields.items()
            }
        )


def _parents(key: int, keys: set[int]):
    """A parent among the smaller keys (no loops), or none: then the item is at a place."""
    return st.sampled_from([None, *sorted(k for k in keys if k < key)])


def _asset_data(rows):
    return [
        {
            "item_id": key,
            "type_id": row["type_id"],
            "quantity": row["quantity"],
            "location_flag": row["location_flag"],
            "is_singleton": row["is_singleton"],
            "is_blueprint_copy": row["is_blueprint_copy"],
            "name": row["name"],
            # what fetch adds: the name shown (the type's when the item has none)
            "sort_name": row["name"] or f"Type {row['type_id']}",
            "is_active_ship_in_space": False,
            "parent_id": row["parent_id"],
            "location_id": None if row["parent_id"] else row["place_id"],
        }
        for key, row in sorted(rows.items())
    ]


def _asset_rows(character):
    stored = {}
    for asset in CharacterAsset.objects.filter(character=character).select_related("parent"):
        parent_id = asset.parent.item_id if asset.parent else None
        stored[asset.item_id] = {
            "type_id": asset.eve_type_id,
            "quantity": asset.quantity,
            "location_flag": asset.location_flag,
            "is_singleton": asset.is_singleton,
            "is_blueprint_copy": asset.is_blueprint_copy,
            "name": asset.name,
            "parent_id": parent_id,
            "place_id": None if parent_id else asset.location_id,
        }
    return stored


def _asset_expected(rows):
    return {
        key: {**row, "place_id": None if row["parent_id"] else row["place_id"]}
        for key, row in rows.items()
    }


CONTRACT_FIELDS = {
    "contract_type": st.sampled_from(["item_exchange", "auction", "courier"]),
    "status": st.sampled_from(["outstanding", "in_progress", "finished", "deleted"]),
    "availability": st.sampled_from(["personal", "public"]),
    "title": SMALL_TEXT,
    "for_corporation": st.booleans(),
    "date_issued": DATES,
    "date_expired": DATES,
    "date_accepted": st.none() | DATES,
    "date_completed": st.none() | DATES,
    "days_to_complete": st.integers(0, 30),
    "price": st.integers(0, 10**9).map(float),
    "reward": st.integers(0, 10**6).map(float),
    "collateral": st.integers(0, 10**6).map(float),
    "buyout": st.none() | st.integers(0, 10**9).map(float),
    "volume": st.integers(0, 10**5).map(float),
    "issuer_id": st.sampled_from(ENTITY_IDS),
    "issuer_corporation_id": st.sampled_from(ENTITY_IDS),
    "assignee_id": st.none() | st.sampled_from(ENTITY_IDS),
    "acceptor_id": st.none() | st.sampled_from(ENTITY_IDS),
    "start_location_id": st.none() | st.sampled_from(PLACE_IDS[:2]),
    "end_location_id": st.none() | st.sampled_from(PLACE_IDS[:2]),
}


def _contract_rows(character):
    return {
        row.pop("contract_id"): {
            name: float(value) if isinstance(value, Decimal) else value
            for name, value in row.items()
        }
        for row in CharacterContract.objects.filter(character=character).values(
            "contract_id", *contracts.STORED_FIELDS
        )
    }


CASES = [
    StoreCase(
        name="assets",
        fields={
            "type_id": st.sampled_from(TYPE_IDS),
            "quantity": st.integers(1, 10**6),
            "location_flag": st.sampled_from(["Hangar", "Cargo", "DroneBay", "HiSlot0"]),
            "is_singleton": st.booleans(),
            "is_blueprint_copy": st.none() | st.booleans(),
            "name": SMALL_TEXT,
            "parent_id": _parents,
            "place_id": st.sampled_from(PLACE_IDS),
        },
        to_data=_asset_data,
        read=_asset_rows,
        store=assets.store,
    ),
    StoreCase(
        name="contracts",
        fields=CONTRACT_FIELDS,
        to_data=lambda rows: {
            "contracts": [
                {"contract_id": key, **{f: row.get(f) for f in contracts.STORED_FIELDS}}
                for key, row in sorted(rows.items())
            ],
            "items": {},
            "bids": {},
        },
        read=_contract_rows,
        store=contracts.store,
        keeps_history=True,
    ),
    StoreCase(
        name="contacts",
        fields={
            "standing": st.sampled_from([-10.0, -5.0, 0.0, 5.0, 10.0]),
            "is_blocked": st.none() | st.booleans(),
            "is_watched": st.booleans(),
        },
        to_data=lambda rows: {
            "labels": [],
            "contacts": [
                {"contact_id": ENTITY_IDS[0] + key, **row, "label_ids": []}
                for key, row in sorted(rows.items())
            ],
        },
        read=lambda character: {
            row.pop("eve_entity_id") - ENTITY_IDS[0]: row
            for row in CharacterContact.objects.filter(character=character).values(
                "eve_entity_id", *contacts.CONTACT_FIELDS
            )
        },
        store=contacts.store,
    ),
    StoreCase(
        name="skills",
        fields={
            "active_skill_level": st.integers(0, 5),
            "trained_skill_level": st.integers(0, 5),
            "skillpoints_in_skill": st.integers(0, 256_000),
        },
        to_data=lambda rows: {
            "skills": [{"skill_id": TYPE_IDS[0] + key % 6, **row} for key, row in rows.items()],
            "total_sp": sum(row["skillpoints_in_skill"] for row in rows.values()),
            "unallocated_sp": None,
        },
        read=lambda character: {
            row.pop("eve_type_id") - TYPE_IDS[0]: row
            for row in CharacterSkill.objects.filter(character=character).values(
                "eve_type_id", *skills.SKILL_FIELDS
            )
        },
        store=skills.store,
    ),
    StoreCase(
        name="loyalty",
        fields={"loyalty_points": st.integers(0, 10**7)},
        to_data=lambda rows: [
            {"corporation_id": ENTITY_IDS[0] + key, **row} for key, row in sorted(rows.items())
        ],
        read=lambda character: {
            row.pop("corporation_id") - ENTITY_IDS[0]: row
            for row in CharacterLoyaltyEntry.objects.filter(character=character).values(
                "corporation_id", "loyalty_points"
            )
        },
        store=loyalty.store,
    ),
    StoreCase(
        name="corporation_history",
        fields={
            "corporation_id": st.sampled_from(ENTITY_IDS),
            "start_date": DATES,
            "is_deleted": st.booleans(),
        },
        to_data=lambda rows: [{"record_id": key, **row} for key, row in sorted(rows.items())],
        read=lambda character: {
            row.pop("record_id"): row
            for row in CharacterCorporationHistory.objects.filter(character=character).values(
                "record_id", *corporation_history.FIELDS
            )
        },
        store=corporation_history.store,
    ),
    StoreCase(
        name="mail_labels",
        fields={
            "name": SMALL_TEXT,
            "color": st.sampled_from(["#ffffff", "#ff0000", ""]),
            "unread_count": st.integers(0, 500),
        },
        to_data=lambda rows: {
            "body_failure": None,
            "deleted": [],
            "lists": [],
            "labels": [{"label_id": key, **row} for key, row in sorted(rows.items())],
            "mails": [],
            "bodies": {},
        },
        read=lambda character: {
            row.pop("label_id"): row
            for row in CharacterMailLabel.objects.filter(character=character).values(
                "label_id", "name", "color", "unread_count"
            )
        },
        store=mails.store,
    ),
    StoreCase(
        name="implants",
        fields={"slot": st.none() | st.integers(1, 10), "position": st.integers(0, 9)},
        to_data=lambda rows: [
            {"type_id": TYPE_IDS[0] + key % 6, **row} for key, row in sorted(rows.items())
        ],
        read=lambda character: {
            row.pop("eve_type_id") - TYPE_IDS[0]: row
            for row in CharacterImplant.objects.filter(character=character).values(
                "eve_type_id", "slot", "position"
            )
        },
        store=implants.store,
    ),
]

# Keys that map onto a few EVE types (skills, implants) must stay distinct types.
TYPE_KEYED = {"skills", "implants"}


@pytest.fixture
def referenced_rows(db):
    """The EVE types, entities and places the generated rows point at."""
    create_skill_types(len(TYPE_IDS), first_id=TYPE_IDS[0])
    ensure_entity_rows(ENTITY_IDS + [ENTITY_IDS[0] + key for key in range(1, 13)])
    EveEntity.objects.filter(id__in=ENTITY_IDS).update(category=EveEntity.CATEGORY_CORPORATION)
    ensure_location_rows(PLACE_IDS)


def _rows(data, case: StoreCase, keys: set[int]) -> dict[int, dict]:
    return {key: data.draw(case.row(key, keys)) for key in sorted(keys)}


def _changed(data, case: StoreCase, before: dict[int, dict], keys: set[int]) -> dict[int, dict]:
    """Rows kept from ``before`` with random fields changed, plus new rows."""
    after = {}
    for key in sorted(keys):
        fresh = data.draw(case.row(key, keys))
        if key not in before:
            after[key] = fresh
            continue
        fields = data.draw(st.sets(st.sampled_from(sorted(case.fields))))
        row = dict(before[key])
        for name in fields:
            row[name] = fresh[name]
        if case.name == "assets" and row["parent_id"] not in (None, *keys):
            row["parent_id"] = None  # its parent is gone: the item moved to a place
        after[key] = row
    return after


def _expected(case: StoreCase, rows: dict[int, dict]) -> dict[int, dict]:
    if case.name == "assets":
        return _asset_expected(rows)
    return rows


def _key_sets(data, case: StoreCase) -> tuple[set[int], set[int]]:
    keys = KEYS if case.name not in TYPE_KEYED else st.integers(0, len(TYPE_IDS) - 1)
    first = data.draw(st.sets(keys, max_size=8), label="first keys")
    kept = data.draw(st.sets(st.sampled_from(sorted(first))), label="kept") if first else set()
    added = data.draw(st.sets(keys, max_size=4), label="added")
    return first, kept | added


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_should_store_exactly_the_new_data_after_random_changes(referenced_rows, case, data):
    character = create_character(next(_character_ids))
    first_keys, second_keys = _key_sets(data, case)
    first = _rows(data, case, first_keys)
    case.store(character, case.to_data(first))
    assert case.read(character) == _expected(case, first)

    second = _changed(data, case, first, second_keys)
    case.store(character, case.to_data(second))

    expected = {**first, **second} if case.keeps_history else second
    assert case.read(character) == _expected(case, expected)


def test_should_not_mix_up_fields_of_two_assets_changed_in_one_run(referenced_rows):
    """The case that corrupted data: one quantity and another item's flag change together."""
    character = create_character(next(_character_ids))
    rows = {
        1: {"type_id": TYPE_IDS[0], "quantity": 5, "location_flag": "Hangar"},
        2: {"type_id": TYPE_IDS[1], "quantity": 7, "location_flag": "Hangar"},
    }
    defaults = {"is_singleton": False, "is_blueprint_copy": None, "name": ""}
    defaults |= {"parent_id": None, "place_id": PLACE_IDS[0]}
    first = {key: {**defaults, **row} for key, row in rows.items()}
    assets.store(character, _asset_data(first))

    second = {1: {**first[1], "quantity": 6}, 2: {**first[2], "location_flag": "Cargo"}}
    assets.store(character, _asset_data(second))

    stored = _asset_rows(character)
    assert (stored[1]["quantity"], stored[1]["location_flag"]) == (6, "Hangar")
    assert (stored[2]["quantity"], stored[2]["location_flag"]) == (7, "Cargo")
