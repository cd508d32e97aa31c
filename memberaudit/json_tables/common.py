"""Helpers the tables share: labels of choices, places and names, numbers and dates."""

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from django.db.models import (
    Case,
    CharField,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.functional import Promise
from django.utils.translation import gettext

from ..models.locations import ASSET_SAFETY_ID, STRUCTURE_MIN_ID
from ..tables import Column, SearchAmong


def labels_of(field: str, choices, default=None) -> Case:
    """A sort key for a field with choices: each value's label in the viewer's language, so
    the column sorts as it is shown; other values sort as ``default`` (blank)."""
    return Case(
        *(When(**{field: value}, then=Value(str(label))) for value, label in choices),
        default=Value("") if default is None else default,
        output_field=CharField(),
    )


def place_sort(path: str) -> Case:
    """A sort key for a place (``path`` to a location) as it is shown: a named place by its
    name, an unknown one by what it is shown as (without its id)."""
    return Case(
        When(**{f"{path}__isnull": True}, then=Value("")),
        When(
            **{f"{path}__name": ""},
            then=Case(
                When(**{f"{path}_id": ASSET_SAFETY_ID}, then=Value(gettext("Asset Safety"))),
                When(
                    **{f"{path}_id__gte": STRUCTURE_MIN_ID},
                    then=Value(gettext("Unknown structure")),
                ),
                default=Value(gettext("Unknown location")),
            ),
        ),
        default=F(f"{path}__name"),
        output_field=CharField(),
    )


def name_contains(relation: str, related) -> Callable[[str], Q]:
    """A search of the name of a related row (``related``: its model or a queryset): the
    database finds the few matching related rows first instead of joining every row."""
    rows = related if isinstance(related, QuerySet) else related.objects.all()
    return lambda text: Q(**{f"{relation}__in": rows.filter(name__icontains=text).values("pk")})


def iso(value) -> str | None:
    return value.isoformat() if value else None


def number(value) -> float | None:
    return None if value is None else float(value)


def entity_name(entity) -> str:
    return entity.name if entity is not None and entity.name else ""


def place_name(location) -> str:
    return location.display_name if location is not None else ""


def number_column(
    name: str,
    title: str | Promise,
    priority: int = 5,
    *,
    render: str = "number",
    order_by: str | None = "",
    value: Callable[[Any], Any] | None = None,
) -> Column:
    """A sortable column of a number (``render``: "number", "isk", "percent"...) named
    ``name``: its value is the row's field ``name`` (an attribute, or a key of a dict row)
    unless ``value`` reads it, and it sorts by ``order_by`` (the field ``name`` when not
    given, None for a column that does not sort)."""
    return Column(
        name,
        value or _field(name),
        order_by=name if order_by == "" else order_by,
        title=title,
        render=render,
        priority=priority,
    )


def name_column(
    name: str,
    field: str,
    search: "str | Callable[[str], Q] | SearchAmong",
    title: str | Promise,
    priority: int,
) -> Column:
    """A sortable, searchable column of a name shown as text, named ``name``: its value is the
    row's attribute ``field``, it sorts by ``field`` and is searched by ``search`` (see
    :attr:`memberaudit.tables.Column.search`)."""
    return Column(
        name,
        attrgetter(field),
        order_by=field,
        search=search,
        title=title,
        priority=priority,
    )


def _field(name: str) -> Callable[[Any], Any]:
    def read(row):
        return row[name] if isinstance(row, dict) else getattr(row, name)

    return read
