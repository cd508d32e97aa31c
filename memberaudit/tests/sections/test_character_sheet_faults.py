"""The eight character sheet sections against the fake EVE server, under every fault of the
fault matrix: a failed run keeps the stored rows and says why, the next run recovers, and
unchanged data writes nothing. A token without a section's scope fails only that section."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from memberaudit import esi_gateway, updater
from memberaudit.models import (
    CharacterAttributes,
    CharacterCorporationRole,
    CharacterFwStats,
    CharacterJumpFatigue,
    CharacterMedal,
    CharacterResearchAgent,
    CharacterStanding,
    CharacterTitle,
    SectionUpdateStatus,
)
from memberaudit.scopes import REGISTRATION_SCOPES
from memberaudit.sections import registry

from .helpers import esi_read_timeout, expire_esi_cache, status_of, writes_to

pytestmark = pytest.mark.integration

ARIA = 90_000_001  # roles, titles, medals, standings, research agents; never enlisted
BRUNO = 90_000_002  # enlisted in faction warfare, fatigued

# section: (ESI operation, model, a scenario character with data in it)
SECTIONS = {
    "attributes": ("GetCharactersCharacterIdAttributes", CharacterAttributes, ARIA),
    "corporation_roles": ("GetCharactersCharacterIdRoles", CharacterCorporationRole, ARIA),
    "titles": ("GetCharactersCharacterIdTitles", CharacterTitle, ARIA),
    "medals": ("GetCharactersCharacterIdMedals", CharacterMedal, ARIA),
    "standings": ("GetCharactersCharacterIdStandings", CharacterStanding, ARIA),
    "faction_warfare": ("GetCharactersCharacterIdFwStats", CharacterFwStats, BRUNO),
    "jump_fatigue": ("GetCharactersCharacterIdFatigue", CharacterJumpFatigue, BRUNO),
    "research_agents": ("GetCharactersCharacterIdAgentsResearch", CharacterResearchAgent, ARIA),
}

# scenario field that feeds each section, and a value that would change what is stored
NEW_DATA = {
    "attributes": (
        "attributes",
        {"charisma": 20, "intelligence": 20, "memory": 20, "perception": 20, "willpower": 19},
    ),
    "corporation_roles": ("corporation_roles", {"roles": ["Auditor"]}),
    "titles": ("titles", [{"title_id": 16, "name": "Recruiter"}]),
    "medals": ("medals", []),
    "standings": ("standings", [{"from_id": 500002, "from_type": "faction", "standing": 1.5}]),
    "faction_warfare": ("fw_stats", {}),
    "jump_fatigue": ("fatigue", {}),
    "research_agents": ("agents_research", []),
}


def stored_rows(section: str, character) -> list[dict]:
    _operation, model, _character_id = SECTIONS[section]
    return list(model.objects.filter(character=character).order_by("pk").values())


def table_of(section: str) -> str:
    return SECTIONS[section][1]._meta.db_table


@pytest.fixture
def updated_character(make_character, fake_eve):
    """``updated_character(section)``: the section's scenario character after one good update."""

    def factory(section: str):
        character = make_character(SECTIONS[section][2])
        outcome = updater.update_section(character, section)
        assert outcome.is_success, outcome.message
        assert stored_rows(section, character), "the scenario should give data to this section"
        return character

    return factory


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize(
    "fault",
    [{"status": 500}, {"status": 502}, {"status": 503}, {"malformed": True}, {"status": 403}],
    ids=["500", "502", "503", "malformed-body", "403"],
)
def test_should_keep_stored_rows_and_recover_when_esi_fails(
    section, fault, updated_character, fake_eve
):
    operation, _model, character_id = SECTIONS[section]
    character = updated_character(section)
    before = stored_rows(section, character)
    field, new_value = NEW_DATA[section]
    fake_eve.scenario.update_character(character_id, {field: new_value})
    failure = fake_eve.faults.add(operation, character_id=character_id, **fault)
    expire_esi_cache()

    outcome = updater.update_section(character, section)

    assert not outcome.is_success
    status = status_of(character, section)
    assert status.is_success is False
    assert operation in status.error_message
    assert stored_rows(section, character) == before

    fake_eve.faults.remove(failure.id)  # ESI works again
    recovered = updater.update_section(character, section)

    assert recovered.is_success, recovered.message
    assert recovered.changed
    assert status_of(character, section).error_message == ""


@pytest.mark.parametrize("section", SECTIONS)
def test_should_keep_stored_rows_when_esi_times_out(section, updated_character, fake_eve):
    operation, _model, character_id = SECTIONS[section]
    character = updated_character(section)
    before = stored_rows(section, character)
    fake_eve.faults.add(operation, character_id=character_id, latency=2.0)

    with esi_read_timeout(0.5):
        outcome = updater.update_section(character, section, force=True)

    assert not outcome.is_success
    assert f"ESI did not answer {operation}" in status_of(character, section).error_message
    assert stored_rows(section, character) == before


@pytest.mark.parametrize("section", SECTIONS)
def test_should_keep_stored_rows_and_pause_esi_after_a_420(section, updated_character, fake_eve):
    operation, _model, character_id = SECTIONS[section]
    character = updated_character(section)
    before = stored_rows(section, character)
    fake_eve.error_limiter.configure(window=17)
    fake_eve.faults.add(operation, character_id=character_id, status=420, times=1)
    expire_esi_cache()

    outcome = updater.update_section(character, section)

    assert not outcome.is_success
    assert "error limit" in outcome.message
    assert 0 < esi_gateway.error_limit_reset_in() <= 17
    assert stored_rows(section, character) == before


@pytest.mark.parametrize("section", SECTIONS)
def test_should_write_nothing_when_esi_sends_the_same_data(section, updated_character):
    character = updated_character(section)
    expire_esi_cache()  # no 304: the full answer comes again, with equal content

    with CaptureQueriesContext(connection) as context:
        outcome = updater.update_section(character, section)

    assert outcome.is_success and not outcome.changed
    assert writes_to(context.captured_queries, table_of(section)) == []


@pytest.mark.parametrize("section", SECTIONS)
def test_should_write_nothing_when_esi_answers_not_modified(section, updated_character):
    character = updated_character(section)

    with CaptureQueriesContext(connection) as context:
        outcome = updater.update_section(character, section)

    assert outcome.is_success and not outcome.changed
    status = status_of(character, section)
    assert status.esi_not_modified >= 1
    assert writes_to(context.captured_queries, table_of(section)) == []


@pytest.mark.parametrize("section", SECTIONS)
def test_should_fail_only_this_section_when_the_token_lacks_its_scope(section, make_character):
    scope = registry.get(section).scopes[0]
    character_id = SECTIONS[section][2]
    character = make_character(character_id, scopes=[s for s in REGISTRATION_SCOPES if s != scope])

    outcome = updater.update_section(character, section)
    others = [
        updater.update_section(character, name)
        for name in ("online_status", "wallet_balance", "loyalty")
    ]

    assert not outcome.is_success
    status = status_of(character, section)
    assert status.error_kind == SectionUpdateStatus.ErrorKind.TOKEN_LIMITED
    assert scope in status.error_message
    assert all(other.is_success for other in others), [o.message for o in others]
    character.refresh_from_db()
    assert not character.is_disabled
