"""Character details: public facts and a biography that is shown only after sanitizing."""

import datetime as dt

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from eveuniverse.models import EveAncestry, EveBloodline, EveEntity, EveRace

from memberaudit import esi_gateway, updater
from memberaudit.esi_gateway import EsiBadResponse, EsiUnavailable
from memberaudit.models import CharacterDetails, SectionUpdateStatus
from memberaudit.sections import character_details

from .helpers import create_character, install_canned_esi, writes_to

CHARACTER_ID = 90_000_101
OPERATION = "GetCharactersCharacterId"
TABLE = CharacterDetails._meta.db_table
HOSTILE_BIO = (
    '<font size="14" color="#bfffffff">Hi</font><script>alert("bio")</script>'
    '<a href="javascript:alert(1)">click</a><img src=x onerror=alert(2)>'
    '<a href="showinfo:1377//90000101">me</a>'
)


def esi_answer(**changes) -> dict:
    answer = {
        "name": "Pilot",
        "birthday": dt.datetime(2015, 3, 24, 11, 37, tzinfo=dt.UTC),
        "corporation_id": 98_000_001,
        "alliance_id": 99_000_001,
        "faction_id": 500_001,
        "race_id": 1,
        "bloodline_id": 1,
        "gender": "female",
        "security_status": -1.5,
        "title": "<b>Director</b>",
        "description": "Hello <b>world</b>",
    }
    answer.update(changes)
    return answer


@pytest.fixture
def character(db):
    return create_character(CHARACTER_ID)


@pytest.fixture
def universe(db):
    """Race and bloodline already loaded, so eveuniverse needs no ESI for them."""
    race = EveRace.objects.create(id=1, name="Caldari", alliance_id=500_001, description="")
    bloodline = EveBloodline.objects.create(
        id=1,
        name="Deteis",
        eve_race=race,
        charisma=6,
        corporation_id=1_000_006,
        description="",
        intelligence=7,
        memory=7,
        perception=5,
        willpower=5,
    )
    EveAncestry.objects.create(id=1, name="Tube Child", eve_bloodline=bloodline, description="")
    return race, bloodline


@pytest.fixture
def esi(monkeypatch, universe):
    """Canned ESI answers by operation id; an exception as answer is raised."""
    names = {98_000_001: "corporation", 99_000_001: "alliance", 500_001: "faction"}
    answers = {
        OPERATION: esi_answer(),
        "PostUniverseNames": lambda params: [
            {"id": i, "name": f"Name {i}", "category": names.get(i, "corporation")}
            for i in params["body"]
        ],
    }

    return install_canned_esi(monkeypatch, answers)


def status_of(character) -> SectionUpdateStatus:
    return SectionUpdateStatus.objects.get(character=character, section="character_details")


