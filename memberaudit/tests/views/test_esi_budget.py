"""The ESI budget dashboard: admins see how the app spent ESI's limits per hour."""

import time

import pytest

from django.contrib.auth.models import User
from django.urls import reverse

from allianceauth.tests.auth_utils import AuthUtils

from memberaudit import esi_budget, esi_usage

from ..factories import create_character, create_user_with_main

pytestmark = pytest.mark.django_db

BUDGET = "memberaudit.view_esi_budget"
ONLINE = "GetCharactersCharacterIdOnline"
ASSETS = "GetCharactersCharacterIdAssets"
HOUR = 3600


def user_with(*permissions) -> User:
    user = create_user_with_main()
    AuthUtils.add_permissions_to_user_by_name(list(permissions), user)
    return User.objects.get(pk=user.pk)


def answer(status, *, section="online_status", operation=ONLINE, hours_ago=0, **fields):
    esi_usage.record_answer(
        section=section,
        operation=operation,
        status_code=status,
        headers=fields.pop("headers", {}),
        now=time.time() - hours_ago * HOUR,
        **fields,
    )


@pytest.fixture
def admin_client(client):
    client.force_login(user_with(BUDGET))
    return client


class TestAccess:
    def test_should_refuse_users_without_the_permission(self, client):
        client.force_login(user_with("memberaudit.finder_access", "memberaudit.view_everything"))

        assert client.get(reverse("memberaudit:esi_budget")).status_code == 403
        chart = reverse("memberaudit:esi_budget_chart", args=["requests"])
        assert client.get(chart).status_code == 403

    def test_should_open_for_superusers(self, client):
        admin = create_user_with_main()
        User.objects.filter(pk=admin.pk).update(is_superuser=True)
        client.force_login(admin)

        assert client.get(reverse("memberaudit:esi_budget")).status_code == 200

    def test_should_show_the_menu_entry_only_with_the_permission(self, client, admin_client):
        response = admin_client.get(reverse("memberaudit:launcher"))

        assert reverse("memberaudit:esi_budget") in response.content.decode()


class TestDashboard:
    def test_should_sum_requests_304s_and_errors_per_section_and_route(self, admin_client):
        for status in (200, 200, 304, 304, 304, 502):
            answer(status)
        answer(200, section="assets", operation=ASSETS)
        answer(404, section="assets", operation=ASSETS, hours_ago=3)

        response = admin_client.get(reverse("memberaudit:esi_budget"))

        assert response.status_code == 200
        routes = {(r.section, r.route): r for r in response.context["routes"]}
        online = routes[("online_status", ONLINE)]
        assert (online.requests, online.not_modified, online.error_count) == (6, 3, 1)
        assert online.not_modified_share == 0.5
        assert online.section_title == "online status"
        assert routes[("assets", ASSETS)].errors == {404: 1}
        assert response.context["totals"]["requests"] == 8
        assert response.context["errors_by_status"] == [(404, 1), (502, 1)]

    def test_should_leave_out_hours_before_the_period(self, admin_client):
        answer(200, hours_ago=30)
        answer(200, hours_ago=2)

        day = admin_client.get(reverse("memberaudit:esi_budget"), {"period": "24h"})
        week = admin_client.get(reverse("memberaudit:esi_budget"), {"period": "7d"})

        assert day.context["totals"]["requests"] == 1
        assert week.context["totals"]["requests"] == 2

    def test_should_compare_tokens_of_a_group_with_esis_budget(self, admin_client):
        for remaining in (590, 300, 450):
            answer(200, rate_group="char-location", headers={"X-Ratelimit-Remaining": remaining})

        groups = admin_client.get(reverse("memberaudit:esi_budget")).context["groups"]

        assert len(groups) == 1
        group = groups[0]
        assert (group.group, group.used, group.max_tokens, group.window_minutes) == (
            "char-location",
            6,
            1200,
            15,
        )
        assert group.lowest_remaining == 300
        assert group.peak_share == pytest.approx(0.75)

    def test_should_show_the_error_limit_left_and_sections_held_back(self, admin_client):
        answer(200, headers={"X-ESI-Error-Limit-Remain": "70"}, hours_ago=1)
        answer(200, headers={"X-ESI-Error-Limit-Remain": "95"})
        esi_usage.record_pause(section="assets", operation=ASSETS, kind="420")
        esi_usage.record_pause(section="assets", operation=ASSETS, kind="429")
        esi_usage.record_pause(section="assets", operation="", kind="420")

        context = admin_client.get(reverse("memberaudit:esi_budget")).context

        assert context["error_limit"]["lowest"] == 70
        assert context["error_limit"]["last"] == 95
        [pause] = context["pauses"]
        assert (pause.section, pause.error_limit, pause.rate_limit) == ("assets", 2, 1)

    def test_should_name_the_characters_with_the_most_failures(self, admin_client):
        character = create_character(character_name="Failing Pilot")
        for _ in range(3):
            answer(404, character_id=character.character_id)
        answer(404, character_id=91_234_567)  # not registered (anymore)

        rows = admin_client.get(reverse("memberaudit:esi_budget")).context["failing_characters"]

        assert [(row["name"], row["failures"]) for row in rows] == [
            ("Failing Pilot", 3),
            ("", 1),
        ]

    def test_should_answer_an_unknown_period_with_400(self, admin_client):
        response = admin_client.get(reverse("memberaudit:esi_budget"), {"period": "1y"})

        assert response.status_code == 400

    def test_should_show_a_page_without_any_counters(self, admin_client, monkeypatch):
        monkeypatch.setattr(esi_usage, "redis_client", lambda: None)

        response = admin_client.get(reverse("memberaudit:esi_budget"))

        assert response.status_code == 200
        assert response.context["routes"] == []


class TestCharts:
    @pytest.mark.parametrize("period, hours", [("24h", 24), ("7d", 168)])
    def test_should_give_one_bar_per_hour_of_the_period(self, period, hours, admin_client):
        answer(200)
        answer(304, hours_ago=1)
        answer(500, hours_ago=1)

        url = reverse("memberaudit:esi_budget_chart", args=["requests"])
        data = admin_client.get(url, {"period": period}).json()

        assert len(data["labels"]) == hours
        answered, not_modified, errors = (dataset["data"] for dataset in data["datasets"])
        assert (answered[-1], not_modified[-2], errors[-2]) == (1, 1, 1)
        assert sum(answered + not_modified + errors) == 3

    @pytest.mark.parametrize("chart", list(esi_budget.CHARTS))
    def test_should_give_no_labels_when_nothing_was_counted(self, chart, admin_client):
        data = admin_client.get(reverse("memberaudit:esi_budget_chart", args=[chart])).json()

        assert data["labels"] == []

    def test_should_draw_tokens_per_group_and_the_lowest_error_limit(self, admin_client):
        answer(200, rate_group="char-wallet", headers={"X-ESI-Error-Limit-Remain": "88"})

        tokens = admin_client.get(reverse("memberaudit:esi_budget_chart", args=["tokens"])).json()
        limit = admin_client.get(
            reverse("memberaudit:esi_budget_chart", args=["error_limit"])
        ).json()

        assert [dataset["label"] for dataset in tokens["datasets"]] == ["char-wallet"]
        assert tokens["datasets"][0]["data"][-1] == 2
        assert limit["datasets"][0]["data"][-1] == 88
        assert limit["datasets"][0]["data"][0] is None

    def test_should_answer_an_unknown_chart_with_404(self, admin_client):
        url = reverse("memberaudit:esi_budget_chart", args=["nothing"])

        assert admin_client.get(url).status_code == 404
