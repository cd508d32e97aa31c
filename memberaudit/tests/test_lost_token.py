"""A character whose token stops working: disabled with its data, owner told once, revived by
registering again. Against the fake EVE server, with the hourly run executing its tasks."""

import pytest

from django.core.cache import cache
from django.utils import timezone

from allianceauth.notifications.models import Notification
from esi.models import Token

from fake_eve.tokens import create_token
from memberaudit import auth_notifications, registration, tasks, updater
from memberaudit.character_data import character_data_models
from memberaudit.managers import CharacterStatus
from memberaudit.models import Character, SectionUpdateStatus
from memberaudit.scopes import REGISTRATION_SCOPES

from .factories import create_user

pytestmark = pytest.mark.django_db

ARIA = 90000001
ELIN = 90000005  # her token lacks the wallet and contacts scopes


def stored_rows(character) -> dict[str, int]:
    """How many rows of section data the character has, per model (status rows left out)."""
    return {
        model._meta.label: model._base_manager.filter(**{field: character}).count()
        for model, field in character_data_models()
        if model is not SectionUpdateStatus
    }


def make_all_sections_stale(character) -> None:
    """As if the last run was a day ago, and ESI's cached answers had expired since."""
    long_ago = timezone.now() - timezone.timedelta(days=1)
    SectionUpdateStatus.objects.filter(character=character).update(
        started_at=long_ago, finished_at=long_ago
    )
    cache.delete_pattern("esi_*")


def expire_access_token(character_id: int) -> None:
    """The access token is old: the next ESI call must refresh it at the SSO."""
    Token.objects.filter(character_id=character_id).update(
        created=timezone.now() - timezone.timedelta(days=1)
    )


@pytest.fixture
def updated_aria(make_character, fake_eve):
    """Aria, registered and fully updated by the hourly run."""
    character = make_character(ARIA)
    assert tasks.run_regular_updates() == 1
    assert SectionUpdateStatus.objects.filter(character=character, is_success=True).count() == len(
        tasks.registry
    )
    return Character.objects.get(pk=character.pk)


def token_notices(user):
    """The notifications telling ``user`` of a lost token (compliance notices left out)."""
    return Notification.objects.filter(user=user, title__contains="token no longer valid")


def a_day_passes() -> None:
    """Notices of the same cause go out at most once a day: forget the ones sent."""
    cache.delete_pattern(f"{auth_notifications.CACHE_PREFIX}:*")


def total_status(character) -> str:
    return Character.objects.with_status().get(pk=character.pk).total_status


def test_should_disable_character_keeping_its_data_when_sso_refuses_its_token(
    updated_aria, fake_eve
):
    character = updated_aria
    before = stored_rows(character)
    assert sum(before.values()) > 0
    fake_eve.sso.revoke_character(ARIA)  # the pilot revoked the app's access
    expire_access_token(ARIA)
    make_all_sections_stale(character)
    fake_eve.log.clear()

    assert tasks.run_regular_updates() == 1

    character.refresh_from_db()
    assert character.is_disabled
    assert total_status(character) == CharacterStatus.DISABLED
    assert stored_rows(character) == before
    # The first section found out; the others of that run sent nothing.
    assert fake_eve.log.count(route="sso_token") == 1
    assert fake_eve.log.count(kind="esi") == 0
    assert token_notices(character.owner).count() == 1
    failed = SectionUpdateStatus.objects.filter(character=character, is_success=False)
    assert [row.error_kind for row in failed] == [SectionUpdateStatus.ErrorKind.TOKEN_INVALID]


def test_should_not_touch_a_disabled_character_in_later_runs(updated_aria, fake_eve):
    character = updated_aria
    fake_eve.sso.revoke_character(ARIA)
    expire_access_token(ARIA)
    make_all_sections_stale(character)
    tasks.run_regular_updates()
    make_all_sections_stale(character)
    fake_eve.log.clear()

    assert tasks.run_regular_updates() == 0

    assert fake_eve.log.entries() == []
    assert token_notices(character.owner).count() == 1


