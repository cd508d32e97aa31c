"""An alliance auditor finds a spy: the Red flags report, then the pilot's Changes tab."""

import pytest
from playwright.sync_api import expect

from eveuniverse.models import EveEntity

from memberaudit import updater
from memberaudit.models import Character, WatchedEntity

from .conftest import ARIA, BRUNO, character_url, login, open_section, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SANCTUM_LOGISTICS = 98000003  # in Aria's contacts at -5


def plant_red_flags(make_character, fake_eve) -> Character:
    """Aria's contacts name a watched corporation; then she changes her standings, adds a
    contact and joins that corporation."""
    aria = make_character(ARIA)
    EveEntity.objects.update_or_create(
        id=SANCTUM_LOGISTICS, defaults={"name": "Sanctum Logistics", "category": "corporation"}
    )
    WatchedEntity.objects.create(entity_id=SANCTUM_LOGISTICS, reason="hostile")
    for section in ("contacts", "corporation_history"):
        assert updater.update_section(aria, section).is_success
    contacts = fake_eve.scenario.character(ARIA)["contacts"]
    contacts = [{**contact, "standing": 10.0} for contact in contacts]
    contacts.append({"contact_id": 90000003, "contact_type": "character", "standing": 5.0})
    fake_eve.scenario.update_character(ARIA, {"contacts": contacts})
    history = fake_eve.scenario.character(ARIA)["corporation_history"]
    history.append(
        {"corporation_id": SANCTUM_LOGISTICS, "record_id": 11000009, "start_date": "now-1d"}
    )
    fake_eve.scenario.update_character(ARIA, {"corporation_history": history})
    for section in ("contacts", "corporation_history"):
        assert updater.update_section(aria, section, force=True).is_success
    return aria


@pytest.mark.parametrize("width", [1280, 1920])
def test_auditor_finds_red_flags_and_opens_the_pilots_changes(
    page, site, role_user, make_character, fake_eve, width
):
    plant_red_flags(make_character, fake_eve)
    role_user("Alliance Auditor", BRUNO)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, site, BRUNO)

    page.goto(f"{site}/member-audit/reports/red-flags/")
    table = page.locator("#red-flags-table")
    expect(page.locator("#red-flags-table td.dt-empty")).to_have_count(0)
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(table).to_contain_text("Watched Sanctum Logistics in a contact")
    expect(table).to_contain_text("Joined Sanctum Logistics")
    expect(table.locator(".badge.text-bg-danger").first).to_be_visible()
    expect(table.locator(".badge", has_text="new").first).to_be_visible()
    screenshot(page, f"red-flags-{width}")
    if width == 1280:
        screenshot(page, "red-flags")
    page.select_option("#red-flags-severity", "3")
    expect(table.locator("tbody tr")).to_have_count(2)

    table.locator("a", has_text="Aria Jaxon").first.click()
    page.wait_for_url(character_url(site, ARIA) + "#tab-*")
    open_section(page, "changes")
    changes = page.locator("#changes-table")
    expect(page.locator("#changes-table td.dt-empty")).to_have_count(0)
    expect(changes).to_contain_text("Standing towards")
    expect(changes).to_contain_text("Added Cyra Oris as contact")
    screenshot(page, f"changes-tab-{width}", page.locator("#tab-changes"))
    page.locator("label.change-kind", has_text="Contact added").click()
    expect(changes.locator("tbody tr")).to_have_count(1)