class TestCharacterDetailsWithCannedEsi:
    def test_should_store_all_details_with_names(self, character, esi):
        outcome = updater.update_section(character, "character_details")

        assert outcome.is_success, outcome.message
        details = CharacterDetails.objects.get(character=character)
        assert details.birthday == dt.datetime(2015, 3, 24, 11, 37, tzinfo=dt.UTC)
        assert details.corporation.name == "Name 98000001"
        assert details.alliance.category == EveEntity.CATEGORY_ALLIANCE
        assert details.faction.category == EveEntity.CATEGORY_FACTION
        assert details.race.name == "Caldari"
        assert details.bloodline.name == "Deteis"
        assert details.ancestry is None
        assert details.gender == CharacterDetails.Gender.FEMALE
        assert details.security_status == -1.5
        assert details.title == "<b>Director</b>"
        assert details.description == "Hello <b>world</b>"

    def test_should_store_ancestry_when_esi_sends_one(self, character, esi):
        esi[OPERATION] = esi_answer(ancestry_id=1)

        updater.update_section(character, "character_details")

        assert CharacterDetails.objects.get(character=character).ancestry.name == "Tube Child"

    def test_should_render_hostile_bio_and_title_only_sanitized(self, character, esi):
        esi[OPERATION] = esi_answer(
            description=HOSTILE_BIO, title='<font color="#ffff0000" onclick="x">Boss</font>'
        )

        updater.update_section(character, "character_details")

        details = CharacterDetails.objects.get(character=character)
        assert details.description == HOSTILE_BIO  # stored as sent
        html = details.description_html
        assert "<script" not in html
        assert "javascript:" not in html
        assert "onerror" not in html
        assert "<img" not in html
        assert "Hi" in html
        assert 'href="https://evewho.com/character/90000101"' in html
        assert details.title_html == '<span style="color: #ff0000">Boss</span>'
        assert details.title_text == "Boss"

    def test_should_store_missing_optional_fields_as_empty(self, character, esi):
        answer = esi_answer()
        for field in ("alliance_id", "faction_id", "description", "title", "security_status"):
            answer.pop(field)
        esi[OPERATION] = answer

        outcome = updater.update_section(character, "character_details")

        assert outcome.is_success, outcome.message
        details = CharacterDetails.objects.get(character=character)
        assert details.alliance is None
        assert details.faction is None
        assert details.security_status is None
        assert details.title == ""
        assert details.description == ""
        assert details.description_html == ""

    def test_should_store_null_optional_fields_as_empty(self, character, esi):
        esi[OPERATION] = esi_answer(alliance_id=None, description=None, title=None)

        outcome = updater.update_section(character, "character_details")

        assert outcome.is_success, outcome.message
        details = CharacterDetails.objects.get(character=character)
        assert details.alliance is None
        assert details.description == ""

    def test_should_store_unknown_gender_as_unknown(self, character, esi):
        esi[OPERATION] = esi_answer(gender="other")

        updater.update_section(character, "character_details")

        details = CharacterDetails.objects.get(character=character)
        assert details.gender == CharacterDetails.Gender.UNKNOWN
        assert details.get_gender_display() == "unknown"

    def test_should_store_no_race_when_eveuniverse_cannot_load_it(
        self, character, esi, monkeypatch
    ):
        from esi.exceptions import HTTPClientError

        def fail(**kwargs):
            raise HTTPClientError(404, {}, "not found")

        monkeypatch.setattr(EveRace.objects, "get_or_create_esi", fail)

        outcome = updater.update_section(character, "character_details")

        assert outcome.is_success, outcome.message
        details = CharacterDetails.objects.get(character=character)
        assert details.race is None
        assert details.bloodline.name == "Deteis"

    def test_should_keep_corporation_that_esi_cannot_name(self, character, esi):
        esi["PostUniverseNames"] = lambda params: []

        outcome = updater.update_section(character, "character_details")

        assert outcome.is_success, outcome.message
        details = CharacterDetails.objects.get(character=character)
        assert details.corporation_id == 98_000_001
        assert details.corporation.name == ""

    def test_should_write_nothing_when_unchanged(self, character, esi):
        updater.update_section(character, "character_details")

        with CaptureQueriesContext(connection) as queries:
            outcome = updater.update_section(character, "character_details")

        assert outcome.is_success
        assert not outcome.changed
        assert writes_to(queries.captured_queries, TABLE) == []

    def test_should_update_changed_details(self, character, esi):
        updater.update_section(character, "character_details")
        esi[OPERATION] = esi_answer(security_status=2.5, alliance_id=None, description="new")

        outcome = updater.update_section(character, "character_details")

        assert outcome.changed
        details = CharacterDetails.objects.get(character=character)
        assert details.security_status == 2.5
        assert details.alliance is None
        assert details.description == "new"
        assert CharacterDetails.objects.count() == 1

    @pytest.mark.parametrize(
        "error",
        [
            EsiUnavailable("ESI answered 500 for GetCharactersCharacterId", 500),
            EsiBadResponse("ESI sent an unusable answer for GetCharactersCharacterId"),
        ],
    )
    def test_should_keep_stored_data_when_esi_fails(self, character, esi, error):
        updater.update_section(character, "character_details")
        esi[OPERATION] = error

        outcome = updater.update_section(character, "character_details")

        assert not outcome.is_success
        status = status_of(character)
        assert status.is_success is False
        assert "GetCharactersCharacterId" in status.error_message
        assert CharacterDetails.objects.get(character=character).description == (
            "Hello <b>world</b>"
        )

    def test_should_need_no_scopes(self):
        from memberaudit.sections import registry

        assert registry.get("character_details").scopes == ()
        assert character_details.fetch is registry.get("character_details").fetch


