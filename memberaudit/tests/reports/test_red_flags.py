"""The Red flags report and the Changes tab: exactly the characters the access module opens,
what is new since the viewer's last visit, constant queries; and the daily digest."""

import datetime as dt
import json
import re

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from allianceauth.notifications.models import Notification

from memberaudit import access, red_flags, tables
from memberaudit.models import ChangeEvent, Character

from ..factories import (
    create_character,
    create_user,
    create_user_with_main,
    share_with_all_recruiters,
)
from .scenario import build_scenario, grant

pytestmark = pytest.mark.django_db

Kind = ChangeEvent.Kind
Severity = ChangeEvent.Severity
REPORTS = ("memberaudit.reports_access",)
RECEIVE_RED_FLAGS = "memberaudit.receive_red_flags"
SCOPES = {
    "own only": (),
    "shared": ("memberaudit.view_shared_characters",),
    "corporation": ("memberaudit.characters_access", "memberaudit.view_same_corporation"),
    "alliance": ("memberaudit.characters_access", "memberaudit.view_same_alliance"),
    "everything": ("memberaudit.characters_access", "memberaudit.view_everything"),
    "scope without characters_access": ("memberaudit.view_everything",),
}


def flag(character, kind=Kind.CORPORATION_JOINED, severity=None, minutes_ago=0, **fields):
    when = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return ChangeEvent.objects.create(
        character=character,
        kind=kind,
        severity=severity or red_flags.Severity.MEDIUM,
        occurred_at=fields.pop("occurred_at", when),
        recorded_at=fields.pop("recorded_at", when),
        section=fields.pop("section", "corporation_history"),
        key=fields.pop("key", f"{kind}:{when.isoformat()}:{ChangeEvent.objects.count()}"),
        **fields,
    )


def create_viewer(*permissions):
    """A user with a main (the app's pages need one) and ``permissions``."""
    return grant(create_user_with_main(), *permissions)


def page(client, **params) -> dict:
    response = client.get(reverse("memberaudit:red_flags_data"), {"length": 500, **params})
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def character_pks(rows: list[dict]) -> set[int]:
    return {int(row["url"].split("/character/")[1].split("/")[0]) for row in rows}


@pytest.mark.parametrize("scope", SCOPES)
def test_should_cover_exactly_the_characters_the_access_module_lets_the_viewer_open(client, scope):
    scenario = build_scenario()
    for character in Character.objects.all():
        flag(character)
        flag(character, Kind.CONTACT_ADDED, severity=Severity.LOW)  # not a red flag
    shared = scenario.characters["pilot14"][0]  # another corporation and alliance
    share_with_all_recruiters(shared)
    grant(shared.owner, "memberaudit.share_characters")
    viewer = grant(scenario.users[0], *REPORTS, *SCOPES[scope])
    client.force_login(viewer)
    client.get(reverse("memberaudit:red_flags"))

    rows = page(client)["data"]

    expected = set(access.accessible_characters(viewer).values_list("pk", flat=True))
    assert character_pks(rows) == expected
    assert len(rows) == len(expected)  # one red flag each, no low ones


@pytest.mark.parametrize("checked", [500, 1])  # flagged characters checked, or the scope read
@pytest.mark.parametrize("scope", SCOPES)
def test_should_cover_the_flagged_characters_the_access_module_lets_the_viewer_open(
    client, scope, checked, monkeypatch
):
    monkeypatch.setattr(access, "CHECKED_CHARACTERS", checked)
    scenario = build_scenario()
    characters = list(Character.objects.order_by("pk"))
    flagged = characters[::3]
    for character in flagged:
        flag(character)
    for character in characters[1::3]:
        flag(character, Kind.CONTACT_ADDED, severity=Severity.LOW)  # not a red flag
    viewer = grant(scenario.users[0], *REPORTS, *SCOPES[scope])
    client.force_login(viewer)

    answer = page(client)

    opened = set(access.accessible_characters(viewer).values_list("pk", flat=True))
    expected = opened.intersection(character.pk for character in flagged)
    assert character_pks(answer["data"]) == expected
    assert answer["recordsTotal"] == answer["recordsFiltered"] == len(expected)


