"""The controls of the tables speak the user's language (Alliance Auth's DataTables
translations), and the tables still load their rows."""

import pytest
from playwright.sync_api import expect

from django.conf import settings

from .conftest import ARIA, BRUNO, character_url, login, open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tables_show_german_controls_and_their_rows(page, site, role_user):
    role_user("Normal user", ARIA, sections=("wallet_journal",))
    role_user("Alliance Auditor", BRUNO)
    login(page, site, BRUNO)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "de", "url": site}])

    page.goto(f"{site}/member-audit/finder/")
    expect(page.locator("#finder-table_wrapper .dt-search")).to_contain_text("Suche")
    expect(page.locator("#finder-table tbody")).to_contain_text("Aria Jaxon")
    expect(page.locator("#finder-table_wrapper .dt-info")).to_contain_text("Einträgen")

    page.goto(character_url(site, ARIA))
    open_section(page, "wallet_journal")  # set up when its tab is first shown
    journal = page.locator("#tab-wallet_journal")
    expect(journal.locator(".dt-search")).to_contain_text("Suche")
    expect(journal.locator("#wallet-journal-table td.dt-empty")).to_have_count(0)
    expect(journal.locator("#wallet-journal-table tbody tr").first).to_be_visible()
