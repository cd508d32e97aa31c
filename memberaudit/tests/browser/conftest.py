"""Browser tests: Debian's chromium through Playwright, against a live Auth site and the fake
EVE server. Users log in through the real SSO flow: the Auth login page, the fake SSO's
character list, back to the dashboard.

Users and characters are created directly (with real tokens from the fake SSO, so the owner
hashes match); only the sections a test shows are loaded from the fake server.
"""

import os
import time
from pathlib import Path

import pytest
from demo_data.world import ROLE_PERMISSIONS
from playwright.sync_api import expect

from django.contrib.auth.models import Group, Permission

from memberaudit import updater
from memberaudit.models import Character

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"

# Scenario characters of the default scenario and the roles they play here.
ARIA = 90000001  # pilot: Eclipse Shipyards, Northern Lights Collective, all sections filled in
BRUNO = 90000002  # alliance auditor: Rust Belt Industries, same alliance as Aria
CYRA = 90000003  # recruiter: Sanctum Logistics, the other alliance
DAX = 90000004  # corporation leadership: Eclipse Shipyards, like Aria
ELIN = 90000005  # applicant: an NPC corporation, no alliance

# The example roles of the documentation: the same groups as in the demo.
ROLES = ROLE_PERMISSIONS

# How long an assertion waits for the page to show something. Playwright's 5 s is too short
# for the single-threaded live server on SQLite when the machine is busy (CI runs two test
# workers on two cores); a page that never shows it still fails.
EXPECT_TIMEOUT_MS = 20_000

SHOWN_SECTIONS = (
    "location",
    "ship",
    "character_details",
    "wallet_balance",
    "wallet_journal",
    "skills",
    "skill_queue",
    "attributes",
    "corporation_roles",
    "jump_fatigue",
)


@pytest.fixture(scope="session", autouse=True)
def django_beside_playwright():
    """Playwright's sync API keeps an event loop in the test thread, and Django refuses
    database calls from a thread with a running loop unless told that this is safe."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE")


@pytest.fixture(scope="session", autouse=True)
def patient_assertions():
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.fixture
def page(page):
    """Playwright's page, whose ``goto`` first lets the current page's requests finish.

    The SQLite test database takes one writer at a time: a table request still running while
    the next page loads could make both save the session at once, which is answered 400.
    """
    navigate = page.goto

    def goto(url, **kwargs):
        page.wait_for_load_state("networkidle")
        return navigate(url, **kwargs)

    page.goto = goto
    return page


@pytest.fixture(autouse=True)
def close_browser_before_database_flush(transactional_db, context):
    """Close the pages before the test database is emptied.

    Set up after the database and before the page, this is torn down in between: otherwise a
    page still loading (a lazy tab, a redirect) could write to the database while it is
    flushed. The pause lets requests already inside the live server finish.
    """
    yield
    context.close()
    time.sleep(0.5)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def site(live_server, fake_eve, monkeypatch, settings):
    """The live site's URL, with the SSO callback pointing at it and every picture (Member
    Audit's, Alliance Auth's menu) coming from the fake server's placeholders."""
    from esi import app_settings

    from fake_eve import wiring

    monkeypatch.setattr(app_settings, "ESI_SSO_CALLBACK_URL", f"{live_server.url}/sso/callback")
    images_url = f"{fake_eve.base_url}/images"
    settings.MEMBERAUDIT_IMAGE_SERVER_URL = images_url
    for name in wiring.IMAGE_SERVER_MODULES:
        monkeypatch.setattr(f"{name}._EVE_IMAGE_SERVER_URL", images_url)
    return live_server.url


@pytest.fixture
def role_user(make_character):
    """``role_user(role, main_id, *alt_ids, sections=())`` makes a user in the role's group
    (named after the role) whose characters are registered; ``sections`` are loaded from the
    fake server for all of them."""

    def factory(role: str, main_id: int, *alt_ids: int, sections=()):
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="memberaudit", codename__in=ROLES[role]
            )
        )
        main = make_character(main_id)
        user = main.eve_character.character_ownership.user
        user.email = f"{user.username}@example.com"
        user.save()
        user.groups.add(group)
        characters = [main] + [make_character(alt_id, user=user) for alt_id in alt_ids]
        for character in characters:
            for name in sections:
                outcome = updater.update_section(character, name)
                assert outcome.is_success, f"{character}: {name}: {outcome.message}"
        return user

    return factory


def login(page, site: str, character_id: int) -> None:
    """Log in like a user does: Auth's login page, the EVE SSO button, pick the character."""
    page.goto(f"{site}/account/login/")
    page.click("a[href='/sso/login']")
    page.click(f"a.character[data-character-id='{character_id}']")
    page.wait_for_url(f"{site}/dashboard/")


def character_url(site: str, character_id: int, suffix: str = "") -> str:
    character = Character.objects.get(eve_character__character_id=character_id)
    return f"{site}/member-audit/character/{character.pk}/{suffix}"


def open_section(page, name: str) -> None:
    """Open a section of the character viewer as a user does: its group's menu, then it."""
    item = page.locator(f"#tab-{name}-button")
    page.locator("#viewer-nav .nav-item.dropdown", has=item).locator(".dropdown-toggle").click()
    item.click()
    expect(page.locator(f"#tab-{name}")).to_be_visible()


def close_modal(page, modal_id: str) -> None:
    """Close a Bootstrap modal as a user does, once it has finished opening: Bootstrap ignores
    a close during the opening transition, and it focuses the modal when that ends."""
    page.wait_for_function(
        "id => { const modal = document.getElementById(id);"
        " return modal.classList.contains('show') && modal.contains(document.activeElement); }",
        arg=modal_id,
    )
    page.locator(f"#{modal_id} .btn-close").click()
    expect(page.locator(f"#{modal_id}")).to_be_hidden()


def screenshot(page, name: str, element=None) -> None:
    """With ``MEMBERAUDIT_SCREENSHOTS=1``, save the visible part of the page (or just
    ``element``, a locator) as ``docs/screenshots/<name>.png`` for the documentation."""
    if os.environ.get("MEMBERAUDIT_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # a tab just opened fades in: wait until it is opaque
    page.wait_for_function(
        "() => [...document.querySelectorAll('.tab-pane.active')]"
        ".every(pane => getComputedStyle(pane).opacity === '1')"
    )
    (element or page).screenshot(path=str(SCREENSHOTS / f"{name}.png"), type="png")
