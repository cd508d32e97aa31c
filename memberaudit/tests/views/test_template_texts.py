"""Every text of the app's templates is translatable: outside ``{% translate %}`` and
``{% blocktranslate %}`` a template holds markup, variables and punctuation only, in element
content and in the attributes people read (titles, labels, texts handed to JavaScript)."""

from html.parser import HTMLParser
from pathlib import Path

import pytest

from django.template.base import Lexer, TokenType

import memberaudit

TEMPLATES = Path(memberaudit.__file__).parent / "templates"
# Attributes whose values people read: shown by the browser, or texts the JavaScript shows.
READABLE_ATTRIBUTES = {
    "title",
    "alt",
    "aria-label",
    "placeholder",
    "data-ma-filter-empty",
    "data-ma-copied",
}
TEXTS_ELEMENT = "memberaudit-table-texts"  # every data attribute but the URL is a text
BUTTON_INPUTS = {"submit", "button", "reset"}  # their value is their label


def untranslated_texts(source: str) -> list[str]:
    """The texts of a template that no translate tag covers, as found in the HTML."""
    parser = _TextFinder()
    parser.feed(_without_translated_parts(source))
    parser.close()
    return parser.found


def _without_translated_parts(source: str) -> str:
    """The template's text with every tag, variable and translated block replaced by a space
    (what a tag renders is checked where the tag is defined) and comments dropped."""
    parts = []
    in_block_translate = False
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            if name in ("blocktranslate", "blocktrans"):
                in_block_translate = True
            elif name in ("endblocktranslate", "endblocktrans"):
                in_block_translate = False
            parts.append(" ")
        elif token.token_type == TokenType.TEXT and not in_block_translate:
            parts.append(token.contents)
        elif token.token_type != TokenType.COMMENT:
            parts.append(" ")
    return "".join(parts)


def _has_words(text: str) -> bool:
    return any(character.isalpha() for character in text)


class _TextFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag in ("script", "style")
        attributes = dict(attrs)
        for name, value in attrs:
            if value and _has_words(value) and self._is_readable(tag, attributes, name):
                self.found.append(f"<{tag} {name}={value.strip()!r}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self._in_script = False

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if not self._in_script and _has_words(data):
            self.found.append(data.strip())

    @staticmethod
    def _is_readable(tag: str, attributes: dict, name: str) -> bool:
        if name in READABLE_ATTRIBUTES:
            return True
        if name == "value":
            return tag == "input" and attributes.get("type") in BUTTON_INPUTS
        return (
            attributes.get("id") == TEXTS_ELEMENT
            and name.startswith("data-")
            and name != "data-datatables-language"
        )


@pytest.mark.parametrize(
    "template",
    sorted(TEMPLATES.rglob("*.html")),
    ids=lambda path: str(path.relative_to(TEMPLATES)),
)
def test_should_translate_every_text_of_the_template(template):
    assert untranslated_texts(template.read_text()) == []


class TestTheScan:
    def test_should_find_text_outside_translate_tags(self):
        source = (
            '{% load i18n %}<th title="Identifier">ID</th><td>{{ amount }} ISK</td>'
            '<input type="submit" value="Send"><span aria-label="Close"></span>'
            '<div id="memberaudit-table-texts" data-yes="yes"></div>'
        )

        assert untranslated_texts(source) == [
            "<th title='Identifier'>",
            "ID",
            "ISK",
            "<input value='Send'>",
            "<span aria-label='Close'>",
            "<div data-yes='yes'>",
        ]

    def test_should_accept_markup_variables_punctuation_and_translated_text(self):
        source = (
            "{% load i18n %}{# a Comment #}<!-- a comment -->"
            '<th class="text-end{% if x %} active{% endif %}" data-ma-data="name">#</th>'
            '<p title="{% translate \'Name\' %}">{% translate "Labels" %}: {{ label.name }}'
            " &middot; {% blocktranslate with n=count %}{{ n }} SP{% endblocktranslate %}</p>"
            '<input type="hidden" name="confirmed" value="yes">'
            '<div id="memberaudit-table-texts" data-datatables-language="/static/de.json"></div>'
            "<script>const words = 'not shown';</script>"
        )

        assert untranslated_texts(source) == []
