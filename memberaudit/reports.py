"""Reports: compliance of users and corporations, and skill sets per character.

Every report covers exactly the users :func:`memberaudit.access.report_users` gives for the
viewer. Each report is a table with fixed columns, served page by page as JSON (the DataTables
protocol of :mod:`memberaudit.tables`) and as a CSV download of all its rows.
A user is compliant when every character of theirs known to Auth is registered here and
enabled (not disabled for a lost token): the rule of :mod:`memberaudit.compliance`.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, GreaterThan
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from allianceauth.authentication.models import CharacterOwnership

from . import access, query_params
from .exports import CHUNK_SIZE, objects_in_order
from .json_tables.common import name_column, number_column
from .models import Character
from .skill_set_report import (
    SKILL_SET_COLUMNS,
    SkillSetReportTable,
    skill_set_table,
)
from .tables import (
    DEFAULT_PAGE_LENGTH,
    MARIADB_IN_TABLE_SIZE,
    MAX_PAGE_LENGTH,
    Column,
    ServerSideTable,
    browser_spec,
    sort_column,
)

_MAIN = "profile__main_character"


@dataclass(frozen=True)
class Report:
    """A report: its title, its columns (for the page, the JSON rows and the CSV) and its
    table for a viewer."""

    name: str
    title: str | Promise
    columns: list[Column]
    table: Callable[[User], "ServerSideTable | ListTable"]
    default_order: str = ""
    # For reports with a row per character: (character pk, owner pk) of a row's object, so
    # the CSV download is recorded in the access log.
    character_of: Callable[[Any], tuple[int, int | None]] | None = None

    @property
    def headers(self) -> dict[str, str | Promise]:
        """JSON field -> column title of the shown columns, in CSV order."""
        return {column.name: column.title for column in self.columns if column.is_shown}

    def browser_spec(self) -> dict:
        return browser_spec(self.columns, self.default_order)


class ListTable:
    """The DataTables protocol over a short list of dicts (e.g. one row per corporation),
    sorted, searched and paged in Python. A column sorts when it has ``order_by`` and is
    searched when it has ``search``; both read the row's field ``name``."""

    def __init__(self, rows: list[dict], columns: list[Column]):
        self.rows = rows
        self.columns = columns

    def page(self, params) -> dict:
        """One page for the request parameters ``params``; raises
        :class:`~memberaudit.query_params.InvalidParameter` for malformed ones."""
        request = query_params.table_request(params)
        rows = list(self.rows)
        search = request.search.casefold()
        if search:
            searched = [column.name for column in self.columns if column.search]
            rows = [
                row
                for row in rows
                if any(search in str(row[name] or "").casefold() for name in searched)
            ]
        if request.order:
            index, descending = request.order[0]
            column = sort_column(self.columns, request, index)
            if column is not None and column.order_by:
                rows.sort(key=lambda row: _sort_key(row[column.name]), reverse=descending)
        start = request.start
        length = min(request.length or DEFAULT_PAGE_LENGTH, MAX_PAGE_LENGTH)
        return {
            "draw": request.draw,
            "recordsTotal": len(self.rows),
            "recordsFiltered": len(rows),
            "data": rows[start : start + length],
        }

    def all_rows(self) -> Iterable[dict]:
        return iter(self.rows)


def user_compliance_rows(viewer: User):
    """The users the viewer's reports cover, with counts of known and registered characters
    (registered and enabled, as :func:`memberaudit.compliance.compliant_users` counts them).

    One query.
    """
    return _with_compliance(access.report_users(viewer).select_related(_MAIN))


# An ownership of a character registered here and enabled.
_REGISTERED = Q(
    character__memberaudit_character__isnull=False,
    character__memberaudit_character__is_disabled=False,
)