@pytest.mark.parametrize("scope", ["corporation", "alliance", "shared"])
def test_should_not_check_the_viewers_scope_while_no_character_has_red_flags(client, scope):
    scenario = build_scenario()
    flag(scenario.characters["pilot14"][0], Kind.CONTACT_ADDED, severity=Severity.LOW)
    client.force_login(grant(scenario.users[0], *REPORTS, *SCOPES[scope]))

    with CaptureQueriesContext(connection) as context:
        answer = page(client)

    assert answer["recordsTotal"] == 0
    assert not [q for q in context.captured_queries if "memberaudit_character`" in q["sql"]]
    assert not [q for q in context.captured_queries if '"memberaudit_character"' in q["sql"]]


def test_should_find_the_flags_of_characters_whose_name_contains_the_search(client):
    viewer = create_user_with_main()
    grant(viewer, "memberaudit.basic_access", *REPORTS, *SCOPES["everything"])
    wanted = create_character(character_name="Vex Harrow")
    also = create_character(character_name="Old Harrowgate")
    other = create_character(character_name="Someone Else")
    for character in (wanted, also, other):
        flag(character)
    client.force_login(viewer)

    answer = page(client, **{"search[value]": "harrow"})

    assert character_pks(answer["data"]) == {wanted.pk, also.pk}
    assert answer["recordsFiltered"] == 2


def test_should_find_the_flags_of_a_text_nearly_every_name_holds_without_listing_them(
    client, monkeypatch
):
    """More characters found than are listed: the search names those not found (MariaDB)
    or finds them by a subquery (SQLite), never a list of every character found."""
    monkeypatch.setattr(tables, "LISTED_KEYS", 2)
    viewer = create_user_with_main()
    grant(viewer, "memberaudit.basic_access", *REPORTS, *SCOPES["everything"])
    found = [create_character(character_name=f"Harrow {letter}") for letter in "ABCD"]
    other = create_character(character_name="Someone Else")
    for character in (*found, other):
        flag(character)
    client.force_login(viewer)

    with CaptureQueriesContext(connection) as context:
        answer = page(client, **{"search[value]": "harrow"})

    assert character_pks(answer["data"]) == {character.pk for character in found}
    assert answer["recordsFiltered"] == len(found)
    long_list = re.compile(r"character_id\W* IN \((\d+, ){2,}\d+\)")
    assert not [q for q in context.captured_queries if long_list.search(q["sql"])]


def test_should_never_show_a_character_the_viewer_cannot_open(client):
    viewer = create_user(permissions=("memberaudit.basic_access", *REPORTS))
    own = create_character(viewer)
    other = create_character()
    flag(own)
    flag(other, Kind.WATCHLIST, severity=Severity.HIGH)
    client.force_login(viewer)

    rows = page(client)["data"]
    searched = page(client, **{"search[value]": other.eve_character.character_name})["data"]
    html = client.get(reverse("memberaudit:red_flags")).content.decode()

    assert character_pks(rows) == {own.pk}
    assert searched == []
    assert other.eve_character.character_name not in html


def test_should_refuse_users_without_reports_access(client):
    client.force_login(create_viewer())

    assert client.get(reverse("memberaudit:red_flags")).status_code == 403
    assert client.get(reverse("memberaudit:red_flags_data")).status_code == 403


def test_should_mark_what_is_new_since_the_viewers_last_visit(client):
    viewer = create_user(permissions=("memberaudit.basic_access", *REPORTS))
    character = create_character(viewer)
    flag(character, minutes_ago=60, key="old")
    client.force_login(viewer)
    client.get(reverse("memberaudit:red_flags"))
    assert [row["new"] is not None for row in page(client)["data"]] == [True]  # first visit

    client.get(reverse("memberaudit:red_flags"))  # the next visit
    flag(character, key="fresh")  # recorded after the visit before

    rows = page(client)["data"]
    assert [(row["new"] or {}).get("text") for row in rows] == ["new", None]
    assert len(page(client, new="1")["data"]) == 1


def test_should_keep_each_viewers_last_visit_apart(client):
    first = create_user(permissions=("memberaudit.basic_access", *REPORTS))
    second = create_viewer(*REPORTS, *SCOPES["everything"])
    flag(create_character(first), minutes_ago=60)
    client.force_login(first)
    client.get(reverse("memberaudit:red_flags"))
    client.get(reverse("memberaudit:red_flags"))

    client.force_login(second)
    client.get(reverse("memberaudit:red_flags"))

    assert page(client)["data"][0]["new"] is not None  # new to the second viewer


