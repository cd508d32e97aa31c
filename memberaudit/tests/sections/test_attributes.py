"""Attributes: the five attributes, bonus remaps and when the next remap is possible."""

import datetime as dt
import re

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from memberaudit import updater
from memberaudit.models import CharacterAttributes, SectionUpdateStatus

from .helpers import create_character, status_of, writes_to
from .sheet_helpers import install_sheet_esi

OPERATION = "GetCharactersCharacterIdAttributes"
TABLE = CharacterAttributes._meta.db_table
NOW = timezone.now().replace(microsecond=0)
ANSWER = {
    "charisma": 17,
    "intelligence": 27,
    "memory": 21,
    "perception": 17,
    "willpower": 17,
    "bonus_remaps": 1,
    "last_remap_date": NOW - dt.timedelta(days=400),
    "accrued_remap_cooldown_date": NOW + dt.timedelta(days=10),
}


@pytest.fixture
def character(db):
    return create_character(91_100_001)


def test_should_store_the_five_attributes_and_remaps(character, monkeypatch):
    install_sheet_esi(monkeypatch, **{OPERATION: ANSWER})

    outcome = updater.update_section(character, "attributes")

    assert outcome.is_success, outcome.message
    stored = CharacterAttributes.objects.get(character=character)
    assert (stored.charisma, stored.intelligence, stored.memory) == (17, 27, 21)
    assert (stored.perception, stored.willpower, stored.bonus_remaps) == (17, 17, 1)
    assert stored.last_remap_date == ANSWER["last_remap_date"]
    assert not stored.can_remap_now(NOW)
    assert stored.can_remap_now(NOW + dt.timedelta(days=11))


def test_should_allow_a_remap_when_esi_sends_no_cooldown(character, monkeypatch):
    answer = {**ANSWER, "accrued_remap_cooldown_date": None, "last_remap_date": None}
    install_sheet_esi(monkeypatch, **{OPERATION: answer})

    updater.update_section(character, "attributes")

    assert CharacterAttributes.objects.get(character=character).can_remap_now()


def test_should_update_only_the_changed_fields(character, monkeypatch):
    esi = install_sheet_esi(monkeypatch, **{OPERATION: ANSWER})
    updater.update_section(character, "attributes")
    esi[OPERATION] = {**ANSWER, "memory": 25, "bonus_remaps": 0}

    with CaptureQueriesContext(connection) as context:
        outcome = updater.update_section(character, "attributes")

    assert outcome.changed
    (update,) = writes_to(context.captured_queries, TABLE)
    assigned = set(re.findall(r"[`\"]?(\w+)[`\"]? = ", update.split(" WHERE ")[0]))
    assert assigned == {"memory", "bonus_remaps"}
    assert CharacterAttributes.objects.get(character=character).memory == 25


def test_should_keep_stored_attributes_when_esi_leaves_one_out(character, monkeypatch):
    esi = install_sheet_esi(monkeypatch, **{OPERATION: ANSWER})
    updater.update_section(character, "attributes")
    esi[OPERATION] = {key: value for key, value in ANSWER.items() if key != "willpower"}

    outcome = updater.update_section(character, "attributes")

    assert not outcome.is_success
    status = status_of(character, "attributes")
    assert status.error_kind == SectionUpdateStatus.ErrorKind.DATA
    assert "willpower" in status.error_message
    assert CharacterAttributes.objects.get(character=character).intelligence == 27
