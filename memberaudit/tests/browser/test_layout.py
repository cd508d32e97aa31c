"""Every tab of every section fits its panel at 1280x800 and 1920x1080, also with hostile
names (over 100 characters, with a right-to-left override), shows each drop-down list's
choice whole, and shows no broken image.

The sections come from the registry: a new section is checked without a change here.
"""

import pytest
from playwright.sync_api import expect

from eveuniverse.models import EveEntity

from memberaudit.models import Character
from memberaudit.sections import registry

from ..factories import create_character
from .conftest import ARIA, BRUNO, DAX, character_url, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"1280": (1280, 800), "1920": (1920, 1080)}
# A right-to-left override and a name far longer than any column.
HOSTILE = "\u202eevil name " + "Lord Commander of the Very Long Name " * 3
assert len(HOSTILE) > 100

# Elements that stick out of ``panel`` on the right or left, unless an ancestor inside the
# panel cuts them off (an ellipsis); panels and page that scroll sideways.
OVERFLOW_JS = """
(panelSelectors) => {
  const problems = [];
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const describe = (el) =>
    el.tagName.toLowerCase() + (el.id ? `#${el.id}` : "") +
    (el.className && typeof el.className === "string"
      ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const clipped = (el, panel) => {
    for (let node = el.parentElement; node && node !== panel; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (["hidden", "clip"].includes(style.overflowX)) {
        return true;
      }
    }
    return false;
  };
  for (const selector of panelSelectors) {
    for (const panel of document.querySelectorAll(selector)) {
      if (!shown(panel)) {
        continue;
      }
      const edge = panel.getBoundingClientRect();
      for (const el of panel.querySelectorAll("*")) {
        if (!shown(el) || el.closest(".dropdown-menu, .modal")) {
          continue;
        }
        // Bootstrap's rows reach into their container's padding by design; their columns'
        // padding takes it back, and what is inside the columns is checked
        if (el.classList.contains("row") || el.parentElement.classList.contains("row")) {
          continue;
        }
        const box = el.getBoundingClientRect();
        if ((box.right > edge.right + 1 || box.left < edge.left - 1) && !clipped(el, panel)) {
          problems.push(
            `${selector}: ${describe(el)} spans ${Math.round(box.left)}..${Math.round(box.right)}` +
            ` outside ${Math.round(edge.left)}..${Math.round(edge.right)}`);
        }
        const style = getComputedStyle(el);
        if (["auto", "scroll"].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1) {
          problems.push(`${selector}: ${describe(el)} scrolls sideways`);
        }
      }
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    problems.push(`page is ${document.documentElement.scrollWidth} px wide`);
  }
  return problems.slice(0, 20);
}
"""

BROKEN_IMAGES_JS = """
() => [...document.images]
  .filter((img) => img.getBoundingClientRect().width > 0)
  .filter((img) => img.complete && img.naturalWidth === 0)
  .map((img) => img.src)
"""

# Sort arrows shown before their column's title: in a right-aligned column DataTables puts the
# arrow at the cell's left edge, where it reads as the arrow of the column before.
MISPLACED_SORT_ARROWS_JS = """
() => [...document.querySelectorAll("table.ma-table > thead > tr > th")]
  .filter((th) => th.getBoundingClientRect().width > 0)
  .map((th) => [th.querySelector(".dt-column-title"), th.querySelector(".dt-column-order")])
  .filter(([title, arrow]) => title && arrow && title.textContent.trim()
    && arrow.getBoundingClientRect().width > 0)
  .filter(([title, arrow]) => {
    const text = document.createRange();
    text.selectNodeContents(title);
    return arrow.getBoundingClientRect().left < text.getBoundingClientRect().right - 1;
  })
  .map(([title]) => `sort arrow before "${title.textContent.trim()}"`)
"""

REAL_IMAGE_SERVER = "https://images.evetech.net/"
VIEWER_PANELS = ["#viewer-tab-content", "#character-overview", "#viewer-sidebar"]


@pytest.fixture
def auditor(role_user):
    """Aria with every section loaded, and an alt whose names are hostile; names of Aria's
    contacts, mail senders, items and contracts made hostile too."""
    user = role_user("Alliance Auditor", ARIA, sections=registry.names())
    create_character(
        user=user,
        character_name=HOSTILE,
        corporation_name=HOSTILE,
        alliance_name=HOSTILE,
    )
    aria = Character.objects.get(eve_character__character_id=ARIA)
    contact = aria.contacts.order_by("-standing").first()
    EveEntity.objects.filter(pk=contact.eve_entity_id).update(name=HOSTILE)
    mail = aria.mails.order_by("-timestamp").first()
    EveEntity.objects.filter(pk=mail.sender_id).update(name=HOSTILE)
    mail.subject = HOSTILE
    mail.save()
    aria.assets.filter(pk=aria.assets.order_by("pk").first().pk).update(name=HOSTILE)
    aria.contracts.update(title=HOSTILE)
    return user