def test_should_filter_by_severity_newest_first(client):
    viewer = create_user(permissions=("memberaudit.basic_access", *REPORTS))
    character = create_character(viewer)
    flag(character, minutes_ago=10, key="a")
    flag(character, Kind.WATCHLIST, severity=Severity.HIGH, minutes_ago=5, key="b")
    flag(character, minutes_ago=1, key="c")
    client.force_login(viewer)

    every = page(client)["data"]
    high = page(client, severity=str(Severity.HIGH))["data"]

    assert [row["severity"]["text"] for row in every] == ["medium", "high", "medium"]
    assert [row["severity"]["tone"] for row in high] == ["danger"]


def test_should_answer_with_the_same_number_of_queries_for_many_flags(client):
    client.force_login(create_viewer(*REPORTS, *SCOPES["everything"]))
    counts = []
    for characters in (2, 12):
        for _ in range(characters):
            flag(create_character(), Kind.WATCHLIST, entity_id=None)
        with CaptureQueriesContext(connection) as context:
            page(client)
        counts.append(len(context))
    assert counts[0] == counts[1]


# --- the Changes tab ---------------------------------------------------------------------------


def test_should_list_a_characters_changes_newest_first_by_kind(client):
    owner = create_user()
    character = create_character(owner)
    flag(character, Kind.CONTACT_ADDED, severity=Severity.LOW, minutes_ago=3, section="contacts")
    flag(character, minutes_ago=2)
    flag(create_character(), minutes_ago=1)  # another character's
    client.force_login(owner)
    url = reverse("memberaudit:character_data", args=[character.pk, "changes"])

    rows = client.get(url).json()["data"]
    contacts = client.get(url, {"kind": Kind.CONTACT_ADDED}).json()["data"]

    assert [row["kind"] for row in rows] == ["joined a corporation", "contact added"]
    assert [row["kind"] for row in contacts] == ["contact added"]
    assert contacts[0]["link"]["url"].endswith(f"/character/{character.pk}/#tab-contacts")


def test_should_show_the_changes_tab_in_the_viewer_without_a_status(client):
    owner = create_user()
    character = create_character(owner)
    flag(character)
    client.force_login(owner)

    html = client.get(reverse("memberaudit:character_viewer", args=[character.pk])).content
    tab = client.get(reverse("memberaudit:character_tab", args=[character.pk, "changes"]))

    assert b'id="tab-changes-button"' in html
    assert tab.status_code == 200
    assert b"changes-table" in tab.content and b"section-last-update" not in tab.content


def test_should_refuse_the_changes_of_a_character_the_user_cannot_open(client):
    client.force_login(create_viewer())
    other = create_character()
    flag(other)

    response = client.get(reverse("memberaudit:character_data", args=[other.pk, "changes"]))

    assert response.status_code == 403


# --- the daily digest --------------------------------------------------------------------------


def test_should_send_no_digest_unless_enabled(settings):
    from memberaudit.tasks import send_red_flags_digest

    settings.MEMBERAUDIT_RED_FLAGS_DIGEST = False
    receiver = create_user(
        permissions=("memberaudit.basic_access", "memberaudit.receive_red_flags")
    )
    flag(create_character(receiver))

    assert send_red_flags_digest() == 0
    assert not Notification.objects.filter(user=receiver).exists()


def test_should_send_each_receiver_a_digest_of_the_flags_they_may_see(settings):
    from memberaudit.tasks import send_red_flags_digest

    settings.MEMBERAUDIT_RED_FLAGS_DIGEST = True
    receiver = create_user(
        permissions=("memberaudit.basic_access", "memberaudit.receive_red_flags")
    )
    not_receiving = create_user()
    own = create_character(receiver, character_name="Own Pilot")
    other = create_character(not_receiving, character_name="Someone Else")
    flag(own, minutes_ago=60)
    flag(own, Kind.CONTACT_ADDED, severity=Severity.LOW)
    flag(own, recorded_at=timezone.now() - dt.timedelta(days=2), key="too old")
    flag(other)

    assert send_red_flags_digest() == 1

    notification = Notification.objects.get(user=receiver)
    assert "Own Pilot" in notification.message and "Someone Else" not in notification.message
    assert notification.message.count("\n") == 0  # one line: one red flag of the last day
    assert not Notification.objects.filter(user=not_receiving).exists()
