"""What the read API serves of each section: its datasets, each a table of rows paged alike.

A section's datasets are the server-side tables its viewer tab declares (the rows the viewer
shows), or, for a section without tables, the rows it stores (``Section.stored``), field by
field. Both are :class:`~memberaudit.tables.ServerSideTable` objects, so a new section is
served without any change here or in :mod:`memberaudit.api`.
"""

import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .models import Character
from .sections import Section
from .tables import Column, ServerSideTable

TableBuilder = Callable[[Character], ServerSideTable]


def section_datasets(section: Section) -> dict[str, TableBuilder]:
    """The datasets of ``section`` by name: its viewer tables, or else its stored rows."""
    if section.tab and section.tab.tables:
        return dict(section.tab.tables)
    return {
        relation: functools.partial(stored_rows, relation=relation)
        for relation in stored_relations(section)
    }


def stored_relations(section: Section) -> tuple[str, ...]:
    """The relations of :class:`Character` that hold the section's rows."""
    if section.stored:
        return section.stored
    return (section.name,) if section.name in _character_relations() else ()


def stored_rows(character: Character, relation: str) -> ServerSideTable:
    """The rows of ``character`` in ``relation`` as a table: every field of the model except
    its own id and the character; a link to another object is its id (``<field>_id``) and,
    when that object has a name, its name (``<field>_name``)."""
    link = _character_relations()[relation]
    model = link.related_model
    columns, joined = _model_columns(model, skip=link.field.name)
    queryset = model._default_manager.filter(**{link.field.name: character})
    return ServerSideTable(queryset.select_related(*joined), columns)


@functools.cache
def _character_relations() -> dict[str, models.ForeignObjectRel]:
    return {
        relation.get_accessor_name(): relation
        for relation in Character._meta.related_objects
        if relation.one_to_many or relation.one_to_one
    }


def _model_columns(model: type[models.Model], skip: str) -> tuple[list[Column], list[str]]:
    columns, joined = [], []
    for field in model._meta.concrete_fields:
        if field.name == skip or (field.primary_key and field.auto_created) or field.generated:
            continue
        if isinstance(field, models.AutoField):
            continue
        if field.is_relation:
            columns.append(Column(field.attname, _attribute(field.attname)))
            if _has_name(field.related_model):
                joined.append(field.name)
                columns.append(Column(f"{field.name}_name", _related_name(field.name)))
        else:
            columns.append(Column(field.attname, _attribute(field.attname)))
    return columns, joined


def _has_name(model) -> bool:
    try:
        return model._meta.get_field("name").concrete
    except FieldDoesNotExist:
        return False


def _attribute(name: str) -> Callable[[Any], Any]:
    return lambda row: plain(getattr(row, name))


def _related_name(name: str) -> Callable[[Any], Any]:
    def value(row):
        related = getattr(row, name)
        return related.name if related is not None else None

    return value


def plain(value: Any) -> Any:
    """A stored value as JSON has it: times in ISO 8601, decimals as numbers, durations in
    seconds."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | memoryview):
        return None
    return value
