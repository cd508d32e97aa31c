"""Access for viewers each set up in a small world of their own, unlike the common world of
:mod:`.test_access` (built once for its tests): a viewer without a main, an alliance scope
without an alliance, owners without a main, permissions from several groups or from a state,
and anonymous users."""

import pytest

from allianceauth.authentication.models import State

from memberaudit import access

from .factories import create_character
from .test_access import (
    BASIC,
    C1,
    C2,
    C3,
    C4,
    C5,
    CHARACTERS,
    EVERYTHING,
    FINDER,
    REPORTS,
    SAME_ALLIANCE,
    SAME_CORP,
    SHARE,
    SHARED,
    World,
    as_viewer,
    grant_via_group,
    permission,
)


@pytest.mark.django_db
def test_should_give_viewer_without_main_only_own_characters_and_report_only_self():
    world = World()
    viewer = world.add_member(
        "viewer", [BASIC, FINDER, REPORTS, CHARACTERS, SAME_CORP, SAME_ALLIANCE], C1
    )
    viewer.profile.main_character = None
    viewer.profile.save()
    world.add_member("colleague", [BASIC], C1)
    viewer = as_viewer(viewer)

    assert world.names(access.accessible_characters(viewer)) == {"viewer"}
    assert list(access.report_users(viewer)) == [viewer]


@pytest.mark.django_db
def test_should_give_alliance_scope_without_alliance_the_corporation_rule():
    world = World()
    viewer = world.add_member("viewer", [BASIC, REPORTS, CHARACTERS, SAME_ALLIANCE], C4)
    world.add_member("same_corp", [BASIC], C4)
    world.add_member("other_corp_no_alliance", [BASIC], C5)
    world.add_member("in_alliance", [BASIC], C1)
    viewer = as_viewer(viewer)

    assert world.names(access.accessible_characters(viewer)) == {"viewer", "same_corp"}
    assert {user.username for user in access.report_users(viewer)} == {"viewer", "same_corp"}


@pytest.mark.django_db
def test_should_not_match_owners_without_main_in_corporation_scope():
    world = World()
    viewer = world.add_member("viewer", [BASIC, CHARACTERS, SAME_CORP], C1)
    stray = world.add_member("stray", [BASIC], C1)
    stray.profile.main_character = None
    stray.profile.save()
    viewer = as_viewer(viewer)

    assert world.names(access.accessible_characters(viewer)) == {"viewer"}
    assert list(access.report_users(viewer)) == [viewer]


@pytest.mark.django_db
def test_should_combine_permissions_of_several_groups():
    world = World()
    viewer = world.add_member("viewer", [BASIC], C1)
    grant_via_group(viewer, FINDER, group_name="Finder")
    grant_via_group(viewer, CHARACTERS, group_name="Auditors")
    grant_via_group(viewer, SAME_CORP, REPORTS, group_name="Leadership")
    world.add_member("colleague", [BASIC], C1)
    world.add_member("stranger", [BASIC], C2)
    viewer = as_viewer(viewer)

    assert world.names(access.finder_characters(viewer)) == {"viewer", "colleague"}
    assert {user.username for user in access.report_users(viewer)} == {"viewer", "colleague"}


@pytest.mark.django_db
def test_should_apply_permissions_granted_via_state():
    world = World()
    recruiter = world.add_member("recruiter", [], C1)
    applicant = world.add_user("applicant", [])
    world.add_character("applicant", applicant, C4, is_main=True, is_shared=True)
    world.add_member("outsider", [BASIC], C2)
    member_state = State.objects.create(name="Recruiting members", priority=150)
    member_state.permissions.add(*[permission(p).pk for p in (BASIC, FINDER, SHARED)])
    member_state.member_characters.add(world.characters["recruiter"].eve_character)
    applicant_state = State.objects.create(name="Applicants", priority=60)
    applicant_state.permissions.add(*[permission(p).pk for p in (BASIC, SHARE)])
    applicant_state.member_characters.add(world.characters["applicant"].eve_character)
    omni = world.add_member("omni", [FINDER, CHARACTERS, EVERYTHING], C3)
    recruiter = as_viewer(recruiter)
    assert recruiter.profile.state == member_state

    assert world.names(access.finder_characters(recruiter)) == {"recruiter", "applicant"}
    # basic_access via a state counts for reports on everyone; omni lacks basic_access
    assert {user.username for user in access.report_users(as_viewer(omni))} == {
        "recruiter",
        "applicant",
        "outsider",
        "omni",
    }


@pytest.mark.django_db
def test_should_give_anonymous_users_nothing():
    from django.contrib.auth.models import AnonymousUser

    create_character()
    assert not access.accessible_characters(AnonymousUser()).exists()
    assert not access.finder_characters(AnonymousUser()).exists()
    assert not access.report_users(AnonymousUser()).exists()
