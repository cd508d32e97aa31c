"""A pilot opens the character sheet: overview rows, each new tab, the fatigue countdown."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import ARIA, BRUNO, character_url, login, open_section, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHEET_SECTIONS = (
    "attributes",
    "corporation_roles",
    "titles",
    "medals",
    "standings",
    "faction_warfare",
    "jump_fatigue",
    "research_agents",
)


def open_tab(page, name: str):
    open_section(page, name)
    tab = page.locator(f"#tab-{name}")
    expect(tab).to_be_visible()
    return tab


def test_pilot_opens_every_character_sheet_tab(page, site, role_user):
    role_user("Normal user", ARIA, BRUNO, sections=SHEET_SECTIONS)
    login(page, site, ARIA)

    page.goto(character_url(site, ARIA))
    overview = page.locator("#character-overview")
    expect(overview.locator(".overview-attributes")).to_contain_text("Intelligence 27")
    expect(overview.locator(".overview-corporation-roles .role-key")).to_have_text(
        ["Director", "Accountant"]
    )
    expect(overview.locator(".overview-jump-fatigue")).to_contain_text("none")

    titles = open_tab(page, "titles")
    expect(titles.locator(".title-name b")).to_have_text("Director")
    medals = open_tab(page, "medals")
    expect(medals).to_contain_text("Eclipse Founder")
    expect(medals).to_contain_text("Dax Morrow")
    standings = open_tab(page, "standings")
    rows = standings.locator("tbody tr")
    expect(rows.first).to_contain_text("Caldari Navy")  # best standing first
    expect(rows.first.locator(".ma-standing-excellent")).to_have_text("+7.80")
    expect(standings.locator(".ma-standing-terrible")).to_have_text("-6.00")
    screenshot(page, "standings-tab", element=standings)
    expect(open_tab(page, "faction_warfare")).to_contain_text("Not enlisted")
    agents = open_tab(page, "research_agents")
    expect(agents).to_contain_text("Okkamon Kairaka")
    expect(agents).to_contain_text("Mechanical Engineering")
    screenshot(page, "research-agents-tab", element=agents)

    page.goto(character_url(site, BRUNO))
    expect(open_tab(page, "faction_warfare").locator(".fw-faction")).to_have_text("Caldari State")
    countdown = page.locator("#character-overview .fatigue-countdown .countdown-time")
    expect(countdown).to_have_text(re.compile(r"^0?[45]:\d\d:\d\d$"))
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first)  # it ticks


def test_launcher_card_counts_down_jump_fatigue(page, site, role_user):
    role_user("Normal user", ARIA, BRUNO, sections=("jump_fatigue",))
    login(page, site, ARIA)

    page.goto(f"{site}/member-audit/launcher/")
    bruno = page.locator(".character-card", has_text="Bruno Velkan")
    aria = page.locator(".character-card", has_text="Aria Jaxon")
    expect(bruno.locator(".character-jump-fatigue .countdown-time")).to_have_text(
        re.compile(r"^0?[45]:\d\d:\d\d$")
    )
    expect(aria.locator(".character-jump-fatigue")).to_have_count(0)
