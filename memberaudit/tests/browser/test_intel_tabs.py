"""A leader opens the intel tabs of a pilot: kills and losses, notifications, contact
notifications and calendar; hostile text shows as text and never runs."""

import pytest
from playwright.sync_api import expect

from .conftest import ARIA, character_url, close_modal, login, open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INTEL_SECTIONS = ("killmails", "notifications", "contact_notifications", "calendar")


def no_dialogs(page) -> list[str]:
    """Collects every alert() a hostile text would open."""
    opened: list[str] = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    return opened


def test_pilot_opens_every_intel_tab(page, site, role_user):
    role_user("Normal user", ARIA, sections=INTEL_SECTIONS)
    login(page, site, ARIA)
    dialogs = no_dialogs(page)

    page.goto(character_url(site, ARIA))

    open_section(page, "killmails")
    kills = page.locator("#killmails-table tbody tr")
    expect(page.locator("#killmails-table td.dt-empty")).to_have_count(0)
    expect(kills).to_have_count(3)
    expect(page.locator("#killmails-table")).to_contain_text("Vex Morrigan")
    expect(page.locator("#killmails-table")).to_contain_text("Tama")
    expect(page.locator("#killmails-table a[href^='https://zkillboard.com/kill/']")).to_have_count(
        3
    )
    shared = page.locator("#killmails-table tbody tr", has_text="Vex Morrigan")
    expect(shared.locator(".badge.text-bg-primary", has_text="Bruno Velkan")).to_be_visible()
    shared.locator("td:not(.dtr-control)").first.click()  # the first cell may fold columns
    detail = page.locator(".killmail-detail")
    expect(detail.locator(".killmail-victim")).to_contain_text("Vex Morrigan")
    expect(detail.locator(".killmail-items")).to_contain_text("Tritanium")
    expect(detail.locator(".killmail-attackers")).to_contain_text("Dax Morrow")
    close_modal(page, "killmail-detail")
    page.click("label[for^='killmail-kind-losses-']")
    expect(kills).to_have_count(1)
    expect(kills.first).to_contain_text("Rifter")

    open_section(page, "notifications")
    table = page.locator("#notifications-table")
    expect(page.locator("#notifications-table td.dt-empty")).to_have_count(0)
    expect(table).to_contain_text("added the character as a contact")
    page.locator("label.notification-group", has_text="Wars").click()
    expect(table.locator("tbody tr").first).to_contain_text("declared war on")
    expect(table.locator("tbody tr", has_text="AllWarDeclaredMsg").first).to_be_visible()

    open_section(page, "contact_notifications")
    contacts = page.locator("#contact-notifications-table")
    expect(contacts).to_contain_text("Vex Morrigan")
    expect(contacts.locator("script")).to_have_count(0)

    open_section(page, "calendar")
    calendar = page.locator("#calendar-table")
    expect(calendar).to_contain_text("Home defense fleet")
    expect(calendar).to_contain_text("Bring barges")
    expect(calendar.locator("script, img")).to_have_count(0)

    for name in INTEL_SECTIONS:
        pane = page.locator(f"#tab-{name}")
        expect(pane.locator("script, [onerror], a[href^='javascript:']")).to_have_count(0)
    assert dialogs == []


def test_hostile_names_and_texts_show_as_text(page, site, role_user):
    """A co-attacker named like markup is shown by name; the notification's script is text."""
    role_user("Normal user", ARIA, sections=INTEL_SECTIONS)
    login(page, site, ARIA)
    dialogs = no_dialogs(page)
    page.goto(character_url(site, ARIA))

    open_section(page, "killmails")
    killmails = page.locator("#tab-killmails")
    loss = page.locator("#killmails-table tbody tr", has_text="Rifter")
    loss.locator("td:not(.dtr-control)").first.click()
    attackers = page.locator(".killmail-detail .killmail-attackers")
    expect(attackers).to_contain_text("Nox <img src=x onerror=alert(1)>")
    expect(attackers.locator("img[src='x']")).to_have_count(0)
    close_modal(page, "killmail-detail")

    open_section(page, "notifications")
    notifications = page.locator("#notifications-table")
    expect(notifications).to_contain_text('<script>alert("contact")</script>Hi')
    for pane in (killmails, page.locator("#tab-notifications"), page.locator("#killmail-detail")):
        expect(pane.locator("script, [onerror]")).to_have_count(0)
    assert dialogs == []
