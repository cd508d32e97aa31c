"""Compliance of users and the Auth groups that follow it.

A user is compliant when they hold ``basic_access``, own at least one character in Auth, and
every character they own is registered with Member Audit and enabled (not disabled for a
lost token or being removed). :func:`update_compliance` compares that with what is stored in
one pass for all users (or a few, after a registration, a removal or a lost token):

- each compliance group (:class:`~memberaudit.models.ComplianceGroupDesignation`) gets the
  compliant users whose Auth state the group allows, and loses every other member; groups that
  are not compliance groups are never touched;
- users whose compliance changed are told (:mod:`memberaudit.auth_notifications`).

The queries of a run do not depend on the number of users: a few reads, a few bulk writes, and
one ``add`` and one ``remove`` per compliance group, through Django's many-to-many manager so
that Alliance Auth's signals (service group sync) see every change.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, User
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from allianceauth.authentication.models import CharacterOwnership

from . import app_settings, auth_notifications
from .access import BASIC_ACCESS, users_with_permission
from .models import ComplianceGroupDesignation, UserCompliance

logger = logging.getLogger(__name__)

_NOT_REGISTERED = Q(character__memberaudit_character__isnull=True) | Q(
    character__memberaudit_character__is_disabled=True
)


@dataclass
class ComplianceChanges:
    """What one run changed: users who became compliant, who lost it, and group members
    added and removed (group pk -> user pks)."""

    gained: set[int] = field(default_factory=set)
    lost: set[int] = field(default_factory=set)
    added: dict[int, set[int]] = field(default_factory=dict)
    removed: dict[int, set[int]] = field(default_factory=dict)


def compliant_users() -> QuerySet[User]:
    """Users with ``basic_access`` who own characters and have all of them registered and
    enabled."""
    owned = CharacterOwnership.objects.filter(user=OuterRef("pk"))
    return users_with_permission(BASIC_ACCESS).filter(
        Exists(owned), ~Exists(owned.filter(_NOT_REGISTERED))
    )


def missing_characters(user_pks: Iterable[int]) -> dict[int, list[str]]:
    """Per user, the names of the characters they own that are not registered or disabled."""
    missing = defaultdict(list)
    rows = CharacterOwnership.objects.filter(_NOT_REGISTERED, user__in=list(user_pks))
    for user_pk, name in rows.values_list("user_id", "character__character_name"):
        missing[user_pk].append(name)
    return dict(missing)


def update_compliance(user_pks: Iterable[int] | None = None) -> ComplianceChanges:
    """Bring stored compliance and compliance groups in line with the users' characters: of
    all users, or only of ``user_pks``."""
    users = User.objects.all() if user_pks is None else User.objects.filter(pk__in=list(user_pks))
    changes = ComplianceChanges()
    with transaction.atomic():
        compliant = dict(
            compliant_users().filter(pk__in=users.values("pk")).values_list("pk", "profile__state")
        )
        _record(users, set(compliant), changes)
        if app_settings.MEMBERAUDIT_COMPLIANCE_GROUPS_ENABLED:
            _update_groups(users, compliant, changes)
    _tell_users(changes)
    return changes


def queue_compliance_update(user_pks: Iterable[int]) -> None:
    """Update the compliance of these users in a task, once the current transaction commits."""
    from .tasks import DEFAULT_TASK_PRIORITY, update_compliance_for_users

    pks = sorted({pk for pk in user_pks if pk is not None})
    if pks:
        transaction.on_commit(
            lambda: update_compliance_for_users.apply_async(
                kwargs={"user_pks": pks}, priority=DEFAULT_TASK_PRIORITY
            )
        )


def _record(users: QuerySet[User], compliant: set[int], changes: ComplianceChanges) -> None:
    """Store who is compliant now. A user is told of a change only when their compliance was
    known before: first seen compliant is stored silently."""
    known = dict(
        UserCompliance.objects.filter(user__in=users.values("pk")).values_list(
            "user", "is_compliant"
        )
    )
    was_compliant = {pk for pk, is_compliant in known.items() if is_compliant}
    changes.gained = (compliant - was_compliant) & set(known)
    changes.lost = was_compliant - compliant
    now = timezone.now()
    UserCompliance.objects.bulk_create(
        [
            UserCompliance(user_id=pk, is_compliant=True, changed_at=now)
            for pk in compliant - set(known)
        ],
        ignore_conflicts=True,  # a run for the same user at the same time stored it first
    )
    if changes.gained:
        UserCompliance.objects.filter(pk__in=changes.gained).update(
            is_compliant=True, changed_at=now
        )
    if changes.lost:
        UserCompliance.objects.filter(pk__in=changes.lost).update(
            is_compliant=False, changed_at=now
        )


def _update_groups(
    users: QuerySet[User], compliant: dict[int, int | None], changes: ComplianceChanges
) -> None:
    """Each compliance group gets the compliant users whose state it allows (any state when it
    names none) and loses its other members among ``users``."""
    allowed_states: dict[int, set[int]] = {}
    for group_pk, state_pk in ComplianceGroupDesignation.objects.values_list(
        "group", "group__authgroup__states"
    ):
        allowed_states.setdefault(group_pk, set())  # no states: any state
        if state_pk is not None:
            allowed_states[group_pk].add(state_pk)
    if not allowed_states:
        return
    members: dict[int, set[int]] = defaultdict(set)
    memberships = User.groups.through.objects.filter(
        group__in=list(allowed_states), user__in=users.values("pk")
    )
    for user_pk, group_pk in memberships.values_list("user", "group"):
        members[group_pk].add(user_pk)
    for group in Group.objects.filter(pk__in=list(allowed_states)):
        states = allowed_states[group.pk]
        wanted = {pk for pk, state in compliant.items() if not states or state in states}
        to_add = wanted - members[group.pk]
        to_remove = members[group.pk] - wanted
        try:
            with transaction.atomic():
                if to_add:
                    group.user_set.add(*to_add)
                if to_remove:
                    group.user_set.remove(*to_remove)
        except IntegrityError:
            # A run for the same users at the same time got there first; the next run
            # compares again.
            logger.warning("Compliance group %s changed meanwhile, left for the next run", group)
            continue
        if to_add:
            changes.added[group.pk] = to_add
        if to_remove:
            changes.removed[group.pk] = to_remove
        if to_add or to_remove:
            logger.info(
                "Compliance group %s: %d users added, %d removed",
                group,
                len(to_add),
                len(to_remove),
            )


def _tell_users(changes: ComplianceChanges) -> None:
    """Notify users whose compliance changed: what is missing, or that all is well again.

    A user who lost compliance without a character to register (no longer has access, owns
    no character) is not told.
    """
    if not changes.gained and not changes.lost:
        return
    missing = missing_characters(changes.lost)
    for user in User.objects.filter(pk__in=changes.gained | set(missing)):
        if user.pk in changes.gained:
            auth_notifications.compliance_regained(user)
        else:
            auth_notifications.compliance_lost(user, missing[user.pk])
