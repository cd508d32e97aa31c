"""Who may open which character, what the finder lists, which users a report covers.

The world: alliances A1 (corporations C1, C2) and A2 (C3), an alliance-less corporation C4 where
applicants sit, owners with mains and alts, shared and unshared characters, an orphan, and one
viewer per example role of the product description.
"""

import datetime as dt
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone

from memberaudit import access, tables
from memberaudit.models import AccessLogEntry, Character

from .factories import (
    create_character,
    create_orphan_character,
    create_user,
    share_with_all_recruiters,
)

A1, A2 = 99_000_001, 99_000_002
C1, C2, C3, C4, C5 = 98_000_101, 98_000_102, 98_000_103, 98_000_104, 98_000_105
ALLIANCE_OF = {C1: A1, C2: A1, C3: A2, C4: None, C5: None}

BASIC = "memberaudit.basic_access"
SHARE = "memberaudit.share_characters"
FINDER = "memberaudit.finder_access"
REPORTS = "memberaudit.reports_access"
CHARACTERS = "memberaudit.characters_access"
SHARED = "memberaudit.view_shared_characters"
SAME_CORP = "memberaudit.view_same_corporation"
SAME_ALLIANCE = "memberaudit.view_same_alliance"
EVERYTHING = "memberaudit.view_everything"


