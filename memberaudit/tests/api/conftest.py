"""Fixtures for the read API's tests: users allowed to use it, their tokens, and calls."""

import pytest

from django.contrib.auth.models import User
from django.urls import reverse

from allianceauth.tests.auth_utils import AuthUtils

from memberaudit import api_tokens

from ..factories import create_user_with_main

API_PERMISSIONS = ("memberaudit.basic_access", "memberaudit.api_access")


def api_user(*permissions, **main_fields) -> User:
    """A user with a main, ``basic_access``, ``api_access`` and ``permissions``."""
    user = create_user_with_main(**main_fields)
    AuthUtils.add_permissions_to_user_by_name([*API_PERMISSIONS, *permissions], user)
    return User.objects.get(pk=user.pk)


def characters_url() -> str:
    return reverse("memberaudit_api:characters")


def character_url(character_pk: int) -> str:
    return reverse("memberaudit_api:character", kwargs={"character_pk": character_pk})


def dataset_url(character_pk: int, section: str, dataset: str) -> str:
    return reverse(
        "memberaudit_api:section_data",
        kwargs={"character_pk": character_pk, "section": section, "dataset": dataset},
    )


@pytest.fixture
def call(client):
    """``call(url, token=None, **params)``: a GET to the API with ``token`` (the plain text)
    as bearer token, no session."""

    def get(url: str, token: str | None = None, **params):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        return client.get(url, params, **headers)

    return get


@pytest.fixture
def token_of():
    """``token_of(user)``: a new token of ``user``, as the plain text a program sends."""

    def make(user: User, name: str = "script") -> str:
        return api_tokens.create_token(user, name).plain

    return make
