"""A pilot reads a mail in the character viewer."""

import pytest
from playwright.sync_api import expect

from .conftest import ARIA, character_url, login, open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pilot_opens_a_mail_from_the_mails_tab(page, site, role_user):
    role_user("Normal user", ARIA, sections=("mails",))
    login(page, site, ARIA)

    page.goto(character_url(site, ARIA))
    open_section(page, "mails")
    rows = page.locator("#mails-table tbody tr")
    expect(rows.first).not_to_have_class("dt-empty")
    expect(page.locator("#mails-table td.dt-empty")).to_have_count(0)
    rows.first.click()
    reader = page.locator(".mail-reader")
    expect(reader).to_be_visible()
    expect(reader.locator(".mail-subject")).not_to_be_empty()
    expect(reader.locator(".mail-from")).not_to_have_text("-")
