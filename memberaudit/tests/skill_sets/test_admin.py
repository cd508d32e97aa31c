import json

import pytest

from django.contrib.auth.models import Permission, User
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


def test_should_show_unknown_items_and_create_nothing(admin_client, fake_eve):
    response = admin_client.post(IMPORT_URL, {"fitting": "[Drake, X]\nMystery Module\nThing x3"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "Mystery Module" in content and "Thing" in content
    assert not SkillSet.objects.exists()


def test_should_import_modules_unknown_to_the_database_through_esi(admin_client, fake_eve):
    response = admin_client.post(
        IMPORT_URL, {"fitting": "[Drake, Drone Drake]\nHobgoblin I x5", "name": ""}
    )

    assert response.status_code == 302
    skill_set = SkillSet.objects.get(name="Drone Drake")
    assert skill_set.skills.filter(eve_type__name="Light Drone Operation").exists()
    assert fake_eve.log.count(route="PostUniverseIds", status=200) == 1


def test_should_refuse_items_without_dogma_data_in_the_form(admin_client, fake_eve):
    response = admin_client.post(IMPORT_URL, {"fitting": "[Drake, Tank]\nDamage Control I"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "no dogma data" in content and "Damage Control I" in content
    assert not SkillSet.objects.exists()


@pytest.mark.parametrize(
    ("fitting", "error"),
    [
        ("", "This field is required."),
        ("  \r\n  ", "This field is required."),
        ("# only a comment\r\n\r\n", "The fitting is empty."),
    ],
)
def test_should_refuse_an_empty_fitting(admin_client, fitting, error):
    response = admin_client.post(IMPORT_URL, {"fitting": fitting, "name": "Empty"})

    assert response.status_code == 200
    errors = [
        message for messages in response.context["form"].errors.values() for message in messages
    ]
    assert errors == [error]
    assert error in response.content.decode()
    assert not SkillSet.objects.exists()


def test_should_refuse_a_taken_skill_set_name(admin_client):
    SkillSet.objects.create(name="Doctrine Drake")

    response = admin_client.post(
        IMPORT_URL,
        {"fitting": "[Drake, Something]\nLight Missile Launcher I", "name": "doctrine drake"},
    )

    assert response.status_code == 200
    assert "A skill set named doctrine drake exists already." in response.content.decode()
    assert list(SkillSet.objects.values_list("name", flat=True)) == ["Doctrine Drake"]


def test_should_refuse_the_import_to_staff_without_add_permission(client):
    create_fitting_universe()
    staff = User.objects.create_user("clerk", "clerk@example.com", "secret", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="memberaudit"))
    client.force_login(staff)

    shown = client.get(IMPORT_URL)
    posted = client.post(IMPORT_URL, {"fitting": "[Drake, Sneaky]\nLight Missile Launcher I"})

    changelist = reverse("admin:memberaudit_skillset_changelist")
    assert (shown.status_code, shown.url) == (302, changelist)
    assert (posted.status_code, posted.url) == (302, changelist)
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


def test_should_label_skill_rows_with_the_skill_name(admin_client):
    add_skill_set(admin_client, [(SPACESHIP_COMMAND, 3, 5), (MISSILE_LAUNCHER_OPERATION, None, 4)])
    skill_set = SkillSet.objects.get(name="Test")

    response = admin_client.get(reverse("admin:memberaudit_skillset_change", args=[skill_set.pk]))

    labels = [str(form.original) for form in response.context["inline_admin_formsets"][0]]
    assert labels[:2] == ["Missile Launcher Operation", "Spaceship Command"]
    html = response.content.decode()
    assert f"{skill_set.pk}-{SPACESHIP_COMMAND}" not in html  # no raw ids


def test_should_lay_out_the_eft_import_like_the_admin_forms(admin_client):
    response = admin_client.get(IMPORT_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "admin/css/forms.css" in html
    assert "change-form" in html  # the body class the admin's form styles apply to
    assert 'class="vLargeTextField"' in html and 'class="vTextField"' in html
    assert '<label for="id_fitting" class="required">' in html
    assert 'class="form-row field-fitting"' in html
    assert 'id="id_fitting_helptext"' in html


def test_should_mark_the_field_of_an_import_error(admin_client):
    response = admin_client.post(IMPORT_URL, {"fitting": ""})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="form-row errors field-fitting"' in html
    assert 'class="errornote"' in html
