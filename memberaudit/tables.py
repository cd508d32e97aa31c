"""Server-side paging, sorting and searching of large tables (the DataTables protocol).

A JSON endpoint describes its columns once and returns ``ServerSideTable(...).response(request)``.
The same declaration goes to the browser (:meth:`ServerSideTable.browser_spec`): the page
builds its table from it, so the browser's columns and the server's are always the same list.
Each page costs a constant number of queries: the counts and the page (for large tables,
its keys counted in the same query, then its rows).
Named ``filters`` narrow the rows by extra request parameters (e.g. a mail label, a location):
they are applied to the table's own queryset, so they can never reach rows outside it.
"""

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.lookups import In
from django.http import HttpRequest, JsonResponse
from django.utils.functional import Promise

from . import query_params
from .exports import in_key_order

MAX_PAGE_LENGTH = 500
DEFAULT_PAGE_LENGTH = 50
# A searched page of a large table counts its matches up to this many past its end, and
# reports more as "more than" (counting on would read every row where the page reads a few)
SEARCH_COUNT_AHEAD = 1_000
# A search reads the keys of its matches for pages whose end and count need at most this
# many (see ServerSideTable._page_of_matches_read); a deeper page counts them
MAX_MATCHES_READ = 2 * SEARCH_COUNT_AHEAD + MAX_PAGE_LENGTH
# A page sorted by a related row's value puts at most this many related rows in order itself
MAX_RELATED_ROWS = 10_000


RENDERERS = (
    "text",
    "datetime",
    "number",
    "percent",
    "isk",
    "standing",
    "bool",
    "list",
    "character",
    "asset",
    "place",
    "share_end",
    "loss",
    "pilots",
    "killboard",
    "sentence",
    "duration",
    "badge",
    "link",
)


@dataclass(frozen=True)
class SearchAmong:
    """How a column is searched by a text of related rows: the rows of ``model`` that match
    the text are found first (a few among thousands), and a row of the table matches when
    its ``field`` is the key of one of them. ``search``: the path of ``model`` searched with
    icontains, or a function of the text giving the condition on ``model``. The columns of a
    table that search the same ``model`` through the same ``field`` (a character's name, its
    main's, its corporation's) are asked in one query, one pass over those rows."""

    field: str
    model: Any
    search: str | Callable[[str], Q]

    def condition(self, text: str) -> Q:
        if callable(self.search):
            return self.search(text)
        return Q(**{f"{self.search}__icontains": text})


@dataclass(frozen=True)
class Column:
    """One column: its name in the JSON rows, how to read it, how to sort and search it, and
    how the browser shows it.

    A column without ``title`` is a field of the rows only (an id, a URL), never shown.
    ``render`` names how the browser formats the value (one of :data:`RENDERERS`);
    ``priority`` says which columns narrow screens keep (1 first, higher ones are folded into
    the row's details first); ``details`` columns always show in the row's details only.
    ``related`` names the relation a sort key is read from, so that tables sorted by it find
    a page without joining and sorting every row (see :meth:`ServerSideTable.page`).
    """

    name: str
    value: Callable[[Any], Any]
    order_by: str | None = None  # ORM path; None: not sortable
    # ORM path searched with icontains, a function of the text giving the condition (e.g.
    # a subquery that lets the database find a few related rows first), or related rows to
    # search first (see SearchAmong); None: not searchable
    search: "str | Callable[[str], Q] | SearchAmong | None" = None
    title: str | Promise | None = None
    render: str = "text"
    priority: int = 5
    align: str = ""  # "end" for numbers; "" follows the renderer
    details: bool = False
    # the foreign key whose row ``order_by`` reads (e.g. "eve_type" for "eve_type__name"):
    # rows are sorted by that value, then by the related row, and pages found group by group
    related: str | None = None

    def __post_init__(self):
        if self.render not in RENDERERS:
            raise ValueError(f"Column {self.name}: unknown renderer {self.render}")

    @property
    def is_shown(self) -> bool:
        return self.title is not None

    @property
    def alignment(self) -> str:
        if self.align:
            return self.align
        return "end" if self.render in ("number", "percent", "isk", "standing") else "start"

    def browser_spec(self) -> dict:
        return {
            "data": self.name,
            "title": str(self.title),
            "orderable": bool(self.order_by),
            "searchable": bool(self.search),
            "render": self.render,
            "priority": self.priority,
            "align": self.alignment,
            "details": self.details,
        }


