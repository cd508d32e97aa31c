"""Clicking a column's header sorts the rows by that column (the browser asks the server by
the column's name, from the one declaration of the table's columns)."""

import pytest
from playwright.sync_api import expect

from allianceauth.tests.auth_utils import AuthUtils

from memberaudit.models import Character

from ..factories import share_with_all_recruiters
from .conftest import ARIA, BRUNO, DAX, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def column_texts(page, table: str, title: str) -> list[str]:
    headers = page.locator(f"#{table} thead th").all_inner_texts()
    index = [text.strip() for text in headers].index(title) + 1
    expect(page.locator(f"#{table} td.dt-empty")).to_have_count(0)
    return [
        text.strip()
        for text in page.locator(f"#{table} tbody tr td:nth-child({index})").all_inner_texts()
    ]


def test_sorting_the_finder_by_shared_sorts_by_shared(page, site, role_user):
    role_user("Alliance Auditor", ARIA, DAX)
    role_user("Normal user", BRUNO)
    dax = Character.objects.get(eve_character__character_id=DAX)
    AuthUtils.add_permissions_to_user_by_name(["memberaudit.share_characters"], dax.owner)
    share_with_all_recruiters(dax)
    login(page, site, ARIA)
    page.goto(f"{site}/member-audit/finder/")
    expect(page.locator("#finder-table tbody tr")).to_have_count(3)

    header = page.locator("#finder-table thead th", has_text="Shared")
    with page.expect_response(lambda response: "order%5B0%5D" in response.url):
        header.click()
    page.wait_for_load_state("networkidle")
    ascending = column_texts(page, "finder-table", "Shared")
    with page.expect_response(lambda response: "order%5B0%5D" in response.url):
        header.click()
    page.wait_for_load_state("networkidle")
    descending = column_texts(page, "finder-table", "Shared")

    assert ascending == ["no", "no", "yes"]
    assert descending == ["yes", "no", "no"]