FAKE_CHARACTER_ID = 90_000_002  # its bio in the scenario is hostile


@pytest.mark.integration
@pytest.mark.django_db
class TestCharacterDetailsWithFakeEsi:
    """Through the gateway and HTTP against the fake EVE server."""

    def test_should_store_details_and_render_hostile_bio_sanitized(self, make_character):
        character = make_character(FAKE_CHARACTER_ID)

        outcome = updater.update_section(character, "character_details")

        assert outcome.is_success, outcome.message
        details = CharacterDetails.objects.get(character=character)
        assert details.corporation.name
        assert details.alliance.name
        assert details.birthday == dt.datetime(2016, 9, 3, 8, 12, tzinfo=dt.UTC)
        assert details.race.name
        assert details.bloodline.name
        assert details.gender == CharacterDetails.Gender.MALE
        assert details.security_status == pytest.approx(-1.7)
        assert "<script>" in details.description
        html = details.description_html
        assert "<script" not in html
        assert "alert(" not in html
        assert "javascript:" not in html
        assert "onerror" not in html
        assert "<b>Hi!</b>" in html
        assert 'href="https://evewho.com/character/90000001"' in html

    def test_should_write_nothing_when_unchanged(self, make_character):
        character = make_character(FAKE_CHARACTER_ID)
        updater.update_section(character, "character_details")

        with CaptureQueriesContext(connection) as queries:
            outcome = updater.update_section(character, "character_details")

        assert outcome.is_success, outcome.message
        assert writes_to(queries.captured_queries, TABLE) == []

    def test_should_update_changed_details(self, make_character, fake_eve):
        character = make_character(FAKE_CHARACTER_ID)
        updater.update_section(character, "character_details")
        fake_eve.scenario.update_character(
            FAKE_CHARACTER_ID, {"description": "<b>reformed</b>", "security_status": 0.5}
        )

        outcome = updater.update_section(character, "character_details", force=True)

        assert outcome.is_success, outcome.message
        details = CharacterDetails.objects.get(character=character)
        assert details.description_html == "<b>reformed</b>"
        assert details.security_status == 0.5

    @pytest.mark.parametrize(
        "fault", [{"status": 500}, {"status": 503}, {"malformed": True}], ids=str
    )
    def test_should_keep_stored_data_when_esi_fails(
        self, make_character, fake_eve, fast_retries, fault
    ):
        character = make_character(FAKE_CHARACTER_ID)
        updater.update_section(character, "character_details")
        fake_eve.faults.add(OPERATION, character_id=FAKE_CHARACTER_ID, **fault)

        outcome = updater.update_section(character, "character_details", force=True)

        assert not outcome.is_success
        status = status_of(character)
        assert status.is_success is False
        assert OPERATION in status.error_message
        assert CharacterDetails.objects.get(character=character).security_status == (
            pytest.approx(-1.7)
        )

    def test_should_store_dropped_optional_fields_as_empty(self, make_character, fake_eve):
        character = make_character(FAKE_CHARACTER_ID)
        fake_eve.faults.add(
            OPERATION,
            character_id=FAKE_CHARACTER_ID,
            drop_fields=["alliance_id", "description", "title", "security_status", "faction_id"],
        )

        outcome = updater.update_section(character, "character_details")

        assert outcome.is_success, outcome.message
        details = CharacterDetails.objects.get(character=character)
        assert details.alliance is None
        assert details.description == ""
        assert details.title == ""
        assert details.security_status is None

    def test_should_stop_at_the_error_limit_while_loading_the_race(self, make_character, fake_eve):
        fake_eve.error_limiter.configure(window=17)
        fake_eve.faults.add("GetUniverseRaces", status=420, times=1)
        character = make_character(FAKE_CHARACTER_ID)

        outcome = updater.update_section(character, "character_details")

        assert not outcome.is_success
        assert "error limit" in outcome.message
        assert 0 < esi_gateway.error_limit_reset_in() <= 17
