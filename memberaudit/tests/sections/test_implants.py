"""Implants of the active clone, sorted by slot."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from esi.exceptions import HTTPClientError, HTTPServerError
from eveuniverse.models import EveDogmaAttribute, EveType, EveTypeDogmaAttribute
from eveuniverse.tests.testdata.factories_2 import EveTypeFactory

from memberaudit import esi_gateway, updater
from memberaudit.esi_gateway import EsiBadResponse, EsiUnavailable
from memberaudit.models import CharacterImplant, SectionUpdateStatus
from memberaudit.sections import implants as implants_section

from .helpers import create_character, install_canned_esi, writes_to

CHARACTER_ID = 90_000_103
OPERATION = "GetCharactersCharacterIdImplants"
TABLE = CharacterImplant._meta.db_table
SLOTS = {9899: 1, 9941: 2, 9942: 3, 9943: 4, 9956: 5, 13_283: 7, 33_393: None}


def create_types(ids, with_dogmas=True) -> None:
    """What eveuniverse would load from ESI: the types and their slot attribute."""
    slot_attribute, _ = EveDogmaAttribute.objects.get_or_create(
        id=implants_section.IMPLANT_SLOT_ATTRIBUTE_ID, defaults={"name": "implantness"}
    )
    for type_id in ids:
        if EveType.objects.filter(id=type_id).exists():
            continue
        eve_type = EveTypeFactory(id=type_id, name=f"Implant {type_id}")
        slot = SLOTS.get(type_id)
        if with_dogmas and slot:
            EveTypeDogmaAttribute.objects.create(
                eve_type=eve_type, eve_dogma_attribute=slot_attribute, value=float(slot)
            )


@pytest.fixture
def character(db):
    return create_character(CHARACTER_ID)


@pytest.fixture
def loaded_types(monkeypatch):
    """Types are loaded by eveuniverse; here without ESI. Records the ids asked for."""
    asked = []

    def load(ids, with_dogmas):
        asked.append(set(ids))
        create_types(ids, with_dogmas)

    monkeypatch.setattr(implants_section, "_load_types", load)
    return asked


@pytest.fixture
def esi(monkeypatch, loaded_types):
    answers = {OPERATION: [9942, 9899, 13_283]}

    return install_canned_esi(monkeypatch, answers)


def implant_ids(character) -> list[int]:
    return list(character.implants.values_list("eve_type_id", flat=True))


class TestImplantsWithCannedEsi:
    def test_should_store_implants_sorted_by_slot(self, character, esi):
        outcome = updater.update_section(character, "implants")

        assert outcome.is_success, outcome.message
        assert implant_ids(character) == [9899, 9942, 13_283]
        assert list(character.implants.values_list("slot", flat=True)) == [1, 3, 7]

    def test_should_put_implants_without_known_slot_last_in_esi_order(self, character, esi):
        esi[OPERATION] = [33_393, 9942, 99_999]

        updater.update_section(character, "implants")

        assert implant_ids(character) == [9942, 33_393, 99_999]

    def test_should_store_no_implants(self, character, esi):
        esi[OPERATION] = []

        outcome = updater.update_section(character, "implants")

        assert outcome.is_success
        assert implant_ids(character) == []

    def test_should_store_each_implant_once(self, character, esi):
        esi[OPERATION] = [9899, 9899]

        outcome = updater.update_section(character, "implants")

        assert outcome.is_success, outcome.message
        assert implant_ids(character) == [9899]

    def test_should_write_nothing_when_unchanged(self, character, esi):
        updater.update_section(character, "implants")

        with CaptureQueriesContext(connection) as queries:
            outcome = updater.update_section(character, "implants")

        assert outcome.is_success
        assert not outcome.changed
        assert writes_to(queries.captured_queries, TABLE) == []

    def test_should_remove_only_the_removed_implant(self, character, esi):
        updater.update_section(character, "implants")
        kept = dict(character.implants.values_list("eve_type_id", "pk"))
        esi[OPERATION] = [9942, 9899]

        with CaptureQueriesContext(connection) as queries:
            updater.update_section(character, "implants")

        writes = writes_to(queries.captured_queries, TABLE)
        assert len(writes) == 1
        assert writes[0].lstrip().upper().startswith("DELETE")
        assert dict(character.implants.values_list("eve_type_id", "pk")) == {
            9899: kept[9899],
            9942: kept[9942],
        }

    def test_should_add_a_new_implant_without_rewriting_others(self, character, esi):
        updater.update_section(character, "implants")
        esi[OPERATION] = [9942, 9899, 13_283, 9943]

        with CaptureQueriesContext(connection) as queries:
            updater.update_section(character, "implants")

        writes = writes_to(queries.captured_queries, TABLE)
        assert [sql.lstrip().split()[0].upper() for sql in writes] == ["INSERT"]
        assert implant_ids(character) == [9899, 9942, 9943, 13_283]

    @pytest.mark.parametrize(
        "error",
        [
            EsiUnavailable(f"ESI answered 503 for {OPERATION}", 503),
            EsiBadResponse(f"ESI sent an unusable answer for {OPERATION}"),
        ],
    )
    def test_should_keep_stored_data_when_esi_fails(self, character, esi, error):
        updater.update_section(character, "implants")
        esi[OPERATION] = error

        outcome = updater.update_section(character, "implants")

        assert not outcome.is_success
        status = SectionUpdateStatus.objects.get(character=character, section="implants")
        assert status.is_success is False
        assert OPERATION in status.error_message
        assert implant_ids(character) == [9899, 9942, 13_283]

    def test_should_ask_eveuniverse_once_for_all_types(self, character, esi, loaded_types):
        updater.update_section(character, "implants")

        assert loaded_types == [{9942, 9899, 13_283}]


class TestLoadImplantTypes:
    """How implant types are loaded through eveuniverse (its ESI calls stubbed)."""

    @pytest.fixture
    def eveuniverse(self, monkeypatch, db):
        calls = []
        behaviour = {"dogmas": None, "plain": None}

        def bulk_get_or_create_esi(*, ids, enabled_sections=None, **kwargs):
            key = "dogmas" if enabled_sections else "plain"
            calls.append(key)
            if behaviour[key]:
                raise behaviour[key]
            create_types(ids, with_dogmas=bool(enabled_sections))
            return EveType.objects.filter(id__in=ids)

        monkeypatch.setattr(EveType.objects, "bulk_get_or_create_esi", bulk_get_or_create_esi)
        return calls, behaviour

    def test_should_return_slots_from_dogma_attributes(self, eveuniverse):
        assert implants_section.load_implant_types([9899, 33_393]) == {9899: 1, 33_393: None}

    def test_should_load_types_without_slots_when_dogmas_are_not_available(self, eveuniverse):
        calls, behaviour = eveuniverse
        behaviour["dogmas"] = HTTPClientError(404, {}, "no such attribute")

        slots = implants_section.load_implant_types([9899])

        assert slots == {9899: None}
        assert calls == ["dogmas", "plain"]
        assert EveType.objects.filter(id=9899).exists()

    def test_should_fail_readably_when_esi_is_down(self, eveuniverse):
        _calls, behaviour = eveuniverse
        behaviour["dogmas"] = HTTPServerError(502, {}, "bad gateway")

        with pytest.raises(EsiUnavailable, match="502"):
            implants_section.load_implant_types([9899])

    def test_should_fail_when_a_type_does_not_exist(self, eveuniverse):
        _calls, behaviour = eveuniverse
        behaviour["dogmas"] = behaviour["plain"] = HTTPClientError(404, {}, "no such type")

        with pytest.raises(Exception, match="404"):
            implants_section.load_implant_types([1])

    def test_should_not_call_esi_for_no_implants(self, eveuniverse):
        calls, _behaviour = eveuniverse

        assert implants_section.load_implant_types([]) == {}
        assert calls == []


FAKE_CHARACTER_ID = 90_000_001


@pytest.mark.integration
@pytest.mark.django_db
class TestImplantsWithFakeEsi:
    """Through the gateway and HTTP against the fake EVE server."""

    def test_should_store_implants_with_their_types(self, make_character):
        character = make_character(FAKE_CHARACTER_ID)

        outcome = updater.update_section(character, "implants")

        assert outcome.is_success, outcome.message
        assert implant_ids(character) == [9899, 9941, 9942, 9943, 9956]
        assert all(implant.eve_type.name for implant in character.implants.all())

    def test_should_write_nothing_when_unchanged(self, make_character):
        character = make_character(FAKE_CHARACTER_ID)
        updater.update_section(character, "implants")

        with CaptureQueriesContext(connection) as queries:
            outcome = updater.update_section(character, "implants")

        assert outcome.is_success, outcome.message
        assert writes_to(queries.captured_queries, TABLE) == []

    def test_should_remove_an_implant_removed_in_esi(self, make_character, fake_eve):
        character = make_character(FAKE_CHARACTER_ID)
        updater.update_section(character, "implants")
        pks = dict(character.implants.values_list("eve_type_id", "pk"))
        fake_eve.scenario.update_character(FAKE_CHARACTER_ID, {"implants": [9899, 9941]})

        outcome = updater.update_section(character, "implants", force=True)

        assert outcome.is_success, outcome.message
        assert dict(character.implants.values_list("eve_type_id", "pk")) == {
            9899: pks[9899],
            9941: pks[9941],
        }

    @pytest.mark.parametrize(
        "fault", [{"status": 500}, {"status": 504}, {"malformed": True}], ids=str
    )
    def test_should_keep_stored_data_when_esi_fails(
        self, make_character, fake_eve, fast_retries, fault
    ):
        character = make_character(FAKE_CHARACTER_ID)
        updater.update_section(character, "implants")
        fake_eve.faults.add(OPERATION, character_id=FAKE_CHARACTER_ID, **fault)

        outcome = updater.update_section(character, "implants", force=True)

        assert not outcome.is_success
        status = SectionUpdateStatus.objects.get(character=character, section="implants")
        assert status.is_success is False
        assert OPERATION in status.error_message
        assert len(implant_ids(character)) == 5

    def test_should_fail_when_implant_type_cannot_be_loaded(self, make_character, fake_eve):
        character = make_character(FAKE_CHARACTER_ID)
        fake_eve.faults.add("GetUniverseTypesTypeId", status=500)

        outcome = updater.update_section(character, "implants")

        assert not outcome.is_success
        assert "500" in outcome.message
        assert implant_ids(character) == []

    def test_should_pause_esi_until_the_error_window_resets_after_a_420(
        self, make_character, fake_eve
    ):
        fake_eve.error_limiter.configure(window=17)  # ESI says: the window resets in <= 17 s
        fake_eve.faults.add("GetUniverseTypesTypeId", status=420, times=1)
        character = make_character(FAKE_CHARACTER_ID)

        outcome = updater.update_section(character, "implants")

        assert not outcome.is_success
        assert "error limit" in outcome.message
        assert 0 < esi_gateway.error_limit_reset_in() <= 17  # ESI's reset, not a guess
