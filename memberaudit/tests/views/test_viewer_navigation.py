"""The viewer's navigation: a menu per group of sections, built from the registry alone."""

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from django.template import Context, Template
from django.urls import reverse

from memberaudit.sections import registry
from memberaudit.sections.base import NavGroup, Section, SectionRegistry, ViewerTab
from memberaudit.templatetags.memberaudit import eve_time

from ..factories import create_character

pytestmark = pytest.mark.django_db


def viewer_html(client, character) -> str:
    client.force_login(character.owner)
    response = client.get(reverse("memberaudit:character_viewer", args=[character.pk]))
    assert response.status_code == 200
    return response.content.decode()


def menu_of(html: str, group: str) -> str:
    start = html.index(f'data-ma-nav-group="{group}"')
    return html[start : html.index("</ul>", start)]


def groups_in_page(html: str) -> list[str]:
    return re.findall(r'data-ma-nav-group="(\w+)"', html)


def test_should_list_each_tab_under_its_sections_group_in_group_order(client):
    html = viewer_html(client, create_character())

    groups = groups_in_page(html)
    assert groups == [name for name in NavGroup.TITLES if name in groups]
    for section in registry.with_tabs():
        assert f'id="tab-{section.name}-button"' in menu_of(html, section.tab.group), section.name


def test_should_hide_groups_without_a_tab(client, monkeypatch):
    only_character = SectionRegistry()
    for section in registry:
        if not section.tab or section.tab.group == NavGroup.CHARACTER:
            only_character.register(section)
    monkeypatch.setattr("memberaudit.sections.registry", only_character)

    html = viewer_html(client, create_character())

    assert groups_in_page(html) == [NavGroup.CHARACTER]


def test_should_open_the_first_tab_of_the_first_group(client):
    html = viewer_html(client, create_character())

    first_group = groups_in_page(html)[0]
    first = next(s for s in registry.with_tabs() if s.tab.group == first_group)
    assert re.search(rf'class="dropdown-item active[^"]*" href="#tab-{first.name}"', html)
    assert f'class="tab-pane fade show active" id="tab-{first.name}"' in html
    assert html.count("tab-pane fade show active") == 1


def test_should_link_every_section_by_the_url_fragment_the_viewer_keeps(client):
    html = viewer_html(client, create_character())

    for section in registry.with_tabs():
        assert f'href="#tab-{section.name}"' in html
        assert f'data-bs-target="#tab-{section.name}"' in html


def test_should_show_a_new_section_without_any_template_change(client, monkeypatch):
    extended = SectionRegistry()
    for section in registry:
        extended.register(section)
    extended.register(
        Section(
            name="standings_example",
            title="Standings example",
            ring=3,
            fetch=lambda character, gateway: None,
            store=lambda character, data: False,
            tab=ViewerTab(template="memberaudit/tabs/loyalty.html", group=NavGroup.INTEL),
        )
    )
    monkeypatch.setattr("memberaudit.sections.registry", extended)

    html = viewer_html(client, create_character())

    assert "intel" in groups_in_page(html)
    assert 'id="tab-standings_example-button"' in menu_of(html, "intel")
    assert 'id="tab-standings_example"' in html
    assert "Standings example" in html


@given(
    moment=st.datetimes(
        min_value=dt.datetime(2003, 5, 6),
        max_value=dt.datetime(2100, 1, 1),
        timezones=st.timezones(),
    )
)
def test_should_show_any_moment_in_eve_time_in_one_format(moment):
    text = eve_time(moment)

    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", text)
    utc = moment.astimezone(dt.UTC) if moment.tzinfo else moment
    assert text == f"{utc:%Y-%m-%d %H:%M}"


def test_should_show_nothing_for_a_missing_moment():
    assert (
        Template("{% load memberaudit %}[{{ value|eve_time }}]").render(Context({"value": None}))
        == "[]"
    )
