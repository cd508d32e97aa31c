"""The skill search and the ESI budget dashboard in a browser, as their users work with them."""

import pytest
from playwright.sync_api import expect

from django.contrib.auth.models import Group, Permission

from memberaudit import updater
from memberaudit.models import Character

from .conftest import ARIA, BRUNO, CYRA, DAX, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 1920)
RESULT_ROWS = "#skill-search-table tbody tr"


def expect_results(page, names: list[str]) -> None:
    """The table shows exactly these characters, by name (waits for the table to reload)."""
    expect(page.locator(f"{RESULT_ROWS} td:first-child")).to_have_text(names)


def add_condition(page, partial: str, name: str, level: str) -> None:
    """Type part of a skill's name, take the suggested name, choose the level, add it."""
    page.fill("#skill-search-name", partial)
    expect(page.locator(f"#skill-search-suggestions option[value='{name}']")).to_have_count(1)
    page.fill("#skill-search-name", name)
    page.select_option("#skill-search-level", level)
    page.click("#skill-search-add")
    expect(page.locator("#skill-search-conditions li", has_text=name)).to_be_visible()


def test_auditor_finds_the_alliances_characters_with_the_skills_asked_for(page, site, role_user):
    role_user("Normal user", ARIA, sections=("skills", "character_details"))
    role_user("Normal user", DAX, sections=("skills", "character_details"))
    role_user("Alliance Auditor", BRUNO, sections=("skills", "character_details"))
    role_user("Normal user", CYRA, sections=("skills",))  # the other alliance
    login(page, site, BRUNO)

    page.goto(f"{site}/member-audit/launcher/")
    page.get_by_role("link", name="Skill search").click()
    expect(page.get_by_role("heading", name="Skill search")).to_be_visible()
    expect(page.locator("#skill-search-empty")).to_be_visible()
    expect(page.locator(f"{RESULT_ROWS} td.dt-empty")).to_have_count(1)  # nothing asked yet

    add_condition(page, "gunn", "Gunnery", "3")
    expect_results(page, ["Aria Jaxon", "Bruno Velkan"])  # not Cyra: the other alliance

    add_condition(page, "spaceship", "Spaceship Command", "4")
    expect_results(page, ["Aria Jaxon"])
    expect(page.locator(RESULT_ROWS).first).to_contain_text("Northern Lights")
    href = page.locator("#skill-search-csv").get_attribute("href")
    assert "skills=3300%3A3%2C3327%3A4" in href

    page.locator("#skill-search-conditions li", has_text="Spaceship Command").get_by_role(
        "button"
    ).click()
    expect_results(page, ["Aria Jaxon", "Bruno Velkan"])
    page.select_option("#skill-search-filters select[name=corporation]", label="Eclipse Shipyards")
    expect_results(page, ["Aria Jaxon"])
    page.select_option("#skill-search-filters select[name=corporation]", value="")
    expect_results(page, ["Aria Jaxon", "Bruno Velkan"])

    with page.expect_download() as download:
        page.click("#skill-search-csv")
    lines = download.value.path().read_text().splitlines()
    assert lines[0].startswith("Character,Character ID,Main")
    assert len(lines) == 3

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page scrolls sideways at {width} px"
        screenshot(page, f"skill-search-{width}")


def test_skill_search_link_brings_its_skills(page, site, role_user):
    role_user("Normal user", ARIA, sections=("skills",))
    role_user("Alliance Auditor", BRUNO, sections=("skills",))
    login(page, site, BRUNO)

    page.goto(f"{site}/member-audit/skill-search/?skills=3300:5")

    expect(page.locator("#skill-search-conditions li")).to_have_count(1)
    expect(page.locator("#skill-search-conditions li")).to_contain_text("Gunnery")
    expect_results(page, ["Aria Jaxon"])


@pytest.fixture
def budget_admin(role_user):
    """A user in a group with ``view_esi_budget``, playing Cyra."""
    user = role_user("Normal user", CYRA)
    group, _ = Group.objects.get_or_create(name="ESI admins")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="memberaudit", codename__in=["view_esi_budget"]
        )
    )
    user.groups.add(group)
    return user


def test_admin_sees_how_the_updates_spent_the_esi_budget(page, site, budget_admin, fake_eve):
    cyra = Character.objects.get(eve_character__character_id=CYRA)
    for name in ("location", "ship", "skills", "wallet_journal", "contacts"):
        updater.update_section(cyra, name)
    for name in ("location", "ship", "skills"):  # unchanged: answered 304
        updater.update_section(cyra, name)
    fake_eve.faults.add(route="GetCharactersCharacterIdOnline", status=429, retry_after=60)
    updater.update_section(cyra, "online_status")
    updater.update_section(cyra, "online_status")
    fake_eve.faults.add(route="GetCharactersCharacterIdImplants", status=503)
    updater.update_section(cyra, "implants")
    login(page, site, CYRA)

    page.goto(f"{site}/member-audit/launcher/")
    page.get_by_role("link", name="ESI budget").click()

    expect(page.get_by_role("heading", name="ESI budget")).to_be_visible()
    expect(page.locator("[data-figure=requests]")).not_to_have_text("0")
    expect(page.locator("#esi-budget-routes tbody tr").first).to_be_visible()
    expect(page.locator("#esi-budget-routes")).to_contain_text("GetCharactersCharacterIdSkills")
    expect(page.locator("#esi-budget-groups")).to_contain_text("char-location")
    expect(page.locator("#esi-budget-pauses")).to_contain_text("Online status")
    expect(page.locator("#esi-budget-failures")).to_contain_text("Cyra Oris")
    for chart in ("requests", "tokens", "error_limit"):
        expect(page.locator(f"#chart-{chart}")).to_have_attribute("data-ma-ready", "1")

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 1000})
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page scrolls sideways at {width} px"
        screenshot(page, f"esi-budget-{width}")

    page.get_by_role("link", name="Last 7 days").click()
    expect(page.get_by_role("link", name="Last 7 days")).to_have_attribute("aria-current", "page")
    expect(page.locator("#chart-requests")).to_have_attribute("data-ma-ready", "1")


def test_pilot_without_the_permission_has_no_dashboard(page, site, role_user):
    role_user("Normal user", ARIA)
    login(page, site, ARIA)

    page.goto(f"{site}/member-audit/launcher/")
    expect(page.get_by_role("link", name="ESI budget")).to_have_count(0)
    response = page.goto(f"{site}/member-audit/esi-budget/")
    assert response.status == 403 or "/account/login/" in page.url