class World:
    """Users and characters by name."""

    def __init__(self):
        self.users: dict[str, User] = {}
        self.characters: dict[str, Character] = {}

    def add_user(self, name, permissions=(BASIC,), *, superuser=False) -> User:
        user = create_user(name, permissions=permissions)
        if superuser:
            user.is_superuser = True
            user.save()
        self.users[name] = user
        return user

    def add_character(self, name, user, corporation, *, is_main=False, is_shared=False, share=None):
        character = create_character(
            user,
            is_main=is_main,
            character_name=name,
            corporation_id=corporation,
            alliance_id=ALLIANCE_OF[corporation],
        )
        if is_shared:
            share_with_all_recruiters(character)
        if share is not None:
            share_with_all_recruiters(character, **share)
        self.characters[name] = character
        return character

    def add_member(self, name, permissions, corporation, **kwargs) -> User:
        """A user with one registered character, their main, named like the user."""
        user = self.add_user(name, permissions, **kwargs)
        self.add_character(name, user, corporation, is_main=True)
        return user

    def names(self, characters) -> set[str]:
        return {character.name for character in characters}


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker) -> World:
    """The world, built once for the tests of this module in a transaction rolled back after
    the last of them; each test runs in a savepoint of its own within it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(shared_world, db) -> World:
    return shared_world


def build_world() -> World:
    world = World()
    # owners
    ann = world.add_member("ann", [BASIC], C1)
    world.add_character("ann_alt", ann, C3)  # affiliation is judged by the main, not the alt
    world.add_member("bob", [BASIC], C2)
    world.add_member("cid", [BASIC], C3)
    dee = world.add_user("dee", [BASIC, SHARE])
    world.add_character("dee", dee, C4, is_main=True, is_shared=True)
    world.add_character("dee_alt", dee, C4)
    eve = world.add_user("eve", [BASIC])  # shared while she could; lost share_characters since
    world.add_character("eve", eve, C4, is_main=True, is_shared=True)
    fay = world.add_member("fay", [BASIC], C1)
    fay.profile.main_character = None  # owner without a main
    fay.profile.save()
    world.add_member("gus", [], C1)  # registered once, lost basic_access since
    orphan = create_orphan_character(character_name="orphan", corporation_id=C1, alliance_id=A1)
    share_with_all_recruiters(orphan)
    world.characters["orphan"] = orphan
    # applicants whose shares name an audience or have ended
    hal = world.add_user("hal", [BASIC, SHARE])
    world.add_character("hal", hal, C5, is_main=True)
    ivy = world.add_user("ivy", [BASIC, SHARE])
    world.add_character(
        "ivy", ivy, C5, is_main=True, share={"expires_at": timezone.now() - dt.timedelta(seconds=1)}
    )
    jon = world.add_user("jon", [BASIC, SHARE])
    vetting = Group.objects.create(name="Vetting")
    vetting.permissions.add(permission(FINDER))
    world.add_character("jon", jon, C5, is_main=True, share={"group": vetting})
    # viewers, one per role
    world.add_member("normal", [BASIC], C1)
    world.add_member("recruiter", [BASIC, FINDER, SHARED], C1)
    world.add_member("leader", [BASIC, REPORTS, SAME_CORP], C1)
    world.add_member("leader_recruiter", [BASIC, FINDER, SHARED, REPORTS, SAME_CORP], C1)
    world.add_member("auditor", [BASIC, FINDER, CHARACTERS, SAME_ALLIANCE], C2)
    world.add_member("corp_auditor", [BASIC, FINDER, CHARACTERS, SAME_CORP], C3)
    world.add_member("omni", [BASIC, FINDER, REPORTS, CHARACTERS, EVERYTHING], C3)
    world.add_member("omni_reporter", [BASIC, REPORTS, EVERYTHING], C2)
    world.add_member("admin", [], C2, superuser=True)
    vetter = world.add_member("vetter", [BASIC], C4)  # finder access through the group only
    vetter.groups.add(vetting)
    share_with_all_recruiters(
        world.characters["hal"],
        user=world.users["recruiter"],
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    return world


def as_viewer(user: User) -> User:
    """The user as a view sees it: fresh from the database, permissions and main loaded."""
    user = User.objects.get(pk=user.pk)
    user.get_all_permissions()
    _ = user.profile.main_character
    return user


def grant_via_group(user: User, *perms: str, group_name: str) -> None:
    group, _ = Group.objects.get_or_create(name=group_name)
    group.permissions.add(*[permission(perm) for perm in perms])
    user.groups.add(group)


def permission(perm: str) -> Permission:
    app_label, codename = perm.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


ALL_CHARACTERS = {
    "ann", "ann_alt", "bob", "cid", "dee", "dee_alt", "eve", "fay", "gus", "orphan",
    "normal", "recruiter", "leader", "leader_recruiter", "auditor", "corp_auditor", "omni",
    "omni_reporter", "admin", "hal", "ivy", "jon", "vetter",
}  # fmt: skip
A1_MAINS = {
    "ann", "bob", "gus", "normal", "recruiter", "leader", "leader_recruiter", "auditor",
    "omni_reporter", "admin",
}  # fmt: skip
C1_MAINS = {"ann", "gus", "normal", "recruiter", "leader", "leader_recruiter"}
C3_MAINS = {"cid", "corp_auditor", "omni"}
BASIC_ACCESS_USERS = {
    "ann", "bob", "cid", "dee", "eve", "fay", "normal", "recruiter", "leader",
    "leader_recruiter", "auditor", "corp_auditor", "omni", "omni_reporter", "admin",
    "hal", "ivy", "jon", "vetter",
}  # fmt: skip

# role: (characters it may open, characters the finder lists, users its reports cover)
MATRIX = {
    "normal": ({"normal"}, set(), {"normal"}),
    # hal is shared with this recruiter alone; ivy's share has ended; jon's is for a group
    "recruiter": ({"recruiter", "dee", "hal"}, {"recruiter", "dee", "hal"}, {"recruiter"}),
    "leader": ({"leader"}, set(), C1_MAINS),
    "leader_recruiter": (
        {"leader_recruiter", "dee"},
        {"leader_recruiter", "dee"},
        C1_MAINS,
    ),
    "auditor": (A1_MAINS | {"ann_alt"}, A1_MAINS | {"ann_alt"}, A1_MAINS),
    "corp_auditor": (C3_MAINS, C3_MAINS, C3_MAINS),
    "omni": (ALL_CHARACTERS, ALL_CHARACTERS, BASIC_ACCESS_USERS),
    "omni_reporter": ({"omni_reporter"}, set(), BASIC_ACCESS_USERS),
    "admin": (ALL_CHARACTERS, ALL_CHARACTERS, BASIC_ACCESS_USERS),
    "vetter": ({"vetter", "jon"}, {"vetter", "jon"}, {"vetter"}),
}


@pytest.mark.parametrize("role", MATRIX)
def test_should_open_exactly_the_characters_of_the_role(world, role):
    viewer = as_viewer(world.users[role])
    assert world.names(access.accessible_characters(viewer)) == MATRIX[role][0]


@pytest.mark.parametrize("role", MATRIX)
def test_should_list_exactly_the_characters_of_the_role_in_the_finder(world, role):
    viewer = as_viewer(world.users[role])
    assert world.names(access.finder_characters(viewer)) == MATRIX[role][1]


@pytest.mark.parametrize("role", MATRIX)
def test_should_cover_exactly_the_users_of_the_role_in_reports(world, role):
    viewer = as_viewer(world.users[role])
    assert {user.username for user in access.report_users(viewer)} == MATRIX[role][2]


@pytest.mark.parametrize("role", MATRIX)
def test_should_find_the_characters_of_the_users_reports_cover_by_key(world, role):
    viewer = as_viewer(world.users[role])
    keys = access.report_character_keys(viewer)
    if viewer.has_perm(access.VIEW_EVERYTHING):
        assert keys is None  # every user with basic access: asked of report_users
        return
    owned = Character.objects.filter(
        eve_character__character_ownership__user__in=access.report_users(viewer)
    )
    assert sorted(keys) == sorted(owned.values_list("pk", flat=True))


@pytest.mark.parametrize("role", MATRIX)
def test_should_find_by_key_exactly_the_characters_the_role_may_open(world, role):
    viewer = as_viewer(world.users[role])
    keys = access.accessible_character_keys(viewer)
    if keys is None:
        assert world.names(access.accessible_characters(viewer)) == ALL_CHARACTERS
        return
    assert world.names(Character.objects.filter(pk__in=keys)) == MATRIX[role][0]


@pytest.mark.parametrize("role", MATRIX)
@pytest.mark.parametrize("form", ["keys", "list", "wide"])
def test_should_give_the_finder_scope_of_the_role_in_every_form(world, role, form, monkeypatch):
    """The finder's scope as a subquery of keys (SQLite), a list of them (MariaDB) or, for a
    scope wider than WIDE_SCOPE, the rules and a count: always the finder's characters."""
    monkeypatch.setattr(tables, "keys_read_as_list", lambda: form != "keys")
    monkeypatch.setattr(access, "WIDE_SCOPE", 0 if form == "wide" else 1000)
    viewer = as_viewer(world.users[role])

    scope = access.finder_scope(viewer)

    assert world.names(scope.characters()) == MATRIX[role][1]
    if scope.how_many() is not None:
        assert scope.how_many() == len(MATRIX[role][1])


