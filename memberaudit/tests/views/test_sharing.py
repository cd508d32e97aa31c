"""Sharing from the launcher with all recruiters, one recruiter or one group, for a chosen
time; what the launcher, the finder and the access log page show of shares and views."""

import datetime as dt
from unittest import mock

import pytest

from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse
from django.utils import timezone

from allianceauth.tests.auth_utils import AuthUtils

from memberaudit import access_log, services, tasks
from memberaudit.models import AccessLogEntry, CharacterShare

from ..factories import create_character, create_user_with_main, share_with_all_recruiters

pytestmark = pytest.mark.django_db

BASIC = "memberaudit.basic_access"
SHARE = "memberaudit.share_characters"
FINDER = "memberaudit.finder_access"
SHARED = "memberaudit.view_shared_characters"


def user_with_main(*permissions, **fields) -> User:
    user = create_user_with_main(**fields)
    AuthUtils.add_permissions_to_user_by_name(list(permissions), user)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def applicant():
    return user_with_main(SHARE, character_name="Applicant Main")


@pytest.fixture
def recruiter():
    return user_with_main(FINDER, character_name="Chosen Recruiter")


def share(client, character, **data):
    return client.post(reverse("memberaudit:share_character", args=[character.pk]), data)


class TestSharing:
    def test_should_share_with_a_chosen_recruiter_for_seven_days(
        self, client, applicant, recruiter
    ):
        character = create_character(user=applicant)
        client.force_login(applicant)
        before = timezone.now()

        response = share(client, character, audience=f"user:{recruiter.pk}", days="7")

        assert response.status_code == 302
        created = CharacterShare.objects.get(character=character)
        assert (created.user, created.group, created.shared_by) == (recruiter, None, applicant)
        assert before + dt.timedelta(days=7) <= created.expires_at
        assert created.expires_at <= timezone.now() + dt.timedelta(days=7)

    def test_should_share_with_a_group_that_grants_finder_access(self, client, applicant):
        group = Group.objects.create(name="Recruitment")
        group.permissions.add(Permission.objects.get(codename="finder_access"))
        character = create_character(user=applicant)
        client.force_login(applicant)

        share(client, character, audience=f"group:{group.pk}", days="1")

        assert CharacterShare.objects.get(character=character).group == group

    def test_should_share_with_all_recruiters_until_revoked_when_nothing_is_chosen(
        self, client, applicant
    ):
        character = create_character(user=applicant)
        client.force_login(applicant)

        share(client, character)

        created = CharacterShare.objects.get(character=character)
        assert created.is_for_all_recruiters and created.expires_at is None

    @pytest.mark.parametrize("audience", ["user:{plain}", "group:{plain_group}", "user:{self}"])
    def test_should_refuse_an_audience_without_finder_access(self, client, applicant, audience):
        plain = user_with_main()
        plain_group = Group.objects.create(name="Pilots")
        character = create_character(user=applicant)
        client.force_login(applicant)

        value = audience.format(plain=plain.pk, plain_group=plain_group.pk, self=applicant.pk)
        response = share(client, character, audience=value, days="1")

        assert response.status_code == 302
        assert not CharacterShare.objects.exists()

    @pytest.mark.parametrize(
        ("longest", "days", "accepted"),
        [(7, "7", True), (7, "30", False), (7, "0", False), (0, "0", True), (0, "30", True)],
    )
    def test_should_allow_no_share_longer_than_the_setting(
        self, client, applicant, settings, longest, days, accepted
    ):
        settings.MEMBERAUDIT_SHARE_MAX_DAYS = longest
        character = create_character(user=applicant)
        client.force_login(applicant)

        share(client, character, audience="all", days=days)

        assert CharacterShare.objects.exists() is accepted

    def test_should_use_the_longest_time_allowed_when_none_is_chosen(
        self, client, applicant, settings
    ):
        settings.MEMBERAUDIT_SHARE_MAX_DAYS = 14
        character = create_character(user=applicant)
        client.force_login(applicant)

        share(client, character)

        created = CharacterShare.objects.get()
        assert created.expires_at - created.created_at == dt.timedelta(days=14)

    def test_should_revoke_one_share_at_once_and_keep_the_others(
        self, client, applicant, recruiter
    ):
        character = create_character(user=applicant)
        for_recruiter = share_with_all_recruiters(character, user=recruiter)
        for_all = share_with_all_recruiters(character)
        recruiter_client = client.__class__()
        recruiter_client.force_login(recruiter)
        viewer_url = reverse("memberaudit:character_viewer", args=[character.pk])
        AuthUtils.add_permissions_to_user_by_name([BASIC], recruiter)
        assert recruiter_client.get(viewer_url).status_code == 200
        client.force_login(applicant)

        response = client.post(
            reverse("memberaudit:revoke_share", args=[character.pk, for_recruiter.pk])
        )

        assert response.status_code == 302
        assert list(CharacterShare.objects.all()) == [for_all]
        assert recruiter_client.get(viewer_url).status_code == 403  # no view_shared_characters

    def test_should_not_revoke_a_share_of_another_character(self, client, applicant):
        mine = create_character(user=applicant)
        others = share_with_all_recruiters(create_character(user=user_with_main(SHARE)))
        client.force_login(applicant)

        response = client.post(reverse("memberaudit:revoke_share", args=[mine.pk, others.pk]))

        assert response.status_code == 404
        assert CharacterShare.objects.filter(pk=others.pk).exists()


