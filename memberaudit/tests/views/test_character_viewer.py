"""The character viewer: overview, a tab per section, sidebar, JSON tables, access."""

import re
from datetime import timedelta

import pytest

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone, translation

from allianceauth.tests.auth_utils import AuthUtils

from memberaudit.models import SectionUpdateStatus
from memberaudit.sections import registry

from ..factories import create_character, create_user_with_main, share_with_all_recruiters
from .conftest import BRUNO, DAX

pytestmark = pytest.mark.django_db


def viewer_html(client, character, user=None) -> str:
    client.force_login(user or character.owner)
    response = client.get(reverse("memberaudit:character_viewer", args=[character.pk]))
    assert response.status_code == 200
    return response.content.decode()


def table_json(client, character, table, **params):
    response = client.get(reverse("memberaudit:character_data", args=[character.pk, table]), params)
    assert response.status_code == 200
    return response.json()


def user_with_main(*permissions):
    user = create_user_with_main()
    AuthUtils.add_permissions_to_user_by_name(list(permissions), user)
    return User.objects.get(pk=user.pk)


class TestOverview:
    def test_should_show_overview_of_a_loaded_character(self, aria, client):
        html = viewer_html(client, aria)

        for text in (
            "Aria Jaxon",
            "Eclipse Shipyards",
            "Northern Lights Collective",
            "Jita IV - Moon 4 - Caldari Navy Assembly Plant",
            "Drake",
            "1,254,321,988 ISK",
            "1,215,455",
            "Caldari Battlecruiser 4",  # in training
        ):
            assert text in html, text
        assert re.search(r'class="col-sm-9 overview-main"><bdi [^>]*>Aria Jaxon</bdi>', html)
        assert "not training" not in html

    def test_should_show_every_section_tab_of_the_registry(self, aria, client):
        html = viewer_html(client, aria)

        for section in registry.with_tabs():
            assert f'id="tab-{section.name}"' in html, section.name

    def test_should_list_the_owners_other_characters_in_the_sidebar(self, aria, client):
        other = create_character(user=aria.owner, character_name="Second Pilot")
        stranger = create_character(character_name="Stranger Pilot")

        html = viewer_html(client, aria)

        assert f'data-character-id="{other.character_id}"' in html
        assert "Stranger Pilot" not in html and stranger.pk


class TestTabs:
    def test_bio_is_sanitized_and_shows_race_bloodline_security_birthday(self, aria, client):
        html = viewer_html(client, aria)

        assert 'class="col-sm-9 bio-race">Caldari' in html
        assert 'class="col-sm-9 bio-bloodline">Deteis' in html
        assert 'class="col-sm-9 bio-security-status">2.4' in html
        assert 'class="col-sm-9 bio-birthday">2014-05-11' in html
        assert "Shipbuilder." in html
        assert "<script" not in html.split('class="eve-markup bio-description"')[1][:2000]

    def test_corporation_history_shows_end_dates_and_durations(self, aria, client):
        html = viewer_html(client, aria)

        assert "Science and Trade Institute" in html
        assert '<td class="history-end">2015-07-01 12:00</td>' in html
        assert '<td class="history-duration">415 days</td>' in html

    def test_implants_and_jump_clones(self, aria, client):
        html = viewer_html(client, aria)

        assert "Ocular Filter - Basic" in html
        assert "Amarr trade clone" in html
        assert "Perimeter - Tranquility Trading Tower" in html

    def test_loyalty_points(self, aria, client):
        assert "152,000" in viewer_html(client, aria)

    def test_skills_grouped_with_totals(self, aria, client):
        html = viewer_html(client, aria)

        assert '<strong class="skills-total">1,215,455</strong>' in html
        assert '<strong class="skills-unallocated">125,000</strong>' in html
        assert '<span class="skill-group-name">Spaceship Command</span>' in html
        assert html.index('skill-group-name">Gunnery') < html.index(
            'skill-group-name">Spaceship Command'
        )

    def test_skill_queue_marks_the_active_entry(self, aria, client):
        html = viewer_html(client, aria)

        assert html.count("skill-queue-active") == 1
        active_row = html.split("skill-queue-active")[1][:300]
        assert "Caldari Battlecruiser 4" in active_row

    def test_skill_queue_paused(self, make_character, load_sections, client):
        dax = load_sections(make_character(DAX), "skill_queue")

        html = viewer_html(client, dax)

        assert 'id="skill-queue-paused"' in html
        assert "skill-queue-active" not in html
        assert "not training" in html

    def test_tabs_show_last_update_and_errors(self, client):
        character = create_character()
        SectionUpdateStatus.objects.create(
            character=character,
            section="skills",
            is_success=False,
            error_kind="esi",
            error_message="HTTP 502 from ESI",
        )

        html = viewer_html(client, character)

        assert "HTTP 502 from ESI" in html
        assert "Not loaded yet" in html

    def test_tab_endpoint_renders_one_tab(self, aria, client):
        client.force_login(aria.owner)

        response = client.get(reverse("memberaudit:character_tab", args=[aria.pk, "loyalty"]))

        assert response.status_code == 200
        assert "152,000" in response.content.decode()
        unknown = reverse("memberaudit:character_tab", args=[aria.pk, "location"])
        assert client.get(unknown).status_code == 404


