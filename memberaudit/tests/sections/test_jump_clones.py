"""Jump clones: where clones are parked, their implants, and the home station."""

import copy
import datetime as dt

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from eveuniverse.models import EveDogmaAttribute, EveType, EveTypeDogmaAttribute
from eveuniverse.tests.testdata.factories_2 import EveTypeFactory

from memberaudit import updater
from memberaudit.esi_gateway import EsiBadResponse, EsiUnavailable
from memberaudit.models import (
    CharacterCloneInfo,
    CharacterJumpClone,
    CharacterJumpCloneImplant,
    Location,
    SectionUpdateStatus,
)
from memberaudit.sections import implants as implants_section
from memberaudit.sections import jump_clones as jump_clones_section

from .helpers import create_character, install_canned_esi, writes_to

CHARACTER_ID = 90_000_104
OPERATION = "GetCharactersCharacterIdClones"
JITA_STATION = 60_003_760
AMARR_STATION = 60_008_494
STRUCTURE = 1_035_466_617_946
SLOTS = {9899: 1, 9941: 2, 9942: 3, 9943: 4, 9956: 5}
CLONE_TABLES = (
    CharacterJumpClone._meta.db_table,
    CharacterJumpCloneImplant._meta.db_table,
    CharacterCloneInfo._meta.db_table,
)


def when(day) -> dt.datetime:
    return dt.datetime(2024, 1, day, 12, 0, tzinfo=dt.UTC)


def clone(clone_id, location_id=JITA_STATION, implants=(), name="", **changes) -> dict:
    data = {
        "jump_clone_id": clone_id,
        "location_id": location_id,
        "location_type": "station",
        "implants": list(implants),
        "name": name,
    }
    data.update(changes)
    return data


def esi_answer(clones, **changes) -> dict:
    answer = {
        "home_location": {"location_id": AMARR_STATION, "location_type": "station"},
        "jump_clones": clones,
        "last_clone_jump_date": when(2),
        "last_station_change_date": when(1),
    }
    answer.update(changes)
    return answer


def many_clones(count: int) -> list[dict]:
    return [clone(1000 + n, implants=[9899, 9941] if n % 2 else []) for n in range(count)]


@pytest.fixture
def character(db):
    return create_character(CHARACTER_ID)


@pytest.fixture
def loaded_types(monkeypatch, db):
    slot_attribute = EveDogmaAttribute.objects.create(
        id=implants_section.IMPLANT_SLOT_ATTRIBUTE_ID, name="implantness"
    )

    def load(ids, with_dogmas):
        for type_id in ids:
            if not EveType.objects.filter(id=type_id).exists():
                eve_type = EveTypeFactory(id=type_id, name=f"Implant {type_id}")
                if type_id in SLOTS:
                    EveTypeDogmaAttribute.objects.create(
                        eve_type=eve_type,
                        eve_dogma_attribute=slot_attribute,
                        value=SLOTS[type_id],
                    )

    monkeypatch.setattr(implants_section, "_load_types", load)


@pytest.fixture
def resolved_locations(monkeypatch):
    """Locations resolved without ESI; records the ids asked for."""
    asked = []

    def resolve(location_ids, gateway):
        asked.append(set(location_ids))
        for location_id in location_ids:
            Location.objects.get_or_create(
                id=location_id, defaults={"name": f"Place {location_id}"}
            )
        return Location.objects.in_bulk(set(location_ids))

    monkeypatch.setattr(jump_clones_section, "resolve_locations", resolve)
    return asked


@pytest.fixture
def esi(monkeypatch, loaded_types, resolved_locations):
    answers = {
        OPERATION: esi_answer(
            [
                clone(11, JITA_STATION, [9942, 9899], name="Trade"),
                clone(12, STRUCTURE, [], location_type="structure"),
            ]
        )
    }

    return install_canned_esi(monkeypatch, answers)


def clones_of(character) -> dict[int, tuple]:
    return {
        jump_clone.jump_clone_id: (
            jump_clone.location_id,
            jump_clone.name,
            [implant.eve_type_id for implant in jump_clone.implants.all()],
        )
        for jump_clone in character.jump_clones.prefetch_related("implants")
    }


