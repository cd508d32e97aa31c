"""EVE markup (bios, titles, mail bodies) made safe to show in a web page.

EVE clients write a small HTML dialect: ``<font size="14" color="#bfffffff">``, ``<b>``,
``<br>``, links with game-only schemes such as ``showinfo:1377//93330670``. Players control
that text, so it is cleaned with an allow-list before it reaches a template: every tag,
attribute and URL scheme not listed here is dropped, and font colors and sizes are rewritten
into a strict ``style`` that we generate ourselves.

Sanitizing never drops text: before the HTML cleaner sees the markup, every tag that is not
allowed is removed on its own (its text stays), and every other ``<`` becomes text. So an
unclosed ``<math>``, ``<svg>``, ``<textarea>``, ``<title>`` or comment cannot make the parser
swallow what follows. Only the code of a complete ``<script>...</script>`` or
``<style>...</style>`` element goes with its tags.
"""

import html
import re

import nh3

from django.utils.safestring import SafeString, mark_safe

__all__ = ["eve_markup_to_text", "sanitize_eve_markup", "sanitize_eve_markup_html"]

ALLOWED_TAGS = frozenset({"a", "b", "br", "em", "font", "i", "p", "span", "strong", "u"})
ALLOWED_ATTRIBUTES = {"a": {"href"}, "font": {"color", "size"}}

# Elements whose content is code, not text: removed with their content when closed.
CODE_ELEMENT_RE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
# Anything that starts with "<": a tag, a comment, a declaration, or a lone "<".
MARKUP_TOKEN_RE = re.compile(
    r"<!--.*?-->"  # a complete comment
    r"|</?([A-Za-z][A-Za-z0-9:-]*)((?:\s[^<>]*)?)/?>"  # a complete tag
    r"|<[!?/][^<>]*>"  # a declaration, processing instruction or odd closing tag
    r"|<",  # any other "<" is text
    re.DOTALL,
)

WEB_SCHEMES = frozenset({"http", "https"})
# Game-only link schemes; harmless in a browser. The URL parser lower-cases schemes.
EVE_SCHEMES = frozenset(
    {
        "showinfo",
        "killreport",
        "fitting",
        "joinchannel",
        "helppointer",
        "opportunity",
        "localsvc",
        "contract",
    }
)

CHARACTER_TYPE_IDS = frozenset({*range(1373, 1387), 34574})
CORPORATION_TYPE_ID = 2
ALLIANCE_TYPE_ID = 16159

SHOWINFO_RE = re.compile(r"^showinfo:(\d+)(?://(\d+))?$", re.IGNORECASE)
KILLREPORT_RE = re.compile(r"^killreport:(\d+)(?::[0-9a-f]*)?$", re.IGNORECASE)
COLOR_RE = re.compile(r"^(?:#|0x)?([0-9a-f]{8}|[0-9a-f]{6})$", re.IGNORECASE)
SIZE_RE = re.compile(r"^\s*(\d{1,3})\s*(?:pt|px)?\s*$", re.IGNORECASE)
NAMED_COLORS = frozenset(
    {
        "aqua",
        "blue",
        "fuchsia",
        "gray",
        "green",
        "grey",
        "lime",
        "maroon",
        "navy",
        "olive",
        "orange",
        "purple",
        "red",
        "silver",
        "teal",
        "yellow",
    }
)
# EVE's text is white on a dark window: white in a bio only means "default color".
DEFAULT_COLOR_MIN_CHANNEL = 0xE0
MIN_FONT_SIZE, MAX_FONT_SIZE = 8, 32

# After cleaning, <font> can only carry the two values our filter wrote, so this is exact.
FONT_OPEN_RE = re.compile(r'<font((?: (?:color|size)="[^"<>]*")*)>')
FONT_ATTRIBUTE_RE = re.compile(r'(color|size)="([^"]*)"')
NEWLINE_RE = re.compile(r"\r\n|\r|\n")