@pytest.mark.parametrize("form", ["list", "wide"])
def test_should_count_shared_characters_outside_a_wide_scope_once(world, form, monkeypatch):
    """An alliance auditor who may also open characters shared with them: those outside the
    alliance are added to its count, those inside it are not counted twice."""
    monkeypatch.setattr(tables, "keys_read_as_list", lambda: True)
    monkeypatch.setattr(access, "WIDE_SCOPE", 0 if form == "wide" else 1000)
    auditor = world.users["auditor"]
    auditor.user_permissions.add(permission(SHARED))
    for name in ("hal", "bob"):  # outside the alliance, inside it
        share_with_all_recruiters(world.characters[name], user=auditor)
    viewer = as_viewer(auditor)

    scope = access.finder_scope(viewer)

    # dee is shared with all recruiters, hal with the auditor (the orphan's share is not live)
    expected = A1_MAINS | {"ann_alt", "dee", "hal"}
    assert world.names(scope.characters()) == expected
    assert scope.how_many() == len(expected)


@pytest.mark.parametrize("role", MATRIX)
@pytest.mark.parametrize("among", ["every", "some", "none"])
def test_should_keep_among_given_characters_exactly_those_the_role_may_open(world, role, among):
    viewer = as_viewer(world.users[role])
    every = sorted(Character.objects.values_list("pk", flat=True))
    keys = {"every": every, "some": every[::2], "none": []}[among]
    kept = access.accessible_character_keys_among(viewer, keys)
    opened = set(access.accessible_characters(viewer).values_list("pk", flat=True))
    assert sorted(kept) == sorted(opened.intersection(keys))


@pytest.mark.parametrize("role", MATRIX)
def test_should_keep_among_a_subquery_exactly_those_the_role_may_open(world, role):
    viewer = as_viewer(world.users[role])
    subquery = Character.objects.filter(pk__gt=0).values("pk")
    kept = access.accessible_character_keys_among(viewer, subquery)
    opened = access.accessible_characters(viewer).values_list("pk", flat=True)
    assert sorted(kept) == sorted(opened)


@pytest.mark.parametrize("role", MATRIX)
def test_should_keep_among_given_characters_exactly_those_the_finder_lists(world, role):
    viewer = as_viewer(world.users[role])
    every = sorted(Character.objects.values_list("pk", flat=True))
    kept = access.finder_character_keys_among(viewer, every[1::2])
    listed = set(access.finder_characters(viewer).values_list("pk", flat=True))
    assert sorted(kept) == sorted(listed.intersection(every[1::2]))


def test_should_keep_no_character_among_given_ones_for_anonymous_users(world):
    from django.contrib.auth.models import AnonymousUser

    every = list(Character.objects.values_list("pk", flat=True))
    assert access.accessible_character_keys_among(AnonymousUser(), every) == []


