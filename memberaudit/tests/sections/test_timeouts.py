"""Sections whose ESI call does not answer in time: the section is marked failed with a
readable message, and the data stored before stays as it was. Against the fake EVE server."""

import pytest

from memberaudit import updater
from memberaudit.models import (
    CharacterCloneInfo,
    CharacterContact,
    CharacterContactLabel,
    CharacterCorporationHistory,
    CharacterDetails,
    CharacterImplant,
    CharacterJumpClone,
    CharacterJumpCloneImplant,
    CharacterLoyaltyEntry,
    CharacterWalletJournalEntry,
    SectionUpdateStatus,
)

from .helpers import esi_read_timeout, status_of

pytestmark = pytest.mark.django_db

ARIA = 90_000_001

# section: (the ESI route that hangs, the section's stored rows of a character)
SECTIONS = {
    "character_details": (
        "GetCharactersCharacterId",
        lambda character: [CharacterDetails.objects.filter(character=character)],
    ),
    "corporation_history": (
        "GetCharactersCharacterIdCorporationhistory",
        lambda character: [CharacterCorporationHistory.objects.filter(character=character)],
    ),
    "implants": (
        "GetCharactersCharacterIdImplants",
        lambda character: [CharacterImplant.objects.filter(character=character)],
    ),
    "jump_clones": (
        "GetCharactersCharacterIdClones",
        lambda character: [
            CharacterCloneInfo.objects.filter(character=character),
            CharacterJumpClone.objects.filter(character=character),
            CharacterJumpCloneImplant.objects.filter(jump_clone__character=character),
        ],
    ),
    "loyalty": (
        "GetCharactersCharacterIdLoyaltyPoints",
        lambda character: [CharacterLoyaltyEntry.objects.filter(character=character)],
    ),
    "wallet_journal": (
        "GetCharactersCharacterIdWalletJournal",
        lambda character: [CharacterWalletJournalEntry.objects.filter(character=character)],
    ),
    "contacts": (
        "GetCharactersCharacterIdContacts",
        lambda character: [
            CharacterContact.objects.filter(character=character),
            CharacterContactLabel.objects.filter(character=character),
            CharacterContact.labels.through.objects.filter(charactercontact__character=character),
        ],
    ),
}


def stored_rows(character, section: str) -> list[list[dict]]:
    _route, querysets = SECTIONS[section]
    return [list(queryset.order_by("pk").values()) for queryset in querysets(character)]


@pytest.mark.parametrize("section", SECTIONS)
def test_should_mark_section_failed_and_keep_stored_data_when_esi_times_out(
    section, make_character, fake_eve
):
    route, _querysets = SECTIONS[section]
    character = make_character(ARIA)
    assert updater.update_section(character, section).is_success
    before = stored_rows(character, section)
    assert all(before), "the scenario should give Aria data in every table of the section"
    fake_eve.faults.add(route, character_id=ARIA, latency=2.0)

    with esi_read_timeout(0.5):
        outcome = updater.update_section(character, section, force=True)

    assert not outcome.is_success
    status = status_of(character, section)
    assert status.is_success is False
    assert status.error_kind == SectionUpdateStatus.ErrorKind.ESI
    assert f"ESI did not answer {route}" in status.error_message
    assert stored_rows(character, section) == before
