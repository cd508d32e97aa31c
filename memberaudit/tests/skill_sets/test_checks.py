import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from memberaudit.models import CharacterSkillSetCheck, SkillSet
from memberaudit.skill_set_checks import (
    update_checks_for_characters,
    update_checks_for_skill_sets,
)

from ..factories import create_orphan_character
from .helpers import create_skill_set, give_skills, skill_types

pytestmark = pytest.mark.django_db


def check_of(character, skill_set) -> CharacterSkillSetCheck:
    return CharacterSkillSetCheck.objects.prefetch_related(
        "failed_required_skills", "failed_recommended_skills"
    ).get(character=character, skill_set=skill_set)


def failed(check) -> tuple[set, set]:
    return (
        {skill.eve_type_id for skill in check.failed_required_skills.all()},
        {skill.eve_type_id for skill in check.failed_recommended_skills.all()},
    )


@pytest.fixture
def skills(db):
    return skill_types(5)


@pytest.fixture
def character(db):
    return create_orphan_character()


def test_should_meet_skill_set_when_all_levels_are_reached(character, skills):
    skill_set = create_skill_set("Drake", {skills[0]: (3, 5), skills[1]: (1, None)})
    give_skills(character, {skills[0]: 5, skills[1]: 1})

    update_checks_for_characters([character.pk])

    check = check_of(character, skill_set)
    assert failed(check) == (set(), set())
    assert check.can_fly and check.is_met


def test_should_fail_required_and_recommended_below_the_levels(character, skills):
    skill_set = create_skill_set("Drake", {skills[0]: (3, 5), skills[1]: (2, 4)})
    give_skills(character, {skills[0]: 2, skills[1]: 3})

    update_checks_for_characters([character.pk])

    check = check_of(character, skill_set)
    assert failed(check) == ({skills[0]}, {skills[0], skills[1]})
    assert not check.can_fly and not check.is_met


def test_should_treat_injected_level_0_skills_as_level_0(character, skills):
    skill_set = create_skill_set("Injected", {skills[0]: (1, None)})
    give_skills(character, {skills[0]: 0})

    update_checks_for_characters([character.pk])

    assert failed(check_of(character, skill_set)) == ({skills[0]}, set())


def test_should_treat_missing_skills_as_level_0(character, skills):
    skill_set = create_skill_set("Missing", {skills[0]: (1, 2), skills[1]: (None, 1)})

    update_checks_for_characters([character.pk])

    assert failed(check_of(character, skill_set)) == ({skills[0]}, {skills[0], skills[1]})


def test_should_judge_by_active_not_trained_level(character, skills):
    skill_set = create_skill_set("Alpha", {skills[0]: (4, None)})
    give_skills(character, {skills[0]: 3}, trained={skills[0]: 5})

    update_checks_for_characters([character.pk])

    assert failed(check_of(character, skill_set)) == ({skills[0]}, set())


def test_should_only_recommend_when_skill_has_only_a_recommended_level(character, skills):
    skill_set = create_skill_set("Recommended only", {skills[0]: (None, 4)})
    give_skills(character, {skills[0]: 2})

    update_checks_for_characters([character.pk])

    check = check_of(character, skill_set)
    assert failed(check) == (set(), {skills[0]})
    assert check.can_fly and not check.is_met


def test_should_only_require_when_skill_has_only_a_required_level(character, skills):
    skill_set = create_skill_set("Required only", {skills[0]: (4, None)})
    give_skills(character, {skills[0]: 4})

    update_checks_for_characters([character.pk])

    assert check_of(character, skill_set).is_met


def test_should_ignore_inactive_skill_sets_and_remove_their_checks(character, skills):
    skill_set = create_skill_set("Old", {skills[0]: (1, None)})
    update_checks_for_characters([character.pk])
    assert CharacterSkillSetCheck.objects.filter(skill_set=skill_set).exists()

    skill_set.is_active = False
    skill_set.save()
    update_checks_for_characters([character.pk])

    assert not CharacterSkillSetCheck.objects.filter(skill_set=skill_set).exists()


def test_should_replace_old_results_when_skills_improve(character, skills):
    skill_set = create_skill_set("Drake", {skills[0]: (3, 5)})
    update_checks_for_characters([character.pk])
    give_skills(character, {skills[0]: 5})

    update_checks_for_characters([character.pk])

    assert check_of(character, skill_set).is_met
    assert CharacterSkillSetCheck.objects.filter(character=character).count() == 1


def test_should_recheck_all_characters_for_a_changed_skill_set(skills):
    first, second = create_orphan_character(), create_orphan_character()
    give_skills(first, {skills[0]: 5})
    skill_set = create_skill_set("Drake", {skills[0]: (5, None)})

    update_checks_for_skill_sets([skill_set.pk])

    assert check_of(first, skill_set).can_fly
    assert not check_of(second, skill_set).can_fly


def test_should_remove_checks_of_a_skill_set_made_inactive(character, skills):
    skill_set = create_skill_set("Drake", {skills[0]: (5, None)})
    update_checks_for_skill_sets([skill_set.pk])
    skill_set.is_active = False
    skill_set.save()

    update_checks_for_skill_sets([skill_set.pk])

    assert not CharacterSkillSetCheck.objects.exists()


def _build(character_count: int, skill_set_count: int, skills):
    characters = [create_orphan_character() for _ in range(character_count)]
    for index, character in enumerate(characters):
        give_skills(character, {skills[i]: (index + i) % 6 for i in range(len(skills))})
    for index in range(skill_set_count):
        create_skill_set(
            f"Set {character_count}-{index}",
            {skills[i]: (1 + (index + i) % 5, 5) for i in range(len(skills))},
        )
    return [character.pk for character in characters]


@pytest.mark.parametrize("update", ["characters", "skill_sets"])
def test_should_check_many_characters_against_many_sets_in_constant_queries(skills, update):
    def run(character_ids, skill_set_ids):
        with CaptureQueriesContext(connection) as queries:
            if update == "characters":
                update_checks_for_characters(character_ids)
            else:
                update_checks_for_skill_sets(skill_set_ids)
        return len(queries.captured_queries)

    # two skills and at most 120 checks keep the rows of the larger run within one insert
    # batch (SQLite takes 999 parameters, a check has eight columns)
    skills = skills[:2]
    small = _build(2, 2, skills)
    small_sets = list(SkillSet.objects.values_list("pk", flat=True))
    few = run(small, small_sets)
    SkillSet.objects.all().delete()
    many = _build(10, 10, skills)
    many_sets = list(SkillSet.objects.values_list("pk", flat=True))
    lots = run(many, many_sets)
    assert few == lots
    assert CharacterSkillSetCheck.objects.filter(character_id__in=many).count() == 10 * 10
    # Second run over existing checks costs no more.
    assert run(many, many_sets) <= lots
