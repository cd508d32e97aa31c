"""Browsing assets place by place, launcher cards with many characters, and pictures that
always load (from the fake server's placeholders) or at least never spill over the page."""

import random

import pytest
from playwright.sync_api import expect

from memberaudit.models import (
    Character,
    CharacterAsset,
    CharacterLocation,
    CharacterShip,
    CharacterSkillpoints,
    CharacterWalletBalance,
    Location,
)

from ..factories import create_character, keep_asset_summaries
from .conftest import ARIA, DAX, character_url, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JITA_STATION = "Jita IV - Moon 4 - Caldari Navy Assembly Plant"
LOCKED_CITADEL = 1040200000012
WIDTHS = (1280, 1920)

# Once every picture of the page has finished (loaded or failed), those that failed; false
# while any is still loading. Asked in one evaluation, so that a picture a table has just
# drawn is waited for rather than taken for broken.
BROKEN_IMAGES = """() => {
    const images = [...document.images];
    if (!images.every((img) => img.complete)) return false;
    return images.filter((img) => img.naturalWidth === 0)
        .map((img) => img.currentSrc || img.src || img.outerHTML);
}"""
# Asks again, once, for each picture that did not load: a connection the busy test server
# dropped loads the second time, a wrong address fails again.
RELOAD_BROKEN_IMAGES = """async () => {
    const broken = [...document.images].filter((img) => img.naturalWidth === 0 && img.src);
    await Promise.all(broken.map((img) => new Promise((done) => {
        img.addEventListener('load', done, {once: true});
        img.addEventListener('error', done, {once: true});
        const url = new URL(img.src);
        url.searchParams.set('again', '1');
        img.src = url.href;
    })));
    return broken.length;
}"""


def broken_images(page) -> list[str]:
    """The pictures of the page that did not load, once none is loading any more (a busy
    machine may still be drawing the last icons), nor when asked for again."""
    if page.wait_for_function(BROKEN_IMAGES, timeout=20_000).json_value():
        page.evaluate(RELOAD_BROKEN_IMAGES)
    return page.wait_for_function(BROKEN_IMAGES, timeout=20_000).json_value()


# Pictures drawn larger than their declared box (a broken picture's alt text spilling over).
OVERFLOWING_IMAGES = """() => [...document.querySelectorAll('.memberaudit img[width]')]
    .filter((img) => img.getBoundingClientRect().width > Number(img.getAttribute('width')) + 1)
    .map((img) => img.outerHTML)"""


def give_unknown_place(character: Character) -> None:
    """An item in a structure ESI does not describe to the character."""
    Location.objects.get_or_create(id=LOCKED_CITADEL)
    CharacterAsset.objects.create(
        character=character,
        item_id=9_200_000_001,
        eve_type_id=character.assets.first().eve_type_id,
        location_id=LOCKED_CITADEL,
        place_id=LOCKED_CITADEL,
    )
    keep_asset_summaries(character)


def add_pilots(user, count: int) -> None:
    """More characters for ``user``, with the figures a card shows, copied from the user's
    loaded main so that every card is filled in."""
    main = Character.objects.select_related("location", "ship").get(
        eve_character__character_id=ARIA
    )
    rng = random.Random(18)
    for index in range(count):
        character = create_character(
            user, character_name=f"{rng.choice(['Ari', 'Bex', 'Cor', 'Dru'])} Pilot {index:02d}"
        )
        CharacterLocation.objects.create(
            character=character,
            eve_solar_system_id=main.location.eve_solar_system_id,
            location_id=main.location.location_id,
        )
        CharacterShip.objects.create(
            character=character,
            eve_type_id=main.ship.eve_type_id,
            item_id=9_300_000_000 + index,
            name=f"Ship {index}",
        )
        CharacterWalletBalance.objects.create(
            character=character, total=rng.randint(0, 9_999_999_999_99) / 100
        )
        CharacterSkillpoints.objects.create(character=character, total=rng.randint(0, 250_000_000))


