"""Faction warfare: enlistment, ranks, kills and victory points; never enlisted is no error."""

import datetime as dt

import pytest

from django.utils import timezone

from memberaudit import updater
from memberaudit.models import CharacterFwStats

from .helpers import create_character
from .sheet_helpers import install_sheet_esi

OPERATION = "GetCharactersCharacterIdFwStats"
ENLISTED = timezone.now().replace(microsecond=0) - dt.timedelta(days=500)
ENLISTED_ANSWER = {
    "faction_id": 500001,
    "enlisted_on": ENLISTED,
    "current_rank": 6,
    "highest_rank": 7,
    "kills": {"yesterday": 4, "last_week": 37, "total": 1862},
    "victory_points": {"yesterday": 1200, "last_week": 15460, "total": 904120},
}
NEVER_ENLISTED_ANSWER = {
    "kills": {"yesterday": 0, "last_week": 0, "total": 0},
    "victory_points": {"yesterday": 0, "last_week": 0, "total": 0},
}


@pytest.fixture
def character(db):
    return create_character(91_100_006)


def test_should_store_enlistment_ranks_kills_and_victory_points(character, monkeypatch):
    install_sheet_esi(monkeypatch, **{OPERATION: ENLISTED_ANSWER})

    outcome = updater.update_section(character, "faction_warfare")

    assert outcome.is_success, outcome.message
    stats = CharacterFwStats.objects.select_related("faction").get(character=character)
    assert stats.is_enlisted and stats.faction.name == "Caldari State"
    assert (stats.enlisted_on, stats.current_rank, stats.highest_rank) == (ENLISTED, 6, 7)
    assert (stats.kills_yesterday, stats.kills_last_week, stats.kills_total) == (4, 37, 1862)
    assert (
        stats.victory_points_yesterday,
        stats.victory_points_last_week,
        stats.victory_points_total,
    ) == (1200, 15460, 904120)


def test_should_record_a_character_never_enlisted_as_not_enlisted(character, monkeypatch):
    install_sheet_esi(monkeypatch, **{OPERATION: NEVER_ENLISTED_ANSWER})

    outcome = updater.update_section(character, "faction_warfare")

    assert outcome.is_success, outcome.message
    stats = CharacterFwStats.objects.get(character=character)
    assert not stats.is_enlisted
    assert stats.kills_total == 0 and stats.enlisted_on is None


def test_should_follow_a_character_leaving_its_militia(character, monkeypatch):
    esi = install_sheet_esi(monkeypatch, **{OPERATION: ENLISTED_ANSWER})
    updater.update_section(character, "faction_warfare")
    esi[OPERATION] = {**NEVER_ENLISTED_ANSWER, "kills": ENLISTED_ANSWER["kills"]}

    updater.update_section(character, "faction_warfare")

    stats = CharacterFwStats.objects.get(character=character)
    assert not stats.is_enlisted and stats.current_rank is None
    assert stats.kills_total == 1862  # the history stays