@dataclass(frozen=True)
class SearchFirst:
    """How a table whose rows are a viewer's part of a larger set (the characters in the
    viewer's scope) finds what a search matches: among ``rows`` (the larger set, narrowed as
    the table's rows are, without the scope) first, up to ``limit`` matches, of which
    ``among(keys)`` keeps those in the viewer's part. A page then reads only those, by key,
    and counts them by the list. The search is then asked once, of each row once, instead of
    for a page and again for its count, each testing the scope on every row; a text with
    more than ``limit`` matches is searched in the table's rows as any other."""

    rows: QuerySet
    among: Callable[[list], list]
    limit: int
    # what a text matches among ``rows`` (None: that text is searched in the table's rows
    # as any other); without it, what the columns' searches match. With it, a text with more
    # matches than ``limit`` matches the table's rows whose key is among them (a subquery),
    # so that a search matches the same rows whatever their number
    condition: Callable[[str], Q | None] | None = None
    key: str = "pk"  # the field of ``rows`` that holds a row's key
    # the order of ``rows`` that is the table's default order: a page in that order near
    # the start is then read from the matches in that order, as a searched page of the
    # table is (see ServerSideTable._page_of_matches_read), whatever their number
    in_default_order: tuple[str, ...] = ()


class ServerSideTable:
    """One table: ``queryset`` (already limited to what the viewer may see), its columns,
    ``filters`` (request parameter -> ``narrow(queryset, value)``, applied when the parameter
    is not empty), sort keys that always come before the user's choice (``leading_order``,
    e.g. unknown places last), the last sort key that keeps pages stable (``tiebreaker``) and
    whether a page's keys are found before its rows (``keys_first``, for large tables whose
    rows join other tables). Rows whose keys were found first are loaded from ``unscoped``
    when given: the same rows without the conditions that chose the keys (the viewer's scope),
    which a database may otherwise evaluate over the whole table for every chunk of keys, and
    with what only the shown rows need (their related rows, per-row subqueries).
    ``sort_keys`` are annotations that columns sort or search by; a page adds only those it
    sorts or searches by, after the total is counted, so neither that count nor a page sorted
    by another column joins the tables they read. ``count_with_keys`` (the default) counts the
    rows found in the query of the page's keys: one query less per page. ``total``: how many
    rows there are, when known, or how to count them (a callable, not called for a searched
    page whose browser knows the total); None: counted with the page."""

    def __init__(
        self,
        queryset: QuerySet,
        columns: list[Column],
        default_order: str = "",
        filters: dict[str, Callable[[QuerySet, str], QuerySet]] | None = None,
        tiebreaker: str = "pk",
        leading_order: tuple[str, ...] = (),
        keys_first: bool = False,
        unscoped: QuerySet | None = None,
        sort_keys: dict[str, Any] | None = None,
        count_with_keys: bool = True,
        total: int | Callable[[], int] | None = None,
        search_first: SearchFirst | None = None,
    ):
        self.total = total
        self.search_first = search_first
        self.count_with_keys = count_with_keys and keys_first
        self.queryset = queryset
        self.sort_keys = sort_keys or {}
        self.unscoped = unscoped
        self.keys_first = keys_first
        self.columns = columns
        self.default_order = default_order
        self.filters = filters or {}
        self.tiebreaker = tiebreaker
        self.leading_order = leading_order

    # whether a search reads the keys of its matches (see _page_of_matches_read)
    matches_first = True

    def browser_spec(self) -> dict:
        return browser_spec(self.columns, self.default_order)

    def response(self, request: HttpRequest) -> JsonResponse:
        """One page as JSON; a malformed parameter answers 400 (see :mod:`.query_params`)."""
        try:
            return JsonResponse(self.page(query_params.params_of(request)))
        except query_params.InvalidParameter as exc:
            return JsonResponse({"error": str(exc)}, status=400)

    def page(self, params, seen: Callable[[Any], None] | None = None) -> dict:
        """One page for the request parameters ``params``; raises
        :class:`~memberaudit.query_params.InvalidParameter` for malformed ones. ``seen`` is
        called with the object behind each row sent."""
        asked = query_params.table_request(params)
        start = asked.start
        length = min(asked.length or DEFAULT_PAGE_LENGTH, MAX_PAGE_LENGTH)
        queryset = self.queryset
        known_total = self.total
        for name, narrow in self.filters.items():
            value = query_params.text(params, name)
            if value:
                queryset, known_total = narrow(queryset, value), None
        ordering = self._ordering(asked)
        search = asked.search
        # a searched page whose browser read how many rows there are (the same table with the
        # same filters, unsearched) does not count them again: the count of all rows can cost
        # as much as the search (every row of the viewer's scope)
        uncounted = (
            bool(search) and asked.total_known and (known_total is None or callable(known_total))
        )
        if uncounted:
            known_total = 0  # whatever the paths below make of it, none is sent
        elif callable(known_total):
            known_total = known_total()
        all_rows = None  # how many rows there are, when a search's matches were found first
        search_condition = None  # what a search matches, when not the columns' searches
        if search and self.search_first is not None:
            found_first = self._search_first(search)
            if found_first is not None and self._in_order_of(found_first, asked, start + length):
                objects, filtered, total, more = self._page_of_matches_read(
                    queryset,
                    found_first,
                    list(self.search_first.in_default_order),
                    known_total,
                    start,
                    length,
                    key=self.search_first.key,
                )
                return self._result(
                    asked, objects, None if uncounted else total, filtered, more, seen
                )
            matches = None if found_first is None else self._matches_found_first(found_first)
            if matches is not None:  # the page reads the few matches by key
                all_rows = _count(queryset, known_total)
                queryset = among_keys(queryset.model._default_manager.all(), matches)
                search, known_total = "", len(matches)
            elif found_first is not None and self.search_first.condition is not None:
                # many: the rows among them, so that every page matches the same way
                search_condition = Q(pk__in=found_first.values(self.search_first.key))
        searched_by = set()
        if search and search_condition is None:
            searched_by = self._searched_by()
        # only the keys this page searches or sorts by: each joins the tables it reads; the
        # rows are counted without those only the order needs
        found = queryset.annotate(**self._keys(searched_by))
        if search:
            found = found.filter(search_condition or self._search_condition(search))
        counted = found
        found = found.annotate(
            **self._keys({key.removeprefix("-") for key in ordering} - searched_by)
        )
        grouped = self._grouped_sort(asked)
        more = False
        if grouped:  # the rows per group add up to the rows found: no count of its own
            counts = _rows_per_related_row(counted, grouped[0].related)
            filtered = sum(counts.values())
            total = filtered if not search else _count(queryset, known_total)
            if len(counts) <= MAX_RELATED_ROWS:
                objects = self._page_objects_by_group(found, counts, *grouped, start, length)
            else:  # too many to put in order by key: the database sorts the rows
                objects = self._page_objects(found.order_by(*ordering), start, length)
        elif self.count_with_keys and search and self._reads_matches(start + length):
            objects, filtered, total, more = self._page_of_matches_read(
                queryset, found, ordering, known_total, start, length
            )
        elif self.count_with_keys:
            objects, filtered, total = self._page_objects_and_counts(
                found.order_by(*ordering),
                counted,
                queryset if search else None,
                known_total,
                start,
                length,
            )
            if search and filtered > start + length + SEARCH_COUNT_AHEAD:
                more, filtered = True, filtered - 1
        else:
            total = _count(queryset, known_total)
            filtered = counted.count() if search else total
            objects = self._page_objects(found.order_by(*ordering), start, length)
        total = None if uncounted else total if all_rows is None else all_rows
        return self._result(asked, objects, total, filtered, more, seen)

    def _result(
        self,
        asked: query_params.TableRequest,
        objects,
        total: int | None,
        filtered: int,
        more: bool = False,
        seen: Callable[[Any], None] | None = None,
    ) -> dict:
        """The JSON of a page of ``objects``, of ``filtered`` rows found among ``total`` (None:
        not counted, the browser knows it)."""
        rows = []
        for obj in objects:
            if seen:
                seen(obj)
            rows.append({column.name: column.value(obj) for column in self.columns})
        result = {
            "draw": asked.draw,
            "recordsTotal": total,
            "recordsFiltered": filtered,
            "data": rows,
        }
        if more:  # the browser shows "more than <recordsFiltered>"
            result["recordsFilteredMore"] = True
        return result

    def _searched_by(self) -> set[str]:
        """The fields (paths or sort keys) the columns search with ``icontains``."""
        return {column.search for column in self.columns if isinstance(column.search, str)}

    def _search_condition(self, search: str) -> Q:
        condition, among = self._search_parts(search)
        for (field, model), found in among.items():
            condition |= found_keys_condition(field, model, found)
        return condition

    def _search_parts(self, search: str) -> tuple[Q, dict[tuple[str, Any], Q]]:
        """What ``search`` matches: the condition on the table's own rows (an empty ``Q``
        for none) and, per :class:`SearchAmong` field and model, the condition on the
        related rows whose keys a row's field may hold."""
        condition, among = Q(), {}
        for column in self.columns:
            if isinstance(column.search, SearchAmong):
                key = (column.search.field, column.search.model)
                among[key] = among.get(key, Q()) | column.search.condition(search)
            elif callable(column.search):
                condition |= column.search(search)
            elif column.search:
                condition |= Q(**{f"{column.search}__icontains": search})
        return condition, among

    def _search_first(self, search: str) -> QuerySet | None:
        """The rows of :class:`SearchFirst` that ``search`` matches; None when it cannot
        tell (the text is searched in the table's rows)."""
        first = self.search_first
        if first.condition is None:
            rows = first.rows.annotate(**self._keys(self._searched_by()))
            return rows.filter(self._search_condition(search))
        condition = first.condition(search)
        return None if condition is None else first.rows.filter(condition)

    def _in_order_of(self, matches: QuerySet, asked: query_params.TableRequest, end: int) -> bool:
        """Whether a page ending at row ``end`` is read from the search's ``matches``, in
        the order they are kept in: for a page in the table's default order near the start
        (see :meth:`_reads_matches`)."""
        if not self.search_first.in_default_order or not self._reads_matches(end):
            return False
        unordered = dataclasses.replace(asked, order=())
        return self._ordering(asked) == self._ordering(unordered)

    def _matches_found_first(self, matches: QuerySet) -> list | None:
        """The keys of the rows of ``matches`` (see :meth:`_search_first`), as
        :class:`SearchFirst` keeps them; None for more than its limit."""
        first = self.search_first
        keys = list(matches.order_by().values_list(first.key, flat=True)[: first.limit + 1])
        if len(keys) > first.limit:
            return None
        return first.among(keys) if keys else []

    def _reads_matches(self, end: int) -> bool:
        """Whether a search for a page ending at row ``end`` reads the keys of its matches
        (see :meth:`_page_of_matches_read`): for a page near the start; a deeper page counts
        its matches instead of reading them."""
        return self.matches_first and end + SEARCH_COUNT_AHEAD + 1 <= MAX_MATCHES_READ

    def _page_of_matches_read(
        self,
        queryset: QuerySet,
        found: QuerySet,
        ordering: list[str],
        total: int | None,
        start: int,
        length: int,
        key: str = "pk",
    ):
        """A searched page: the objects, how many rows match, how many there are and
        whether more match than were read. The keys of the matches (their field ``key``)
        are read in the page's order, along the index of its sort, up to one more than
        :data:`SEARCH_COUNT_AHEAD` past the page's end, all rows counted in the same query
        (unless ``total`` tells); the page is a slice of them. The search is thus asked of
        each row at most once: a text few rows hold is looked for in one pass, not in one
        for the page and another for its count."""
        limit = start + length + SEARCH_COUNT_AHEAD + 1
        matches = found.order_by(*ordering).values_list(key, flat=True)
        if total is None:
            counted = matches.annotate(all_rows=_RowCount(queryset.order_by().values("pk")))
            read = list(counted.values_list(key, "all_rows")[:limit])
            keys = [found_key for found_key, _ in read]
            total = read[0][1] if read else queryset.count()
        else:
            keys = list(matches[:limit])
        objects = self._rows_by_key(queryset, keys[start : start + length])
        if len(keys) >= limit:
            return objects, limit - 1, total, True
        return objects, len(keys), total, False

    def _page_objects(self, queryset: QuerySet, start: int, length: int):
        """The objects of one page. With ``keys_first`` the page's keys are found first, in a
        query without the joins of ``select_related`` (so the database can walk an index of
        the sort order and stop at the page's end instead of joining and sorting every row),
        then their rows are loaded by key."""
        if not self.keys_first:
            return queryset[start : start + length]
        keys = list(queryset.values_list("pk", flat=True)[start : start + length])
        return self._rows_by_key(queryset, keys)

    def _rows_by_key(self, queryset: QuerySet, keys: list) -> list:
        """The rows of a page whose ``keys`` were read first, in their order, from
        ``unscoped`` when given (the table's rows without the conditions that chose the
        keys), else from ``queryset``."""
        return in_key_order(queryset if self.unscoped is None else self.unscoped, keys)

    def _page_objects_and_counts(
        self,
        queryset: QuerySet,
        counted: QuerySet,
        unsearched: QuerySet | None,
        total: int | None,
        start: int,
        length: int,
    ):
        """The objects of one page of ``queryset``, found as with ``keys_first``, how many
        rows ``counted`` (the same rows) has and how many ``unsearched`` has (the same when
        None), counted in the same query (a page past the end counts apart) unless ``total``
        (how many ``unsearched``, else ``counted``, has) tells already. A search counts
        its matches up to one more than :data:`SEARCH_COUNT_AHEAD` past the page's end: the
        database stops there instead of reading every row for a text that many rows match.

        The counts are subqueries that do not depend on the row (the database runs each once),
        not window counts: a window over every row found makes the database read and sort
        them all, where the page alone walks an index of the sort order and stops at its end."""
        counted = counted.order_by().values("pk")
        if unsearched is not None:  # a search: its matches are counted until past enough
            counted = counted[: start + length + SEARCH_COUNT_AHEAD + 1]
        if unsearched is None and total is not None:  # nothing to count
            return self._page_objects_from_either_end(queryset, total, start, length), total, total
        counts = {"found_rows": _RowCount(counted)}
        if unsearched is not None and total is None:
            counts["all_rows"] = _RowCount(unsearched.order_by().values("pk"))
        found = list(queryset.annotate(**counts).values_list("pk", *counts)[start : start + length])
        if not found:
            filtered = counted.count() if start else 0
            if unsearched is None:
                return [], filtered, filtered
            return [], filtered, _count(unsearched, total)
        objects = self._rows_by_key(queryset, [key for key, *_ in found])
        read = dict(zip(counts, found[0][1:], strict=True))
        filtered = read["found_rows"]
        total = filtered if unsearched is None else read.get("all_rows", total)
        return objects, filtered, total

    def _page_objects_from_either_end(self, queryset: QuerySet, rows: int, start: int, length: int):
        """The objects of a page of ``queryset``, which has ``rows`` rows: a page past the
        middle is found from the end, in the reverse order, and turned round, so that the
        database walks the sort's index backwards and stops after the page instead of passing
        every row before it."""
        if start >= rows:
            return []
        if 2 * start + length <= rows:
            return self._page_objects(queryset, start, length)
        end = min(start + length, rows)
        return list(self._page_objects(queryset.reverse(), rows - end, end - start))[::-1]

    def _page_objects_by_group(
        self,
        queryset: QuerySet,
        counts: dict,
        column: Column,
        descending: bool,
        start: int,
        length: int,
    ):
        """The objects of a page sorted by ``column``, a value of a related row: the rows per
        related row (``counts``) are counted first (on the index of the relation), the related
        rows put in the sort order (a few thousand at most), which tells which of them the
        page's rows belong to; only those rows are then sorted. Gives the page the ordering
        :meth:`_ordering` gives."""
        sign = "-" if descending else ""
        related, tiebreaker = column.related, self.tiebreaker.removeprefix("-")
        related_model = queryset.model._meta.get_field(related).related_model
        in_order = list(
            related_model._default_manager.filter(pk__in=[key for key in counts if key])
            .order_by(f"{sign}{column.order_by.removeprefix(related + '__')}", f"{sign}pk")
            .values_list("pk", flat=True)
        )
        if None in counts:  # rows without a related row: where the database sorts NULL
            nulls_last = connection.features.nulls_order_largest != descending
            in_order = in_order + [None] if nulls_last else [None] + in_order
        chosen, position, skip = [], 0, 0
        for key in in_order:
            rows = counts[key]
            if position + rows > start:
                if not chosen:
                    skip = start - position
                chosen.append(key)
            position += rows
            if position >= start + length:
                break
        if not chosen:
            return []
        if len(chosen) == 1:  # a page within one group: its rows in the order of an index on
            # (character, related row), walked from the page's start instead of sorted
            key = chosen[0]
            in_group = {f"{related}__isnull": True} if key is None else {related: key}
            ordered = queryset.filter(**in_group).order_by(f"{sign}{tiebreaker}")
            return self._page_objects(ordered, skip, length)
        rank = Case(
            *(
                When(**{f"{related}__isnull": True} if key is None else {related: key}, then=n)
                for n, key in enumerate(chosen)
            ),
            output_field=IntegerField(),
        )
        in_groups = Q(**{f"{related}__in": [key for key in chosen if key is not None]})
        if None in chosen:
            in_groups |= Q(**{f"{related}__isnull": True})
        ordered = queryset.filter(in_groups).order_by(rank, f"{sign}{tiebreaker}")
        return self._page_objects(ordered, skip, length)

    def _keys(self, names: set[str]) -> dict:
        """The sort keys named in ``names``."""
        return {name: key for name, key in self.sort_keys.items() if name in names}

    def _grouped_sort(self, asked: query_params.TableRequest) -> tuple[Column, bool] | None:
        """The column and direction of a page sorted by one value of related rows, when its
        keys can be found group by group; else None."""
        if not self.keys_first or self.leading_order:
            return None
        asked_for = [
            (column, descending)
            for index, descending in asked.order
            if (column := sort_column(self.columns, asked, index)) and column.order_by
        ]
        if not asked_for and self.default_order:
            key = self.default_order.removeprefix("-")
            default = [column for column in self.columns if column.order_by == key]
            asked_for = [(default[0], self.default_order.startswith("-"))] if default else []
        if len(asked_for) == 1 and asked_for[0][0].related:
            return asked_for[0]
        return None

    def _ordering(self, asked: query_params.TableRequest) -> list[str]:
        """The sort keys of a page: the leading ones, the columns asked for (else the default
        order), then the tiebreaker in the direction of the key before it. A page sorted by
        one column is thus ordered like an index on (character, column): the database walks
        that index and stops at the page's end instead of sorting every row."""
        ordering = list(self.leading_order)
        asked_for = []
        for column_index, descending in asked.order:
            column = sort_column(self.columns, asked, column_index)
            if column is None or not column.order_by:
                continue
            sign = "-" if descending else ""
            asked_for.append(f"{sign}{column.order_by}")
            if column.related:  # rows of equal values: by related row (see related)
                asked_for.append(f"{sign}{column.related}__pk")
        if not asked_for and self.default_order:
            asked_for.append(self.default_order)
            key = self.default_order.removeprefix("-")
            related = [column.related for column in self.columns if column.order_by == key]
            if related and related[0]:
                sign = "-" if self.default_order.startswith("-") else ""
                asked_for.append(f"{sign}{related[0]}__pk")
        ordering += asked_for
        tiebreaker = self.tiebreaker.removeprefix("-")
        descending = bool(ordering) and ordering[-1].startswith("-")
        ordering.append(f"-{tiebreaker}" if descending else tiebreaker)
        return ordering


