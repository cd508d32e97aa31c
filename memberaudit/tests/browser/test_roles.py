"""Each role of the documentation logs in through EVE SSO and finds what it needs, and only that."""

import re

import pytest
from demo_data.skill_sets import seed_skill_sets
from playwright.sync_api import expect

from django.contrib.auth.models import User

from memberaudit.models import Character

from ..factories import share_with_all_recruiters
from .conftest import (
    ARIA,
    BRUNO,
    CYRA,
    DAX,
    ELIN,
    SHOWN_SECTIONS,
    character_url,
    login,
    open_section,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FINDER_ROWS = "#finder-table tbody tr"


def share(character_id: int) -> None:
    share_with_all_recruiters(Character.objects.get(eve_character__character_id=character_id))


def expect_forbidden(page, url: str) -> None:
    """Refused: 403 for a character, Auth's login page for a page behind a permission."""
    response = page.goto(url)
    refused = response.status == 403 or "/account/login/" in page.url
    assert refused, f"{url} answered {response.status} at {page.url}"


def finder_names(page, including: str) -> set[str]:
    """Names in the character column once the table has drawn its rows, `including` among
    them (before its first draw the table has no rows at all, so waiting for any would not
    do)."""
    expect(page.locator(FINDER_ROWS, has_text=including)).to_have_count(1)
    return {
        text.strip()
        for text in page.locator(f"{FINDER_ROWS} td:first-child").all_inner_texts()
        if text.strip()
    }


def test_pilot_sees_own_characters_in_the_launcher_and_viewer(page, site, role_user):
    role_user("Normal user", ARIA, DAX, sections=SHOWN_SECTIONS)
    login(page, site, ARIA)

    page.goto(f"{site}/member-audit/launcher/")
    expect(page.get_by_role("heading", name="My characters")).to_be_visible()
    cards = page.locator(".card", has_text="Aria Jaxon")
    expect(cards.first).to_contain_text("Jita")
    expect(cards.first).to_contain_text("Drake")
    expect(page.locator(".card", has_text="Dax Morrow").first).to_be_visible()
    expect(page.locator(".character-share")).to_have_count(0)  # no share_characters

    page.goto(character_url(site, ARIA))
    expect(page.locator("#character-viewer")).to_contain_text("Aria Jaxon")
    open_section(page, "skills")
    expect(page.locator("#tab-skills")).to_contain_text("Caldari Battlecruiser")
    open_section(page, "wallet_journal")
    expect(page.locator("#tab-wallet_journal tbody tr").first).to_be_visible()
    expect(page.locator("#tab-wallet_journal")).not_to_contain_text("No data")

    expect_forbidden(page, f"{site}/member-audit/finder/")
    expect_forbidden(page, f"{site}/member-audit/reports/")
    expect(page.locator("body")).not_to_contain_text(re.compile("Character finder"))


def test_recruiter_finds_and_opens_only_shared_characters(page, site, role_user):
    role_user("Applicant", ELIN, sections=("location", "character_details"))
    role_user("Normal user", ARIA)
    role_user("Recruiter", CYRA)
    share(ELIN)
    share(ARIA)  # Aria's owner may not share: stays hidden
    login(page, site, CYRA)

    page.goto(f"{site}/member-audit/finder/")
    names = finder_names(page, including="Elin Sato")
    assert "Elin Sato" in names
    assert "Cyra Oris" in names
    assert "Aria Jaxon" not in names
    page.locator("input[type=search]").fill("Elin")
    expect(page.locator(FINDER_ROWS)).to_have_count(1)
    expect(page.locator(FINDER_ROWS)).to_contain_text("Elin Sato")
    page.locator(f"{FINDER_ROWS} a", has_text="Elin Sato").click()
    expect(page.locator("#character-viewer")).to_contain_text("Elin Sato")

    expect_forbidden(page, character_url(site, ARIA))
    expect_forbidden(page, f"{site}/member-audit/reports/")


def test_corporation_leadership_sees_reports_but_no_finder_and_no_sheets(page, site, role_user):
    role_user("Normal user", ARIA)
    role_user("Normal user", BRUNO)
    role_user("Corporation Leadership", DAX)
    login(page, site, DAX)

    page.goto(f"{site}/member-audit/reports/")
    expect(page.get_by_role("heading", name="Reports")).to_be_visible()
    table = page.locator("[id^=report-table-]").first
    expect(table).to_contain_text("Aria Jaxon")  # same corporation
    expect(table).not_to_contain_text("Bruno Velkan")  # same alliance, other corporation
    screenshot(page, "reports")

    expect_forbidden(page, f"{site}/member-audit/finder/")
    expect_forbidden(page, character_url(site, ARIA))


def test_corporation_leadership_checks_the_demo_skill_sets_in_the_tab_and_the_report(
    page, site, role_user
):
    role_user("Corporation Leadership", DAX, ARIA, sections=("skills",))
    role_user("Normal user", BRUNO, sections=("skills",))
    seed_skill_sets()  # the demo's doctrine, imported from fittings through the fake ESI
    login(page, site, DAX)

    page.goto(character_url(site, ARIA))
    open_section(page, "skill_sets")
    tab = page.locator("#tab-skill_sets")
    expect(tab.locator("h3", has_text="Northern Lights Doctrine").locator(".badge")).to_have_text(
        "Doctrine"
    )
    expect(tab.locator("h3", has_text="Tackle")).to_be_visible()

    def skill_set(name: str):
        return tab.locator(".skill-set", has=page.locator(".skill-set-name", has_text=name))

    def state(name: str):
        return skill_set(name).locator(".badge").first

    expect(state("Starter Merlin")).to_have_text("Met")
    expect(state("Doctrine Caracal")).to_have_text("Required met")
    expect(state("Tackle Rifter")).to_have_text("Not met")
    drake = skill_set("Doctrine Drake")
    expect(state("Doctrine Drake")).to_have_text("Not met")
    expect(drake.locator(".missing-skills")).to_contain_text("Light Drone Operation")
    # Skills with a required level only are in the recommended skill queue too.
    expect(drake.locator("textarea[id$=-recommended]")).to_have_value(
        re.compile(r"Drones 1\n.*Light Drone Operation 1", re.DOTALL)
    )
    screenshot(page, "skill-sets-tab", element=tab)

    page.goto(f"{site}/member-audit/reports/")
    page.click("#report-tab-skill_sets")
    report = page.locator("#report-table-skill_sets")
    expect(report).to_contain_text("Doctrine Drake")
    expect(report).to_contain_text("Aria Jaxon")
    expect(report).to_contain_text("Dax Morrow")
    expect(report).not_to_contain_text("Bruno Velkan")  # other corporation
    page.locator("#report-skill_sets input[type=search]").fill("Starter Merlin")
    expect(report.locator("tbody tr")).to_have_count(2)
    screenshot(page, "skill-sets-report")


def test_corp_leadership_and_recruiter_has_reports_and_shared_characters(page, site, role_user):
    role_user("Applicant", ELIN)
    role_user("Normal user", BRUNO)
    role_user("Corp Leadership & Recruiter", CYRA)
    share(ELIN)
    login(page, site, CYRA)

    page.goto(f"{site}/member-audit/reports/")
    expect(page.locator("[id^=report-table-]").first).to_contain_text("Cyra Oris")
    page.goto(f"{site}/member-audit/finder/")
    names = finder_names(page, including="Elin Sato")
    assert "Elin Sato" in names
    assert "Bruno Velkan" not in names
    expect_forbidden(page, character_url(site, BRUNO))


def test_alliance_auditor_opens_every_character_of_the_alliance(page, site, role_user):
    role_user("Normal user", ARIA, sections=("location", "ship", "character_details"))
    role_user("Normal user", CYRA)
    role_user("Applicant", ELIN)
    role_user("Alliance Auditor", BRUNO)
    share(ELIN)  # shared, but the auditor has no view_shared_characters
    login(page, site, BRUNO)

    page.goto(f"{site}/member-audit/finder/")
    names = finder_names(page, including="Aria Jaxon")
    assert {"Aria Jaxon", "Bruno Velkan"} <= names
    assert "Cyra Oris" not in names
    assert "Elin Sato" not in names

    page.goto(character_url(site, ARIA))
    expect(page.locator("#character-viewer")).to_contain_text("Aria Jaxon")
    expect_forbidden(page, character_url(site, CYRA))


def test_admin_sees_characters_in_the_django_admin(page, site, role_user):
    role_user("Normal user", ARIA)
    User.objects.create_superuser("admin", "admin@example.com", "admin")

    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "admin")
    page.click("input[type=submit]")
    page.goto(f"{site}/admin/memberaudit/character/")
    expect(page.locator("#result_list")).to_contain_text("Aria Jaxon")