def settle(page) -> None:
    """Wait until the page's requests (lazy tab, table rows, images) are done and the open
    tab has faded in."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.tab-pane.active')]"
        ".every(pane => getComputedStyle(pane).opacity === '1')"
    )
    page.wait_for_function("() => !document.querySelector('.dt-processing[style*=\"block\"]')")


def tab_urls(site: str, character_id: int) -> dict[str, str]:
    base = character_url(site, character_id)
    return {section.name: f"{base}#tab-{section.name}" for section in registry.with_tabs()}


def hostile_character_url(site: str) -> str:
    character = Character.objects.get(eve_character__character_name=HOSTILE)
    return f"{site}/member-audit/character/{character.pk}/"


# Drop-down lists too narrow for the choice they show (the browser cuts its text off).
CUT_CHOICES_JS = """
() => {
  const context = document.createElement("canvas").getContext("2d");
  return [...document.querySelectorAll("select")].filter((select) => {
    const box = select.getBoundingClientRect();
    if (!box.width || !box.height || select.multiple) return false;
    const style = getComputedStyle(select);
    context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = select.options[select.selectedIndex]?.text || "";
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const room = select.clientWidth - padding;
    return context.measureText(text).width > room + 1;
  }).map((select) => `${select.name || select.id}: ${select.options[select.selectedIndex]?.text}`);
}
"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_tab_fits_its_panel(page, site, auditor, viewport):
    page.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS[viewport], strict=True)))
    login(page, site, ARIA)
    problems = {}

    for name, url in tab_urls(site, ARIA).items():
        page.goto(url)  # a shared link: the tab opens, a lazy one loads
        expect(page.locator(f"#tab-{name}")).to_be_visible()
        expect(page.locator(f"#tab-{name} .tab-loading")).to_have_count(0)
        settle(page)
        if found := page.evaluate(OVERFLOW_JS, VIEWER_PANELS):
            problems[name] = found
        if found := page.evaluate(MISPLACED_SORT_ARROWS_JS):
            problems[f"{name} headers"] = found
        if found := page.evaluate(CUT_CHOICES_JS):
            problems[f"{name} choices"] = found

    for section in registry.with_tabs():
        page.goto(f"{hostile_character_url(site)}#tab-{section.name}")
        settle(page)
        if found := page.evaluate(OVERFLOW_JS, VIEWER_PANELS):
            problems[f"hostile {section.name}"] = found

    for name, url in {
        "launcher": f"{site}/member-audit/launcher/",
        "finder": f"{site}/member-audit/finder/",
    }.items():
        page.goto(url)
        settle(page)
        if found := page.evaluate(OVERFLOW_JS, ["*:has(> .memberaudit)", ".memberaudit .card"]):
            problems[name] = found
        if found := page.evaluate(MISPLACED_SORT_ARROWS_JS):
            problems[f"{name} headers"] = found
        if found := page.evaluate(CUT_CHOICES_JS):
            problems[f"{name} choices"] = found

    assert not problems, "\n".join(f"{name}: {found}" for name, found in problems.items())


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_no_image_is_broken(page, site, auditor, viewport):
    page.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS[viewport], strict=True)))
    login(page, site, ARIA)
    broken = {}

    pages = {**tab_urls(site, ARIA), "launcher": f"{site}/member-audit/launcher/"}
    pages["finder"] = f"{site}/member-audit/finder/"
    for name, url in pages.items():
        page.goto(url)
        settle(page)
        if found := page.evaluate(BROKEN_IMAGES_JS):
            broken[name] = sorted(set(found))

    if broken and all(
        url.startswith(REAL_IMAGE_SERVER) for urls in broken.values() for url in urls
    ):
        # Only images of EVE's image server, which this machine cannot reach: the check holds
        # once pages take their images from a server the tests can reach.
        pytest.xfail(f"only images of {REAL_IMAGE_SERVER} are broken (offline): {broken}")
    assert not broken, broken


def test_screenshots_of_launcher_viewer_and_finder(page, site, role_user):
    """With MEMBERAUDIT_SCREENSHOTS=1: the documentation's pictures, at 1280 px."""
    role_user("Alliance Auditor", ARIA, DAX, sections=registry.names())
    role_user("Normal user", BRUNO, sections=("location", "ship", "wallet_balance"))
    login(page, site, ARIA)
    page.goto(f"{site}/member-audit/launcher/")
    settle(page)
    screenshot(page, "launcher")
    page.set_viewport_size({"width": 1280, "height": 1300})  # the overview and the section
    for name in ("character_details", "assets", "wallet_journal"):
        page.goto(tab_urls(site, ARIA)[name])
        settle(page)
        page.evaluate("window.scrollTo(0, 0)")  # the link scrolled to the section
        screenshot(page, f"character-viewer-{name.replace('_', '-')}")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{site}/member-audit/finder/")
    settle(page)
    expect(page.locator("#finder-table tbody")).to_contain_text("Bruno")
    screenshot(page, "finder")
