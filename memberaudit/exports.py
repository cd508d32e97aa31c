"""Streaming a query of any size to a compressed CSV file in constant memory.

Database drivers (MySQLdb among them) fetch a whole result before the first row is read, so a
single query over a large table would hold all of it in memory. :func:`rows_by_key` reads
the rows in chunks ordered by primary key instead: each chunk is its own query starting after
the last key seen, so memory holds one chunk at a time and no query grows slower with the
offset. :func:`write_csv_gz` writes the rows through :mod:`memberaudit.csv_export`'s
formula-neutralising cells into a gzip file, under a temporary name until it is complete.
"""

import csv
import gzip
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

from django.db.models import QuerySet

from .csv_export import safe_cell

CHUNK_SIZE = 2000


def rows_by_key(
    queryset: QuerySet, fields: Iterable[str], chunk_size: int = CHUNK_SIZE
) -> Iterator[tuple]:
    """The values of ``fields`` for every row of ``queryset``, in primary key order, read
    chunk by chunk (one query of at most ``chunk_size`` rows each)."""
    fields = list(fields)
    ordered = queryset.order_by("pk")
    last_pk = None
    while True:
        page = ordered if last_pk is None else ordered.filter(pk__gt=last_pk)
        chunk = list(page.values_list("pk", *fields)[:chunk_size])
        for row in chunk:
            yield row[1:]
        if len(chunk) < chunk_size:
            return
        last_pk = chunk[-1][0]


def csv_value(value):
    """A value as a CSV cell: times in ISO 8601, the rest as :func:`safe_cell` has it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return safe_cell(value)


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
            for row in rows:
                writer.writerow([csv_value(value) for value in row])
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