class TestJumpClonesWithCannedEsi:
    def test_should_store_clones_with_locations_names_and_implants(self, character, esi):
        outcome = updater.update_section(character, "jump_clones")

        assert outcome.is_success, outcome.message
        assert clones_of(character) == {
            11: (JITA_STATION, "Trade", [9899, 9942]),
            12: (STRUCTURE, "", []),
        }
        assert character.jump_clones.get(jump_clone_id=11).location.name == (
            f"Place {JITA_STATION}"
        )

    def test_should_store_home_location_and_dates(self, character, esi):
        updater.update_section(character, "jump_clones")

        info = CharacterCloneInfo.objects.get(character=character)
        assert info.home_location_id == AMARR_STATION
        assert info.last_clone_jump_date == when(2)
        assert info.last_station_change_date == when(1)

    def test_should_resolve_all_locations_at_once(self, character, esi, resolved_locations):
        updater.update_section(character, "jump_clones")

        assert resolved_locations == [{JITA_STATION, STRUCTURE, AMARR_STATION}]

    def test_should_store_more_than_ten_clones(self, character, esi):
        esi[OPERATION] = esi_answer(many_clones(15))

        outcome = updater.update_section(character, "jump_clones")

        assert outcome.is_success, outcome.message
        assert character.jump_clones.count() == 15
        assert (
            CharacterJumpCloneImplant.objects.filter(jump_clone__character=character).count() == 14
        )

    def test_should_store_missing_optional_fields_as_empty(self, character, esi):
        answer = {"jump_clones": [clone(11)]}
        del answer["jump_clones"][0]["name"]
        esi[OPERATION] = answer

        outcome = updater.update_section(character, "jump_clones")

        assert outcome.is_success, outcome.message
        info = CharacterCloneInfo.objects.get(character=character)
        assert info.home_location is None
        assert info.last_clone_jump_date is None
        assert info.last_station_change_date is None
        assert clones_of(character) == {11: (JITA_STATION, "", [])}

    def test_should_store_no_clones(self, character, esi):
        esi[OPERATION] = esi_answer([])

        outcome = updater.update_section(character, "jump_clones")

        assert outcome.is_success, outcome.message
        assert not character.jump_clones.exists()
        assert CharacterCloneInfo.objects.filter(character=character).exists()

    def test_should_write_nothing_when_unchanged(self, character, esi):
        updater.update_section(character, "jump_clones")

        with CaptureQueriesContext(connection) as queries:
            outcome = updater.update_section(character, "jump_clones")

        assert outcome.is_success
        assert writes_to(queries.captured_queries, *CLONE_TABLES) == []

    def test_should_write_nothing_when_store_runs_with_same_data(self, character, esi):
        updater.update_section(character, "jump_clones")

        with CaptureQueriesContext(connection) as queries:
            outcome = updater.update_section(character, "jump_clones", force=True)

        assert outcome.is_success
        assert writes_to(queries.captured_queries, *CLONE_TABLES) == []

    def test_should_remove_a_clone_removed_in_esi_and_leave_the_others(self, character, esi):
        esi[OPERATION] = esi_answer(
            [
                clone(11, JITA_STATION, [9942, 9899], name="Trade"),
                clone(12, STRUCTURE, [9943]),
                clone(13, AMARR_STATION, [9956]),
            ]
        )
        updater.update_section(character, "jump_clones")
        clone_pks = dict(character.jump_clones.values_list("jump_clone_id", "pk"))
        implant_pks = set(
            CharacterJumpCloneImplant.objects.filter(
                jump_clone__jump_clone_id__in=[11, 13]
            ).values_list("pk", flat=True)
        )
        esi[OPERATION] = esi_answer(
            [
                clone(11, JITA_STATION, [9942, 9899], name="Trade"),
                clone(13, AMARR_STATION, [9956]),
            ]
        )

        with CaptureQueriesContext(connection) as queries:
            outcome = updater.update_section(character, "jump_clones")

        assert outcome.is_success, outcome.message
        assert clones_of(character) == {
            11: (JITA_STATION, "Trade", [9899, 9942]),
            13: (AMARR_STATION, "", [9956]),
        }
        assert dict(character.jump_clones.values_list("jump_clone_id", "pk")) == {
            11: clone_pks[11],
            13: clone_pks[13],
        }
        assert (
            set(
                CharacterJumpCloneImplant.objects.filter(
                    jump_clone__character=character
                ).values_list("pk", flat=True)
            )
            == implant_pks
        )
        statements = writes_to(queries.captured_queries, *CLONE_TABLES)
        assert statements
        assert all(sql.lstrip().upper().startswith("DELETE") for sql in statements)

    def test_should_only_add_the_new_clone(self, character, esi):
        updater.update_section(character, "jump_clones")
        answer = copy.deepcopy(esi[OPERATION])
        answer["jump_clones"].append(clone(14, AMARR_STATION, [9941]))
        esi[OPERATION] = answer

        with CaptureQueriesContext(connection) as queries:
            updater.update_section(character, "jump_clones")

        statements = writes_to(queries.captured_queries, *CLONE_TABLES)
        assert [sql.lstrip().split()[0].upper() for sql in statements] == ["INSERT", "INSERT"]
        assert clones_of(character)[14] == (AMARR_STATION, "", [9941])

    def test_should_update_only_what_changed_in_one_clone(self, character, esi):
        updater.update_section(character, "jump_clones")
        esi[OPERATION] = esi_answer(
            [
                clone(11, JITA_STATION, [9942, 9899, 9943], name="Renamed"),
                clone(12, STRUCTURE, [], location_type="structure"),
            ]
        )

        with CaptureQueriesContext(connection) as queries:
            updater.update_section(character, "jump_clones")

        statements = writes_to(queries.captured_queries, *CLONE_TABLES)
        assert [sql.lstrip().split()[0].upper() for sql in statements] == ["UPDATE", "INSERT"]
        assert clones_of(character)[11] == (JITA_STATION, "Renamed", [9899, 9942, 9943])

    def test_should_update_clone_info_alone(self, character, esi):
        updater.update_section(character, "jump_clones")
        answer = copy.deepcopy(esi[OPERATION])
        answer["last_clone_jump_date"] = when(5)
        esi[OPERATION] = answer

        with CaptureQueriesContext(connection) as queries:
            updater.update_section(character, "jump_clones")

        statements = writes_to(queries.captured_queries, *CLONE_TABLES)
        assert len(statements) == 1
        assert CharacterCloneInfo._meta.db_table in statements[0]
        assert CharacterCloneInfo.objects.get(character=character).last_clone_jump_date == (when(5))

    def test_should_use_same_number_of_queries_for_10_and_150_clones(self, character, esi):
        def count_queries(clones):
            esi[OPERATION] = esi_answer(clones)
            with CaptureQueriesContext(connection) as queries:
                outcome = updater.update_section(character, "jump_clones", force=True)
            assert outcome.is_success, outcome.message
            return len(queries.captured_queries)

        count_queries(many_clones(2))  # creates status row, clone info and types
        character.jump_clones.all().delete()
        small = count_queries(many_clones(10))
        character.jump_clones.all().delete()
        large = count_queries(many_clones(150))

        assert large == small
        assert character.jump_clones.count() == 150

    @pytest.mark.parametrize(
        "error",
        [
            EsiUnavailable(f"ESI answered 504 for {OPERATION}", 504),
            EsiBadResponse(f"ESI sent an unusable answer for {OPERATION}"),
        ],
    )
    def test_should_keep_stored_data_when_esi_fails(self, character, esi, error):
        updater.update_section(character, "jump_clones")
        before = clones_of(character)
        esi[OPERATION] = error

        outcome = updater.update_section(character, "jump_clones")

        assert not outcome.is_success
        status = SectionUpdateStatus.objects.get(character=character, section="jump_clones")
        assert status.is_success is False
        assert OPERATION in status.error_message
        assert clones_of(character) == before
        assert CharacterCloneInfo.objects.get(character=character).home_location_id == (
            AMARR_STATION
        )