def keys_read_as_list() -> bool:
    """Whether keys that narrow another query are read into a list first (MariaDB, MySQL,
    PostgreSQL), rather than given to it as a subquery (SQLite).

    MariaDB and MySQL would otherwise join the subquery's rows to every row of the outer
    query, or run the subquery again for each; SQLite reads a subquery once, and limits how
    many values one query may hold."""
    return connection.vendor != "sqlite"


class _KeyList(In):
    """``<field> IN (<keys>)`` for integer keys read from the database, written into the
    query as the integers they are. The lookup ``__in`` prepares every value through the
    field first, which for a list of thousands of keys took longer than the query did, and
    the MySQL driver quotes each parameter (about 2 µs a key: 10 ms for an alliance's 5,024
    characters); an integer needs neither. A lookup, so that MariaDB reads it as a condition
    on the field's index."""

    def get_prep_lookup(self):
        return list(dict.fromkeys(int(key) for key in self.rhs))

    def process_rhs(self, compiler, connection):
        return "(" + ", ".join(str(key) for key in self.rhs) + ")", ()


# MariaDB turns a list of this many values or more into a table joined to the query
# (``in_predicate_conversion_threshold``), from which it may then sort every row it finds
# instead of walking the index of a page's sort.
MARIADB_IN_TABLE_SIZE = 1000