def test_should_disable_character_when_auth_deleted_its_last_token(updated_aria, fake_eve):
    character = updated_aria
    owner = character.owner
    before = stored_rows(character)
    Token.objects.filter(character_id=ARIA).delete()  # Auth's cleanup: ownership goes too
    make_all_sections_stale(character)
    fake_eve.log.clear()

    assert tasks.run_regular_updates() == 1
    tasks.update_character(character.pk)  # e.g. an update queued earlier

    character = Character.objects.get(pk=character.pk)
    assert character.is_disabled
    assert character.is_orphan
    assert stored_rows(character) == before
    assert fake_eve.log.entries() == []
    assert token_notices(owner).count() == 1


def test_should_disable_character_when_its_owner_has_no_token_of_it(updated_aria, fake_eve):
    character = updated_aria
    before = stored_rows(character)
    # The only token of the character belongs to another Auth user now.
    Token.objects.filter(character_id=ARIA).update(user=create_user())
    make_all_sections_stale(character)
    fake_eve.log.clear()

    first = updater.update_section(character, "wallet_balance")
    second = updater.update_section(character, "wallet_journal")

    assert not first.is_success and "No token found" in first.message
    assert not second.is_success
    character.refresh_from_db()
    assert character.is_disabled
    assert stored_rows(character) == before
    assert fake_eve.log.entries() == []
    assert token_notices(character.owner).count() == 1


def test_should_revive_character_with_its_data_when_registered_again(
    updated_aria, fake_eve, django_capture_on_commit_callbacks
):
    character = updated_aria
    before = stored_rows(character)
    fake_eve.sso.revoke_character(ARIA)
    expire_access_token(ARIA)
    make_all_sections_stale(character)
    tasks.run_regular_updates()
    assert Character.objects.get(pk=character.pk).is_disabled

    token = create_token(fake_eve, ARIA, character.owner, list(REGISTRATION_SCOPES))
    with django_capture_on_commit_callbacks(execute=True):
        registration.register_character(character.owner, token)

    character.refresh_from_db()
    assert not character.is_disabled
    assert character.token_error_notified_at is None
    assert total_status(character) == CharacterStatus.OK
    assert stored_rows(character) == before


def test_should_tell_the_owner_again_when_the_revived_character_loses_its_token(
    updated_aria, fake_eve, django_capture_on_commit_callbacks
):
    character = updated_aria
    fake_eve.sso.revoke_character(ARIA)
    expire_access_token(ARIA)
    make_all_sections_stale(character)
    tasks.run_regular_updates()
    token = create_token(fake_eve, ARIA, character.owner, list(REGISTRATION_SCOPES))
    with django_capture_on_commit_callbacks(execute=True):
        registration.register_character(character.owner, token)

    a_day_passes()
    fake_eve.sso.revoke_character(ARIA)
    expire_access_token(ARIA)
    make_all_sections_stale(character)
    tasks.run_regular_updates()

    assert Character.objects.get(pk=character.pk).is_disabled
    assert token_notices(character.owner).count() == 2


def test_should_only_suspend_sections_when_the_token_lacks_scopes(make_character, fake_eve):
    character = make_character(ELIN)

    tasks.run_regular_updates()

    character.refresh_from_db()
    assert not character.is_disabled
    assert total_status(character) == CharacterStatus.LIMITED_TOKEN
    limited = SectionUpdateStatus.objects.filter(
        character=character, error_kind=SectionUpdateStatus.ErrorKind.TOKEN_LIMITED
    )
    assert set(limited.values_list("section", flat=True)) >= {"wallet_balance", "contacts"}
    assert not Notification.objects.filter(user=character.owner).exists()


def test_should_keep_character_enabled_when_sso_is_down(make_character, fake_eve, monkeypatch):
    from esi import app_settings as esi_settings

    monkeypatch.setattr(esi_settings, "ESI_SSO_MAX_RETRIES", 1)  # no waiting between retries
    character = make_character(ARIA)
    expire_access_token(ARIA)
    fake_eve.faults.add(route="sso_token", status=503)

    tasks.run_regular_updates()

    character.refresh_from_db()
    assert not character.is_disabled
    assert Token.objects.filter(character_id=ARIA).exists()
    assert not Notification.objects.filter(user=character.owner).exists()
