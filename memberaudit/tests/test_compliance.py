"""Compliance groups: Auth groups that hold exactly the users who registered every character
they own, kept in line in one bulk pass and at once when a user's characters change."""

import pytest

from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.models.signals import m2m_changed
from django.test.utils import CaptureQueriesContext

from allianceauth.authentication.models import CharacterOwnership, State
from allianceauth.notifications.models import Notification

from fake_eve.tokens import create_token
from memberaudit import registration, services, tasks, updater
from memberaudit.compliance import compliant_users, update_compliance
from memberaudit.models import Character, ComplianceGroupDesignation, UserCompliance
from memberaudit.scopes import REGISTRATION_SCOPES

from .factories import create_character, create_eve_character, create_user

pytestmark = pytest.mark.django_db


def compliance_group(name: str = "Compliant", states=()) -> Group:
    group = Group.objects.create(name=name)
    group.authgroup.states.set(states)
    ComplianceGroupDesignation.objects.create(group=group)
    return group


def compliant_user(characters: int = 1) -> User:
    """A user with ``basic_access`` whose characters are all registered."""
    user = create_user()
    for _ in range(characters):
        create_character(user)
    return user


def add_unregistered_alt(user: User):
    eve_character = create_eve_character()
    CharacterOwnership.objects.create(
        character=eve_character, user=user, owner_hash=f"hash-{eve_character.character_id}"
    )
    return eve_character


def members(group: Group) -> set[int]:
    return set(group.user_set.values_list("pk", flat=True))


def in_state(user: User, state: State) -> None:
    """Put the user in a state without Auth reassessing it."""
    type(user.profile).objects.filter(pk=user.profile.pk).update(state=state)


# --- who is compliant ---


def test_should_count_a_user_with_every_character_registered_as_compliant():
    user = compliant_user(characters=2)

    assert list(compliant_users()) == [user]


def test_should_not_count_a_user_with_an_unregistered_alt_as_compliant():
    user = compliant_user()
    add_unregistered_alt(user)

    assert not compliant_users().filter(pk=user.pk).exists()


def test_should_not_count_a_user_with_a_disabled_character_as_compliant():
    user = compliant_user()
    Character.objects.filter(eve_character__character_ownership__user=user).update(is_disabled=True)

    assert not compliant_users().filter(pk=user.pk).exists()


def test_should_not_count_users_without_characters_or_basic_access_as_compliant():
    create_user()  # no characters at all
    no_access = create_user(permissions=())
    create_character(no_access)

    assert not compliant_users().exists()


# --- compliance groups ---


def test_should_add_compliant_users_and_remove_the_others():
    group = compliance_group()
    compliant = compliant_user()
    lapsed = compliant_user()
    add_unregistered_alt(lapsed)
    lapsed.groups.add(group)

    changes = update_compliance()

    assert members(group) == {compliant.pk}
    assert changes.added == {group.pk: {compliant.pk}}
    assert changes.removed == {group.pk: {lapsed.pk}}


def test_should_never_touch_groups_that_are_not_compliance_groups():
    compliance = compliance_group()
    other = Group.objects.create(name="Fleet")
    compliant = compliant_user()
    lapsed = compliant_user()
    add_unregistered_alt(lapsed)
    lapsed.groups.add(other)

    update_compliance()

    assert members(other) == {lapsed.pk}
    assert compliant.pk not in members(other)
    assert members(compliance) == {compliant.pk}


def test_should_only_add_users_whose_state_the_group_allows():
    allowed = State.objects.create(name="Full member", priority=150)
    group = compliance_group(states=[allowed])
    member = compliant_user()
    guest = compliant_user()
    guest_in_group = compliant_user()
    in_state(member, allowed)
    guest_in_group.groups.add(group)

    update_compliance()

    assert members(group) == {member.pk}
    assert guest.pk not in members(group)


def test_should_work_with_auths_state_rules_when_a_user_changes_state():
    """Auth removes a user from a state-restricted group when their state changes; the next
    compliance run must not put them back."""
    allowed = State.objects.create(name="Alliance member", priority=150)
    group = compliance_group(states=[allowed])
    user = compliant_user()
    main = user.profile.main_character
    allowed.member_characters.add(main)  # Auth assigns the state through its signals
    user.refresh_from_db()
    assert user.profile.state == allowed
    update_compliance()
    assert members(group) == {user.pk}

    allowed.member_characters.remove(main)  # Auth's signals: new state, group left
    user.refresh_from_db()
    assert user.profile.state != allowed
    assert members(group) == set()
    update_compliance()

    assert members(group) == set()


