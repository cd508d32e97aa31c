"""Titles: corporation titles with their names; markup is sanitized when shown."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memberaudit import updater
from memberaudit.models import CharacterTitle

from .helpers import create_character
from .sheet_helpers import install_sheet_esi

OPERATION = "GetCharactersCharacterIdTitles"


@pytest.fixture
def character(db):
    return create_character(91_100_003)


def test_should_store_titles_and_follow_renames_and_removals(character, monkeypatch):
    esi = install_sheet_esi(
        monkeypatch,
        **{OPERATION: [{"title_id": 1, "name": "Director"}, {"title_id": 2, "name": "Hauler"}]},
    )
    updater.update_section(character, "titles")
    esi[OPERATION] = [{"title_id": 1, "name": "<b>Director</b>"}]

    outcome = updater.update_section(character, "titles")

    assert outcome.is_success and outcome.changed
    assert list(character.titles.values_list("title_id", "name")) == [(1, "<b>Director</b>")]


def test_should_show_title_markup_without_scripts():
    title = CharacterTitle(
        title_id=1,
        name='<b>Boss</b><script>alert(1)</script><a href="javascript:alert(2)">x</a>',
    )

    html = str(title.name_html)

    assert "<b>Boss</b>" in html
    assert "<script" not in html and "javascript:" not in html
    assert str(title) == "Bossx"


hostile_tags = st.sampled_from(
    ["<script>", "</script>", "<img src=x onerror=alert(1)>", '<a href="javascript:x">', "<iframe>"]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=20), hostile_tags), max_size=12).map("".join))
def test_should_never_render_active_content_from_a_title(name):
    html = str(CharacterTitle(title_id=1, name=name).name_html).lower()

    assert "<script" not in html
    assert "<iframe" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