@pytest.mark.parametrize("role", MATRIX)
def test_should_find_the_characters_of_the_users_reports_cover_rule_by_rule(world, role):
    viewer = as_viewer(world.users[role])
    rules = access.report_character_rules(viewer)
    if viewer.has_perm(access.VIEW_EVERYTHING):
        assert rules is None  # every user with basic access: asked of report_users
        return
    found = set()
    for rule in rules:
        found |= set(rule.values_list("pk", flat=True))
    owned = set(
        Character.objects.filter(
            eve_character__character_ownership__user__in=access.report_users(viewer)
        ).values_list("pk", flat=True)
    )
    assert found == owned
    assert set(rules[-1].values_list("pk", flat=True)) == owned  # the last rule holds them all


def test_should_list_in_the_finder_what_each_viewer_may_open(world):
    for user in world.users.values():
        viewer = as_viewer(user)
        if not viewer.has_perm(access.FINDER_ACCESS):
            continue
        listed = access.finder_characters(viewer).values_list("pk", flat=True)
        opened = access.accessible_characters(viewer).values_list("pk", flat=True)
        assert sorted(listed) == sorted(opened), viewer.username


def test_should_agree_on_every_viewer_and_character(world):
    characters = list(Character.objects.all())
    for user in world.users.values():
        viewer = as_viewer(user)
        accessible = set(access.accessible_characters(viewer).values_list("pk", flat=True))
        for character in characters:
            assert access.can_view_character(viewer, character) == (character.pk in accessible), (
                viewer.username,
                character.name,
            )


def test_should_not_list_characters_the_viewer_cannot_open(world):
    for user in world.users.values():
        viewer = as_viewer(user)
        for character in access.finder_characters(viewer):
            assert access.get_character_or_404_403(viewer, character.pk, "overview") == character


def test_should_show_orphans_only_with_view_everything_or_as_superuser(world):
    orphan = world.characters["orphan"]
    for name, user in world.users.items():
        assert access.can_view_character(as_viewer(user), orphan) == (name in {"omni", "admin"})


def test_should_always_let_owners_open_their_characters(world):
    for character in Character.objects.exclude(pk=world.characters["orphan"].pk):
        assert access.can_view_character(as_viewer(character.owner), character)


def test_should_hide_shared_character_once_owner_loses_share_permission(world):
    dee = world.users["dee"]
    dee.user_permissions.remove(permission(SHARE))
    grant_via_group(dee, SHARE, group_name="Applicants")
    recruiter = as_viewer(world.users["recruiter"])
    assert "dee" in world.names(access.accessible_characters(recruiter))

    dee.user_permissions.clear()
    dee.groups.clear()

    assert "dee" not in world.names(access.accessible_characters(recruiter))


def test_should_show_shared_character_of_superuser_owner(world):
    share_with_all_recruiters(world.characters["admin"])
    recruiter = as_viewer(world.users["recruiter"])
    assert world.names(access.accessible_characters(recruiter)) == {
        "recruiter",
        "dee",
        "hal",
        "admin",
    }


def test_should_hide_shared_character_of_inactive_owner(world):
    User.objects.filter(pk=world.users["dee"].pk).update(is_active=False)
    recruiter = as_viewer(world.users["recruiter"])
    assert world.names(access.accessible_characters(recruiter)) == {"recruiter", "hal"}


def test_should_not_show_unshared_character_to_recruiter(world):
    recruiter = as_viewer(world.users["recruiter"])
    assert not access.can_view_character(recruiter, world.characters["dee_alt"])


class TestGetCharacterOr404403:
    def test_should_return_character_viewer_may_open(self, world):
        viewer = as_viewer(world.users["auditor"])
        assert (
            access.get_character_or_404_403(viewer, world.characters["bob"].pk, "overview").name
            == "bob"
        )

    def test_should_refuse_existing_character_with_403(self, world):
        viewer = as_viewer(world.users["auditor"])
        with pytest.raises(PermissionDenied):
            access.get_character_or_404_403(viewer, world.characters["cid"].pk, "overview")

    def test_should_report_missing_character_with_404(self, world):
        viewer = as_viewer(world.users["admin"])
        with pytest.raises(Http404):
            access.get_character_or_404_403(viewer, 987_654_321, "overview")


