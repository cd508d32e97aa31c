"""The character sheet on the pages: overview rows, tabs, the launcher's fatigue countdown and
the finder's corporation roles column and filter."""

import datetime as dt
import html as html_module
import json
import re

import pytest

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from allianceauth.tests.auth_utils import AuthUtils
from eveuniverse.models import EveEntity

from memberaudit.models import (
    CharacterAttributes,
    CharacterCorporationRole,
    CharacterFwStats,
    CharacterJumpFatigue,
    CharacterMedal,
    CharacterTitle,
    SectionUpdateStatus,
)

from ..factories import create_character, create_user_with_main, mark_sections

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def pilot():
    return create_user_with_main()


@pytest.fixture
def character(pilot):
    character = create_character(user=pilot)
    mark_sections(character)
    return character


def viewer_html(client, user, character) -> str:
    client.force_login(user)
    response = client.get(reverse("memberaudit:character_viewer", args=[character.pk]))
    assert response.status_code == 200
    return response.content.decode()


def give_roles(character, *roles, scope="general"):
    CharacterCorporationRole.objects.bulk_create(
        [CharacterCorporationRole(character=character, scope=scope, role=r) for r in roles]
    )


class TestOverview:
    def test_should_show_attributes_and_next_remap(self, client, pilot, character):
        CharacterAttributes.objects.create(
            character=character,
            charisma=17,
            intelligence=27,
            memory=21,
            perception=17,
            willpower=18,
            bonus_remaps=2,
            accrued_remap_cooldown_date=NOW + dt.timedelta(days=3),
        )

        html = viewer_html(client, pilot, character)

        assert "overview-attributes" in html
        assert "Intelligence <strong>27</strong>" in html
        assert "2 bonus remaps" in html
        assert "next remap possible" in html

    def test_should_show_roles_by_scope_with_key_roles_marked(self, client, pilot, character):
        give_roles(character, "Station_Manager", "Director")
        give_roles(character, "Hangar_Take_1", scope="hq")

        html = viewer_html(client, pilot, character)

        assert "role-list-general" in html and "role-list-hq" in html
        assert 'role-key me-1">Director<' in html
        assert "Station Manager" in html
        assert html.index("Director") < html.index("Station Manager")

    def test_should_count_down_active_fatigue(self, client, pilot, character):
        CharacterJumpFatigue.objects.create(
            character=character,
            jump_fatigue_expire_date=NOW + dt.timedelta(hours=3),
            last_jump_date=NOW - dt.timedelta(hours=1),
        )

        html = viewer_html(client, pilot, character)

        assert "data-ma-countdown=" in html
        assert "memberaudit/js/countdown.js" in html

    def test_should_not_count_down_expired_fatigue(self, client, pilot, character):
        CharacterJumpFatigue.objects.create(
            character=character, jump_fatigue_expire_date=NOW - dt.timedelta(hours=3)
        )

        html = viewer_html(client, pilot, character)

        assert "overview-jump-fatigue" in html
        assert "data-ma-countdown=" not in html

    def test_should_tell_how_to_fix_a_section_missing_its_scope(self, client, pilot, character):
        SectionUpdateStatus.objects.filter(character=character, section="corporation_roles").update(
            is_success=False,
            error_kind=SectionUpdateStatus.ErrorKind.TOKEN_LIMITED,
            error_message="The token lacks scopes: esi-characters.read_corporation_roles.v1",
        )

        html = viewer_html(client, pilot, character)

        roles_row = html[html.index("overview-corporation-roles") :]
        roles_row = roles_row[: roles_row.index("</dd>")]
        assert "Register the character again" in roles_row
        assert reverse("memberaudit:register_character") in roles_row
        assert "Register the character again" not in html[html.index("overview-attributes") :][:200]


class TestTabs:
    def test_should_show_a_register_again_hint_on_a_tab_missing_its_scope(
        self, client, pilot, character
    ):
        SectionUpdateStatus.objects.filter(character=character, section="medals").update(
            is_success=False,
            error_kind=SectionUpdateStatus.ErrorKind.TOKEN_LIMITED,
            error_message="The token lacks scopes: esi-characters.read_medals.v1",
        )

        html = viewer_html(client, pilot, character)

        medals_tab = html[html.index('id="tab-medals"') :]
        titles_tab = html[html.index('id="tab-titles"') :]
        assert "Register the character again" in medals_tab[: medals_tab.index("</table>")]
        assert "Register the character again" not in titles_tab[: titles_tab.index("</table>")]

    def test_should_sanitize_titles_and_medal_texts(self, client, pilot, character):
        CharacterTitle.objects.create(
            character=character, title_id=1, name="<b>Boss</b><script>alert(1)</script>"
        )
        CharacterMedal.objects.create(
            character=character,
            medal_id=1,
            title="Hero",
            description='<img src=x onerror="alert(2)">brave',
            reason="<b>won</b>",
            date=NOW,
        )

        html = viewer_html(client, pilot, character)

        assert "<b>Boss</b>" in html and "alert(1)" not in html
        assert "onerror" not in html and "brave" in html

    def test_should_say_not_enlisted_for_a_character_never_in_faction_warfare(
        self, client, pilot, character
    ):
        CharacterFwStats.objects.create(character=character)

        html = viewer_html(client, pilot, character)

        assert "Not enlisted in faction warfare." in html

    def test_should_show_the_militia_of_an_enlisted_character(self, client, pilot, character):
        faction = EveEntity.objects.create(id=500001, name="Caldari State", category="faction")
        CharacterFwStats.objects.create(
            character=character, faction=faction, current_rank=6, kills_total=1862
        )

        html = viewer_html(client, pilot, character)

        assert "Caldari State" in html and "1,862" in html
        assert "Not enlisted" not in html


