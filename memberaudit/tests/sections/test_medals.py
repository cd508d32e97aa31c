"""Medals: title, description, issuing corporation and character, reason, date, visibility."""

import datetime as dt

import pytest

from django.utils import timezone

from eveuniverse.models import EveEntity

from memberaudit import updater
from memberaudit.models import CharacterMedal

from .helpers import create_character
from .sheet_helpers import install_sheet_esi

OPERATION = "GetCharactersCharacterIdMedals"
DATE = timezone.now().replace(microsecond=0) - dt.timedelta(days=30)


def medal(**values) -> dict:
    return {
        "medal_id": 61801,
        "title": "Eclipse Founder",
        "description": "For the <b>founders</b><script>alert(1)</script>",
        "corporation_id": 98000001,
        "issuer_id": 90000004,
        "reason": "Day one",
        "date": DATE,
        "status": "public",
        "graphics": [],
        **values,
    }


@pytest.fixture
def character(db):
    return create_character(91_100_004)


def test_should_store_medals_with_names_of_issuers(character, monkeypatch):
    install_sheet_esi(
        monkeypatch,
        **{OPERATION: [medal(), medal(medal_id=61802, status="private", title="Hauler")]},
    )

    outcome = updater.update_section(character, "medals")

    assert outcome.is_success, outcome.message
    founder = character.medals.get(medal_id=61801)
    assert founder.is_public and founder.date == DATE
    assert founder.corporation.name == "Eclipse Shipyards"
    assert founder.issuer.name == "Dax Morrow"
    assert EveEntity.objects.get(id=90000004).category == "character"
    assert not character.medals.get(medal_id=61802).is_public


def test_should_keep_the_same_medal_awarded_twice(character, monkeypatch):
    later = DATE + dt.timedelta(days=7)
    install_sheet_esi(monkeypatch, **{OPERATION: [medal(), medal(date=later, reason="Again")]})

    updater.update_section(character, "medals")

    assert list(character.medals.order_by("date").values_list("reason", flat=True)) == [
        "Day one",
        "Again",
    ]


def test_should_update_a_changed_reason_in_place(character, monkeypatch):
    esi = install_sheet_esi(monkeypatch, **{OPERATION: [medal()]})
    updater.update_section(character, "medals")
    pk = character.medals.get().pk
    esi[OPERATION] = [medal(reason="Founder and CEO")]

    updater.update_section(character, "medals")

    assert character.medals.get().pk == pk
    assert character.medals.get().reason == "Founder and CEO"


def test_should_show_descriptions_sanitized():
    stored = CharacterMedal(description="For the <b>founders</b><script>alert(1)</script>")

    assert str(stored.description_html) == "For the <b>founders</b>"


def test_should_keep_issuers_esi_cannot_name(character, monkeypatch):
    install_sheet_esi(monkeypatch, **{OPERATION: [medal(issuer_id=91234567)]})

    outcome = updater.update_section(character, "medals")

    assert outcome.is_success, outcome.message
    assert character.medals.get().issuer_id == 91234567
