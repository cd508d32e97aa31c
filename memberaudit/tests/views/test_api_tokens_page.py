"""The API tokens page: a user with ``api_access`` makes tokens (each shown once), sees their
own tokens and revokes them; nobody else's token is ever shown or changed."""

import pytest

from django.urls import reverse

from memberaudit import api_tokens
from memberaudit.models import ApiToken

from ..api.conftest import api_user
from ..factories import create_user_with_main

pytestmark = pytest.mark.django_db

PAGE = "memberaudit:api_tokens"


def test_should_show_a_new_token_once_and_keep_only_its_hash(client):
    user = api_user()
    client.force_login(user)

    made = client.post(reverse(PAGE), {"name": "My script"})
    again = client.get(reverse(PAGE))

    token = ApiToken.objects.get(user=user)
    shown = made.context["new_token"].plain
    assert made.status_code == 200
    assert shown in made.content.decode()
    assert made["Cache-Control"] == "no-store"
    assert shown not in again.content.decode()
    assert "My script" in again.content.decode()
    assert api_tokens.authenticate(shown) == token
    assert token.secret_hash == api_tokens.hash_token(shown)


def test_should_list_only_the_users_own_tokens(client):
    user, other = api_user(), api_user()
    api_tokens.create_token(user, "mine")
    api_tokens.create_token(other, "someone else's")
    client.force_login(user)

    page = client.get(reverse(PAGE)).content.decode()

    assert "mine" in page
    assert "someone else" not in page


def test_should_revoke_an_own_token(client):
    user = api_user()
    new = api_tokens.create_token(user, "mine")
    client.force_login(user)

    response = client.post(reverse("memberaudit:revoke_api_token", args=[new.token.pk]))

    assert response.status_code == 302
    assert api_tokens.authenticate(new.plain) is None
    assert "revoked" in client.get(reverse(PAGE)).content.decode()


def test_should_answer_404_for_someone_elses_token_and_leave_it(client):
    user, other = api_user(), api_user()
    new = api_tokens.create_token(other, "someone else's")
    client.force_login(user)

    response = client.post(reverse("memberaudit:revoke_api_token", args=[new.token.pk]))

    assert response.status_code == 404
    assert api_tokens.authenticate(new.plain) == new.token


def test_should_revoke_only_by_post(client):
    user = api_user()
    new = api_tokens.create_token(user, "mine")
    client.force_login(user)

    response = client.get(reverse("memberaudit:revoke_api_token", args=[new.token.pk]))

    assert response.status_code == 405
    assert api_tokens.authenticate(new.plain) == new.token


def test_should_refuse_an_empty_name(client):
    user = api_user()
    client.force_login(user)

    response = client.post(reverse(PAGE), {"name": "   "})

    assert response.status_code == 200
    assert response.context["new_token"] is None
    assert not ApiToken.objects.exists()


def test_should_refuse_users_without_api_access(client):
    user = create_user_with_main()
    client.force_login(user)

    assert client.get(reverse(PAGE)).status_code == 403
    assert client.post(reverse(PAGE), {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_should_show_the_page_in_the_apps_navigation_only_with_api_access(client):
    with_access, without = api_user(), create_user_with_main()

    client.force_login(with_access)
    assert reverse(PAGE) in client.get(reverse("memberaudit:launcher")).content.decode()
    client.force_login(without)
    assert reverse(PAGE) not in client.get(reverse("memberaudit:launcher")).content.decode()