def _compliance_keys() -> dict:
    """Per user: characters known to Auth, those registered and enabled, and whether all
    known ones are (and there is one); each a subquery of the user's own ownerships."""
    ownerships = CharacterOwnership.objects.filter(user=OuterRef("pk")).order_by()
    known = ownerships.values("user").annotate(count=Count("pk")).values("count")
    registered = (
        ownerships.filter(_REGISTERED).values("user").annotate(count=Count("pk")).values("count")
    )
    known = Coalesce(Subquery(known, output_field=IntegerField()), 0)
    registered = Coalesce(Subquery(registered, output_field=IntegerField()), 0)
    is_compliant = Case(
        When(GreaterThan(known, 0) & Exact(known, registered), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return {"known": known, "registered": registered, "is_compliant": is_compliant}


def _with_compliance(users):
    return users.annotate(**_compliance_keys())


def _users_with_every_character_registered(user_pks: list[int]) -> set[int]:
    """Those of ``user_pks`` who own characters and have every one registered and enabled.

    The ownerships and the enabled characters are read apart (of these users when they are
    a few hundred, else of everyone) and matched in Python: one pass over each table's index,
    where counting in the database joined the ownerships to the EVE characters and the
    registered characters and grouped every row in a temporary table."""
    ownerships = CharacterOwnership.objects.order_by()
    enabled = Character.objects.filter(is_disabled=False).order_by()
    if len(user_pks) < MARIADB_IN_TABLE_SIZE:
        ownerships = ownerships.filter(user_id__in=user_pks)
        enabled = enabled.filter(eve_character__character_ownership__user_id__in=user_pks)
    registered = set(enabled.values_list("eve_character_id", flat=True))
    owners, lacking = set(), set()
    for user, character in ownerships.values_list("user_id", "character_id"):
        owners.add(user)
        if character not in registered:
            lacking.add(user)
    return owners - lacking


def corporation_compliance_rows(viewer: User) -> list[dict]:
    """Per corporation of the covered users' mains: users, compliant users, percentage.

    Three queries: the covered users with their mains' corporations, then the ownerships
    and the enabled characters (see :func:`_users_with_every_character_registered`), rather
    than subqueries for every user.
    Users without a main are counted under an empty corporation.
    """
    users = list(
        access.report_users(viewer).values_list(
            "pk",
            f"{_MAIN}__corporation_id",
            f"{_MAIN}__corporation_name",
            f"{_MAIN}__alliance_name",
        )
    )
    compliant = _users_with_every_character_registered([pk for pk, *_corporation in users])
    groups: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for pk, *corporation in users:
        group = groups[tuple(corporation)]
        group[0] += 1
        group[1] += pk in compliant
    rows = []
    for (_corporation_id, corporation, alliance), (users_count, compliant_count) in groups.items():
        rows.append(
            {
                "corporation": corporation or "",
                "alliance": alliance or "",
                "users": users_count,
                "compliant_users": compliant_count,
                "percentage": round(100 * compliant_count / users_count, 1),
            }
        )
    rows.sort(key=lambda row: row["corporation"].casefold())
    return rows


_MAIN_NAME = f"{_MAIN}__character_name"
USER_COMPLIANCE_COLUMNS = [
    name_column("user", "username", "username", title=_("User"), priority=1),
    Column(
        "main",
        lambda user: _main_field(user, "character_name"),
        _MAIN_NAME,
        _MAIN_NAME,
        title=_("Main character"),
        priority=1,
    ),
    Column(
        "corporation",
        lambda user: _main_field(user, "corporation_name"),
        f"{_MAIN}__corporation_name",
        f"{_MAIN}__corporation_name",
        title=_("Corporation"),
        priority=2,
    ),
    Column(
        "alliance",
        lambda user: _main_field(user, "alliance_name"),
        f"{_MAIN}__alliance_name",
        f"{_MAIN}__alliance_name",
        title=_("Alliance"),
        priority=3,
    ),
    number_column("registered", _("Registered characters"), 2),
    number_column("known", _("Characters in Auth"), 2),
    Column(
        "is_compliant",
        lambda user: user.is_compliant,
        order_by="is_compliant",
        title=_("Compliant"),
        render="bool",
        priority=1,
    ),
]

CORPORATION_COMPLIANCE_COLUMNS = [
    Column(
        "corporation",
        lambda row: row["corporation"],
        "corporation",
        "corporation",
        title=_("Corporation"),
        priority=1,
    ),
    Column(
        "alliance",
        lambda row: row["alliance"],
        "alliance",
        "alliance",
        title=_("Alliance"),
        priority=2,
    ),
    number_column("users", _("Users"), 1),
    number_column("compliant_users", _("Compliant users"), 1),
    number_column("percentage", _("Compliant (%)"), 1, render="percent"),
]


def _user_compliance_table(viewer: User) -> ServerSideTable:
    """A page's users are found first, sorted by the counts only when it sorts by them (each
    a subquery for every covered user); its rows then get them."""
    return ServerSideTable(
        access.report_users(viewer),
        USER_COMPLIANCE_COLUMNS,
        default_order="username",
        keys_first=True,
        unscoped=_with_compliance(User.objects.select_related(_MAIN)),
        sort_keys=_compliance_keys(),
    )


def _corporation_compliance_table(viewer: User) -> ListTable:
    return ListTable(corporation_compliance_rows(viewer), CORPORATION_COMPLIANCE_COLUMNS)


REPORTS = {
    report.name: report
    for report in (
        Report(
            "user_compliance",
            _("User compliance"),
            USER_COMPLIANCE_COLUMNS,
            _user_compliance_table,
            default_order="username",
        ),
        Report(
            "corporation_compliance",
            _("Corporation compliance"),
            CORPORATION_COMPLIANCE_COLUMNS,
            _corporation_compliance_table,
            default_order="corporation",
        ),
        Report(
            "skill_sets",
            _("Skill sets"),
            SKILL_SET_COLUMNS,
            skill_set_table,
            default_order="character_name",
            character_of=lambda check: (check.character_id, check.owner_pk),
        ),
    )
}


def all_rows(
    table: "ServerSideTable | ListTable",
    seen: Callable[[Any], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterable[dict]:
    """Every row of a report table as JSON fields, for the CSV download, in the table's
    default order; bounded memory (rows are read in chunks of keys,
    :func:`memberaudit.exports.objects_in_order`).

    ``seen`` is called with the object behind each row of a server-side table (of the skill
    sets report: once per character).
    """
    if isinstance(table, ListTable):
        yield from table.all_rows()
        return
    if isinstance(table, SkillSetReportTable):
        yield from table.all_rows(seen, chunk_size)
        return
    queryset = table.queryset.order_by(*filter(None, [table.default_order, "pk"]))
    for obj in objects_in_order(queryset, chunk_size, rows=table.unscoped):
        if seen:
            seen(obj)
        yield {column.name: column.value(obj) for column in table.columns}


def csv_rows(
    table: "ServerSideTable | ListTable",
    names: list[str],
    seen: Callable[[Any], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterable[list]:
    """The values of the columns ``names`` of every row of a report table, as
    :func:`all_rows` reads them: the cells of the CSV download."""
    if isinstance(table, SkillSetReportTable):
        return table.csv_rows(names, seen, chunk_size)
    return ([row[name] for name in names] for row in all_rows(table, seen, chunk_size))


def _main_field(user: User | None, name: str) -> str:
    profile = getattr(user, "profile", None) if user else None
    main = profile.main_character if profile else None
    return (getattr(main, name, "") or "") if main else ""


def _sort_key(value):
    if isinstance(value, str):
        return (0, value.casefold())
    return (0, value) if value is not None else (-1, 0)