def tab_body(html: str, name: str) -> str:
    found = re.search(
        rf'id="tab-{name}"[^>]*>\s*<h3[^>]*>.*?</h3>\s*<div class="viewer-section-body">(.*?)'
        r"</div>\s*</section>",
        html,
        re.S,
    )
    assert found, name
    return " ".join(found.group(1).split())


class TestRowsLoadedWithTheCharacter:
    """The page loads the Character and Jump clones tabs' one-to-one rows with the character;
    the tab endpoint reads them on its own: both show the same."""

    @pytest.mark.parametrize(
        "tab, expected",
        [("character_details", 'bio-race">Caldari'), ("jump_clones", "clone-home")],
    )
    def test_should_show_the_same_on_the_page_and_in_the_tab_endpoint(
        self, aria, client, tab, expected
    ):
        # updated hours ago: "Last updated ..." reads the same in both answers, however
        # long apart they come (just updated, it turns from "now" to "1 second ago")
        SectionUpdateStatus.objects.filter(character=aria).update(
            last_success_at=timezone.now() - timedelta(hours=3)
        )
        page = tab_body(viewer_html(client, aria), tab)
        response = client.get(reverse("memberaudit:character_tab", args=[aria.pk, tab]))

        assert expected in page
        assert " ".join(response.content.decode().split()) == page
        assert 'clone-home">-<' not in page


class TestJsonTables:
    def test_wallet_journal_pages_sorts_and_searches(self, aria, client):
        client.force_login(aria.owner)

        first = table_json(client, aria, "wallet_journal", draw=1, start=0, length=10)
        assert first["recordsTotal"] == 250 and len(first["data"]) == 10
        dates = [row["date"] for row in first["data"]]
        assert dates == sorted(dates, reverse=True)  # newest first by default

        by_amount = table_json(
            client,
            aria,
            "wallet_journal",
            **{"order[0][column]": "4", "order[0][dir]": "asc", "length": 5},
        )
        amounts = [row["amount"] for row in by_amount["data"]]
        assert amounts == sorted(amounts)

        found = table_json(client, aria, "wallet_journal", **{"search[value]": "bounty"})
        assert 0 < found["recordsFiltered"] < 250
        assert all("bounty" in row["ref_type"] for row in found["data"])

    def test_contacts_with_labels(self, aria, client):
        client.force_login(aria.owner)

        data = table_json(client, aria, "contacts", **{"search[value]": "Bruno"})

        assert data["recordsFiltered"] == 1
        assert data["data"][0]["labels"] == ["Friends"]
        assert data["data"][0]["standing"] == 10.0

    def test_unknown_table_is_404(self, aria, client):
        client.force_login(aria.owner)
        url = reverse("memberaudit:character_data", args=[aria.pk, "no_such_table"])

        assert client.get(url).status_code == 404


