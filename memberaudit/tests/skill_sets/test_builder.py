import pytest

from eveuniverse.models import EveType, EveTypeDogmaAttribute

from memberaudit.models import SkillSet
from memberaudit.skill_set_builder import (
    SkillSetImportError,
    create_skill_set_from_eft,
    required_skills,
    resolve_type_names,
)

from .universe import (
    AFTERBURNER,
    CALDARI_BATTLECRUISER,
    CPU_MANAGEMENT,
    DRAKE,
    GUNNERY,
    LAUNCHER,
    LIGHT_MISSILES,
    MISSILE_LAUNCHER_OPERATION,
    NAVIGATION,
    POWER_GRID_MANAGEMENT,
    SIX_SKILL_MODULE,
    SMALL_HYBRID_TURRET,
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


def test_should_read_all_six_required_skill_attributes():
    assert required_skills([SIX_SKILL_MODULE]) == {
        GUNNERY: 1,  # requiredSkill1, and 1 for Small Hybrid Turret
        SMALL_HYBRID_TURRET: 2,  # requiredSkill2
        NAVIGATION: 3,  # requiredSkill3
        AFTERBURNER: 4,  # requiredSkill4 (1285, level 1286)
        POWER_GRID_MANAGEMENT: 5,  # requiredSkill5 (1289, level 1287)
        CPU_MANAGEMENT: 2,  # requiredSkill6 (1290, level 1288)
    }


def test_should_import_a_module_with_six_required_skills():
    skill_set = create_skill_set_from_eft("[Drake, Six]\nSix Skill Module")

    levels = {skill_id: required for skill_id, (required, _) in skill_levels(skill_set).items()}
    assert levels[AFTERBURNER] == 4
    assert levels[POWER_GRID_MANAGEMENT] == 5
    assert levels[CPU_MANAGEMENT] == 2


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


def test_should_name_every_unknown_item_and_create_nothing(fake_eve):
    text = "[Drake, X]\nWarp Disruptor II\nLight Missile Launcher I\nHobgoblin II x5"

    with pytest.raises(SkillSetImportError) as info:
        create_skill_set_from_eft(text)

    assert "Warp Disruptor II" in str(info.value)
    assert "Hobgoblin II" in str(info.value)
    assert not SkillSet.objects.exists()


def test_should_refuse_a_taken_name_ignoring_case():
    create_skill_set_from_eft(FITTING)

    with pytest.raises(SkillSetImportError, match="exists already"):
        create_skill_set_from_eft(FITTING, name="missile drake")
    assert SkillSet.objects.count() == 1


def test_should_need_no_esi_when_every_type_is_stored_with_its_dogma(monkeypatch):
    def no_esi(*args, **kwargs):
        raise AssertionError("ESI was called")

    monkeypatch.setattr("memberaudit.skill_set_builder.find_type_ids_on_esi", no_esi)
    monkeypatch.setattr("memberaudit.skill_set_builder._load_with_dogma", no_esi)

    assert create_skill_set_from_eft(FITTING).skills.count() == 4


def test_should_refuse_a_required_skill_without_dogma_data():
    # Loaded with its dogma section, yet without attributes: ESI has none for it.
    odd_skill = EveType.objects.create(
        id=990002, name="Odd Skill", eve_group_id=256, published=True
    )
    odd_skill.add_enabled_sections({EveType.Section.DOGMAS})
    odd_skill.save()
    module = EveType.objects.create(id=990003, name="Odd Module", eve_group_id=509, published=True)
    EveTypeDogmaAttribute.objects.create(eve_type=module, eve_dogma_attribute_id=182, value=990002)
    EveTypeDogmaAttribute.objects.create(eve_type=module, eve_dogma_attribute_id=277, value=1)

    with pytest.raises(SkillSetImportError, match="required skills.*Odd Skill"):
        create_skill_set_from_eft("[Drake, Odd]\nOdd Module")

    assert not SkillSet.objects.exists()


def test_should_refuse_text_that_is_no_fitting():
    with pytest.raises(SkillSetImportError):
        create_skill_set_from_eft("hello world")