class TestShareRules:
    def test_owner_with_share_permission_may_share_and_manage(self, world):
        dee = as_viewer(world.users["dee"])
        assert access.can_share(dee, world.characters["dee_alt"])
        assert access.can_manage(dee, world.characters["dee_alt"])

    def test_owner_without_share_permission_may_only_manage(self, world):
        eve = as_viewer(world.users["eve"])
        assert not access.can_share(eve, world.characters["eve"])
        assert access.can_manage(eve, world.characters["eve"])

    def test_others_may_neither_share_nor_manage(self, world):
        admin = as_viewer(world.users["admin"])
        for name in ("dee", "orphan"):
            assert not access.can_share(admin, world.characters[name])
            assert not access.can_manage(admin, world.characters[name])


class TestQueryCount:
    @pytest.mark.parametrize("role", ["recruiter", "auditor", "leader_recruiter", "admin"])
    def test_should_decide_characters_in_one_query(self, world, role, django_assert_num_queries):
        viewer = as_viewer(world.users[role])
        with django_assert_num_queries(1):
            list(access.accessible_characters(viewer))
        # a viewer with a scope: its keys first on MariaDB, a subquery of them on SQLite
        scoped = role != "admin" and connection.vendor != "sqlite"
        with django_assert_num_queries(2 if scoped else 1):
            list(access.finder_characters(viewer))

    @pytest.mark.parametrize("role", ["leader", "auditor", "omni_reporter"])
    def test_should_decide_report_users_in_one_query(self, world, role, django_assert_num_queries):
        viewer = as_viewer(world.users[role])
        with django_assert_num_queries(1):
            list(access.report_users(viewer))
        # every user with basic access is not listed by key
        with django_assert_num_queries(0 if viewer.has_perm(access.VIEW_EVERYTHING) else 1):
            access.report_character_keys(viewer)

    def test_should_check_one_character_in_one_query_and_log_in_one_more(
        self, world, django_assert_num_queries
    ):
        viewer = as_viewer(world.users["leader_recruiter"])
        with django_assert_num_queries(1):
            access.can_view_character(viewer, world.characters["dee"])
        with django_assert_num_queries(2):  # the check, and the access log entry
            access.get_character_or_404_403(viewer, world.characters["dee"].pk, "overview")
        with django_assert_num_queries(2):  # the same hour again: the insert is ignored
            access.get_character_or_404_403(viewer, world.characters["dee"].pk, "overview")
        with django_assert_num_queries(1):  # the owner's own character: nothing to log
            access.get_character_or_404_403(
                viewer, world.characters["leader_recruiter"].pk, "overview"
            )
        with django_assert_num_queries(1), pytest.raises(PermissionDenied):
            access.get_character_or_404_403(viewer, world.characters["cid"].pk, "overview")


class TestSharesThatEnd:
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(offset=st.integers(min_value=-(10**9), max_value=10**9))
    def test_should_close_a_share_at_its_exact_end(self, world, offset):
        """Whatever the time relative to the share's end (in microseconds), the character is
        open before the end and closed from the end on: in the rules, the finder and the URL."""
        ends_at = world.characters["hal"].shares.get().expires_at
        viewer = as_viewer(world.users["recruiter"])
        hal = world.characters["hal"]
        now = ends_at + dt.timedelta(microseconds=offset)
        with mock.patch("django.utils.timezone.now", return_value=now):
            is_open = offset < 0
            assert access.can_view_character(viewer, hal) is is_open
            assert access.finder_characters(viewer).filter(pk=hal.pk).exists() is is_open
            if is_open:
                access.get_character_or_404_403(viewer, hal.pk, "overview")
            else:
                with pytest.raises(PermissionDenied):
                    access.get_character_or_404_403(viewer, hal.pk, "overview")

    def test_should_not_open_a_share_with_one_recruiter_to_another(self, world):
        hal = world.characters["hal"]
        assert access.can_view_character(as_viewer(world.users["recruiter"]), hal)
        other = as_viewer(world.users["leader_recruiter"])  # a recruiter too
        assert not access.can_view_character(other, hal)
        with pytest.raises(PermissionDenied):
            access.get_character_or_404_403(other, hal.pk, "overview")

    def test_should_need_finder_access_for_a_share_naming_the_viewer(self, world):
        recruiter = world.users["recruiter"]
        recruiter.user_permissions.remove(permission(FINDER))
        assert not access.can_view_character(as_viewer(recruiter), world.characters["hal"])
        assert access.can_view_character(as_viewer(recruiter), world.characters["dee"])

    def test_should_close_a_group_share_to_who_leaves_the_group(self, world):
        vetter = world.users["vetter"]
        assert access.can_view_character(as_viewer(vetter), world.characters["jon"])
        vetter.groups.clear()
        assert not access.can_view_character(as_viewer(vetter), world.characters["jon"])

    def test_should_close_a_share_once_the_character_has_another_owner(self, world):
        hal = world.characters["hal"]
        new_owner = world.add_user("new_owner", [BASIC, SHARE])
        CharacterOwnership = hal.eve_character.character_ownership.__class__  # noqa: N806
        CharacterOwnership.objects.filter(character=hal.eve_character).update(user=new_owner)
        assert not access.can_view_character(as_viewer(world.users["recruiter"]), hal)

    def test_should_close_a_revoked_share_at_once(self, world):
        from memberaudit import services

        recruiter = as_viewer(world.users["recruiter"])
        services.revoke_share(world.characters["hal"].shares.get())
        assert not access.can_view_character(recruiter, world.characters["hal"])


