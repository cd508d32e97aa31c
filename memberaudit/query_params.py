"""Query parameters turned into typed values: the one place that reads ``request.GET``.

Views and tables never convert request parameters by hand. A malformed value of a parameter
that changes the answer (paging, ordering, a finder filter) raises :class:`InvalidParameter`,
which answers 400 with a short message (JSON for the JSON endpoints, see
:func:`json_errors`). Values are bounded so that nothing outside a 64-bit database integer
ever reaches a query. A repeated parameter counts once, with its last value, as Django's
``QueryDict.get`` has it.
"""

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import BadRequest
from django.http import HttpRequest, JsonResponse
from django.urls import converters, register_converter
from django.utils.translation import gettext as _

# The largest id a database column holds (signed 64 bits); EVE ids are far below it.
MAX_ID = 2**63 - 1
# Paging beyond this is not paging: no table of the app has that many rows.
MAX_OFFSET = 2**31 - 1
MAX_DRAW = 2**31 - 1
# A search term longer than this is no search a person typed.
MAX_SEARCH_LENGTH = 200
MAX_ORDERED_COLUMNS = 10


class InvalidParameter(BadRequest):
    """A query parameter with a value the endpoint cannot use; the message says which."""


@dataclass(frozen=True)
class TableRequest:
    """What a DataTables request asks for: one page, its order and a search term."""

    draw: int
    start: int
    length: int | None  # None: the table's default length
    order: tuple[tuple[int, bool], ...]  # (column index, descending) in priority order
    search: str
    column_names: dict[int, str]  # ``columns[i][data]`` as sent by the browser
    # the browser knows how many rows there are without a search (``total_known``)
    total_known: bool = False


def integer(params: Mapping, name: str, *, minimum: int, maximum: int) -> int | None:
    """The whole number in ``name`` (None when absent or empty); 400 when it is not a whole
    number between ``minimum`` and ``maximum``."""
    raw = _last(params, name).strip()
    if not raw:
        return None
    number = _to_int(raw)
    if number is None:
        raise InvalidParameter(_("%(name)s: a whole number is expected.") % {"name": name})
    if not minimum <= number <= maximum:
        raise InvalidParameter(
            _("%(name)s: must be between %(minimum)s and %(maximum)s.")
            % {"name": name, "minimum": minimum, "maximum": maximum}
        )
    return number


def identifier(params: Mapping, name: str) -> int | None:
    """An EVE or database id in ``name`` (None when absent or empty); 400 when malformed."""
    return integer(params, name, minimum=0, maximum=MAX_ID)


def identifier_or_none(value: str | None) -> int | None:
    """An id taken from a larger value (e.g. ``label:12``), None when it is none: the caller
    decides what a bad id means (usually: nothing matches)."""
    number = _to_int((value or "").strip())
    return number if number is not None and 0 <= number <= MAX_ID else None


def text(params: Mapping, name: str, max_length: int = MAX_SEARCH_LENGTH) -> str:
    """Free text in ``name``, without NUL bytes and surrounding blanks, at most
    ``max_length`` characters (longer text is cut, not refused)."""
    return _last(params, name).replace("\x00", "").strip()[:max_length]


def flag(params: Mapping, name: str) -> bool | None:
    """A yes/no filter: ``1``/``true``/``yes`` or ``0``/``false``/``no``; None when absent,
    empty or anything else (the filter is ignored)."""
    value = _last(params, name).strip().lower()
    if value in ("1", "true", "yes"):
        return True
    if value in ("0", "false", "no"):
        return False
    return None


MAX_SKILL_CONDITIONS = 30
MAX_SKILL_LEVEL = 5


def skill_levels(params: Mapping, name: str) -> dict[int, int]:
    """Skill conditions in ``name``, written ``<skill id>:<level>`` and separated by commas
    (``3456:5,21611:4``), as a map of skill id to minimum level; a skill named twice keeps its
    higher level. Empty when absent; 400 for a malformed condition, a level outside 0 to 5 or
    more than :data:`MAX_SKILL_CONDITIONS` conditions."""
    raw = _last(params, name).strip()
    if not raw:
        return {}
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if len(parts) > MAX_SKILL_CONDITIONS:
        raise InvalidParameter(
            _("%(name)s: at most %(count)s skills.") % {"name": name, "count": MAX_SKILL_CONDITIONS}
        )
    conditions: dict[int, int] = {}
    for part in parts:
        skill, _colon, level = part.partition(":")
        skill_id = _to_int(skill.strip())
        level_value = _to_int(level.strip())
        if skill_id is None or not 0 < skill_id <= MAX_ID:
            raise InvalidParameter(_("%(name)s: a skill id is expected.") % {"name": name})
        if level_value is None or not 0 <= level_value <= MAX_SKILL_LEVEL:
            raise InvalidParameter(
                _("%(name)s: a level between 0 and 5 is expected.") % {"name": name}
            )
        conditions[skill_id] = max(level_value, conditions.get(skill_id, 0))
    return conditions


def table_request(params: Mapping) -> TableRequest:
    """The DataTables parameters of a request.

    ``start`` is 0 or more, ``length`` of 0 or less (DataTables sends -1 for "all") means the
    default; an ``order`` naming a column that does not exist is left for the table to
    ignore, like a column that cannot be sorted.
    """
    order = []
    for index in range(MAX_ORDERED_COLUMNS):
        column = integer(params, f"order[{index}][column]", minimum=-MAX_OFFSET, maximum=MAX_OFFSET)
        if column is None:
            break
        order.append((column, _last(params, f"order[{index}][dir]").strip().lower() == "desc"))
    column_names = {}
    for column, _descending in order:
        name = text(params, f"columns[{column}][data]")
        if name:
            column_names[column] = name
    length = integer(params, "length", minimum=-MAX_OFFSET, maximum=MAX_OFFSET)
    return TableRequest(
        draw=integer(params, "draw", minimum=0, maximum=MAX_DRAW) or 0,
        start=integer(params, "start", minimum=0, maximum=MAX_OFFSET) or 0,
        length=length if length and length > 0 else None,
        order=tuple(order),
        search=text(params, "search[value]"),
        column_names=column_names,
        total_known=flag(params, "total_known") is True,
    )


class IdConverter:
    """``<id:name>`` in a URL: an id of at most 18 digits, so always a 64-bit database
    integer; a longer number is no URL of the app (404) instead of a database overflow."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


def register_id_converter() -> None:
    """Make ``<id:...>`` known to URL patterns; the app's and the API's URLs both call this."""
    if "id" not in converters.get_converters():
        register_converter(IdConverter, "id")


def json_errors(view):
    """Answer a JSON endpoint's :class:`InvalidParameter` with 400 and ``{"error": ...}``."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except InvalidParameter as exc:
            return JsonResponse({"error": str(exc)}, status=400)

    return wrapper


def params_of(request: HttpRequest) -> Mapping:
    """The request's query parameters, for the parsers above."""
    return request.GET


def _last(params: Mapping, name: str) -> str:
    value = params.get(name)
    if isinstance(value, list | tuple):  # a plain dict with a list, like a QueryDict's lists
        value = value[-1] if value else None
    return "" if value is None else str(value)


def _to_int(raw: str) -> int | None:
    """A whole number written in ASCII digits with an optional sign; floats, exponents,
    underscores and other scripts' digits are not numbers here."""
    digits = raw[1:] if raw[:1] in ("+", "-") else raw
    if not digits or len(digits) > 30 or not (digits.isascii() and digits.isdigit()):
        return None
    return int(raw)