def sanitize_eve_markup(text: str | None) -> str:
    """Return EVE markup as an HTML fragment that is safe to insert into a page."""
    if not text:
        return ""
    text = NEWLINE_RE.sub("<br>", _keep_text(str(text)))
    cleaned = nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        url_schemes=set(WEB_SCHEMES | EVE_SCHEMES),
        url_relative="deny",
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    cleaned = FONT_OPEN_RE.sub(_font_to_span, cleaned)
    return cleaned.replace("</font>", "</span>")


def sanitize_eve_markup_html(text: str | None) -> SafeString:
    """:func:`sanitize_eve_markup`, marked safe for templates."""
    return mark_safe(sanitize_eve_markup(text))  # noqa: S308  cleaned with an allow-list


def eve_markup_to_text(text: str | None) -> str:
    """Return the plain text of EVE markup (no tags, entities decoded), e.g. for previews.

    The result is not HTML: let the template escape it.
    """
    if not text:
        return ""
    text = NEWLINE_RE.sub("\n", str(text))
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
    cleaned = nh3.clean(_keep_text(text), tags=set(), clean_content_tags=set())
    return html.unescape(cleaned).strip()


def _keep_text(text: str) -> str:
    """Markup in which only allowed tags are tags: other tags, comments and declarations
    are removed, and every other ``<`` is written as text. NUL bytes are dropped."""
    text = CODE_ELEMENT_RE.sub("", text.replace("\x00", ""))
    return MARKUP_TOKEN_RE.sub(_markup_token, text)


def _markup_token(match: re.Match) -> str:
    token = match[0]
    if token == "<":
        return "&lt;"
    name = match[1]
    return token if name and name.lower() in ALLOWED_TAGS else ""


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "a" and attribute == "href":
        return _link_target(value)
    if element == "font" and attribute == "color":
        return _css_color(value)
    if element == "font" and attribute == "size":
        return _font_size(value)
    if element == "a" and attribute == "rel":
        return value
    return None


def _link_target(href: str) -> str | None:
    """Web links stay, game links become web links where there is one, others stay inert."""
    href = href.strip()
    if match := SHOWINFO_RE.match(href):
        type_id, item_id = int(match[1]), match[2]
        if item_id:
            if type_id in CHARACTER_TYPE_IDS:
                return f"https://evewho.com/character/{item_id}"
            if type_id == CORPORATION_TYPE_ID:
                return f"https://evewho.com/corporation/{item_id}"
            if type_id == ALLIANCE_TYPE_ID:
                return f"https://evewho.com/alliance/{item_id}"
        return href
    if match := KILLREPORT_RE.match(href):
        return f"https://zkillboard.com/kill/{match[1]}/"
    scheme = href.split(":", 1)[0].lower()
    if scheme in WEB_SCHEMES or scheme in EVE_SCHEMES:
        return href
    return None


def _css_color(value: str) -> str | None:
    """EVE writes ``#AARRGGBB``; browsers want ``#RRGGBB``. Anything else is dropped."""
    value = value.strip().lower()
    if value in NAMED_COLORS:
        return value
    match = COLOR_RE.match(value)
    if not match:
        return None
    digits = match[1]
    if len(digits) == 8:
        alpha, digits = digits[:2], digits[2:]
        if alpha == "00":
            return None
    channels = [int(digits[i : i + 2], 16) for i in (0, 2, 4)]
    if min(channels) >= DEFAULT_COLOR_MIN_CHANNEL:
        return None
    return f"#{digits}"


def _font_size(value: str) -> str | None:
    match = SIZE_RE.match(value)
    if not match:
        return None
    return str(min(MAX_FONT_SIZE, max(MIN_FONT_SIZE, int(match[1]))))


def _font_to_span(match: re.Match) -> str:
    styles = []
    for name, value in FONT_ATTRIBUTE_RE.findall(match[1]):
        if name == "color" and (value in NAMED_COLORS or re.fullmatch(r"#[0-9a-f]{6}", value)):
            styles.append(f"color: {value}")
        elif name == "size" and value.isdigit():
            styles.append(f"font-size: {value}px")
    if not styles:
        return "<span>"
    return f'<span style="{"; ".join(styles)}">'