class TestAccessLogReasons:
    @pytest.mark.parametrize(
        ("viewer", "character", "reason"),
        [
            ("recruiter", "dee", "share"),  # shared with all recruiters
            ("recruiter", "hal", "share"),  # shared with this recruiter
            ("vetter", "jon", "share"),  # shared with the viewer's group
            ("auditor", "bob", "alliance"),
            ("corp_auditor", "cid", "corporation"),
            ("omni", "ann", "everything"),
            ("omni", "dee", "everything"),  # a standing right comes before a share
            ("admin", "orphan", "superuser"),
        ],
    )
    def test_should_log_a_view_with_the_right_that_allowed_it(
        self, world, viewer, character, reason
    ):
        user = as_viewer(world.users[viewer])
        access.get_character_or_404_403(user, world.characters[character].pk, "skills")
        entry = AccessLogEntry.objects.get()
        assert (entry.viewer, entry.character.name, entry.section, entry.reason) == (
            world.users[viewer],
            character,
            "skills",
            reason,
        )

    @pytest.mark.parametrize("name", ["recruiter", "omni", "admin", "dee"])
    def test_should_not_log_owners_opening_their_own_characters(self, world, name):
        user = as_viewer(world.users[name])
        access.get_character_or_404_403(user, world.characters[name].pk, "overview")
        assert not AccessLogEntry.objects.exists()

    def test_should_not_log_a_refused_view(self, world):
        with pytest.raises(PermissionDenied):
            access.get_character_or_404_403(
                as_viewer(world.users["recruiter"]), world.characters["ivy"].pk, "overview"
            )
        assert not AccessLogEntry.objects.exists()

    def test_should_keep_one_row_per_viewer_character_section_and_hour(self, world):
        viewer = as_viewer(world.users["auditor"])
        bob = world.characters["bob"].pk
        start = timezone.now().replace(minute=5, second=0, microsecond=0)
        for minutes, section in [(0, "skills"), (20, "skills"), (50, "skills"), (30, "mails")]:
            with mock.patch(
                "django.utils.timezone.now", return_value=start + dt.timedelta(minutes=minutes)
            ):
                access.get_character_or_404_403(viewer, bob, section)
        with mock.patch("django.utils.timezone.now", return_value=start + dt.timedelta(hours=1)):
            access.get_character_or_404_403(viewer, bob, "skills")

        rows = AccessLogEntry.objects.order_by("viewed_at").values_list("section", "viewed_at")
        assert list(rows) == [
            ("skills", start),
            ("mails", start + dt.timedelta(minutes=30)),
            ("skills", start + dt.timedelta(hours=1)),
        ]

    @pytest.mark.parametrize(
        ("viewer", "reason"),
        [("leader", "corporation"), ("omni_reporter", "everything"), ("admin", "superuser")],
    )
    def test_should_log_report_rows_of_others_with_the_report_scope(self, world, viewer, reason):
        user = as_viewer(world.users[viewer])
        own, other = world.characters[viewer], world.characters["ann"]
        access.log_report_rows(
            user, [(own.pk, user.pk), (other.pk, other.owner.pk), (other.pk, other.owner.pk)], "x"
        )
        entry = AccessLogEntry.objects.get()
        assert (entry.character, entry.section, entry.reason) == (other, "report:x", reason)

    def test_should_not_log_report_rows_of_a_viewer_without_scope(self, world):
        user = as_viewer(world.users["normal"])
        other = world.characters["ann"]
        access.log_report_rows(user, [(other.pk, other.owner.pk)], "x")
        assert not AccessLogEntry.objects.exists()
