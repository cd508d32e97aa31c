"""Member Audit's template filters."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from django.template import Context, Template
from django.test import override_settings

from memberaudit.templatetags.memberaudit import select_options


def rendered(choices) -> str:
    template = Template("{% load memberaudit %}{{ choices|select_options }}")
    return template.render(Context({"choices": choices}))


@override_settings(USE_THOUSAND_SEPARATOR=True, USE_L10N=True)
def test_should_render_keys_plainly_and_labels_escaped():
    html = rendered([(98_000_001, "<b>Corp</b> & Co"), (99_000_002, "Beta")])

    assert html == (
        '<option value="98000001">&lt;b&gt;Corp&lt;/b&gt; &amp; Co</option>'
        '<option value="99000002">Beta</option>'
    )


def test_should_take_plain_values_as_their_own_labels():
    assert rendered(['Member "A"', "Guest"]) == (
        '<option value="Member &quot;A&quot;">Member &quot;A&quot;</option>'
        '<option value="Guest">Guest</option>'
    )


def test_should_render_nothing_for_no_choices():
    assert rendered([]) == ""


@given(st.lists(st.tuples(st.integers(min_value=0), st.text())))
def test_should_never_let_a_label_open_an_element(choices):
    html = str(select_options(choices))

    assert html.count("<") == html.count("</option>") * 2
    assert html.count("<option ") == len(choices)


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "\"'><img src=x>"])
def test_should_escape_hostile_state_names(text):
    html = rendered([text])

    assert "<script" not in html and "<img" not in html
