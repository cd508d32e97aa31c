"""What users are told through Auth's notifications, and that each cause is told at most once
a day."""

import pytest

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import override

from allianceauth.authentication.models import CharacterOwnership
from allianceauth.notifications.models import Notification

from memberaudit import auth_notifications, services
from memberaudit.compliance import update_compliance
from memberaudit.models import Character

from .factories import create_character, create_eve_character, create_user

pytestmark = pytest.mark.django_db


def notices(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("pk"))


def add_alt(user, name="Unregistered Alt"):
    eve_character = create_eve_character(character_name=name)
    return CharacterOwnership.objects.create(
        character=eve_character, user=user, owner_hash=f"hash-{eve_character.character_id}"
    )


def a_day_passes() -> None:
    cache.delete_pattern(f"{auth_notifications.CACHE_PREFIX}:*")


@pytest.fixture
def pilot():
    """A user who was compliant at the last check."""
    user = create_user()
    create_character(user, character_name="Registered Main")
    update_compliance()
    assert notices(user) == []  # first seen compliant: nothing to say
    return user


def test_should_tell_a_user_who_lost_compliance_which_characters_to_register_and_where(pilot):
    add_alt(pilot, "Zed Alt")
    add_alt(pilot, "Amy Alt")

    update_compliance()

    [notice] = notices(pilot)
    assert notice.level == "warning"
    assert "Amy Alt, Zed Alt" in notice.message
    assert "http://127.0.0.1:8000/member-audit/launcher/" in notice.message
    assert "Registered Main" not in notice.message


def test_should_tell_a_user_who_regained_compliance(pilot):
    alt = add_alt(pilot)
    update_compliance()
    Character.objects.create(eve_character=alt.character)

    update_compliance()

    lost, regained = notices(pilot)
    assert regained.level == "success"
    assert "registered" in regained.title


def test_should_tell_each_cause_at_most_once_a_day(pilot):
    alt = add_alt(pilot)
    for _ in range(3):  # lose, regain, lose, regain ... within one day
        update_compliance()
        registered = Character.objects.create(eve_character=alt.character)
        update_compliance()
        registered.delete()

    assert [notice.level for notice in notices(pilot)] == ["warning", "success"]

    a_day_passes()
    update_compliance()

    assert [notice.level for notice in notices(pilot)] == ["warning", "success", "warning"]


def test_should_keep_the_daily_mark_for_one_day():
    user = create_user()

    assert auth_notifications.notify_once(user, "cause", 1, "title", "message")

    ttl = cache.ttl(f"{auth_notifications.CACHE_PREFIX}:cause:{user.pk}:1")
    assert 0 < ttl <= 24 * 3600


def test_should_tell_different_subjects_of_one_cause_apart():
    user = create_user()

    assert auth_notifications.notify_once(user, "cause", 1, "first", "message")
    assert auth_notifications.notify_once(user, "cause", 2, "second", "message")
    assert not auth_notifications.notify_once(user, "cause", 1, "first again", "message")

    assert [notice.title for notice in notices(user)] == ["first", "second"]


def test_should_not_tell_users_who_never_were_compliant():
    user = create_user()
    create_character(user)
    add_alt(user)

    update_compliance()
    update_compliance()

    assert notices(user) == []


def test_should_not_tell_a_user_without_a_character_left_to_register(pilot):
    Character.objects.filter(eve_character__character_ownership__user=pilot).delete()
    CharacterOwnership.objects.filter(user=pilot).delete()

    update_compliance()

    assert notices(pilot) == []


def test_should_write_notices_in_the_active_language(pilot):
    add_alt(pilot)

    with override("en"):
        update_compliance()

    assert notices(pilot)[0].title == "Member Audit: please register all your characters"


# --- shares about to end ---


def test_should_tell_the_owner_once_a_day_when_a_share_ends_within_a_day():
    character = create_character(character_name="Shared Pilot")
    owner = character.owner
    owner.user_permissions.add(*_share_permission())
    now = timezone.now()
    services.share_character(character, days=1, now=now - timezone.timedelta(hours=2))
    services.share_character(character, days=7, now=now)  # ends next week: not yet

    assert services.notify_expiring_shares(now) == 1
    assert services.notify_expiring_shares(now) == 0

    [notice] = notices(owner)
    assert "Shared Pilot" in notice.title
    assert "all recruiters" in notice.message


def test_should_not_tell_of_shares_that_opened_nothing_anymore():
    character = create_character()
    owner = character.owner  # without share_characters: the share opens nothing
    services.share_character(character, days=1)

    assert services.notify_expiring_shares() == 0
    assert notices(owner) == []


def _share_permission():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(
        content_type__app_label="memberaudit", codename="share_characters"
    )
