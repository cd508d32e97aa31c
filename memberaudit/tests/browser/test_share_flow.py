"""An applicant shares a character, a recruiter opens it, the applicant takes it back."""

import pytest
from playwright.sync_api import expect

from .conftest import CYRA, ELIN, character_url, login

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
