"""Template filters of Member Audit."""

import datetime as dt

from django import template

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