FAKE_CHARACTER_ID = 90_000_003  # has 12 jump clones in the scenario


@pytest.mark.integration
@pytest.mark.django_db
class TestJumpClonesWithFakeEsi:
    """Through the gateway and HTTP against the fake EVE server."""

    def test_should_store_more_than_ten_clones_with_locations(self, make_character):
        character = make_character(FAKE_CHARACTER_ID)

        outcome = updater.update_section(character, "jump_clones")

        assert outcome.is_success, outcome.message
        stored = clones_of(character)
        assert len(stored) == 12
        assert stored[22_000_007][2] == [9899, 9941, 9942]
        assert stored[22_000_002][1] == "Home"
        assert character.jump_clones.get(jump_clone_id=22_000_001).location.name == (
            "Jita IV - Moon 4 - Caldari Navy Assembly Plant"
        )
        info = CharacterCloneInfo.objects.get(character=character)
        assert info.home_location_id == 60_008_494
        assert info.last_clone_jump_date is not None
        assert info.last_station_change_date is None

    def test_should_write_nothing_when_unchanged(self, make_character):
        character = make_character(FAKE_CHARACTER_ID)
        updater.update_section(character, "jump_clones")

        with CaptureQueriesContext(connection) as queries:
            outcome = updater.update_section(character, "jump_clones")

        assert outcome.is_success, outcome.message
        assert writes_to(queries.captured_queries, *CLONE_TABLES) == []

    def test_should_remove_a_clone_removed_in_esi_and_leave_the_others(
        self, make_character, fake_eve
    ):
        character = make_character(FAKE_CHARACTER_ID)
        updater.update_section(character, "jump_clones")
        clone_pks = dict(character.jump_clones.values_list("jump_clone_id", "pk"))
        clones = fake_eve.scenario.character(FAKE_CHARACTER_ID)["clones"]
        clones = {
            **clones,
            "jump_clones": [
                item for item in clones["jump_clones"] if item["jump_clone_id"] != 22_000_007
            ],
        }
        fake_eve.scenario.update_character(FAKE_CHARACTER_ID, {"clones": clones})

        with CaptureQueriesContext(connection) as queries:
            outcome = updater.update_section(character, "jump_clones", force=True)

        assert outcome.is_success, outcome.message
        del clone_pks[22_000_007]
        assert dict(character.jump_clones.values_list("jump_clone_id", "pk")) == clone_pks
        statements = writes_to(queries.captured_queries, *CLONE_TABLES)
        assert statements
        assert all(sql.lstrip().upper().startswith("DELETE") for sql in statements)

    @pytest.mark.parametrize(
        "fault", [{"status": 500}, {"status": 502}, {"malformed": True}], ids=str
    )
    def test_should_keep_stored_data_when_esi_fails(
        self, make_character, fake_eve, fast_retries, fault
    ):
        character = make_character(FAKE_CHARACTER_ID)
        updater.update_section(character, "jump_clones")
        before = clones_of(character)
        fake_eve.faults.add(OPERATION, character_id=FAKE_CHARACTER_ID, **fault)

        outcome = updater.update_section(character, "jump_clones", force=True)

        assert not outcome.is_success
        status = SectionUpdateStatus.objects.get(character=character, section="jump_clones")
        assert status.is_success is False
        assert OPERATION in status.error_message
        assert clones_of(character) == before

    def test_should_store_dropped_optional_fields_as_empty(self, make_character, fake_eve):
        character = make_character(FAKE_CHARACTER_ID)
        fake_eve.faults.add(
            OPERATION,
            character_id=FAKE_CHARACTER_ID,
            drop_fields=["home_location", "last_clone_jump_date", "jump_clones.name"],
        )

        outcome = updater.update_section(character, "jump_clones")

        assert outcome.is_success, outcome.message
        info = CharacterCloneInfo.objects.get(character=character)
        assert info.home_location is None
        assert info.last_clone_jump_date is None
        assert not character.jump_clones.exclude(name="").exists()
        assert character.jump_clones.count() == 12