class TestLauncher:
    def launcher_html(self, client, pilot) -> str:
        client.force_login(pilot)
        response = client.get(reverse("memberaudit:launcher"))
        assert response.status_code == 200
        return response.content.decode()

    def test_should_count_down_fatigue_on_the_card_while_active(self, client, pilot, character):
        CharacterJumpFatigue.objects.create(
            character=character, jump_fatigue_expire_date=NOW + dt.timedelta(minutes=90)
        )

        html = self.launcher_html(client, pilot)

        assert "character-jump-fatigue" in html and "data-ma-countdown=" in html

    @pytest.mark.parametrize("expires", [None, NOW - dt.timedelta(minutes=1)])
    def test_should_not_show_fatigue_on_the_card_when_none(self, client, pilot, character, expires):
        CharacterJumpFatigue.objects.create(character=character, jump_fatigue_expire_date=expires)

        html = self.launcher_html(client, pilot)

        assert "character-jump-fatigue" not in html


class TestFinder:
    @pytest.fixture
    def auditor(self):
        user = create_user_with_main()
        AuthUtils.add_permissions_to_user_by_name(
            [
                "memberaudit.finder_access",
                "memberaudit.characters_access",
                "memberaudit.view_everything",
            ],
            user,
        )
        return User.objects.get(pk=user.pk)

    @pytest.fixture
    def characters(self):
        director = create_character(character_name="Director Pilot")
        give_roles(director, "Director")
        accountant = create_character(character_name="Accountant Pilot")
        give_roles(accountant, "Station_Manager", "Accountant")
        give_roles(accountant, "Accountant", scope="hq")
        plain = create_character(character_name="Plain Pilot")
        return {"director": director, "accountant": accountant, "plain": plain}

    def rows(self, client, auditor, **params) -> dict[str, list]:
        client.force_login(auditor)
        response = client.get(reverse("memberaudit:finder_data"), {"length": 100, **params})
        assert response.status_code == 200
        return {
            row["name"]: row["corporation_roles"]
            for row in response.json()["data"]
            if row["name"].endswith(" Pilot")
        }

    def test_should_list_roles_key_roles_first(self, client, auditor, characters):
        rows = self.rows(client, auditor)

        assert rows == {
            "Director Pilot": ["Director"],
            "Accountant Pilot": ["Accountant", "Station Manager"],
            "Plain Pilot": [],
        }

    @pytest.mark.parametrize(
        "value, expected",
        [
            ("1", {"Director Pilot", "Accountant Pilot"}),
            ("0", {"Plain Pilot"}),
            ("director", {"Director Pilot"}),
            ("accountant", {"Accountant Pilot"}),
            ("", {"Director Pilot", "Accountant Pilot", "Plain Pilot"}),
        ],
    )
    def test_should_filter_by_corporation_roles(self, client, auditor, characters, value, expected):
        assert set(self.rows(client, auditor, roles=value)) == expected

    def test_should_sort_by_number_of_roles(self, client, auditor, characters):
        rows = self.rows(
            client,
            auditor,
            **{
                "columns[0][data]": "corporation_roles",
                "order[0][column]": "0",
                "order[0][dir]": "desc",
            },
        )

        assert list(rows)[:2] == ["Accountant Pilot", "Director Pilot"]

    def test_should_offer_the_roles_filter_on_the_page(self, client, auditor):
        client.force_login(auditor)
        html = client.get(reverse("memberaudit:finder")).content.decode()

        assert 'name="roles"' in html
        spec = json.loads(html_module.unescape(re.search(r'data-ma-table="([^"]+)"', html)[1]))
        roles = next(c for c in spec["columns"] if c["data"] == "corporation_roles")
        assert roles["title"] == "Corporation roles" and roles["render"] == "list"
        assert roles["orderable"]


@pytest.mark.parametrize(
    "section, marker",
    [
        ("titles", "titles-table"),
        ("medals", "medals-table"),
        ("standings", "standings-table"),
        ("faction_warfare", "section-status"),
        ("research_agents", "research-agents-table"),
    ],
)
def test_should_serve_each_sheet_tab_on_its_own(client, pilot, character, section, marker):
    client.force_login(pilot)

    response = client.get(reverse("memberaudit:character_tab", args=[character.pk, section]))

    assert response.status_code == 200
    assert marker in response.content.decode()


def test_should_show_dashes_on_the_overview_before_the_first_update(client, pilot):
    character = create_character(user=pilot)

    html = viewer_html(client, pilot, character)

    for row in ("overview-attributes", "overview-corporation-roles", "overview-jump-fatigue"):
        cell = html[html.index(row) :]
        assert cell[cell.index(">") + 1 : cell.index("</dd>")].strip().startswith("-"), row
