"""Alliance Auth's real SSO login against the fake EVE server, over HTTP."""

import pytest

from django.contrib.auth.models import User
from django.core.cache import cache
from django.urls import reverse

from allianceauth.authentication.models import CharacterOwnership
from esi.models import Token

from fake_eve.sso_flow import follow_sso

pytestmark = pytest.mark.django_db

ARIA = 90000001


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def test_should_log_in_through_sso_and_create_user_main_and_token(client, fake_eve):
    response = follow_sso(client, reverse("auth_sso_login"), ARIA)
    assert response.wsgi_request.path == reverse("registration_register")  # new user: e-mail

    response = client.post(
        reverse("registration_register"), {"email": "aria@example.com"}, follow=True
    )

    assert response.status_code == 200
    user = User.objects.get(profile__main_character__character_id=ARIA)
    assert response.wsgi_request.user == user
    assert user.is_active and user.email == "aria@example.com"
    assert user.profile.main_character.character_name == "Aria Jaxon"
    assert CharacterOwnership.objects.filter(user=user, character__character_id=ARIA).exists()
    token = Token.objects.get(user=user, character_id=ARIA)
    assert token.refresh_token
    assert fake_eve.log.count(route="sso_token") == 1


def test_should_refresh_stored_token(client, fake_eve):
    follow_sso(client, reverse("auth_sso_login"), ARIA)
    token = Token.objects.get(character_id=ARIA)
    old_access_token = token.access_token
    Token.objects.filter(pk=token.pk).update(created=token.created.replace(year=2000))
    token.refresh_from_db()

    new_access_token = token.valid_access_token()

    assert new_access_token != old_access_token
    assert not Token.objects.get(pk=token.pk).expired
    assert fake_eve.log.count(route="sso_token") == 2


def test_should_refuse_refresh_of_revoked_token(client, fake_eve):
    from esi.errors import TokenInvalidError

    follow_sso(client, reverse("auth_sso_login"), ARIA)
    token = Token.objects.get(character_id=ARIA)
    fake_eve.sso.revoke_character(ARIA)

    with pytest.raises(TokenInvalidError):
        token.refresh()
