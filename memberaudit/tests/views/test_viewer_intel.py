"""The intel tabs of the viewer: kills and losses with the killmail detail, notifications by
group, contact notifications and calendar; player texts never reach the page unescaped."""

import pytest

from django.urls import reverse

from ..factories import create_character
from .conftest import ARIA

pytestmark = pytest.mark.django_db

SECTIONS = ("killmails", "notifications", "contact_notifications", "calendar")


@pytest.fixture
def aria(make_character, load_sections):
    return load_sections(make_character(ARIA), *SECTIONS)


def get(client, name, *args, **params):
    return client.get(reverse(f"memberaudit:{name}", args=list(args)), params)


def table(client, character, name, **params):
    response = get(client, "character_data", character.pk, name, **params)
    assert response.status_code == 200
    return response.json()


class TestKillmails:
    def test_table_marks_losses_and_our_co_attackers(self, aria, client):
        client.force_login(aria.owner)

        rows = {row["ship"]: row for row in table(client, aria, "killmails")["data"]}

        assert rows["Rifter"]["is_loss"] is True and rows["Drake"]["is_loss"] is False
        assert rows["Drake"]["co_attackers"] == [
            {"name": "Bruno Velkan", "ours": True},
            {"name": "Dax Morrow", "ours": True},
        ]
        assert rows["Drake"]["final_blow"] == "Aria Jaxon"
        assert rows["Drake"]["killboard_url"] == "https://zkillboard.com/kill/124000001/"
        losses = table(client, aria, "killmails", kind="losses")["data"]
        assert [row["ship"] for row in losses] == ["Rifter"]

    def test_tab_shows_the_ships_flown_and_systems_fought_in(self, aria, client):
        client.force_login(aria.owner)

        html = get(client, "character_viewer", aria.pk).content.decode()

        ships = html.split(f'id="killmail-ships-{aria.pk}"')[1].split("</div>")[0]
        systems = html.split(f'id="killmail-systems-{aria.pk}"')[1].split("</div>")[0]
        assert "Caracal (2)" in ships
        assert "Tama (1)" in systems and "Perimeter (1)" in systems and "1DQ1-A (1)" in systems

    def test_detail_shows_attackers_and_items_dropped_and_destroyed(self, aria, client):
        client.force_login(aria.owner)

        response = get(client, "character_killmail", aria.pk, 124000001)

        html = response.content.decode()
        assert response.status_code == 200
        assert "Vex Morrigan" in html and "Crimson Pact" in html
        assert "1MN Afterburner I" in html and "Tritanium" in html and "5,000" in html
        assert "Dax Morrow" in html

    def test_detail_of_a_killmail_the_character_was_not_on_is_404(self, aria, client):
        other = create_character(user=aria.owner, character_name="Other Pilot")
        client.force_login(aria.owner)

        response = get(client, "character_killmail", other.pk, 124000001)

        assert response.status_code == 404


class TestNotifications:
    def test_tab_offers_the_groups_with_counts(self, aria, client):
        client.force_login(aria.owner)

        html = get(client, "character_viewer", aria.pk).content.decode()

        assert 'id="notifications-table"' in html
        assert 'value="war"' in html and 'value="other"' in html

    def test_table_shows_sentences_or_raw_text_as_data(self, aria, client):
        client.force_login(aria.owner)

        rows = table(client, aria, "notifications", length=100)["data"]

        contact = next(row for row in rows if row["type"] == "ContactAdd" and row["sender"])
        assert contact["message"][0]["text"] == "Vex Morrigan"
        unknown = next(row for row in rows if row["type"] == "SkyhookDeployed")
        assert isinstance(unknown["message"], str) and "skyhookID" in unknown["message"]
        wars = table(client, aria, "notifications", group="war", length=100)
        assert wars["recordsTotal"] == aria.notifications.filter(group="war").count()


class TestContactNotificationsAndCalendar:
    def test_tabs_show_player_texts_sanitized(self, aria, client):
        client.force_login(aria.owner)

        html = get(client, "character_viewer", aria.pk).content.decode()

        assert "Home defense fleet" in html and "Bring barges" in html
        assert "alert('calendar')" not in html and "alert('contact')" not in html
        assert "javascript:alert" not in html
