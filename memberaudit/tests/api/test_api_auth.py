"""Who may call the read API: a valid token of a user with ``api_access``; and a character
the caller may not open is 404, exactly like one that does not exist."""

import pytest

from django.contrib.auth.models import Permission

from memberaudit import api_tokens
from memberaudit.models import AccessLogEntry, Character

from ..factories import create_character
from .conftest import api_user, character_url, characters_url, dataset_url

pytestmark = pytest.mark.django_db


def urls_of(character_pk: int) -> list[str]:
    return [
        characters_url(),
        character_url(character_pk),
        dataset_url(character_pk, "wallet_journal", "wallet_journal"),
        dataset_url(character_pk, "skills", "skills"),
    ]


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer ma_0123456789ab_notthesecret",
        "Bearer not-a-token",
        "Token ma_x_y",
    ],
)
def test_should_answer_401_without_a_valid_token(client, header):
    character = create_character()
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}

    for url in urls_of(character.pk):
        response = client.get(url, **extra)

        assert response.status_code == 401, url
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json() == {"detail": "A valid API token is required."}


def test_should_not_let_a_signed_in_session_stand_in_for_a_token(client):
    user = api_user()
    character = create_character(user=user)
    client.force_login(user)

    for url in urls_of(character.pk):
        assert client.get(url).status_code == 401, url


def test_should_answer_401_for_a_revoked_token(call, token_of):
    user = api_user()
    plain = token_of(user)
    assert call(characters_url(), plain).status_code == 200

    api_tokens.revoke_token(user, api_tokens.authenticate(plain).pk)

    assert call(characters_url(), plain).status_code == 401


def test_should_answer_401_for_the_token_of_a_deactivated_user(call, token_of):
    user = api_user()
    plain = token_of(user)
    user.is_active = False
    user.save()

    assert call(characters_url(), plain).status_code == 401


@pytest.mark.parametrize("missing", ["api_access", "basic_access"])
def test_should_answer_403_when_the_tokens_user_lost_a_permission(call, token_of, missing):
    user = api_user()
    character = create_character(user=user)
    plain = token_of(user)
    user.user_permissions.remove(Permission.objects.get(codename=missing))

    for url in urls_of(character.pk):
        response = call(url, plain)

        assert response.status_code == 403, url
        assert "Pilot" not in response.content.decode()


def test_should_answer_404_alike_for_a_hidden_and_a_missing_character(call, token_of):
    """Existence never leaks: same status, same body, nothing logged."""
    plain = token_of(api_user())
    hidden = create_character(character_name="Hidden Pilot")
    missing_pk = Character.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000

    for url_hidden, url_missing in zip(
        urls_of(hidden.pk)[1:], urls_of(missing_pk)[1:], strict=True
    ):
        shown, absent = call(url_hidden, plain), call(url_missing, plain)

        assert (shown.status_code, shown.content) == (absent.status_code, absent.content)
        assert shown.status_code == 404
        assert b"Hidden Pilot" not in shown.content
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize(
    "section, dataset",
    [("no_such_section", "x"), ("skills", "no_such_dataset"), ("wallet_journal", "skills")],
)
def test_should_answer_404_for_unknown_sections_and_datasets(call, token_of, section, dataset):
    user = api_user()
    character = create_character(user=user)

    response = call(dataset_url(character.pk, section, dataset), token_of(user))

    assert response.status_code == 404


@pytest.mark.parametrize("path_id", ["99999999999999999999", "9223372036854775808"])
def test_should_answer_404_for_ids_beyond_64_bits(call, token_of, path_id):
    plain = token_of(api_user())

    for url in (
        f"{characters_url()}{path_id}/",
        f"{characters_url()}{path_id}/sections/skills/skills/",
    ):
        assert call(url, plain).status_code == 404, url


def test_should_serve_the_openapi_description_and_docs_without_a_token(client):
    schema = client.get(characters_url().replace("characters/", "openapi.json"))
    docs = client.get(characters_url().replace("characters/", ""))

    assert schema.status_code == 200
    assert set(schema.json()["paths"]) >= {
        "/member-audit/api/characters/",
        "/member-audit/api/characters/{character_pk}/",
        "/member-audit/api/characters/{character_pk}/sections/{section}/{dataset}/",
    }
    assert "bearer" in str(schema.json()["components"]["securitySchemes"]).lower()
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
