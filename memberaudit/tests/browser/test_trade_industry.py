"""A pilot opens the trade and industry tabs: tables fill, colonies warn, charts draw."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import ARIA, character_url, login, open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECTIONS = (
    "wallet_journal",
    "wallet_transactions",
    "market_orders",
    "industry_jobs",
    "blueprints",
    "mining_ledger",
    "planets",
)


def open_tab(page, name: str):
    open_section(page, name)
    pane = page.locator(f"#tab-{name}")
    expect(pane).to_be_visible()
    return pane


def test_pilot_sees_trade_and_industry_with_charts(page, site, role_user):
    role_user("Normal user", ARIA, sections=SECTIONS)
    login(page, site, ARIA)

    page.goto(character_url(site, ARIA))
    expect(page.locator(".overview-escrow")).to_contain_text("250,000 ISK")
    expect(page.locator(".overview-on-market")).to_contain_text("1,950,000 ISK")

    pane = open_tab(page, "wallet_transactions")
    expect(pane.locator("tbody tr")).to_have_count(3)
    expect(pane).to_contain_text("Tritanium")

    pane = open_tab(page, "market_orders")
    expect(pane.locator("tbody tr")).to_have_count(2)  # open orders first
    page.select_option("#market-orders-state", "closed")
    expect(pane.locator("tbody tr")).to_have_count(3)
    expect(pane).to_contain_text("filled")

    pane = open_tab(page, "industry_jobs")
    expect(pane.locator("tbody tr")).to_have_count(3)
    expect(pane).to_contain_text("Unknown structure")
    expect(pane.locator(".industry-jobs-active")).to_have_text("1")
    expect(pane).to_contain_text(re.compile(r"[78] h \d{1,2} min"))  # the active job's time left

    pane = open_tab(page, "blueprints")
    expect(pane.locator("tbody tr")).to_have_count(3)
    expect(pane).to_contain_text("copy")

    pane = open_tab(page, "planets")
    expect(pane.locator(".planet-colony")).to_have_count(2)
    expect(pane.locator(".colony-expired")).to_have_count(1)
    expect(pane.locator(".colony-planet").first).to_have_text(
        re.compile(r"^(Tama|Rens|Hek) [IVX]+$")
    )
    expect(pane.locator(".colony-pin-extractor")).to_have_count(4)
    expect(pane.locator(".colony-pin-extractor.table-danger")).to_have_count(2)
    expect(pane.locator(".colony-pin-type").first).to_contain_text("Command Center")
    expect(pane.locator(".colony-pin-product").nth(1)).not_to_be_empty()

    pane = open_tab(page, "mining_ledger")
    expect(pane.locator(".mining-month")).to_have_count(2)
    expect(pane.locator("#chart-mined_volume[data-ma-ready='1']")).to_have_count(1)

    open_tab(page, "wallet_journal")
    expect(page.locator("#chart-wallet_balance[data-ma-ready='1']")).to_have_count(1)
    expect(page.locator("#chart-isk_flow[data-ma-ready='1']")).to_have_count(1)

    page.goto(f"{site}/member-audit/launcher/")
    expect(page.locator(".character-extractors-expired")).to_have_count(1)