class _KeyDocument(Expression):
    """``(<field> IN (<keys>)) = 1`` with the keys sent as one JSON document, read by
    ``JSON_TABLE`` (MariaDB 10.6, MySQL 8): the database reads one value instead of
    thousands (a list of 5,000 keys took MariaDB about 7 ms to read, in every query and
    subquery it stood in). Written as a value compared rather than as a condition ``IN``, so
    that MariaDB never turns it into a join driven from the document's rows, whose number it
    guesses at 40, sorting every row they find: it reads the keys once into a table and looks
    each row it walks up in it. An empty field matches neither it nor its negation, as with
    ``IN``."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, keyed: Expression, keys: list[int]):
        super().__init__()
        self.keyed = keyed
        self.keys = keys

    def get_source_expressions(self):
        return [self.keyed]

    def set_source_expressions(self, exprs):
        (self.keyed,) = exprs

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.keyed)
        document = json.dumps([int(key) for key in self.keys], separators=(",", ":"))
        return (
            f"(({sql}) IN (SELECT listed.id FROM JSON_TABLE(%s, '$[*]' "
            "COLUMNS (id BIGINT PATH '$')) AS listed)) = 1",
            (*params, document),
        )


def _reads_key_documents() -> bool:
    """Whether the database reads a JSON document as a table (``JSON_TABLE``)."""
    if connection.vendor != "mysql":
        return False
    if connection.mysql_is_mariadb:
        return connection.mysql_version >= (10, 6)
    return connection.mysql_version >= (8, 0, 4)


def walked_keys(field: str, keys: list[int]) -> Q:
    """The condition that ``field`` holds one of ``keys`` (read before), for a query that
    walks an index and tests each row it meets (a page in a sort's order, a count of a
    search's matches), not one that finds its rows by these keys: more than fit in one list
    (see :func:`in_keys`) are sent as one document (:class:`_KeyDocument`) where the database
    reads one, else as :func:`in_keys` writes them."""
    if len(keys) >= MARIADB_IN_TABLE_SIZE and _reads_key_documents():
        return Q(_KeyDocument(F(field), keys))
    return in_keys(field, keys)


def in_keys(field: str, keys: "list[int] | QuerySet", size: int = MARIADB_IN_TABLE_SIZE - 1) -> Q:
    """The condition ``<field>__in=keys``. A list of keys is written as lists of at most
    ``size`` keys each (:class:`_KeyList`): conditions MariaDB checks along the index of a
    page's sort, finding the page's rows as it walks it. A subquery, or no keys, as Django
    writes them."""
    if isinstance(keys, QuerySet) or not keys:
        return Q(**{f"{field}__in": keys})
    condition = Q()
    for start in range(0, len(keys), size):
        condition |= Q(_KeyList(F(field), keys[start : start + size]))
    return condition


def read_keys(keys: QuerySet) -> "list | QuerySet":
    """``keys`` (a query of keys) for a condition ``<field>__in``: read as a list, or left a
    subquery, as :func:`keys_read_as_list` decides."""
    return list(keys) if keys_read_as_list() else keys


def among_keys(queryset: QuerySet, keys: list) -> QuerySet:
    """The rows of ``queryset`` whose key is one of ``keys`` (a few hundred, read before),
    for a page sorted among them. On SQLite the keys are a condition on each row, not a
    constraint of an index: SQLite would otherwise walk the index of the sort (of a joined
    table) and, for each of its rows, look up every key of the list again."""
    if keys_read_as_list():
        return queryset.filter(pk__in=keys)
    key = ExpressionWrapper(F("pk") + 0, output_field=BigIntegerField())
    return queryset.alias(listed_key=key).filter(listed_key__in=keys)


def keys_of(queryset: QuerySet) -> "list | QuerySet":
    """The keys of the rows of ``queryset``, as :func:`read_keys` gives them."""
    return read_keys(queryset.values_list("pk", flat=True))


# Related rows a search finds are named in a list of at most this many keys; with more, the
# rows it does not find are named instead when they are few (a text found in nearly every
# name), so that no query is written with thousands of keys.
LISTED_KEYS = 1_000


def found_keys_condition(field: str, model: Any, found: Q) -> Q:
    """The condition that ``field`` holds the key of one of the rows of ``model`` that match
    ``found``: their keys as :func:`keys_of` gives them; on MariaDB and MySQL, when more
    than :data:`LISTED_KEYS` are found and at most that many of the model's rows are not,
    that ``field`` holds a key and none of those (the rows not found are read by the
    condition's negation, which the database can stop reading at the limit); when both are
    more, the keys found as :func:`walked_keys` writes them (one document)."""
    rows = model._default_manager
    keys = rows.filter(found).values_list("pk", flat=True)
    if not keys_read_as_list():
        return Q(**{f"{field}__in": keys})
    listed = list(keys[: LISTED_KEYS + 1])
    if len(listed) > LISTED_KEYS:
        not_found = list(rows.exclude(found).values_list("pk", flat=True)[: LISTED_KEYS + 1])
        if len(not_found) <= LISTED_KEYS:
            return Q(**{f"{field}__isnull": False}) & ~in_keys(field, not_found)
        return walked_keys(field, list(keys))
    return in_keys(field, listed)


class _RowCount(Subquery):
    """How many rows a queryset has, as an expression of another query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted_rows)"
    output_field = IntegerField()


def _count(queryset: QuerySet, known: int | None) -> int:
    """How many rows ``queryset`` has: ``known`` when given, else counted."""
    return queryset.count() if known is None else known


def _rows_per_related_row(queryset: QuerySet, related: str) -> dict:
    """How many rows of ``queryset`` each related row has (None: rows without one)."""
    return dict(queryset.order_by().values_list(related).annotate(rows=Count("pk")).order_by())


def browser_spec(columns: list[Column], default_order: str = "") -> dict:
    """What the browser needs to build a table: its shown columns and first sort order (the
    column that ``default_order`` sorts by, when it is shown)."""
    shown = [column for column in columns if column.is_shown]
    order = []
    key = default_order.removeprefix("-")
    for index, column in enumerate(shown):
        if key and column.order_by == key:
            order = [[index, "desc" if default_order.startswith("-") else "asc"]]
            break
    return {"columns": [column.browser_spec() for column in shown], "order": order}


def for_browser(url: str, spec: dict) -> dict:
    """A table as a page needs it: the URL of its rows and its ``browser_spec`` as JSON (the
    template puts both in data attributes of the ``<table>``)."""
    return {"url": url, "spec": json.dumps(spec)}


def sort_column(
    columns: list[Column], asked: query_params.TableRequest, index: int
) -> Column | None:
    """The column the browser asks to sort by: the one its request names as
    ``columns[<index>][data]``, else the index-th shown column."""
    shown = [column for column in columns if column.is_shown]
    name = asked.column_names.get(index)
    if name:
        return next((column for column in shown if column.name == name), None)
    return _at(shown, index)


def _at(items: list, index: int):
    return items[index] if 0 <= index < len(items) else None