def test_pilot_browses_assets_from_places_to_the_contents_of_a_container(page, site, role_user):
    role_user("Normal user", ARIA, sections=("location", "ship", "assets"))
    give_unknown_place(Character.objects.get(eve_character__character_id=ARIA))
    login(page, site, ARIA)

    page.goto(character_url(site, ARIA, "#tab-assets"))
    browser = page.locator(".asset-browser")
    path = browser.locator("[data-ma-drilldown-path] li")
    places = browser.locator("#asset-locations-table tbody tr")
    expect(places.first).not_to_have_class("dt-empty")
    expect(path).to_have_text(["All places"])
    # structures ESI does not describe are labelled as such and come last
    expect(places.last).to_contain_text(f"Unknown structure #{LOCKED_CITADEL}")
    expect(places.first).not_to_contain_text("Unknown")
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot(page, "assets-places-1280", element=page.locator("#tab-assets"))

    browser.get_by_role("link", name=JITA_STATION).click()
    expect(path).to_have_text(["All places", JITA_STATION])
    expect(browser.locator(".asset-items-table")).to_contain_text("Forge Flame")
    browser.get_by_role("link", name="Forge Flame").click()
    expect(path).to_have_text(["All places", JITA_STATION, "Forge Flame"])
    browser.get_by_role("link", name="Ammo box").click()
    expect(path).to_have_text(["All places", JITA_STATION, "Forge Flame", "Ammo box"])
    expect(browser.locator(".asset-items-table tbody tr").first).not_to_have_class("dt-empty")
    assert broken_images(page) == []  # item icons from the placeholder server
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"assets-drill-down-{width}", element=page.locator("#tab-assets"))

    # a breadcrumb goes back up, to the level as it was left
    path.get_by_role("link", name=JITA_STATION).click()
    expect(path).to_have_text(["All places", JITA_STATION])
    expect(browser.locator(".asset-items-table")).to_contain_text("Forge Flame")
    path.get_by_role("link", name="All places").click()
    expect(path).to_have_text(["All places"])
    expect(places.last).to_contain_text("Unknown structure")

    # the flat table still searches every item
    page.click("#assets-search-button")
    expect(browser).to_be_hidden()
    page.locator(".asset-search input[type=search]").fill("Ammo box")
    expect(page.locator("#assets-table tbody")).to_contain_text("Ammo box")


def test_launcher_shows_fifty_characters_in_a_grid_with_the_main_first(page, site, role_user):
    user = role_user("Normal user", ARIA, DAX, sections=("location", "ship", "wallet_balance"))
    add_pilots(user, 48)
    login(page, site, ARIA)

    page.goto(f"{site}/member-audit/launcher/")
    cards = page.locator("#character-cards .character-card")
    expect(cards).to_have_count(50)
    expect(cards.first).to_contain_text("Aria Jaxon")
    expect(cards.first.locator(".character-main")).to_be_visible()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 1000})
        tops = [box["y"] for box in (card.bounding_box() for card in cards.all()[:4])]
        assert tops[0] == tops[1] == tops[2]  # side by side, not one long column
        # no card is wider than its column and no figure wraps inside a word
        assert (
            page.evaluate(
                """() => [...document.querySelectorAll('.character-card')]
                .filter((card) => card.scrollWidth > card.clientWidth + 1).length"""
            )
            == 0
        )
        assert (
            page.evaluate(
                """() => [...document.querySelectorAll('.character-wallet, .character-skillpoints')]
                .filter((figure) => figure.getClientRects().length > 1
                    || figure.scrollWidth > figure.clientWidth + 1).length"""
            )
            == 0
        )
        assert broken_images(page) == []
        screenshot(page, f"launcher-many-{width}")

    page.fill("#character-filter", "pilot 07")
    expect(page.locator("#character-cards .character-card:visible")).to_have_count(1)


@pytest.mark.parametrize("where", ["launcher", "viewer", "finder"])
def test_no_picture_is_broken_offline(page, site, role_user, where):
    role_user("Alliance Auditor", ARIA, sections=("location", "ship", "implants"))
    login(page, site, ARIA)
    urls = {
        "launcher": f"{site}/member-audit/launcher/",
        "viewer": character_url(site, ARIA, "#tab-implants"),
        "finder": f"{site}/member-audit/finder/",
    }

    page.goto(urls[where])
    page.wait_for_load_state("networkidle")
    if where == "finder":
        expect(page.locator("#finder-table tbody img").first).to_be_visible()
    if where == "viewer":
        expect(page.locator("#implants-list img").first).to_be_visible()

    assert page.evaluate("() => document.images.length") > 0
    assert broken_images(page) == []


def test_unreachable_pictures_never_spill_over_the_page(page, site, role_user, settings):
    settings.MEMBERAUDIT_IMAGE_SERVER_URL = "http://127.0.0.1:9/nothing-here"
    role_user("Normal user", ARIA, DAX, sections=("location", "ship", "implants"))
    login(page, site, ARIA)

    for url in (f"{site}/member-audit/launcher/", character_url(site, ARIA, "#tab-implants")):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.evaluate(OVERFLOWING_IMAGES) == []
