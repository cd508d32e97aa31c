import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from memberaudit.models import SkillSetGroup
from memberaudit.sections import registry
from memberaudit.sections.skill_sets import skill_queue_text, skill_sets_tab
from memberaudit.skill_set_checks import update_checks_for_characters

from ..factories import create_character
from .helpers import create_skill_set, give_skills, skill_types

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def setup(db):
    skills = skill_types(3)
    character = create_character()
    give_skills(character, {skills[0]: 5, skills[1]: 1}, trained={skills[1]: 2})
    met = create_skill_set("Met set", {skills[0]: (3, 5)})
    missing = create_skill_set("Missing set", {skills[1]: (3, 4), skills[2]: (None, 2)})
    hidden = create_skill_set("Hidden set", {skills[2]: (1, None)}, is_visible=False)
    group = SkillSetGroup.objects.create(name="Doctrine", is_doctrine=True)
    group.skill_sets.add(met)
    update_checks_for_characters([character.pk])
    return {
        "character": character,
        "skills": skills,
        "met": met,
        "missing": missing,
        "hidden": hidden,
    }


def test_should_declare_a_viewer_tab():
    assert registry.get("skill_sets").tab.template == "memberaudit/tabs/skill_sets.html"


def test_should_group_skill_sets_and_list_missing_skills(setup):
    groups = skill_sets_tab(setup["character"])["groups"]

    assert [group["name"] for group in groups] == ["Doctrine", "Other skill sets"]
    met = groups[0]["skill_sets"][0]
    assert met["skill_set"] == setup["met"] and met["is_met"] and not met["missing"]
    missing = groups[1]["skill_sets"][0]
    assert missing["skill_set"] == setup["missing"]
    assert not missing["can_fly"]
    skills = setup["skills"]
    assert [
        (s["name"], s["active_level"], s["required_level"], s["recommended_level"])
        for s in missing["missing"]
    ] == [
        (f"Skill {skills[1]}", 1, 3, 4),
        (f"Skill {skills[2]}", 0, None, 2),
    ]
    assert missing["required_text"] == f"Skill {skills[1]} 3"
    assert missing["recommended_text"] == (
        f"Skill {skills[1]} 3\nSkill {skills[1]} 4\nSkill {skills[2]} 1\nSkill {skills[2]} 2"
    )


def test_should_hide_invisible_skill_sets(setup):
    groups = skill_sets_tab(setup["character"])["groups"]

    names = {entry["skill_set"].name for group in groups for entry in group["skill_sets"]}
    assert "Hidden set" not in names


def test_should_write_one_line_per_missing_level():
    missing = [{"name": "Caldari Frigate", "trained_level": 1, "required_level": 3}]

    assert skill_queue_text(missing, "required_level") == "Caldari Frigate 2\nCaldari Frigate 3"


def test_should_aim_recommended_text_at_required_level_of_skills_without_recommendation(db):
    required_only, both = skill_types(2)
    character = create_character()
    give_skills(character, {required_only: 1, both: 1})
    create_skill_set("Mixed set", {required_only: (3, None), both: (2, 4)})
    update_checks_for_characters([character.pk])

    entry = skill_sets_tab(character)["groups"][0]["skill_sets"][0]

    assert entry["required_text"] == (
        f"Skill {required_only} 2\nSkill {required_only} 3\nSkill {both} 2"
    )
    assert entry["recommended_text"] == (
        f"Skill {required_only} 2\nSkill {required_only} 3\n"
        f"Skill {both} 2\nSkill {both} 3\nSkill {both} 4"
    )


def test_should_list_a_skill_failing_only_its_required_level_for_the_recommended_queue():
    missing = [
        {"name": "Gunnery", "trained_level": 0, "required_level": 2, "recommended_level": None},
        {"name": "Navigation", "trained_level": 3, "required_level": 1, "recommended_level": 4},
    ]

    assert skill_queue_text(missing, "recommended_level") == ("Gunnery 1\nGunnery 2\nNavigation 4")
    assert skill_queue_text(missing, "required_level") == "Gunnery 1\nGunnery 2"


def test_should_refuse_an_unknown_queue_target():
    with pytest.raises(ValueError):
        skill_queue_text([{"name": "Gunnery", "trained_level": 0}], "target_level")


def test_should_build_tab_in_constant_queries(setup, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        skill_sets_tab(setup["character"])


def test_should_load_only_the_names_of_failed_skills_not_their_eve_types(setup):
    with CaptureQueriesContext(connection) as captured:
        skill_sets_tab(setup["character"])

    sql = " ".join(query["sql"] for query in captured.captured_queries)
    assert "eveuniverse_evetype" in sql  # the names of the failed skills
    assert "description" not in sql.replace("skillset`.`description", "").replace(
        'skillset"."description', ""
    )


def test_should_list_a_skill_failing_both_levels_once_as_failing_its_required_level(db):
    (skill,) = skill_types(1)
    character = create_character()
    give_skills(character, {skill: 1})
    create_skill_set("Both levels", {skill: (3, 5)})
    update_checks_for_characters([character.pk])

    (entry,) = skill_sets_tab(character)["groups"][0]["skill_sets"]

    assert [(s["name"], s["fails_required"]) for s in entry["missing"]] == [
        (f"Skill {skill}", True)
    ]
    assert not entry["can_fly"] and not entry["is_met"]


def test_should_render_tab_for_the_owner(client, setup):
    character = setup["character"]
    client.force_login(character.owner)

    response = client.get(reverse("memberaudit:character_tab", args=[character.pk, "skill_sets"]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Met set" in content and "Missing set" in content
    assert "Hidden set" not in content
    assert "data-ma-copy" in content
