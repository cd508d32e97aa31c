"""Server-side paging, sorting and searching of large tables (the DataTables protocol).

A JSON endpoint describes its columns once and returns ``ServerSideTable(...).response(request)``.
Each page costs a constant number of queries: the total count, the filtered count and the page.
Named ``filters`` narrow the rows by extra request parameters (e.g. a mail label, a location):
they are applied to the table's own queryset, so they can never reach rows outside it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, JsonResponse

MAX_PAGE_LENGTH = 500
DEFAULT_PAGE_LENGTH = 50


@dataclass(frozen=True)
class Column:
    """One column: its name in the JSON rows, how to read it, how to sort and search it."""

    name: str
    value: Callable[[Any], Any]
    order_by: str | None = None  # ORM path; None: not sortable
    search: str | None = None  # ORM path searched with icontains; None: not searchable


class ServerSideTable:
    """One table: ``queryset`` (already limited to what the viewer may see), its columns,
    ``filters`` (request parameter -> ``narrow(queryset, value)``, applied when the parameter
    is not empty) and the last sort key that keeps pages stable (``tiebreaker``)."""

    def __init__(
        self,
        queryset: QuerySet,
        columns: list[Column],
        default_order: str = "",
        filters: dict[str, Callable[[QuerySet, str], QuerySet]] | None = None,
        tiebreaker: str = "pk",
    ):
        self.queryset = queryset
        self.columns = columns
        self.default_order = default_order
        self.filters = filters or {}
        self.tiebreaker = tiebreaker

    def response(self, request: HttpRequest) -> JsonResponse:
        return JsonResponse(self.page(request.GET))

    def page(self, params) -> dict:
        draw = _int(params.get("draw"), 0)
        start = max(0, _int(params.get("start"), 0))
        length = _int(params.get("length"), DEFAULT_PAGE_LENGTH)
        length = DEFAULT_PAGE_LENGTH if length <= 0 else min(length, MAX_PAGE_LENGTH)
        queryset = self.queryset
        for name, narrow in self.filters.items():
            value = (params.get(name) or "").strip()
            if value:
                queryset = narrow(queryset, value)
        total = queryset.count()
        search = (params.get("search[value]") or "").strip()
        if search:
            condition = Q()
            for column in self.columns:
                if column.search:
                    condition |= Q(**{f"{column.search}__icontains": search})
            queryset = queryset.filter(condition)
            filtered = queryset.count()
        else:
            filtered = total
        queryset = queryset.order_by(*self._ordering(params))
        rows = [
            {column.name: column.value(obj) for column in self.columns}
            for obj in queryset[start : start + length]
        ]
        return {"draw": draw, "recordsTotal": total, "recordsFiltered": filtered, "data": rows}

    def _ordering(self, params) -> list[str]:
        ordering = []
        for index in range(len(self.columns)):
            column_index = params.get(f"order[{index}][column]")
            if column_index is None:
                break
            column = _at(self.columns, _int(column_index, -1))
            if column is None or not column.order_by:
                continue
            descending = params.get(f"order[{index}][dir]") == "desc"
            ordering.append(f"-{column.order_by}" if descending else column.order_by)
        if self.default_order:
            ordering.append(self.default_order)
        ordering.append(self.tiebreaker)  # stable pages
        return ordering


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _at(items: list, index: int):
    return items[index] if 0 <= index < len(items) else None
