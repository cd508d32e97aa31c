"""The Django admin lists personal API tokens for superusers, who may revoke them but never
read a secret or make a token."""

import pytest

from django.urls import reverse

from memberaudit import api_tokens
from memberaudit.models import ApiToken

from .conftest import api_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:memberaudit_apitoken_changelist")


def test_should_list_tokens_without_their_secrets(admin_client):
    new = api_tokens.create_token(api_user(), "Fleet spreadsheet")

    page = admin_client.get(CHANGELIST).content.decode()

    assert "Fleet spreadsheet" in page
    assert new.token.prefix in page
    assert new.plain not in page and new.token.secret_hash not in page


def test_should_revoke_selected_tokens(admin_client):
    new = api_tokens.create_token(api_user(), "script")

    admin_client.post(
        CHANGELIST, {"action": "revoke", "_selected_action": [new.token.pk]}, follow=True
    )

    assert api_tokens.authenticate(new.plain) is None


def test_should_not_offer_to_add_tokens(admin_client):
    assert admin_client.get(reverse("admin:memberaudit_apitoken_add")).status_code == 403
    assert not ApiToken.objects.exists()
