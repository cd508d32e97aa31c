import csv
import io
import json

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from memberaudit import reports
from memberaudit.models import Character, SkillSet
from memberaudit.reports import REPORTS, all_rows, user_compliance_rows
from memberaudit.skill_set_checks import update_checks_for_skill_sets

from ..factories import create_user
from ..skill_sets.helpers import create_skill_set, skill_types
from .scenario import REPORTS_ACCESS, SCOPES, grant, login

pytestmark = pytest.mark.django_db


def data(client, report: str, **params) -> dict:
    response = client.get(
        reverse("memberaudit:report_data", args=[report]), {"length": 500, **params}
    )
    assert response.status_code == 200
    return json.loads(response.content)


def csv_rows(client, report: str) -> list[dict]:
    response = client.get(reverse("memberaudit:report_csv", args=[report]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


EXPECTED_SCOPE = {
    "none": lambda scenario: {"pilot00"},
    "corporation": lambda scenario: scenario.users_of("Corp One"),
    "alliance": lambda scenario: scenario.users_of("Corp One", "Corp Two"),
    "everything": lambda scenario: set(scenario.known),
}


@pytest.mark.parametrize("scope", SCOPES)
def test_should_report_compliance_of_exactly_the_users_in_scope(client, scenario, scope):
    login(client, scenario, scope)

    rows = data(client, "user_compliance")["data"]

    expected = EXPECTED_SCOPE[scope](scenario)
    assert {row["user"] for row in rows} == expected
    for row in rows:
        assert row["known"] == scenario.known[row["user"]]
        assert row["registered"] == scenario.registered[row["user"]]
        assert row["is_compliant"] is scenario.is_compliant(row["user"])


def test_should_count_registered_out_of_known_characters(client, scenario):
    login(client, scenario, "everything")

    rows = {row["user"]: row for row in data(client, "user_compliance")["data"]}

    # pilot05: 3 characters in Auth, none registered; pilot04: 2 of 2; pilot03: 1 of 1
    assert (rows["pilot05"]["registered"], rows["pilot05"]["known"]) == (0, 3)
    assert (rows["pilot04"]["registered"], rows["pilot04"]["known"]) == (2, 2)
    assert rows["pilot04"]["is_compliant"] and not rows["pilot05"]["is_compliant"]
    assert rows["pilot03"]["main"] == "Main 03"
    assert rows["pilot03"]["corporation"] == "Corp One"
    assert rows["pilot03"]["alliance"] == "Alliance One"


@pytest.mark.parametrize("users_read", ["by their keys", "all"])
def test_should_report_corporation_compliance(client, scenario, users_read, monkeypatch):
    """Of a few hundred users the ownerships are read by key, of more all of them."""
    if users_read == "all":
        monkeypatch.setattr(reports, "MARIADB_IN_TABLE_SIZE", 0)
    login(client, scenario, "everything")
    # a disabled character is not registered: its owner is no longer compliant
    owner = next(name for name in sorted(scenario.known) if scenario.is_compliant(name))
    disabled = Character.objects.filter(
        eve_character__character_ownership__user__username=owner
    ).update(is_disabled=True)
    assert disabled

    rows = {row["corporation"]: row for row in data(client, "corporation_compliance")["data"]}

    assert set(rows) == {"Corp One", "Corp Two", "Corp Three"}
    for name, row in rows.items():
        users = scenario.users_of(name)
        compliant = [user for user in users if scenario.is_compliant(user) and user != owner]
        assert row["users"] == len(users)
        assert row["compliant_users"] == len(compliant)
        assert row["percentage"] == round(100 * len(compliant) / len(users), 1)
    assert rows["Corp Three"]["alliance"] == "Alliance Two"


def test_should_limit_corporation_compliance_to_the_scope(client, scenario):
    login(client, scenario, "alliance")

    rows = data(client, "corporation_compliance")["data"]

    assert {row["corporation"] for row in rows} == {"Corp One", "Corp Two"}


def test_should_sort_search_and_page_corporation_compliance(client, scenario):
    login(client, scenario, "everything")
    params = {"order[0][column]": "2", "order[0][dir]": "desc", "columns[2][data]": "users"}

    result = data(client, "corporation_compliance", **params)
    assert [row["corporation"] for row in result["data"]][0] == "Corp One"

    result = data(client, "corporation_compliance", **{"search[value]": "two"})
    assert {row["corporation"] for row in result["data"]} == {"Corp Two", "Corp Three"}
    assert result["recordsTotal"] == 3 and result["recordsFiltered"] == 2

    result = data(client, "corporation_compliance", start=1, length=1)
    assert len(result["data"]) == 1


def test_should_sort_and_search_user_compliance_on_the_server(client, scenario):
    login(client, scenario, "everything")

    result = data(client, "user_compliance", **{"search[value]": "Corp Three"})
    assert {row["user"] for row in result["data"]} == scenario.users_of("Corp Three")

    params = {"order[0][column]": "5", "order[0][dir]": "desc"}
    result = data(client, "user_compliance", **params)
    assert result["data"][0]["known"] == 3


@pytest.mark.parametrize(
    ("column", "counted_for_every_user"),
    [("1", False), ("2", False), ("3", False), ("4", True), ("6", True)],
)
def test_should_count_characters_only_of_the_page_unless_sorting_by_a_count(
    client, scenario, column, counted_for_every_user
):
    """A page of user compliance finds its users first: the characters of every covered user
    are counted only when the page is sorted by a count, else only for the page's users."""
    login(client, scenario, "everything")
    params = {"order[0][column]": column, "order[0][dir]": "desc", "length": 3}

    with CaptureQueriesContext(connection) as queries:
        result = data(client, "user_compliance", **params)

    counting = [
        query["sql"]
        for query in queries
        if "authentication_characterownership" in query["sql"] and "COUNT(" in query["sql"]
    ]
    assert len(result["data"]) == 3
    assert len(counting) == (2 if counted_for_every_user else 1)
    # (MariaDB's grouped subqueries say "ORDER BY NULL": no order)
    sorted_by_counts = [sql for sql in counting if "ORDER BY" in sql.replace("ORDER BY NULL", "")]
    assert bool(sorted_by_counts) == counted_for_every_user


@pytest.mark.parametrize("scope", ["none", "corporation", "alliance"])
def test_should_never_show_users_out_of_scope_in_html_json_or_csv(client, scenario, scope):
    login(client, scenario, scope)
    outside = set(scenario.known) - EXPECTED_SCOPE[scope](scenario)
    skill = skill_types(1)[0]
    create_skill_set("Frigate", {skill: (1, None)})
    update_checks_for_skill_sets(SkillSet.objects.values_list("pk", flat=True))

    html = client.get(reverse("memberaudit:reports")).content.decode()
    texts = [html]
    for report in ("user_compliance", "corporation_compliance", "skill_sets"):
        texts.append(json.dumps(data(client, report)))
        texts.append(json.dumps(csv_rows(client, report)))

    for username in outside:
        number = username[-2:]
        for text in texts:
            assert username not in text
            assert f"Main {number}" not in text
            assert f"Alt {number}" not in text
    if scope != "alliance":
        assert all("Corp Two" not in text for text in texts[1:])
    assert all("Corp Three" not in text for text in texts[1:])


def test_should_download_user_compliance_as_csv(client, scenario):
    login(client, scenario, "corporation")

    rows = csv_rows(client, "user_compliance")

    assert {row["User"] for row in rows} == scenario.users_of("Corp One")
    pilot05 = next(row for row in rows if row["User"] == "pilot05")
    assert pilot05["Registered characters"] == "0"
    assert pilot05["Characters in Auth"] == "3"
    assert pilot05["Compliant"] == "no"
    assert pilot05["Main character"] == "Main 05"


def test_should_download_corporation_compliance_as_csv(client, scenario):
    login(client, scenario, "everything")

    rows = {row["Corporation"]: row for row in csv_rows(client, "corporation_compliance")}

    assert rows["Corp Two"]["Users"] == "6"
    compliant = [u for u in scenario.users_of("Corp Two") if scenario.is_compliant(u)]
    assert rows["Corp Two"]["Compliant users"] == str(len(compliant))


def test_should_report_which_skill_sets_each_character_meets(client, scenario, skill_sets):
    viewer = login(client, scenario, "corporation")
    inactive = create_skill_set("Old", {skill_sets.first: (1, None)}, is_active=False)
    update_checks_for_skill_sets([inactive.pk])

    rows = data(client, "skill_sets")["data"]

    by_key = {(row["character"], row["skill_set"]): row for row in rows}
    assert by_key[("Main 00", "Frigate")]["is_met"] is True
    assert by_key[("Main 00", "Cruiser")]["can_fly"] is True
    assert by_key[("Main 02", "Frigate")]["can_fly"] is True
    assert by_key[("Main 02", "Frigate")]["is_met"] is False
    assert by_key[("Main 02", "Cruiser")]["can_fly"] is False
    assert by_key[("Main 02", "Cruiser")]["main"] == "Main 02"
    assert "Old" not in {row["skill_set"] for row in rows}
    registered = sum(len(scenario.characters[name]) for name in scenario.users_of("Corp One"))
    assert len(rows) == registered * 2
    assert viewer.username == "pilot00"

    csv_data = csv_rows(client, "skill_sets")
    assert len(csv_data) == registered * 2
    row = next(r for r in csv_data if (r["Character"], r["Skill set"]) == ("Main 02", "Cruiser"))
    assert row["Required skills met"] == "no"


@pytest.mark.parametrize("report", ["user_compliance", "corporation_compliance", "skill_sets"])
def test_should_need_reports_access(client, scenario, report):
    client.force_login(scenario.users[0])  # basic_access only

    assert client.get(reverse("memberaudit:reports")).status_code == 403
    assert client.get(reverse("memberaudit:report_data", args=[report])).status_code == 403
    assert client.get(reverse("memberaudit:report_csv", args=[report])).status_code == 403


def test_should_404_for_an_unknown_report(client, scenario):
    login(client, scenario, "everything")

    assert client.get(reverse("memberaudit:report_data", args=["nope"])).status_code == 404


def test_should_show_reports_page(client, scenario):
    login(client, scenario, "everything")

    response = client.get(reverse("memberaudit:reports"))

    assert response.status_code == 200
    content = response.content.decode()
    for report in ("user_compliance", "corporation_compliance", "skill_sets"):
        assert reverse("memberaudit:report_data", args=[report]) in content
        assert reverse("memberaudit:report_csv", args=[report]) in content


@pytest.mark.parametrize("report", ["user_compliance", "corporation_compliance", "skill_sets"])
def test_should_serve_reports_in_bounded_queries(
    client, scenario, report, django_assert_max_num_queries
):
    login(client, scenario, "everything")
    skill = skill_types(1)[0]
    skill_set = create_skill_set("Frigate", {skill: (1, None)})
    update_checks_for_skill_sets([skill_set.pk])
    client.get(reverse("memberaudit:report_data", args=[report]))  # warm the session
    # the skill set report has a row per character: one insert records them in the access
    # log; the owners of its rows are one more query (the CSV) and the active skill sets
    # another; the users covered and the characters left out are read first as well; the
    # corporation compliance reads the ownerships and the enabled characters apart
    bound = 12 + 4 * (report == "skill_sets") + (report == "corporation_compliance")

    with django_assert_max_num_queries(bound):
        data(client, report)
    with django_assert_max_num_queries(bound):
        csv_rows(client, report)


def test_should_not_count_a_disabled_character_as_registered_like_compliance_groups(
    client, scenario
):
    """A character disabled for a lost token makes its owner non-compliant in the report, as
    it does for compliance groups."""
    from memberaudit.compliance import compliant_users
    from memberaudit.models import Character

    login(client, scenario, "everything")
    character = Character.objects.filter(
        eve_character__character_ownership__user__username="pilot04"
    ).first()
    Character.objects.filter(pk=character.pk).update(is_disabled=True)

    rows = {row["user"]: row for row in data(client, "user_compliance")["data"]}

    assert (rows["pilot04"]["registered"], rows["pilot04"]["known"]) == (1, 2)
    assert not rows["pilot04"]["is_compliant"]
    in_groups = set(compliant_users().values_list("username", flat=True))
    in_report = {user for user, row in rows.items() if row["is_compliant"]}
    assert in_report == in_groups


def test_should_not_count_a_user_without_characters_as_compliant(db):
    viewer = grant(create_user("lonely"), REPORTS_ACCESS)

    rows = list(user_compliance_rows(viewer))

    assert [(row.username, row.known, row.is_compliant) for row in rows] == [("lonely", 0, False)]


@pytest.mark.parametrize(
    ("scope", "reason"),
    [("corporation", "corporation"), ("alliance", "alliance"), ("everything", "everything")],
)
def test_should_log_each_character_of_a_skill_set_csv_but_the_viewers_own(
    client, scenario, scope, reason
):
    """The CSV download is a view of every character in it: each other owner's character is
    recorded once, with the report's scope, in one write at the end of the download."""
    from memberaudit.models import AccessLogEntry

    viewer = login(client, scenario, scope)
    first, _ = skill_types(2)
    create_skill_set("Frigate", {first: (1, None)})
    create_skill_set("Cruiser", {first: (3, None)})
    update_checks_for_skill_sets(SkillSet.objects.values_list("pk", flat=True))

    csv_data = csv_rows(client, "skill_sets")

    others = {
        character.pk
        for name in EXPECTED_SCOPE[scope](scenario) - {viewer.username}
        for character in scenario.characters[name]
    }
    assert len(csv_data) == 2 * (len(others) + len(scenario.characters[viewer.username]))
    entries = AccessLogEntry.objects.filter(viewer=viewer)
    assert set(entries.values_list("character_id", flat=True)) == others
    assert set(entries.values_list("section", "reason")) == {("report:skill_sets", reason)}


def test_should_log_the_characters_on_a_page_of_the_skill_set_report(client, scenario):
    from memberaudit.models import AccessLogEntry

    viewer = login(client, scenario, "everything")
    first, _ = skill_types(2)
    create_skill_set("Frigate", {first: (1, None)})
    update_checks_for_skill_sets(SkillSet.objects.values_list("pk", flat=True))

    rows = data(client, "skill_sets", start=0, length=5, **{"order[0][column]": 0})["data"]

    logged = AccessLogEntry.objects.filter(viewer=viewer, reason="everything")
    names = set(logged.values_list("character__eve_character__character_name", flat=True))
    own = {c.name for c in scenario.characters[viewer.username]}
    assert names == {row["character"] for row in rows} - own
    assert len(rows) == 5 and names


def skill_set_report_of(scenario):
    """The skill set report of a viewer who sees every user."""
    viewer = grant(scenario.users[0], REPORTS_ACCESS, *SCOPES["everything"])
    return REPORTS["skill_sets"].table(viewer)


def test_should_download_the_same_rows_in_the_same_order_whatever_the_chunk_size(
    scenario, skill_sets
):
    table = skill_set_report_of(scenario)
    # by character name, then character, skill set and key, as the page's default order
    expected = table.queryset.order_by("character_name", "character_id", "skill_set_id", "pk")
    expected_rows = [
        {column.name: column.value(check) for column in table.columns} for check in expected
    ]
    assert len(expected_rows) > 7

    for chunk_size in (1, 3, 7, 1000):
        assert list(all_rows(table, chunk_size=chunk_size)) == expected_rows


def test_should_download_in_queries_per_chunk_not_per_row(
    scenario, skill_sets, django_assert_num_queries
):
    table = skill_set_report_of(scenario)
    rows = table.queryset.count()
    seen = []

    # the keys, the owners of the characters (for the access log), then per chunk the plain
    # values of its rows
    with django_assert_num_queries(2 + 2):
        assert len(list(all_rows(table, seen.append, chunk_size=(rows + 1) // 2))) == rows
    # without the access log, the owners are read only to keep out a character whose owner
    # is not covered (MariaDB, whose rows are chosen by the characters left out)
    owners = 1 if table.owners is not None else 0
    with django_assert_num_queries(1 + owners + 4):
        assert len(list(all_rows(table, chunk_size=(rows + 3) // 4))) == rows

    # each character once, however many rows it has
    characters = set(table.queryset.values_list("character_id", flat=True))
    assert sorted(row.character_id for row in seen) == sorted(characters)
