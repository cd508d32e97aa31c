"""Sanitizing never drops text: unclosed, unknown or unsafe tags lose their markup only.

The inputs are generated from pieces of text and tags; the visible text of the sanitized
HTML (as a browser's parser reads it) must be exactly the text pieces, in order.
"""

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from django.urls import reverse

from memberaudit.markup import eve_markup_to_text, sanitize_eve_markup
from memberaudit.models import CharacterMail

from .factories import create_character, create_user_with_main
from .views.test_no_leaks import create_children

ALLOWED_TAGS = (
    "<b>",
    "</b>",
    "<i>",
    "</i>",
    "<u>",
    "</u>",
    "<br>",
    '<font size="14" color="#ff00ff00">',
    "</font>",
    '<a href="showinfo:1377//90000001">',
    '<a href="https://example.com/">',
    "</a>",
)
# Left open (or closed without being opened): each would swallow the rest for an HTML parser.
HOSTILE_TAGS = (
    "<math>",
    "<svg>",
    "<svg onload=alert(1)>",
    "<style>",
    "<script>",
    "<script src=//evil.example/x.js>",
    "<title>",
    "<textarea>",
    "<xmp>",
    "<plaintext>",
    "<noscript>",
    "<noembed>",
    "<iframe src=javascript:alert(1)>",
    "<template>",
    "<select>",
    "<table>",
    "<img src=x onerror=alert(1)>",
    "<!--",
    "<![CDATA[",
    "<!DOCTYPE html>",
    "<?php",
    "</math>",
    "</svg>",
    "</textarea>",
    "<unknown-tag attr='1'>",
    "<",
)
# Text as a pilot writes it; "<", ">" and "&" only come from the tags above.
TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs"), blacklist_characters="<>&", codec="utf-8"
    ),
    min_size=1,
    max_size=20,
)
PIECES = st.lists(
    st.one_of(
        TEXT.map(lambda text: ("text", text)),
        st.sampled_from(ALLOWED_TAGS).map(lambda tag: ("tag", tag)),
        st.sampled_from(HOSTILE_TAGS).map(lambda tag: ("tag", tag)),
    ),
    max_size=25,
)


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


# Never closed, these are no markup at all: they show as typed.
SHOWN_AS_TYPED = frozenset({"<", "<!--", "<![CDATA[", "<?php"})


def expected_text(pieces) -> str:
    return "".join(
        value if kind == "text" or value in SHOWN_AS_TYPED else "\n" if value == "<br>" else ""
        for kind, value in pieces
    )


@settings(max_examples=400, deadline=None)
@given(PIECES)
def test_should_keep_all_text_whatever_the_tags(pieces):
    markup = "".join(value for _kind, value in pieces)

    cleaned = sanitize_eve_markup(markup)

    assert visible_text(cleaned) == expected_text(pieces)
    assert "<script" not in cleaned and "onerror" not in cleaned and "<svg" not in cleaned


@settings(max_examples=200, deadline=None)
@given(PIECES)
def test_should_keep_all_text_in_plain_text(pieces):
    markup = "".join(value for _kind, value in pieces)

    assert eve_markup_to_text(markup) == expected_text(pieces).strip()


@pytest.mark.parametrize("tag", ["math", "svg", "style", "script", "title", "textarea", "xmp"])
def test_should_keep_the_text_after_an_unclosed_tag(tag):
    cleaned = sanitize_eve_markup(f"Hello <{tag}>fly safe <b>o7</b>")

    assert visible_text(cleaned) == "Hello fly safe o7"
    assert "<b>o7</b>" in cleaned


def test_should_still_remove_the_code_of_closed_script_and_style():
    cleaned = sanitize_eve_markup("a<script>alert(1)</script>b<style>p{}</style>c")

    assert visible_text(cleaned) == "abc"


def test_should_keep_comparisons_and_hearts():
    assert visible_text(sanitize_eve_markup("a < b > c <3")) == "a < b > c <3"


def test_should_drop_nul_bytes():
    assert visible_text(sanitize_eve_markup("fly\x00 safe")) == "fly safe"


def long_markup(size: int) -> str:
    chunk = "Line <b>bold</b> <font color='#ff00ff00'>green</font> <math>x <svg>y<br>"
    text = (chunk * (size // len(chunk) + 1))[:size]
    return text + "THE-END"


def test_should_render_a_100000_character_bio_whole():
    markup = long_markup(100_000)

    cleaned = sanitize_eve_markup(markup)

    expected = markup.replace("<br>", "\n")
    for tag in ("<b>", "</b>", "<font color='#ff00ff00'>", "</font>", "<math>", "<svg>"):
        expected = expected.replace(tag, "")
    assert visible_text(cleaned) == expected
    assert cleaned.endswith("THE-END")


@pytest.mark.django_db
def test_should_show_a_100000_character_mail_whole(client):
    user = create_user_with_main()
    character = create_character(user=user, character_name="Own Pilot")
    mail = create_children(character, "OWN")["mail"]
    CharacterMail.objects.filter(pk=mail.pk).update(body=long_markup(100_000))
    client.force_login(user)

    response = client.get(reverse("memberaudit:character_mail", args=[character.pk, mail.mail_id]))

    assert response.status_code == 200
    assert "THE-END" in response.content.decode()
    assert response.content.decode().count("green") >= long_markup(100_000).count("green")
