"""The watchlist in the Django admin: entities are picked by name from a search of the
alliances, corporations and characters Auth knows, and listed with their names."""

import json

import pytest

from django.contrib.auth.models import Permission, User
from django.urls import reverse

from eveuniverse.models import EveEntity

from memberaudit.models import WatchedEntity

pytestmark = pytest.mark.django_db

ADD = reverse("admin:memberaudit_watchedentity_add")
CHANGELIST = reverse("admin:memberaudit_watchedentity_changelist")
SEARCH = reverse("admin:memberaudit_watchedentity_entity_search")


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Render pages without the manifest that only ``collectstatic`` writes."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def entities():
    return {
        entity.name: entity
        for entity in EveEntity.objects.bulk_create(
            [
                EveEntity(id=99_000_001, name="Hostile Alliance", category="alliance"),
                EveEntity(id=98_000_001, name="Hostile Corp", category="corporation"),
                EveEntity(id=95_000_001, name="Hostile Spy", category="character"),
                EveEntity(id=95_000_002, name="Friendly Pilot", category="character"),
                EveEntity(id=30_000_142, name="Hostile Space", category="solar_system"),
            ]
        )
    }


def search(client, **params) -> dict:
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    return json.loads(response.content)


def errors_of(response) -> dict:
    assert response.status_code == 200  # the form again, not a redirect
    return response.context["adminform"].form.errors


def test_should_offer_a_search_box_instead_of_a_raw_id(admin_client, entities):
    response = admin_client.get(ADD)

    content = response.content.decode()
    assert response.status_code == 200
    assert f'data-ajax--url="{SEARCH}"' in content
    assert "admin-autocomplete" in content
    assert "vForeignKeyRawIdAdminField" not in content


def test_should_find_alliances_corporations_and_characters_by_name(admin_client, entities):
    result = search(admin_client, term="hostile")

    assert [row["text"] for row in result["results"]] == [
        "Hostile Alliance (alliance 99000001)",
        "Hostile Corp (corporation 98000001)",
        "Hostile Spy (character 95000001)",
    ]
    assert result["results"][0]["id"] == "99000001"
    assert result["pagination"] == {"more": False}


def test_should_find_an_entity_by_its_id(admin_client, entities):
    result = search(admin_client, term="95000002")

    assert [row["text"] for row in result["results"]] == ["Friendly Pilot (character 95000002)"]


def test_should_page_the_search(admin_client, entities):
    EveEntity.objects.bulk_create(
        [
            EveEntity(id=96_000_000 + n, name=f"Recruit {n:02d}", category="character")
            for n in range(25)
        ]
    )

    first = search(admin_client, term="recruit")
    second = search(admin_client, term="recruit", page=2)

    assert len(first["results"]) == 20 and first["pagination"]["more"]
    assert len(second["results"]) == 5 and not second["pagination"]["more"]
    assert first["results"][0]["text"].startswith("Recruit 00")


def test_should_let_only_those_who_may_edit_the_watchlist_search(client, entities):
    user = User.objects.create_user("clerk", is_staff=True)
    client.force_login(user)
    assert client.get(SEARCH, {"term": "hostile"}).status_code == 403

    user.user_permissions.add(Permission.objects.get(codename="add_watchedentity"))
    client.force_login(User.objects.get(pk=user.pk))
    assert client.get(SEARCH, {"term": "hostile"}).status_code == 200


def test_should_send_non_staff_from_the_search_to_login(client, entities):
    client.force_login(User.objects.create_user("pilot"))

    response = client.get(SEARCH, {"term": "hostile"})

    assert response.status_code == 302 and "login" in response.url


def test_should_add_an_entity_picked_by_the_search(admin_client, entities):
    response = admin_client.post(ADD, {"entity": "99000001", "reason": "war"})

    assert response.status_code == 302
    watched = WatchedEntity.objects.get()
    assert (watched.entity.name, watched.reason) == ("Hostile Alliance", "war")
    assert watched.added_by.username == "admin"


def test_should_say_clearly_when_the_id_is_unknown(admin_client, entities):
    response = admin_client.post(ADD, {"entity": "12345", "reason": ""})

    assert errors_of(response)["entity"] == [
        "No alliance, corporation or character with the ID 12345 is known to Auth. "
        "Search for it by name in the list."
    ]
    assert not WatchedEntity.objects.exists()


def test_should_refuse_other_categories(admin_client, entities):
    response = admin_client.post(ADD, {"entity": "30000142", "reason": ""})

    assert errors_of(response)["entity"] == [
        "Only alliances, corporations and characters can be watched."
    ]


def test_should_refuse_an_entity_already_watched(admin_client, entities):
    WatchedEntity.objects.create(entity=entities["Hostile Spy"])

    response = admin_client.post(ADD, {"entity": "95000001", "reason": ""})

    assert errors_of(response)["entity"] == ["This entity is already on the watchlist."]


def test_should_show_the_watched_entity_by_name_when_changing_it(admin_client, entities):
    watched = WatchedEntity.objects.create(entity=entities["Hostile Corp"], reason="spies")
    url = reverse("admin:memberaudit_watchedentity_change", args=[watched.pk])

    page = admin_client.get(url).content.decode()
    response = admin_client.post(url, {"entity": "98000001", "reason": "awoxers"})

    assert '<option value="98000001" selected>Hostile Corp (corporation 98000001)</option>' in page
    assert response.status_code == 302
    watched.refresh_from_db()
    assert watched.reason == "awoxers"


def test_should_list_names_categories_and_ids(admin_client, entities):
    WatchedEntity.objects.create(entity=entities["Hostile Alliance"], reason="war")
    WatchedEntity.objects.create(entity=entities["Hostile Spy"])

    response = admin_client.get(CHANGELIST)

    content = response.content.decode()
    for text in ("Hostile Alliance", "alliance", "99000001", "war", "Hostile Spy", "95000001"):
        assert text in content


def test_should_search_the_list_by_name_id_and_reason(admin_client, entities):
    alliance = WatchedEntity.objects.create(entity=entities["Hostile Alliance"], reason="war")
    spy = WatchedEntity.objects.create(entity=entities["Hostile Spy"], reason="awoxed us")

    def found(term):
        response = admin_client.get(CHANGELIST, {"q": term})
        return list(response.context["cl"].result_list)

    assert found("alliance") == [alliance]
    assert found("95000001") == [spy]
    assert found("awox") == [spy]
