"""Research agents: agent and skill names, rate and remainder; points computed when shown."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from django.utils import timezone

from memberaudit import character_sheet_selectors, updater
from memberaudit.models import CharacterResearchAgent

from .helpers import create_character
from .sheet_helpers import install_sheet_esi

OPERATION = "GetCharactersCharacterIdAgentsResearch"
STARTED = timezone.now().replace(microsecond=0) - dt.timedelta(days=30)
ANSWER = [
    {
        "agent_id": 3009358,
        "skill_type_id": 11452,
        "started_at": STARTED,
        "points_per_day": 53.5,
        "remainder_points": 120.0,
    }
]


@pytest.fixture
def character(db):
    return create_character(91_100_008)


def test_should_store_agents_with_names_of_agent_and_skill(character, monkeypatch):
    install_sheet_esi(monkeypatch, **{OPERATION: ANSWER})

    outcome = updater.update_section(character, "research_agents")

    assert outcome.is_success, outcome.message
    agent = character.research_agents.select_related("agent", "skill").get()
    assert agent.agent.name == "Okkamon Kairaka"
    assert agent.skill.name == "Mechanical Engineering"
    assert agent.skill.category == "inventory_type"
    assert (agent.points_per_day, agent.remainder_points) == (53.5, 120.0)


def test_should_show_points_accumulated_until_now(character, monkeypatch):
    install_sheet_esi(monkeypatch, **{OPERATION: ANSWER})
    updater.update_section(character, "research_agents")

    data = character_sheet_selectors.research_agents_tab(character)

    (agent,) = data["agents"]
    assert agent.points_now == pytest.approx(120.0 + 53.5 * 30, abs=1.0)
    assert data["points_total"] == agent.points_now


def test_should_remove_agents_esi_no_longer_reports(character, monkeypatch):
    esi = install_sheet_esi(monkeypatch, **{OPERATION: ANSWER})
    updater.update_section(character, "research_agents")
    esi[OPERATION] = []

    updater.update_section(character, "research_agents")

    assert not character.research_agents.exists()


@given(
    per_day=st.floats(min_value=0, max_value=500, allow_nan=False),
    remainder=st.floats(min_value=0, max_value=10**6, allow_nan=False),
    seconds=st.integers(min_value=0, max_value=10 * 365 * 86400),
    later=st.integers(min_value=0, max_value=86400),
)
def test_should_grow_points_by_the_daily_rate(per_day, remainder, seconds, later):
    agent = CharacterResearchAgent(
        started_at=STARTED, points_per_day=per_day, remainder_points=remainder
    )
    now = STARTED + dt.timedelta(seconds=seconds)

    points = agent.research_points(now)

    assert points == pytest.approx(remainder + per_day * seconds / 86400)
    assert agent.research_points(now + dt.timedelta(seconds=later)) >= points
    assert agent.research_points(STARTED - dt.timedelta(days=1)) == remainder
