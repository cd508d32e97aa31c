"""Jump fatigue: expiry, last jump and last update; active only until it expires."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from django.utils import timezone

from memberaudit import updater
from memberaudit.models import CharacterJumpFatigue

from .helpers import create_character
from .sheet_helpers import install_sheet_esi

OPERATION = "GetCharactersCharacterIdFatigue"
NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def character(db):
    return create_character(91_100_007)


def test_should_store_fatigue_dates(character, monkeypatch):
    answer = {
        "jump_fatigue_expire_date": NOW + dt.timedelta(hours=5),
        "last_jump_date": NOW - dt.timedelta(hours=2),
        "last_update_date": NOW - dt.timedelta(hours=2),
    }
    install_sheet_esi(monkeypatch, **{OPERATION: answer})

    outcome = updater.update_section(character, "jump_fatigue")

    assert outcome.is_success, outcome.message
    fatigue = CharacterJumpFatigue.objects.get(character=character)
    assert fatigue.jump_fatigue_expire_date == answer["jump_fatigue_expire_date"]
    assert fatigue.last_jump_date == answer["last_jump_date"]
    assert fatigue.is_active(NOW)


def test_should_store_a_character_that_never_jumped(character, monkeypatch):
    install_sheet_esi(monkeypatch, **{OPERATION: {}})

    outcome = updater.update_section(character, "jump_fatigue")

    assert outcome.is_success, outcome.message
    fatigue = CharacterJumpFatigue.objects.get(character=character)
    assert fatigue.last_jump_date is None and not fatigue.is_active()


@given(offset=st.integers(min_value=-(10**7), max_value=10**7))
def test_should_be_active_exactly_while_the_expiry_is_ahead(offset):
    fatigue = CharacterJumpFatigue(jump_fatigue_expire_date=NOW + dt.timedelta(seconds=offset))

    assert fatigue.is_active(NOW) == (offset > 0)
