"""The read API opens exactly the characters the access module opens, for any world: generated
users in generated corporations and alliances, with generated permissions, characters, shares
and orphans. Each character is 200 for the caller when the access module lets them open it,
404 otherwise, and the list holds exactly those."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.contrib.auth.models import User
from django.db import transaction

from allianceauth.tests.auth_utils import AuthUtils

from memberaudit import access, api_tokens

from ..factories import create_character, create_orphan_character, share_with_all_recruiters
from .conftest import API_PERMISSIONS, character_url, characters_url

pytestmark = pytest.mark.django_db

CORPORATIONS = {98_000_201: 99_000_201, 98_000_202: 99_000_201, 98_000_203: None}
SCOPE_PERMISSIONS = (
    "memberaudit.characters_access",
    "memberaudit.view_same_corporation",
    "memberaudit.view_same_alliance",
    "memberaudit.view_everything",
    "memberaudit.view_shared_characters",
    "memberaudit.finder_access",
    "memberaudit.share_characters",
)

users = st.lists(
    st.fixed_dictionaries(
        {
            "corporation": st.sampled_from(sorted(CORPORATIONS)),
            "permissions": st.sets(st.sampled_from(SCOPE_PERMISSIONS)),
            "alts": st.lists(
                st.tuples(st.sampled_from(sorted(CORPORATIONS)), st.booleans()), max_size=2
            ),
        }
    ),
    min_size=2,
    max_size=5,
)


def build_world(specs: list[dict], superuser: bool, orphans: int) -> User:
    """The users of ``specs`` with their mains and alts; the first one is the API's caller."""
    people = []
    for spec in specs:
        corporation = spec["corporation"]
        main_fields = {"corporation_id": corporation, "alliance_id": CORPORATIONS[corporation]}
        user = AuthUtils.create_user(f"api_scope_{len(people)}")
        AuthUtils.add_permissions_to_user_by_name(
            ["memberaudit.basic_access", *spec["permissions"]], user
        )
        create_character(user=user, is_main=True, **main_fields)
        for alt_corporation, shared in spec["alts"]:
            alt = create_character(
                user=user,
                corporation_id=alt_corporation,
                alliance_id=CORPORATIONS[alt_corporation],
            )
            if shared:
                share_with_all_recruiters(alt)
        people.append(user)
    for _ in range(orphans):
        create_orphan_character()
    caller = people[0]
    AuthUtils.add_permissions_to_user_by_name(list(API_PERMISSIONS), caller)
    if superuser:
        User.objects.filter(pk=caller.pk).update(is_superuser=True)
    return User.objects.get(pk=caller.pk)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=users,
    superuser=st.sampled_from([False, False, False, True]),
    orphans=st.integers(min_value=0, max_value=1),
)
def test_should_open_exactly_what_the_access_module_opens(
    call, settings_override, specs, superuser, orphans
):
    from memberaudit.models import Character

    with transaction.atomic():
        caller = build_world(specs, superuser, orphans)
        plain = api_tokens.create_token(caller, "scope").plain
        expected = set(access.accessible_characters(caller).values_list("pk", flat=True))

        listed = call(characters_url(), plain, limit=500)
        statuses = {
            pk: call(character_url(pk), plain).status_code
            for pk in Character.objects.values_list("pk", flat=True)
        }

        assert listed.status_code == 200
        assert {row["id"] for row in listed.json()["results"]} == expected
        assert listed.json()["count"] == len(expected)
        assert {pk for pk, status in statuses.items() if status == 200} == expected
        assert set(statuses.values()) <= {200, 404}
        transaction.set_rollback(True)


@pytest.fixture
def settings_override(settings):
    """No rate limit in the way of the generated calls."""
    settings.MEMBERAUDIT_API_RATE_LIMIT = 1_000_000
    return settings