def test_should_change_memberships_through_django_so_auths_signals_see_them():
    group = compliance_group()
    user = compliant_user()
    seen = []

    def receiver(sender, action, pk_set, **kwargs):
        seen.append((action, set(pk_set or ())))

    m2m_changed.connect(receiver, sender=User.groups.through, dispatch_uid="compliance-test")
    try:
        update_compliance()
        add_unregistered_alt(user)
        update_compliance()
    finally:
        m2m_changed.disconnect(sender=User.groups.through, dispatch_uid="compliance-test")

    assert ("post_add", {user.pk}) in seen
    assert ("post_remove", {user.pk}) in seen
    assert members(group) == set()


def test_should_leave_groups_alone_when_compliance_groups_are_switched_off(settings):
    settings.MEMBERAUDIT_COMPLIANCE_GROUPS_ENABLED = False
    group = compliance_group()
    compliant_user()

    update_compliance()

    assert members(group) == set()


def test_should_only_look_at_the_given_users():
    group = compliance_group()
    first = compliant_user()
    second = compliant_user()

    update_compliance([first.pk])

    assert members(group) == {first.pk}
    assert second.pk not in members(group)


def run_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        update_compliance()
    return len(queries)


def test_should_cost_the_same_queries_for_few_and_many_users():
    """A bulk diff: the queries depend on the number of compliance groups, not of users."""
    groups = [compliance_group("First"), compliance_group("Second")]

    def users_changing(count: int):
        joining = [compliant_user() for _ in range(count)]
        leaving = [compliant_user() for _ in range(count)]
        for user in leaving:
            add_unregistered_alt(user)
            user.groups.add(*groups)
        return joining, leaving

    users_changing(2)
    few = run_queries()
    Group.user_set.through.objects.filter(group__in=groups).delete()
    users_changing(25)
    many = run_queries()

    assert many == few
    assert many <= 20


def test_should_fill_compliance_groups_in_the_hourly_run():
    group = compliance_group()
    user = compliant_user()

    tasks.run_regular_updates()

    assert members(group) == {user.pk}


# --- at once: registration, removal, token loss, a new alt ---


def test_should_add_the_user_at_once_when_they_register_their_last_character(
    make_character, fake_eve, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(tasks.update_character, "apply_async", lambda *args, **kwargs: None)
    group = compliance_group()
    user = create_user()
    eve_character = create_eve_character(character_id=90000001)
    CharacterOwnership.objects.create(character=eve_character, user=user, owner_hash="aria")
    update_compliance()
    assert members(group) == set()
    token = create_token(fake_eve, 90000001, user, list(REGISTRATION_SCOPES))

    with django_capture_on_commit_callbacks(execute=True):
        registration.register_character(user, token)

    assert members(group) == {user.pk}


def test_should_remove_the_user_at_once_when_they_remove_a_character(
    django_capture_on_commit_callbacks,
):
    group = compliance_group()
    user = compliant_user(characters=2)
    update_compliance()
    character = Character.objects.filter(eve_character__character_ownership__user=user).first()

    with django_capture_on_commit_callbacks(execute=True):
        services.remove_character(character)

    assert members(group) == set()


def test_should_remove_the_user_at_once_when_a_character_loses_its_token(
    django_capture_on_commit_callbacks,
):
    group = compliance_group()
    user = compliant_user(characters=2)
    update_compliance()
    character = Character.objects.filter(eve_character__character_ownership__user=user).first()

    with django_capture_on_commit_callbacks(execute=True):
        updater.disable_for_lost_token(character)

    assert members(group) == set()
    assert Notification.objects.filter(user=user, title__contains="token").count() == 1


def test_should_remove_the_user_at_once_when_they_add_an_alt_in_auth(
    django_capture_on_commit_callbacks,
):
    group = compliance_group()
    user = compliant_user()
    update_compliance()

    with django_capture_on_commit_callbacks(execute=True):
        add_unregistered_alt(user)

    assert members(group) == set()
    assert UserCompliance.objects.get(user=user).is_compliant is False
