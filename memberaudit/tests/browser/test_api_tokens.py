"""A pilot makes a personal API token, copies it, a program reads their character with it,
and the pilot revokes it."""

import pytest
from playwright.sync_api import expect

from allianceauth.tests.auth_utils import AuthUtils

from .conftest import DAX, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 1920])
def test_pilot_makes_uses_and_revokes_a_token(browser, site, role_user, width):
    user = role_user("Normal user", DAX)
    AuthUtils.add_permissions_to_user_by_name(["memberaudit.api_access"], user)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    login(page, site, DAX)

    page.goto(f"{site}/member-audit/launcher/")
    page.get_by_role("link", name="API tokens").click()
    expect(page.locator("#no-api-tokens")).to_be_visible()
    page.get_by_label("Name").fill("Fleet spreadsheet")
    page.get_by_role("button", name="Create token").click()

    shown = page.locator("#new-api-token-value")
    expect(shown).to_be_visible()
    token = shown.input_value()
    assert token.startswith("ma_")
    expect(page.locator("#api-tokens .api-token")).to_have_count(1)
    expect(page.locator("#api-tokens")).to_contain_text("Fleet spreadsheet")
    if width == 1280:
        screenshot(page, "api-tokens")

    api = context.request
    characters = api.get(
        f"{site}/member-audit/api/characters/", headers={"Authorization": f"Bearer {token}"}
    )
    assert characters.status == 200
    assert [row["name"] for row in characters.json()["results"]] == ["Dax Morrow"]

    page.goto(f"{site}/member-audit/api-tokens/")
    expect(page.locator("#new-api-token-value")).to_have_count(0)  # shown once only
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator("#api-tokens")).to_contain_text("revoked")
    refused = api.get(
        f"{site}/member-audit/api/characters/", headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status == 401
    context.close()
