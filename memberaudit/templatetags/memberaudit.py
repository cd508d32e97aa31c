"""Template filters of Member Audit."""

import datetime as dt

from django import template
from django.utils.html import format_html_join

register = template.Library()

EVE_TIME_FORMAT = "%Y-%m-%d %H:%M"


@register.filter
def eve_time(value) -> str:
    """A date and time in EVE time (UTC), as the tables show it: ``YYYY-MM-DD HH:MM``.

    Naive values are taken as UTC already; anything else than a datetime gives ``""``.
    """
    if not isinstance(value, dt.datetime):
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.strftime(EVE_TIME_FORMAT)


@register.filter
def select_options(choices) -> str:
    """The ``<option>`` elements of a drop-down list: one per choice, a pair of value and
    label or a plain value that is both; escaped, and numbers written plainly (no thousands
    separator in a key). Thousands of choices (an alliance's mains) render in one pass."""
    pairs = ((choice, choice) if isinstance(choice, str) else choice for choice in choices)
    return format_html_join(
        "", '<option value="{}">{}</option>', ((str(value), label) for value, label in pairs)
    )
