"""The character finder: exactly the characters the viewer may open, with filters."""

import pytest

from django.contrib.auth.models import User
from django.urls import reverse

from allianceauth.tests.auth_utils import AuthUtils

from memberaudit import access

from ..factories import (
    create_character,
    create_orphan_character,
    create_user_with_main,
    share_with_all_recruiters,
)

pytestmark = pytest.mark.django_db

FINDER = "memberaudit.finder_access"


def user_with_main(*permissions, **main_fields):
    user = create_user_with_main(**main_fields)
    AuthUtils.add_permissions_to_user_by_name(list(permissions), user)
    return User.objects.get(pk=user.pk)


def finder_ids(client, **params) -> set[int]:
    response = client.get(reverse("memberaudit:finder_data"), {"length": 500, **params})
    assert response.status_code == 200
    return {row["character_id"] for row in response.json()["data"]}


@pytest.fixture
def world():
    """Characters in two alliances, shared and not, and an orphan."""
    same_alliance = {"alliance_id": 99_000_001, "alliance_name": "Alpha Alliance"}
    other_alliance = {"alliance_id": 99_000_002, "alliance_name": "Beta Alliance"}
    sharer = user_with_main(
        "memberaudit.share_characters", corporation_id=98_000_010, **same_alliance
    )
    plain = user_with_main(corporation_id=98_000_011, **other_alliance)
    characters = {
        "alpha": create_character(user=sharer, corporation_id=98_000_010, **same_alliance),
        "alpha_shared": create_character(user=sharer, **same_alliance),
        "beta": create_character(user=plain, corporation_id=98_000_011, **other_alliance),
        "beta_shared": create_character(user=plain, **other_alliance),
        "orphan": create_orphan_character(),
    }
    share_with_all_recruiters(characters["alpha_shared"])
    share_with_all_recruiters(characters["beta_shared"])
    return characters


class TestFinder:
    @pytest.mark.parametrize(
        "permissions",
        [
            (FINDER, "memberaudit.view_shared_characters"),
            (FINDER, "memberaudit.characters_access", "memberaudit.view_same_alliance"),
            (FINDER, "memberaudit.characters_access", "memberaudit.view_everything"),
        ],
    )
    def test_should_list_exactly_the_characters_the_viewer_may_open(
        self, permissions, world, client
    ):
        viewer = user_with_main(
            *permissions, alliance_id=99_000_001, alliance_name="Alpha Alliance"
        )
        client.force_login(viewer)

        listed = finder_ids(client)

        expected = {c.character_id for c in access.finder_characters(viewer)}
        assert listed == expected
        assert expected  # the case is not trivial

    def test_should_open_every_listed_character(self, world, client):
        viewer = user_with_main(FINDER, "memberaudit.view_shared_characters")
        client.force_login(viewer)

        rows = client.get(reverse("memberaudit:finder_data")).json()["data"]

        assert rows
        for row in rows:
            assert client.get(row["url"]).status_code == 200

    def test_should_filter_by_corporation_alliance_main_state_and_shared(self, world, client):
        viewer = user_with_main(
            FINDER, "memberaudit.characters_access", "memberaudit.view_everything"
        )
        client.force_login(viewer)
        ids = {name: character.character_id for name, character in world.items()}
        beta_main = world["beta"].owner.profile.main_character.character_id

        assert finder_ids(client, corporation=98_000_011) == {ids["beta"]}
        assert finder_ids(client, alliance=99_000_001) == {ids["alpha"], ids["alpha_shared"]}
        assert finder_ids(client, main=beta_main) == {ids["beta"], ids["beta_shared"]}
        # beta_shared's owner may not share: the share opens nothing, so it does not count
        assert finder_ids(client, shared="1") == {ids["alpha_shared"]}
        assert {ids["orphan"], ids["beta_shared"]} <= finder_ids(client, shared="0")
        state = world["alpha"].owner.profile.state.name
        assert ids["alpha"] in finder_ids(client, state=state)
        assert ids["orphan"] not in finder_ids(client, state=state)

    def test_should_search_and_sort_by_name(self, world, client):
        viewer = user_with_main(
            FINDER, "memberaudit.characters_access", "memberaudit.view_everything"
        )
        client.force_login(viewer)
        name = world["beta"].name

        response = client.get(reverse("memberaudit:finder_data"), {"search[value]": name})
        assert [row["name"] for row in response.json()["data"]] == [name]

        response = client.get(
            reverse("memberaudit:finder_data"),
            {"order[0][column]": "0", "order[0][dir]": "desc"},
        )
        names = [row["name"] for row in response.json()["data"]]
        assert names == sorted(names, reverse=True)

    def test_should_render_the_page_with_filter_choices(self, world, client):
        viewer = user_with_main(
            FINDER, "memberaudit.characters_access", "memberaudit.view_everything"
        )
        client.force_login(viewer)

        html = client.get(reverse("memberaudit:finder")).content.decode()

        assert 'id="finder-table"' in html
        assert '<option value="99000002">Beta Alliance</option>' in html

    def test_should_refuse_users_without_finder_access(self, client):
        client.force_login(user_with_main("memberaudit.view_shared_characters"))

        assert client.get(reverse("memberaudit:finder")).status_code == 403
        assert client.get(reverse("memberaudit:finder_data")).status_code == 403

    def test_should_send_anonymous_visitors_to_the_login_page(self, client):
        response = client.get(reverse("memberaudit:finder"))

        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
