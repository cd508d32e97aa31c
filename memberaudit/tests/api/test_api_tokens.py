"""Personal API tokens: made with a secret shown once, stored as a hash, revocable."""

import datetime as dt
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from django.utils import timezone

from memberaudit import api_tokens
from memberaudit.models import ApiToken

from .conftest import api_user

pytestmark = pytest.mark.django_db


def stored_values(token: ApiToken) -> list[str]:
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    return [str(value) for value in row.values()]


def test_should_never_store_the_secret():
    new = api_tokens.create_token(api_user(), "script")

    secret = new.plain.split("_", 2)[2]
    assert len(secret) >= 40
    assert not any(secret in value or new.plain in value for value in stored_values(new.token))
    assert new.token.secret_hash == hashlib.sha256(new.plain.encode()).hexdigest()


def test_should_find_its_token_by_the_plain_text_only():
    user = api_user()
    new = api_tokens.create_token(user, "script")

    assert api_tokens.authenticate(new.plain) == new.token
    assert api_tokens.authenticate(f"  {new.plain}  ") == new.token


def test_should_make_a_different_token_each_time():
    user = api_user()

    plains = {api_tokens.create_token(user, "same name").plain for _ in range(5)}

    assert len(plains) == 5


def test_should_refuse_a_token_with_the_right_prefix_and_a_wrong_secret():
    new = api_tokens.create_token(api_user(), "script")
    forged = new.plain[:-4] + ("AAAA" if not new.plain.endswith("AAAA") else "BBBB")

    assert api_tokens.authenticate(forged) is None


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=80))
def test_should_refuse_anything_that_is_not_a_token(text):
    assert api_tokens.authenticate(text) is None


def test_should_refuse_a_revoked_token():
    user = api_user()
    new = api_tokens.create_token(user, "script")

    assert api_tokens.revoke_token(user, new.token.pk)

    assert api_tokens.authenticate(new.plain) is None
    assert not api_tokens.revoke_token(user, new.token.pk)  # once is enough


def test_should_not_revoke_another_users_token():
    owner, other = api_user(), api_user()
    new = api_tokens.create_token(owner, "script")

    assert not api_tokens.revoke_token(other, new.token.pk)

    assert api_tokens.authenticate(new.plain) == new.token


def test_should_refuse_the_token_of_an_inactive_user():
    user = api_user()
    new = api_tokens.create_token(user, "script")
    user.is_active = False
    user.save()

    assert api_tokens.authenticate(new.plain) is None


def test_should_record_the_last_use_at_most_once_a_minute():
    new = api_tokens.create_token(api_user(), "script")
    assert new.token.last_used_at is None

    api_tokens.authenticate(new.plain)
    first = ApiToken.objects.get(pk=new.token.pk).last_used_at
    api_tokens.authenticate(new.plain)

    assert first is not None
    assert ApiToken.objects.get(pk=new.token.pk).last_used_at == first
    ApiToken.objects.filter(pk=new.token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    api_tokens.authenticate(new.plain)
    assert ApiToken.objects.get(pk=new.token.pk).last_used_at > first - dt.timedelta(seconds=1)


def test_should_limit_the_active_tokens_of_a_user():
    user = api_user()
    for number in range(api_tokens.MAX_ACTIVE_TOKENS):
        api_tokens.create_token(user, f"token {number}")

    with pytest.raises(api_tokens.TooManyTokens):
        api_tokens.create_token(user, "one too many")

    api_tokens.revoke_token(user, api_tokens.active_tokens(user).first().pk)
    api_tokens.create_token(user, "room again")


def test_should_list_active_tokens_before_revoked_ones():
    user = api_user()
    revoked = api_tokens.create_token(user, "old").token
    active = api_tokens.create_token(user, "new").token
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())

    assert list(api_tokens.user_tokens(user)) == [active, revoked]
