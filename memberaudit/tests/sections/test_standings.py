"""Standings: NPC agents, corporations and factions with resolved names, sorted by standing."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.urls import reverse

from eveuniverse.models import EveEntity

from memberaudit import json_tables, updater
from memberaudit.models import CharacterStanding

from .helpers import create_character
from .sheet_helpers import install_sheet_esi

OPERATION = "GetCharactersCharacterIdStandings"
ANSWER = [
    {"from_id": 500001, "from_type": "faction", "standing": 6.42},
    {"from_id": 1000035, "from_type": "npc_corp", "standing": -2.5},
    {"from_id": 3009358, "from_type": "agent", "standing": 9.9},
]


@pytest.fixture
def character(db):
    return create_character(91_100_005)


def test_should_store_standings_with_names_and_kinds(character, monkeypatch):
    install_sheet_esi(monkeypatch, **{OPERATION: ANSWER})

    outcome = updater.update_section(character, "standings")

    assert outcome.is_success, outcome.message
    rows = {
        row.eve_entity.name: (row.kind, row.standing)
        for row in character.standings.select_related("eve_entity")
    }
    assert rows == {
        "Caldari State": ("faction", 6.42),
        "Caldari Navy": ("npc_corp", -2.5),
        "Okkamon Kairaka": ("agent", 9.9),
    }
    assert EveEntity.objects.get(id=500001).category == "faction"


def test_should_skip_entries_of_unknown_kind(character, monkeypatch):
    install_sheet_esi(
        monkeypatch,
        **{OPERATION: [*ANSWER, {"from_id": 99, "from_type": "alliance", "standing": 1.0}]},
    )

    updater.update_section(character, "standings")

    assert character.standings.count() == 3


def table_rows(character, rf, **params) -> list[dict]:
    request = rf.get(
        reverse("memberaudit:character_data", args=[character.pk, "standings"]),
        {"draw": "1", "start": "0", "length": "10", **params},
    )
    return json.loads(json_tables.standings(character).response(request).content)["data"]


def test_should_list_the_best_standing_first(character, monkeypatch, rf):
    install_sheet_esi(monkeypatch, **{OPERATION: ANSWER})
    updater.update_section(character, "standings")

    rows = table_rows(character, rf)

    assert [row["standing"] for row in rows] == [9.9, 6.42, -2.5]
    assert [row["kind"] for row in rows] == ["agent", "faction", "corporation"]


def test_should_sort_the_table_by_standing_when_asked(character, monkeypatch, rf):
    install_sheet_esi(monkeypatch, **{OPERATION: ANSWER})
    updater.update_section(character, "standings")

    rows = table_rows(
        character,
        rf,
        **{"columns[3][data]": "standing", "order[0][column]": "3", "order[0][dir]": "asc"},
    )

    assert [row["standing"] for row in rows] == [-2.5, 6.42, 9.9]


standings = st.dictionaries(
    st.sampled_from([500001, 1000035, 1000180, 3009358]),
    st.floats(min_value=-10, max_value=10, allow_nan=False),
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=standings, second=standings)
def test_should_hold_exactly_the_last_answer(character, monkeypatch, first, second):
    kinds = {500001: "faction", 1000035: "npc_corp", 1000180: "npc_corp", 3009358: "agent"}
    esi = install_sheet_esi(monkeypatch)
    for answer in (first, second):
        esi[OPERATION] = [
            {"from_id": key, "from_type": kinds[key], "standing": value}
            for key, value in answer.items()
        ]
        assert updater.update_section(character, "standings", force=True).is_success

    assert dict(character.standings.values_list("eve_entity_id", "standing")) == second
    assert CharacterStanding.objects.filter(character=character).count() == len(second)