class TestLauncher:
    def test_should_show_each_share_for_whom_and_until_when(self, client, applicant, recruiter):
        character = create_character(user=applicant)
        ends = timezone.now() + dt.timedelta(days=7)
        share_with_all_recruiters(character, user=recruiter, expires_at=ends)
        share_with_all_recruiters(character)
        share_with_all_recruiters(character, expires_at=timezone.now() - dt.timedelta(minutes=1))
        client.force_login(applicant)

        html = client.get(reverse("memberaudit:launcher")).content.decode()

        entries = html.split('class="character-share-entry')[1:]
        assert len(entries) == 2  # the ended share is not shown
        assert "Chosen Recruiter" in entries[0]
        assert timezone.localtime(ends).strftime("%Y-%m-%d %H:%M") in entries[0]
        assert "all recruiters" in entries[1] and "until revoked" in entries[1]

    def test_should_offer_recruiters_and_groups_with_finder_access_only(
        self, client, applicant, recruiter
    ):
        user_with_main(character_name="Plain Pilot")
        group = Group.objects.create(name="Recruitment")
        group.permissions.add(Permission.objects.get(codename="finder_access"))
        Group.objects.create(name="Pilots")
        create_character(user=applicant)
        client.force_login(applicant)

        html = client.get(reverse("memberaudit:launcher")).content.decode()

        form = html.split('class="row g-1 share-form"')[1].split("</form>")[0]
        assert f'value="user:{recruiter.pk}">Chosen Recruiter<' in form
        assert f'value="group:{group.pk}">Recruitment<' in form
        assert "Plain Pilot" not in form and "Pilots<" not in form
        assert "Applicant Main" not in form

    def test_should_show_the_owner_views_through_shares_only(self, client, applicant, recruiter):
        character = create_character(user=applicant, character_name="Shared Alt")
        auditor = user_with_main(character_name="Quiet Auditor")
        access_log.record(recruiter, [character.pk], "skills", AccessLogEntry.Reason.SHARE)
        for reason in ("alliance", "corporation", "everything", "superuser"):
            access_log.record(auditor, [character.pk], f"section_{reason}", reason)
        client.force_login(applicant)

        html = client.get(reverse("memberaudit:launcher")).content.decode()

        rows = html.split('id="share-views"')[1].split("</table>")[0].split('class="share-view"')
        assert len(rows) == 2
        assert "Chosen Recruiter" in rows[1] and "Shared Alt" in rows[1] and "Skills" in rows[1]
        assert "Quiet Auditor" not in html and "section_" not in html


