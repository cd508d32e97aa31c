"""Reading a query of any size in bounded memory, and streaming it to a compressed CSV file.

Database drivers (MySQLdb among them) fetch a whole result before the first row is read, so a
single query over a large table would hold all of it in memory. Every CSV of the app, the
downloads and the data exports, reads its rows in chunks of primary keys instead, so memory
holds one chunk at a time:

- in primary key order (:func:`rows_by_key`, the data exports) each chunk is one query
  starting after the last key seen, so no query grows slower with the offset;
- in any other order (:func:`objects_in_order`, the report and search downloads) the keys are
  read first, in one query of integers only, then each chunk's rows by key, in the same order.

:func:`write_csv_gz` writes the rows through :mod:`memberaudit.csv_export`'s
formula-neutralising cells into a gzip file, under a temporary name until it is complete.
"""

import csv
import gzip
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

from django.db.models import Model, QuerySet

from .csv_export import safe_cell, yes_and_no

CHUNK_SIZE = 2000


def rows_by_key(
    queryset: QuerySet, fields: Iterable[str], chunk_size: int = CHUNK_SIZE
) -> Iterator[tuple]:
    """The values of ``fields`` for every row of ``queryset``, in primary key order, read
    chunk by chunk (one query of at most ``chunk_size`` rows each)."""
    for chunk in _chunks_after_key(queryset, ["pk", *fields], chunk_size):
        for row in chunk:
            yield row[1:]


def key_chunks(queryset: QuerySet, chunk_size: int = CHUNK_SIZE) -> Iterator[list]:
    """The primary keys of ``queryset`` in its order, in lists of at most ``chunk_size``.

    Ordered by the primary key alone (or not at all), each list is one query after the last
    key seen; in any other order all keys are read first, in one query of keys only."""
    if _ordered_by_key_alone(queryset):
        for chunk in _chunks_after_key(queryset, ["pk"], chunk_size):
            yield [row[0] for row in chunk]
        return
    keys = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(keys), chunk_size):
        yield keys[start : start + chunk_size]


def objects_in_order(
    queryset: QuerySet, chunk_size: int = CHUNK_SIZE, rows: QuerySet | None = None
) -> Iterator[Model]:
    """Every object of ``queryset`` in its order, loaded chunk by chunk of keys
    (:func:`key_chunks`): one query per chunk, plus the queryset's ``prefetch_related``.

    The objects come from ``rows`` when given (its ``select_related``, annotations and
    prefetches): the same rows without the conditions that chose the keys, so that a
    chunk is looked up by key alone. A row deleted meanwhile is left out."""
    for keys in key_chunks(queryset, chunk_size):
        yield from in_key_order(queryset if rows is None else rows, keys)


def in_key_order(rows: QuerySet, keys: list) -> list[Model]:
    """The objects of ``rows`` with the given ``keys``, in the keys' order, in one query; a
    key without a row (deleted meanwhile, or not among ``rows``) is left out."""
    by_key = rows.order_by().in_bulk(keys)
    return [by_key[key] for key in keys if key in by_key]


def _chunks_after_key(
    queryset: QuerySet, fields: list[str], chunk_size: int
) -> Iterator[list[tuple]]:
    """The values of ``fields`` (the first being ``pk``) in primary key order, one query of
    at most ``chunk_size`` rows per chunk."""
    ordered = queryset.order_by("pk")
    last_pk = None
    while True:
        page = ordered if last_pk is None else ordered.filter(pk__gt=last_pk)
        chunk = list(page.values_list(*fields)[:chunk_size])
        if chunk:
            yield chunk
        if len(chunk) < chunk_size:
            return
        last_pk = chunk[-1][0]


def _ordered_by_key_alone(queryset: QuerySet) -> bool:
    query = queryset.query
    order = query.order_by or (queryset.model._meta.ordering if query.default_ordering else ())
    return tuple(order) in ((), ("pk",), (queryset.model._meta.pk.name,))


def csv_value(value, yes_no: tuple[str, str] | None = None):
    """A value as a CSV cell: times in ISO 8601, the rest as :func:`safe_cell` has it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return safe_cell(value, yes_no)


def write_csv_gz(
    path: Path,
    headers: Iterable,
    rows: Iterable[Iterable],
    on_progress: Callable[[int], None] | None = None,
    progress_every: int = CHUNK_SIZE,
) -> int:
    """Write a gzip compressed CSV file with a header line to ``path``; return the number of
    rows. ``on_progress(rows written)`` is called every ``progress_every`` rows.

    The file is written as ``<path>.part`` and renamed when complete, so ``path`` is never
    a half-written file; a failure removes the partial file.
    """
    path = Path(path)
    partial = path.with_name(f"{path.name}.part")
    count = 0
    try:
        with gzip.open(partial, "wt", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow([safe_cell(str(title)) for title in headers])
            yes_no = yes_and_no()
            for row in rows:
                writer.writerow([csv_value(value, yes_no) for value in row])
                count += 1
                if on_progress and count % progress_every == 0:
                    on_progress(count)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if on_progress:
        on_progress(count)
    return count
