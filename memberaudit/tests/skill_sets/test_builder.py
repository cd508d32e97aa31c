import pytest

from memberaudit.models import SkillSet
from memberaudit.skill_set_builder import (
    SkillSetImportError,
    create_skill_set_from_eft,
    required_skills,
    resolve_type_names,
)

from .universe import (
    CALDARI_BATTLECRUISER,
    DRAKE,
    LAUNCHER,
    LIGHT_MISSILES,
    MISSILE_LAUNCHER_OPERATION,
    SPACESHIP_COMMAND,
    create_fitting_universe,
)

pytestmark = pytest.mark.django_db

FITTING = """[Drake, Missile Drake]\r
Light Missile Launcher I, Scourge Light Missile\r
Light Missile Launcher I /OFFLINE\r
[Empty High slot]\r
\r
Scourge Light Missile x500\r
"""


@pytest.fixture(autouse=True)
def universe(db):
    create_fitting_universe()


def skill_levels(skill_set) -> dict[int, tuple]:
    return {
        skill.eve_type_id: (skill.required_level, skill.recommended_level)
        for skill in skill_set.skills.all()
    }


def test_should_resolve_names_ignoring_case():
    found, unknown = resolve_type_names(["drake", "Light Missile Launcher I", "Nope"])

    assert found["drake"].id == DRAKE
    assert found["Light Missile Launcher I"].id == LAUNCHER
    assert unknown == ["Nope"]


def test_should_collect_required_skills_with_prerequisites_and_max_level():
    assert required_skills([DRAKE, LAUNCHER, 2404]) == {
        CALDARI_BATTLECRUISER: 1,
        SPACESHIP_COMMAND: 3,
        MISSILE_LAUNCHER_OPERATION: 2,  # 1 for the launcher, 2 for Light Missiles
        LIGHT_MISSILES: 1,
    }


def test_should_create_skill_set_with_ship_and_required_skills():
    skill_set = create_skill_set_from_eft(FITTING, description="For tests")

    assert skill_set.name == "Missile Drake"
    assert skill_set.description == "For tests"
    assert skill_set.ship_type_id == DRAKE
    assert skill_levels(skill_set) == {
        CALDARI_BATTLECRUISER: (1, None),
        SPACESHIP_COMMAND: (3, None),
        MISSILE_LAUNCHER_OPERATION: (2, None),
        LIGHT_MISSILES: (1, None),
    }


def test_should_use_the_given_name_over_the_fitting_name():
    assert create_skill_set_from_eft(FITTING, name="Doctrine Drake").name == "Doctrine Drake"


def test_should_name_every_unknown_item_and_create_nothing():
    text = "[Drake, X]\nWarp Disruptor II\nLight Missile Launcher I\nHobgoblin II x5"

    with pytest.raises(SkillSetImportError) as info:
        create_skill_set_from_eft(text)

    assert "Warp Disruptor II" in str(info.value)
    assert "Hobgoblin II" in str(info.value)
    assert not SkillSet.objects.exists()


def test_should_refuse_a_taken_name():
    create_skill_set_from_eft(FITTING)

    with pytest.raises(SkillSetImportError):
        create_skill_set_from_eft(FITTING)
    assert SkillSet.objects.count() == 1


def test_should_refuse_text_that_is_no_fitting():
    with pytest.raises(SkillSetImportError):
        create_skill_set_from_eft("hello world")
