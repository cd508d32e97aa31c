"""CSV files the app writes, safe to open in a spreadsheet.

Every CSV goes through :func:`csv_response` (or at least :func:`safe_cell`): a text cell that
a spreadsheet would read as a formula (its first non-blank character is ``=``, ``+``, ``-``
or ``@``, or it starts with a tab or carriage return) is written with a leading apostrophe,
which spreadsheets show as text. Numbers stay numbers, however negative.
"""

import csv
from collections.abc import Iterable
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@")
# What a spreadsheet skips before looking for a formula.
LEADING_BLANKS = " \t\r\n"
LINES_PER_CHUNK = 500


# A text starting with none of these cannot run as a formula: written as it is.
_CHECKED_STARTS = frozenset(FORMULA_STARTS) | frozenset(LEADING_BLANKS)
_NUMBERS = frozenset({int, float, Decimal})


def safe_cell(value, yes_no: tuple[str, str] | None = None):
    """One cell: numbers as numbers, yes/no for booleans (``yes_no``: the two words, once
    translated for a whole file), empty for None, and text that cannot run as a formula.

    Plain text, numbers and None (most cells of a large file) are decided by their type and
    first character alone."""
    kind = type(value)
    if kind is str and (not value or value[0] not in _CHECKED_STARTS):
        return value
    if kind is bool and yes_no:
        return yes_no[0] if value else yes_no[1]
    if kind in _NUMBERS:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        yes, no = yes_no or yes_and_no()
        return yes if value else no
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text[:1] in ("\t", "\r") or text.lstrip(LEADING_BLANKS)[:1] in FORMULA_STARTS:
        return f"'{text}"
    return text


def yes_and_no() -> tuple[str, str]:
    """The words for true and false in the active language."""
    return _("yes"), _("no")


class _Echo:
    """A file that hands each written line back, for streaming."""

    def write(self, value):
        return value


def csv_lines(
    headers: Iterable, rows: Iterable[Iterable], lines_per_chunk: int = LINES_PER_CHUNK
) -> Iterable[str]:
    """The lines of a CSV file with a header line, joined in chunks of ``lines_per_chunk``
    lines (a response sends each chunk it is given on its own); every cell goes through
    :func:`safe_cell`."""
    writer = csv.writer(_Echo())
    yield writer.writerow([safe_cell(str(title)) for title in headers])
    yes_no = yes_and_no()  # translated once, not for every cell
    lines = []
    for row in rows:
        lines.append(writer.writerow([safe_cell(value, yes_no) for value in row]))
        if len(lines) >= lines_per_chunk:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def csv_response(filename: str, headers: Iterable, rows: Iterable[Iterable]):
    """A streamed CSV download (bounded memory for any number of rows)."""
    response = StreamingHttpResponse(
        csv_lines(headers, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