class TestFinder:
    def test_should_show_when_the_share_ends_and_drop_it_at_the_exact_end(
        self, client, applicant, recruiter
    ):
        character = create_character(user=applicant)
        ends = timezone.now() + dt.timedelta(days=1)
        share_with_all_recruiters(character, user=recruiter, expires_at=ends)
        forever = create_character(user=applicant)
        share_with_all_recruiters(forever, user=recruiter)
        client.force_login(recruiter)
        url = reverse("memberaudit:finder_data")

        rows = {row["character_id"]: row for row in client.get(url).json()["data"]}
        assert rows[character.character_id]["share_ends_at"] == ends.isoformat()
        assert rows[character.character_id]["is_shared"] is True
        assert rows[forever.character_id]["share_ends_at"] is None  # until revoked
        assert rows[forever.character_id]["is_shared"] is True

        with mock.patch("django.utils.timezone.now", return_value=ends):
            rows = {row["character_id"] for row in client.get(url).json()["data"]}
            viewer = client.get(reverse("memberaudit:character_viewer", args=[character.pk]))
        assert character.character_id not in rows and forever.character_id in rows
        assert viewer.status_code == 403


class TestAccessLogPage:
    def test_should_need_view_access_log(self, client):
        client.force_login(user_with_main())
        assert client.get(reverse("memberaudit:access_log")).status_code == 403
        assert client.get(reverse("memberaudit:access_log_data")).status_code == 403

    def test_should_list_views_of_every_right_and_filter_by_right(self, client, recruiter):
        character = create_character(character_name="Watched Pilot")
        for reason in AccessLogEntry.Reason.values:
            access_log.record(recruiter, [character.pk], reason, reason)
        client.force_login(user_with_main("memberaudit.view_access_log"))

        assert client.get(reverse("memberaudit:access_log")).status_code == 200
        url = reverse("memberaudit:access_log_data")
        rows = client.get(url).json()["data"]
        assert {row["section"] for row in rows} == set(AccessLogEntry.Reason.values)
        assert {row["viewer"] for row in rows} == {"Chosen Recruiter"}
        assert {row["character"] for row in rows} == {"Watched Pilot"}
        rows = client.get(url, {"reason": "alliance"}).json()["data"]
        assert [row["section"] for row in rows] == ["alliance"]

    def test_should_show_the_log_in_the_admin_with_filters(self, admin_client, recruiter):
        character = create_character(character_name="Watched Pilot")
        access_log.record(recruiter, [character.pk], "skills", "alliance")
        url = reverse("admin:memberaudit_accesslogentry_changelist")

        response = admin_client.get(url, {"reason": "alliance", "viewer__id__exact": recruiter.pk})

        assert response.status_code == 200
        assert "Watched Pilot" in response.content.decode()


class TestTidying:
    def test_should_purge_entries_older_than_the_retention_in_batches(self, settings):
        settings.MEMBERAUDIT_ACCESS_LOG_RETENTION_DAYS = 30
        viewer = user_with_main()
        characters = [create_character() for _ in range(5)]
        now = timezone.now()
        for days in (31, 40, 29):
            access_log.record(
                viewer, [c.pk for c in characters], "skills", "alliance", now - dt.timedelta(days)
            )

        with mock.patch.object(access_log, "PURGE_BATCH_SIZE", 3):
            assert tasks.purge_access_log() == 10

        assert AccessLogEntry.objects.count() == 5
        assert not AccessLogEntry.objects.filter(viewed_at__lt=now - dt.timedelta(days=30))

    def test_should_tidy_away_ended_shares_only(self, applicant):
        character = create_character(user=applicant)
        ended = share_with_all_recruiters(character, expires_at=timezone.now())
        running = share_with_all_recruiters(character, expires_at=timezone.now() + dt.timedelta(1))
        forever = share_with_all_recruiters(character)

        assert tasks.delete_expired_shares() == 1

        assert set(CharacterShare.objects.all()) == {running, forever}
        assert not CharacterShare.objects.filter(pk=ended.pk).exists()

    def test_should_end_all_shares_when_a_character_is_removed(self, applicant, monkeypatch):
        monkeypatch.setattr(tasks.delete_character, "apply_async", lambda **kwargs: None)
        character = create_character(user=applicant)
        share_with_all_recruiters(character)

        services.remove_character(character)

        assert not CharacterShare.objects.exists()


def test_should_link_the_access_log_page_only_with_view_access_log(client):
    client.force_login(user_with_main())
    link = reverse("memberaudit:access_log")
    assert link not in client.get(reverse("memberaudit:launcher")).content.decode()

    client.force_login(user_with_main("memberaudit.view_access_log"))
    assert link in client.get(reverse("memberaudit:launcher")).content.decode()
