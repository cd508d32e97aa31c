import json

import pytest

from django.contrib.auth.models import User
from django.urls import reverse

from memberaudit.models import SkillSet, SkillSetGroup

from .universe import DRAKE, MISSILE_LAUNCHER_OPERATION, SPACESHIP_COMMAND, create_fitting_universe

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:memberaudit_skillset_import_eft")
ADD_URL = reverse("admin:memberaudit_skillset_add")


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def admin_client(client):
    create_fitting_universe()
    user = User.objects.create_superuser("boss", "boss@example.com", "secret")
    client.force_login(user)
    return client


def inline_data(rows: list[tuple]) -> dict:
    data = {
        "skills-TOTAL_FORMS": str(len(rows)),
        "skills-INITIAL_FORMS": "0",
        "skills-MIN_NUM_FORMS": "0",
        "skills-MAX_NUM_FORMS": "1000",
    }
    for index, (type_id, required, recommended) in enumerate(rows):
        data[f"skills-{index}-eve_type"] = str(type_id)
        data[f"skills-{index}-required_level"] = "" if required is None else str(required)
        data[f"skills-{index}-recommended_level"] = "" if recommended is None else str(recommended)
    return data


def add_skill_set(client, rows):
    return client.post(
        ADD_URL, {"name": "Test", "is_active": "on", "is_visible": "on", **inline_data(rows)}
    )


def test_should_offer_the_eft_import_on_the_changelist(admin_client):
    response = admin_client.get(reverse("admin:memberaudit_skillset_changelist"))

    assert response.status_code == 200
    assert IMPORT_URL in response.content.decode()


def test_should_create_skill_set_from_pasted_fitting(admin_client):
    response = admin_client.post(
        IMPORT_URL, {"fitting": "[Drake, Doctrine Drake]\r\nLight Missile Launcher I\r\n"}
    )

    skill_set = SkillSet.objects.get(name="Doctrine Drake")
    assert response.status_code == 302
    assert response.url == reverse("admin:memberaudit_skillset_change", args=[skill_set.pk])
    assert skill_set.ship_type_id == DRAKE
    assert skill_set.skills.filter(eve_type_id=SPACESHIP_COMMAND, required_level=3).exists()


def test_should_show_unknown_items_and_create_nothing(admin_client):
    response = admin_client.post(IMPORT_URL, {"fitting": "[Drake, X]\nMystery Module\nThing x3"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "Mystery Module" in content and "Thing" in content
    assert not SkillSet.objects.exists()


def test_should_save_skill_set_with_valid_levels(admin_client):
    response = add_skill_set(
        admin_client, [(SPACESHIP_COMMAND, 3, 5), (MISSILE_LAUNCHER_OPERATION, None, 4)]
    )

    assert response.status_code == 302
    assert SkillSet.objects.get(name="Test").skills.count() == 2


@pytest.mark.parametrize(
    "required, recommended",
    [(None, None), (4, 3), (0, None), (6, None), (None, 6)],
)
def test_should_refuse_invalid_levels(admin_client, required, recommended):
    response = add_skill_set(admin_client, [(SPACESHIP_COMMAND, required, recommended)])

    assert response.status_code == 200
    assert not SkillSet.objects.exists()


def test_should_refuse_a_non_skill_as_skill(admin_client):
    response = add_skill_set(admin_client, [(DRAKE, 1, None)])

    assert response.status_code == 200
    assert not SkillSet.objects.exists()


def test_should_autocomplete_only_skills(admin_client):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "a",
            "app_label": "memberaudit",
            "model_name": "skillsetskill",
            "field_name": "eve_type",
        },
    )

    assert response.status_code == 200
    names = {row["text"] for row in json.loads(response.content)["results"]}
    assert "Spaceship Command" in names
    assert "Drake" not in names


def test_should_list_skill_set_groups(admin_client):
    group = SkillSetGroup.objects.create(name="Doctrine", is_doctrine=True)
    group.skill_sets.add(SkillSet.objects.create(name="Drake"))

    response = admin_client.get(reverse("admin:memberaudit_skillsetgroup_changelist"))

    assert response.status_code == 200
    assert "Doctrine" in response.content.decode()
