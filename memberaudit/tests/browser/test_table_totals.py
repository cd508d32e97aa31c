"""A searched table still says how many rows it has ("filtered from N total entries"), though
the browser tells the server it knows that number (``total_known=1``) and the server does
not count every row again; with other filters the number is counted again."""

import pytest
from playwright.sync_api import expect

from memberaudit.models import Character

from .conftest import ARIA, BRUNO, DAX, character_url, login, open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def searched_with(text: str):
    """A predicate for the answer to a search for ``text`` (as the browser encodes it)."""
    return lambda response: f"search%5Bvalue%5D={text}&" in response.url + "&"


def test_the_journal_searched_shows_its_total_read_before(page, site, role_user):
    role_user("Normal user", ARIA, sections=("wallet_journal",))
    character = Character.objects.get(eve_character__character_id=ARIA)
    total = character.wallet_journal.count()
    found = character.wallet_journal.filter(ref_type__icontains="bounty").count()
    assert 0 < found < total
    login(page, site, ARIA)

    page.goto(character_url(site, ARIA))
    open_section(page, "wallet_journal")
    journal = page.locator("#tab-wallet_journal")
    info = journal.locator(".dt-info")
    expect(info).to_contain_text(f"of {total:,} entries")
    with page.expect_response(searched_with("bounty")) as answer:
        journal.locator("input[type=search]").fill("bounty")

    assert "total_known=1" in answer.value.url
    assert answer.value.json()["recordsTotal"] is None
    expect(info).to_contain_text(f"of {found:,} entries (filtered from {total:,} total entries)")


def test_a_filter_changed_during_a_search_counts_again(page, site, role_user):
    role_user("Alliance Auditor", BRUNO, ARIA, DAX)
    login(page, site, BRUNO)
    page.goto(f"{site}/member-audit/finder/")
    info = page.locator("#finder-table_wrapper .dt-info")
    expect(info).to_contain_text("of 3 entries")
    with page.expect_response(searched_with("Jaxon")) as answer:
        page.locator("#finder-table_wrapper input[type=search]").fill("Jaxon")
    assert "total_known=1" in answer.value.url
    expect(info).to_contain_text("of 1 entry (filtered from 3 total entries)")

    # Aria and Dax are in Eclipse Shipyards: a state of the filters not read before
    with page.expect_response(lambda response: "corporation=" in response.url) as answer:
        page.select_option("#finder-filters select[name=corporation]", label="Eclipse Shipyards")

    assert "total_known" not in answer.value.url
    assert answer.value.json()["recordsTotal"] == 2
    expect(info).to_contain_text("of 1 entry (filtered from 2 total entries)")
