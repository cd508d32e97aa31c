"""Names from EVE that are hostile to a layout (right-to-left overrides, 100+ characters) are
isolated from the text around them and cut visually wherever a page shows them."""

import html
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.urls import reverse

from ..factories import create_character

pytestmark = pytest.mark.django_db

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200f"

hostile_names = st.builds(
    lambda control, words: control + words,
    st.sampled_from(BIDI_CONTROLS),
    st.text(
        alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")),
        min_size=100,
        max_size=250,
    ),
).filter(lambda name: name.strip() == name)


def isolated(page: str, name: str) -> bool:
    """In the app's part of the page, the name shows only as the text of a ``<bdi>`` that is
    (or sits directly in) an element cut to its place (class ``ma-name``). Attribute values
    such as tooltips are no layout; Alliance Auth's own header and menu are not ours."""
    ours = page[page.index('<div class="memberaudit">') :]
    ours = re.sub(r'(?<!class)="[^"]*"', '=""', ours)  # values of attributes but class
    escaped = re.escape(html.escape(name, quote=True))
    shown = re.findall(escaped, ours)
    wrapped = re.findall(rf'class="[^"]*\bma-name\b[^"]*"[^>]*>(?:<bdi>)?{escaped}</bdi>', ours)
    return len(shown) > 0 and len(wrapped) == len(shown)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=hostile_names)
def test_should_isolate_hostile_names_in_the_viewer_and_launcher(client, name):
    character = create_character(character_name=name, corporation_name=name, alliance_name=name)
    client.force_login(character.owner)

    viewer = client.get(reverse("memberaudit:character_viewer", args=[character.pk]))
    launcher = client.get(reverse("memberaudit:launcher"))

    assert viewer.status_code == launcher.status_code == 200
    assert isolated(viewer.content.decode(), name)
    assert isolated(launcher.content.decode(), name)
