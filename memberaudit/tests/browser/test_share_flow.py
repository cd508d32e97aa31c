"""An applicant shares a character, a recruiter opens it, the applicant takes it back; a share
with one chosen recruiter opens the character to that recruiter alone."""

import pytest
from playwright.sync_api import expect

from django.utils import timezone

from memberaudit.models import Character

from .conftest import BRUNO, CYRA, ELIN, character_url, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_recruiter_opens_a_character_only_while_it_is_shared(browser, site, role_user):
    role_user("Applicant", ELIN, sections=("location", "character_details"))
    role_user("Recruiter", CYRA)
    applicant = browser.new_context(viewport={"width": 1280, "height": 800})
    recruiter = browser.new_context(viewport={"width": 1280, "height": 800})
    applicant_page, recruiter_page = applicant.new_page(), recruiter.new_page()
    login(applicant_page, site, ELIN)
    login(recruiter_page, site, CYRA)
    sheet = character_url(site, ELIN)
    assert recruiter_page.goto(sheet).status == 403

    applicant_page.goto(f"{site}/member-audit/launcher/")
    applicant_page.locator(".character-share").first.click()
    expect(applicant_page.locator(".character-shared").first).to_be_visible()
    response = recruiter_page.goto(sheet)
    assert response.status == 200
    expect(recruiter_page.locator("#character-viewer")).to_contain_text("Elin Sato")

    applicant_page.locator(".character-unshare").first.click()
    expect(applicant_page.locator(".character-shared")).to_have_count(0)
    assert recruiter_page.goto(sheet).status == 403
    applicant.close()
    recruiter.close()


def test_applicant_shares_with_one_chosen_recruiter_for_a_week(browser, site, role_user):
    """The share names Cyra: she finds and opens the character, another recruiter does not;
    the applicant sees the share's end, who looked, and revokes it."""
    role_user("Applicant", ELIN, sections=("location", "character_details"))
    role_user("Recruiter", CYRA)
    role_user("Recruiter", BRUNO)
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(3)]
    applicant_page, chosen_page, other_page = (context.new_page() for context in contexts)
    login(applicant_page, site, ELIN)
    login(chosen_page, site, CYRA)
    login(other_page, site, BRUNO)
    sheet = character_url(site, ELIN)

    applicant_page.goto(f"{site}/member-audit/launcher/")
    card = applicant_page.locator(".character-card", has_text="Elin Sato")
    card.locator(".share-audience-select").select_option(label="Cyra Oris")
    card.locator(".share-days-select").select_option(label="7 days")
    card.locator(".character-share").click()
    entry = applicant_page.locator(".character-share-entry")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Cyra Oris")
    ends = Character.objects.get(eve_character__character_id=ELIN).shares.get().expires_at
    expect(entry).to_contain_text(f"until {timezone.localtime(ends):%Y-%m-%d %H:%M}")
    screenshot(applicant_page, "launcher-shares", applicant_page.locator("#character-cards"))

    chosen_page.goto(f"{site}/member-audit/finder/")
    row = chosen_page.locator("#finder-table tbody tr", has_text="Elin Sato")
    expect(row).to_contain_text(f"{timezone.localtime(ends):%Y-%m-%d}")
    assert chosen_page.goto(sheet).status == 200
    expect(chosen_page.locator("#character-viewer")).to_contain_text("Elin Sato")
    assert other_page.goto(sheet).status == 403

    applicant_page.goto(f"{site}/member-audit/launcher/")
    views = applicant_page.locator("#share-views")
    expect(views).to_contain_text("Cyra Oris")
    expect(views).not_to_contain_text("Bruno Velkan")
    screenshot(applicant_page, "launcher-share-views", views)

    applicant_page.locator(".share-revoke").click()
    expect(applicant_page.locator(".character-share-entry")).to_have_count(0)
    assert chosen_page.goto(sheet).status == 403
    for context in contexts:
        context.close()
