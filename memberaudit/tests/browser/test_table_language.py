"""The controls and info of the tables speak the user's language (Alliance Auth's DataTables
translations), and the tables still load their rows."""

import copy

import pytest
from playwright.sync_api import expect

from django.conf import settings

from memberaudit import tables
from memberaudit.models import Character, CharacterWalletJournalEntry

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


def test_a_search_matching_many_rows_says_more_than_what_it_counted(page, site, role_user):
    """A search of a large table counts its matches only so far past the page: the table's
    info says "of more than N entries", and N grows as the pages go on."""
    role_user("Normal user", ARIA, sections=("wallet_journal",))
    character = Character.objects.get(eve_character__character_id=ARIA)
    entry = character.wallet_journal.order_by("pk").first()
    copies = []
    for number in range(1, tables.SEARCH_COUNT_AHEAD + 151):
        entry.pk = None
        entry.entry_id = 9_000_000_000 + number
        entry.description = f"Market escrow release {number}"
        copies.append(copy.copy(entry))
    CharacterWalletJournalEntry.objects.bulk_create(copies)
    counted = tables.DEFAULT_PAGE_LENGTH + tables.SEARCH_COUNT_AHEAD
    login(page, site, ARIA)

    page.goto(character_url(site, ARIA))
    open_section(page, "wallet_journal")
    journal = page.locator("#tab-wallet_journal")
    journal.locator("input[type=search]").fill("escrow release")
    info = journal.locator(".dt-info")
    expect(info).to_contain_text(f"Showing 1 to 50 of more than {counted:,} entries")
    journal.locator(".dt-paging button.next").click()
    expect(info).to_contain_text(f"Showing 51 to 100 of more than {counted + 50:,} entries")

    journal.locator("input[type=search]").fill("escrow release 1000")  # one match: exact
    expect(info).to_contain_text("Showing 1 to 1 of 1 ")
    expect(info).not_to_contain_text("more than")