class TestAccess:
    @pytest.mark.parametrize(
        "name, extra",
        [
            ("character_viewer", []),
            ("character_tab", ["skills"]),
            ("character_data", ["wallet_journal"]),
        ],
    )
    def test_should_answer_403_for_characters_the_user_may_not_open(self, name, extra, client):
        character = create_character()
        client.force_login(user_with_main())

        response = client.get(reverse(f"memberaudit:{name}", args=[character.pk, *extra]))

        assert response.status_code == 403

    @pytest.mark.parametrize(
        "name, extra",
        [
            ("character_viewer", []),
            ("character_tab", ["skills"]),
            ("character_data", ["wallet_journal"]),
        ],
    )
    def test_should_answer_404_for_missing_characters(self, name, extra, client):
        client.force_login(user_with_main())

        response = client.get(reverse(f"memberaudit:{name}", args=[987654, *extra]))

        assert response.status_code == 404

    def test_recruiter_opens_a_shared_character_and_sees_only_the_allowed_siblings(
        self, make_character, client
    ):
        owner = user_with_main("memberaudit.share_characters")
        shared = make_character(BRUNO, user=owner)
        hidden = create_character(user=owner, character_name="Unshared Alt")
        share_with_all_recruiters(shared)
        recruiter = user_with_main("memberaudit.view_shared_characters")

        html = viewer_html(client, shared, user=recruiter)

        assert "Bruno Velkan" in html
        assert "Unshared Alt" not in html
        client.force_login(recruiter)
        url = reverse("memberaudit:character_viewer", args=[hidden.pk])
        assert client.get(url).status_code == 403


class TestInterruptedUpdates:
    def test_should_show_an_update_older_than_the_time_limit_as_interrupted(
        self, aria, client, settings
    ):
        settings.MEMBERAUDIT_TASKS_TIME_LIMIT = 3600
        started = timezone.now() - timedelta(hours=2)
        SectionUpdateStatus.objects.filter(character=aria, section="skills").update(
            started_at=started, finished_at=started - timedelta(minutes=1)
        )

        html = viewer_html(client, aria)

        assert html.count("section-interrupted") == 1
        assert "did not finish" in html
        assert "status-in_progress" not in html

    def test_should_not_call_a_running_update_interrupted(self, aria, client):
        started = timezone.now() - timedelta(minutes=2)
        SectionUpdateStatus.objects.filter(character=aria, section="skills").update(
            started_at=started, finished_at=started - timedelta(minutes=1)
        )

        html = viewer_html(client, aria)

        assert "section-interrupted" not in html
        assert "status-in_progress" in html


class TestTableColumns:
    """A tab's tables are sent to the browser as their columns, which are the same for every
    character: the page builds each table once per language, not once per view."""

    @pytest.fixture
    def counted_build(self, monkeypatch):
        from memberaudit import selectors
        from memberaudit.sections import registry

        monkeypatch.setattr(selectors.viewer, "_TABLE_SPECS", {})
        tables = registry.get("blueprints").tab.tables
        build = tables["blueprints"]
        calls = []

        def counting(character):
            calls.append(character.pk)
            return build(character)

        monkeypatch.setitem(tables, "blueprints", counting)
        return calls

    def test_should_build_a_table_once_for_its_columns(self, aria, client, counted_build):
        first = viewer_html(client, aria)
        second = viewer_html(client, aria)

        assert len(counted_build) == 1
        spec = re.search(
            r'data-ma-server-table="[^"]*/data/blueprints/"\s*data-ma-table="[^"]+"', first
        )
        assert spec and spec.group(0) in second

    def test_should_build_the_columns_again_in_another_language(self, aria, counted_build):
        from memberaudit import selectors

        section = registry.get("blueprints")
        selectors.viewer_tab(aria, section, None)
        selectors.viewer_tab(aria, section, None)
        with translation.override("de"):
            selectors.viewer_tab(aria, section, None)

        assert len(counted_build) == 2
