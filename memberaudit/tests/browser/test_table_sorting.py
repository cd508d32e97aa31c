"""Clicking a column's header sorts the rows by that column (the browser asks the server by
the column's name, from the one declaration of the table's columns)."""

import pytest
from playwright.sync_api import expect

from allianceauth.tests.auth_utils import AuthUtils

from memberaudit.models import Character

from ..factories import share_with_all_recruiters
from .conftest import ARIA, BRUNO, DAX, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def expect_column(page, table: str, title: str, texts: list[str]) -> None:
    """Wait until the column titled `title` shows `texts` from top to bottom: a click on a
    header is answered by the server, then drawn, so reading the cells at once could read the
    rows of the draw before."""
    headers = page.locator(f"#{table} thead th").all_inner_texts()
    index = [text.strip() for text in headers].index(title) + 1
    expect(page.locator(f"#{table} tbody tr td:nth-child({index})")).to_have_text(texts)


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
    # the first order by name puts the shared character last already: wait for the answer
    # to the click, so that what is checked is the order the server gave
    with page.expect_response(lambda response: "order%5B0%5D%5Bdir%5D=asc" in response.url):
        header.click()
    expect_column(page, "finder-table", "Shared", ["no", "no", "yes"])
    with page.expect_response(lambda response: "order%5B0%5D%5Bdir%5D=desc" in response.url):
        header.click()
    expect_column(page, "finder-table", "Shared", ["yes", "no", "no"])
