"""Reads through the API go to the access log as the pages' reads do: another pilot's
character with the right that opened it, under ``api:<what>``; the owner's own never."""

import pytest

from django.utils import timezone

from allianceauth.tests.auth_utils import AuthUtils

from memberaudit import access_log
from memberaudit.models import AccessLogEntry

from ..factories import create_character, share_with_all_recruiters
from .conftest import api_user, character_url, characters_url, dataset_url

pytestmark = pytest.mark.django_db

EVERYTHING = ("memberaudit.characters_access", "memberaudit.view_everything")


def entries():
    return set(AccessLogEntry.objects.values_list("character_id", "section", "reason"))


def test_should_log_a_summary_and_a_dataset_of_someone_elses_character(call, token_of):
    auditor = api_user(*EVERYTHING)
    character = create_character()
    plain = token_of(auditor)

    assert call(character_url(character.pk), plain).status_code == 200
    assert call(dataset_url(character.pk, "skills", "skills"), plain).status_code == 200

    assert entries() == {
        (character.pk, "api:overview", "everything"),
        (character.pk, "api:skills", "everything"),
    }
    assert set(AccessLogEntry.objects.values_list("viewer_id", flat=True)) == {auditor.pk}


def test_should_log_the_characters_a_list_shows_with_their_reasons(call, token_of, settings):
    settings.MEMBERAUDIT_API_RATE_LIMIT = 100
    recruiter = api_user("memberaudit.view_shared_characters", "memberaudit.finder_access")
    own = create_character(user=recruiter)
    applicant = create_character()
    AuthUtils.add_permissions_to_user_by_name(["memberaudit.share_characters"], applicant.owner)
    share_with_all_recruiters(applicant)
    create_character()  # neither shared nor in scope: not listed, not logged

    body = call(characters_url(), token_of(recruiter)).json()

    assert {row["id"] for row in body["results"]} == {own.pk, applicant.pk}
    assert entries() == {(applicant.pk, "api:characters", "share")}


def test_should_not_log_the_owners_own_reads(call, token_of):
    owner = api_user()
    character = create_character(user=owner)
    plain = token_of(owner)

    call(characters_url(), plain)
    call(character_url(character.pk), plain)
    call(dataset_url(character.pk, "skills", "skills"), plain)

    assert not AccessLogEntry.objects.exists()


def test_should_name_api_reads_in_the_access_log():
    assert access_log.opened_title("api:overview") == "API: Character overview"
    assert access_log.opened_title("api:characters") == "API: Character list"
    assert access_log.opened_title("api:wallet_journal").startswith("API: ")
    assert access_log.opened_title("api:wallet_journal") != "API: wallet_journal"


def test_should_show_api_reads_on_the_access_log_page(client, call, token_of):
    auditor = api_user(*EVERYTHING, "memberaudit.view_access_log")
    character = create_character(character_name="Watched Pilot")
    call(character_url(character.pk), token_of(auditor))
    client.force_login(auditor)

    rows = client.get("/member-audit/access-log/data/", {"length": 10}).json()["data"]

    assert any("API: Character overview" in str(row) for row in rows)
    assert AccessLogEntry.objects.get().viewed_at <= timezone.now()
