"""The viewer's navigation: menus per group, the open section in the URL (reload, back
button, shared links) and use by keyboard alone."""

import re

import pytest
from playwright.sync_api import expect

from memberaudit.sections import registry

from .conftest import ARIA, character_url, login, open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_open_section_survives_reload_back_button_and_shared_links(page, site, role_user):
    role_user("Normal user", ARIA, sections=("skills", "wallet_journal", "assets"))
    login(page, site, ARIA)
    page.goto(character_url(site, ARIA))

    open_section(page, "skills")
    expect(page).to_have_url(re.compile("#tab-skills$"))
    open_section(page, "wallet_journal")
    expect(page).to_have_url(re.compile("#tab-wallet_journal$"))
    expect(page.locator("#nav-group-finances")).to_have_class(re.compile(r"\bactive\b"))

    page.go_back()
    expect(page.locator("#tab-skills")).to_be_visible()
    expect(page.locator("#tab-wallet_journal")).to_be_hidden()
    expect(page.locator("#nav-group-skills")).to_have_class(re.compile(r"\bactive\b"))
    expect(page.locator("#nav-group-finances")).not_to_have_class(re.compile(r"\bactive\b"))

    page.reload()
    expect(page.locator("#tab-skills")).to_be_visible()
    expect(page.locator("#tab-skills")).to_contain_text("Caldari Battlecruiser")

    shared = page.context.new_page()  # a link to a section that loads when opened
    shared.goto(character_url(site, ARIA) + "#tab-assets")
    expect(shared.locator("#tab-assets")).to_be_visible()
    expect(shared.locator("#asset-locations-table tbody tr").first).to_be_visible()
    expect(shared.locator("#asset-locations-table td.dt-empty")).to_have_count(0)


def test_sections_open_with_the_keyboard_alone(page, site, role_user):
    role_user("Normal user", ARIA, sections=("skills",))
    login(page, site, ARIA)
    page.goto(character_url(site, ARIA))
    first_skills_tab = next(s for s in registry.with_tabs() if s.tab.group == "skills")

    page.focus("#nav-group-skills")
    page.keyboard.press("Enter")  # opens the group's menu
    menu = page.locator("[data-ma-nav-group='skills'] .dropdown-menu")
    expect(menu).to_be_visible()
    page.keyboard.press("ArrowDown")  # into the menu
    expect(page.locator(f"#tab-{first_skills_tab.name}-button")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator(f"#tab-{first_skills_tab.name}")).to_be_visible()
    expect(menu).to_be_hidden()
    expect(page).to_have_url(re.compile(f"#tab-{first_skills_tab.name}$"))
    page.keyboard.press("Escape")  # nothing left open
    expect(page.locator("#viewer-nav .dropdown-menu.show")).to_have_count(0)
