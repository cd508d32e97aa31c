import pytest

from memberaudit import updater
from memberaudit.models import CharacterSkillSetCheck, SectionUpdateStatus, SkillSetSkill
from memberaudit.sections import registry
from memberaudit.sections import skills as skills_section

from ..factories import create_orphan_character
from .helpers import create_skill_set, give_skills, skill_types

pytestmark = pytest.mark.django_db


@pytest.fixture
def skills(db):
    return skill_types(3)


def test_should_register_skill_sets_section_without_esi():
    section = registry.get("skill_sets")

    assert section.ring == 2
    assert section.needs_token is False
    assert section.scopes == ()


def test_should_check_character_when_skill_sets_section_updates(skills):
    character = create_orphan_character()  # no owner, no token: not needed here
    skill_set = create_skill_set("Drake", {skills[0]: (2, None)})
    give_skills(character, {skills[0]: 3})

    outcome = updater.update_section(character, "skill_sets")

    assert outcome.is_success and outcome.changed
    assert CharacterSkillSetCheck.objects.get(character=character, skill_set=skill_set).can_fly
    status = SectionUpdateStatus.objects.get(character=character, section="skill_sets")
    assert status.is_success


def test_should_skip_recheck_when_neither_skills_nor_sets_changed(skills):
    character = create_orphan_character()
    create_skill_set("Drake", {skills[0]: (2, None)})
    updater.update_section(character, "skill_sets")

    assert updater.update_section(character, "skill_sets").changed is False

    give_skills(character, {skills[0]: 1})
    assert updater.update_section(character, "skill_sets").changed is True


def test_should_recheck_skill_sets_right_after_skills_changed(skills):
    character = create_orphan_character()
    skill_set = create_skill_set("Drake", {skills[0]: (2, None)})
    skills_section.store(
        character,
        {
            "skills": [
                {
                    "skill_id": skills[0],
                    "active_skill_level": 2,
                    "trained_skill_level": 2,
                    "skillpoints_in_skill": 1415,
                }
            ],
            "total_sp": 1415,
            "unallocated_sp": None,
        },
    )

    skills_section.after_store(character, True)

    assert CharacterSkillSetCheck.objects.get(character=character, skill_set=skill_set).can_fly


def test_should_recheck_all_characters_when_a_skill_set_changes(
    skills, django_capture_on_commit_callbacks
):
    character = create_orphan_character()
    give_skills(character, {skills[0]: 1})
    with django_capture_on_commit_callbacks(execute=True):
        skill_set = create_skill_set("Drake", {skills[0]: (1, None)})
    assert CharacterSkillSetCheck.objects.get(character=character, skill_set=skill_set).can_fly

    with django_capture_on_commit_callbacks(execute=True):
        SkillSetSkill.objects.create(skill_set=skill_set, eve_type_id=skills[1], required_level=1)
    check = CharacterSkillSetCheck.objects.get(character=character, skill_set=skill_set)
    assert not check.can_fly

    with django_capture_on_commit_callbacks(execute=True):
        SkillSetSkill.objects.filter(eve_type_id=skills[1]).delete()
    check = CharacterSkillSetCheck.objects.get(character=character, skill_set=skill_set)
    assert check.can_fly

    with django_capture_on_commit_callbacks(execute=True):
        skill_set.is_active = False
        skill_set.save()
    assert not CharacterSkillSetCheck.objects.exists()
