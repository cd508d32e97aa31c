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
from typing import Any, NamedTuple

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
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
from .exports import CHUNK_SIZE, key_chunks, objects_in_order
from .json_tables.common import number_column
from .models import Character, CharacterSkillSetCheck, SkillSet
from .tables import (
    DEFAULT_PAGE_LENGTH,
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


def corporation_compliance_rows(viewer: User) -> list[dict]:
    """Per corporation of the covered users' mains: users, compliant users, percentage.

    Two queries: the covered users with their mains' corporations, then the characters each
    owner has, known and registered, counted in one pass over the ownerships (rather than
    subqueries for every user); those of a few hundred users are found by their keys.
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
    ownerships = CharacterOwnership.objects.order_by()
    if len(users) < _MARIADB_IN_TABLE_SIZE:
        ownerships = ownerships.filter(user_id__in=[pk for pk, *_corporation in users])
    owned = (
        ownerships.values("user")
        .annotate(known=Count("pk"), registered=Count("pk", filter=_REGISTERED))
        .values_list("user", "known", "registered")
    )
    compliant = {user for user, known, registered in owned if known and known == registered}
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


def skill_set_rows(viewer: User):
    """Per character of the covered users and active skill set: whether the set is met.

    The rows are the skill set checks, which carry what the report shows
    (:mod:`memberaudit.report_rows`); the covered characters are those the users of
    :func:`memberaudit.access.report_users` own now, whatever the rows' copies say.
    """
    return _skill_set_rows(_coverage(viewer))


def _skill_set_rows(coverage: "_Coverage"):
    return CharacterSkillSetCheck.objects.filter(coverage.condition)


@dataclass(frozen=True)
class _Coverage:
    """The condition on a check that it is in the viewer's report (its character covered, its
    skill set active) and, when that condition names the characters left out rather than
    those in, the covered users: a row is shown only when its character's owner is one of
    them (a character registered since the characters were read is not among those left
    out)."""

    condition: Q
    owners: frozenset | None = None


def _coverage(viewer: User) -> _Coverage:
    """Which checks the viewer's report covers: those of covered characters and of active
    skill sets. The checks of inactive skill sets are removed by the next run; until then
    they are left out by the keys of their skill sets (a few).

    On MariaDB the keys are read first: its optimizer would turn a subquery into a join
    driven from the users and sort every row of the report. The characters of a viewer with a
    scope are found from the scope (:func:`memberaudit.access.report_character_keys`). For a
    viewer who sees every user with access, the characters left out are found instead (those
    without an owner, those of users without access), in the same query as the inactive skill
    sets with checks: usually there are none, and then the report is every check, which a
    page reads along an index and counts without testing a condition on each of its rows.
    """
    users = access.report_users(viewer)
    checks = CharacterSkillSetCheck.objects.filter(skill_set_id=OuterRef("pk"))
    stale = SkillSet.objects.filter(Exists(checks), is_active=False).values_list("pk", flat=True)
    if connection.vendor != "mysql":
        covered = Character.objects.filter(eve_character__character_ownership__user__in=users)
        condition = Q(character_id__in=covered.values("pk")) & ~Q(skill_set_id__in=stale)
        return _Coverage(condition)
    scoped = access.report_character_keys(viewer)
    if scoped is not None:  # the viewer's scope: its keys found from its indexes
        condition = in_short_lists("character_id", sorted(scoped))
        return _Coverage(condition & ~Q(skill_set_id__in=list(stale)))
    is_covered = Case(When(pk__in=users, then=Value(True)), default=Value(False))
    owners, left_out_users = set(), []
    for pk, covered in User.objects.annotate(covered=is_covered).values_list("pk", "covered"):
        if covered:
            owners.add(pk)
        else:
            left_out_users.append(pk)
    owned = CharacterOwnership.objects.filter(character_id=OuterRef("eve_character_id"))
    left_out = Q(~Exists(owned))
    if left_out_users:
        left_out |= Q(eve_character__character_ownership__user_id__in=left_out_users)
    left_out_keys = defaultdict(list)
    for kind, pk in _tagged(Character.objects.filter(left_out), "character").union(
        _tagged(stale, "skill_set"), all=True
    ):
        left_out_keys[kind].append(pk)
    condition = ~Q(skill_set_id__in=left_out_keys["skill_set"])
    characters = sorted(left_out_keys["character"])
    if len(characters) < _MARIADB_IN_TABLE_SIZE:
        return _Coverage(condition & ~Q(character_id__in=characters), frozenset(owners))
    covered = Character.objects.exclude(pk__in=characters).values_list("pk", flat=True)
    return _Coverage(condition & in_short_lists("character_id", sorted(covered)))


def _tagged(queryset, kind: str):
    """The keys of ``queryset`` as pairs (``kind``, key): to read keys of several tables in
    one query (``UNION``)."""
    return queryset.annotate(kind=Value(kind)).values_list("kind", "pk")


# MariaDB turns a list of this many values or more into a table joined to the query
# (``in_predicate_conversion_threshold``), from which it then sorts every row in scope.
_MARIADB_IN_TABLE_SIZE = 1000


def in_short_lists(field: str, keys: list, size: int = _MARIADB_IN_TABLE_SIZE - 1) -> Q:
    """``<field>__in=keys`` as lists of at most ``size`` values each: conditions MariaDB
    checks along the index of the sort, a page's rows found as the index is walked."""
    condition = Q(pk__in=[])
    for start in range(0, len(keys), size):
        condition |= Q(**{f"{field}__in": keys[start : start + size]})
    return condition


def skill_set_checks():
    """Every skill set check with the owner of its character (``owner_pk``), for any viewer:
    the rows of :func:`skill_set_rows` once their keys are chosen."""
    return CharacterSkillSetCheck.objects.annotate(owner_pk=F(_CHECK_OWNER))


def _keys(queryset):
    """The keys of ``queryset`` for a condition ``<field>__in``: read first on MariaDB (see
    :func:`_covered_characters`), a subquery elsewhere (SQLite limits the parameters of a
    query)."""
    if connection.vendor == "mysql":
        return list(queryset.values_list("pk", flat=True))
    return queryset.values("pk")


def _search_characters(path: str) -> Callable[[str], Q]:
    """A search of report rows by a text of their characters (at ``path``), found first among
    the characters (a few thousand) rather than in every row."""

    def search(text: str) -> Q:
        found = Character.objects.filter(**{f"{path}__icontains": text})
        return Q(character_id__in=_keys(found))

    return search


def _search_skill_sets(text: str) -> Q:
    return Q(skill_set_id__in=_keys(SkillSet.objects.filter(name__icontains=text)))


# What ends every order of the skill sets report, as it ends each of its indexes.
_ROW_ORDER = ("character_id", "skill_set_id", "pk")


class SkillSetReportTable(ServerSideTable):
    """The skill sets report: a server-side table whose every sort ends with the character, the
    skill set and the key, in the sort's direction, as each of the report's indexes does; a
    page's keys are read along one index, then its rows by key (``keys_first``). A page in the
    second half of the rows is read from the other end of the index, in the reverse order,
    so that no page walks more than half of them. The CSV reads plain values, chunk by chunk
    of keys.

    ``owners``: the covered users when the rows are chosen by the characters left out (see
    :class:`_Coverage`); a row whose character's owner is not one of them is not shown."""

    def __init__(self, *args, owners: frozenset | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = owners

    def _ordering(self, asked: query_params.TableRequest) -> list[str]:
        ordering, prefix = [], ""
        for column_index, descending in asked.order:
            column = sort_column(self.columns, asked, column_index)
            if column is not None and column.order_by:
                prefix = prefix if ordering else ("-" if descending else "")
                ordering.append(f"-{column.order_by}" if descending else column.order_by)
        if not ordering:
            ordering.append(self.default_order)
        return [*ordering, *(f"{prefix}{key}" for key in _ROW_ORDER)]

    def _page_objects_and_counts(self, queryset, counted, unsearched, start, length):
        if unsearched is not None or start < _FROM_THE_END_AFTER:
            objects, filtered, total = super()._page_objects_and_counts(
                queryset, counted, unsearched, start, length
            )
            return self._covered(objects), filtered, total
        total = counted.order_by().count()
        if start < total / 2 or start >= total:
            return self._covered(self._page_objects(queryset, start, length)), total, total
        end = total - start  # the page's last row, counted from the other end
        keys = list(queryset.reverse().values_list("pk", flat=True)[max(end - length, 0) : end])[
            ::-1
        ]
        by_key = self.unscoped.order_by().in_bulk(keys)
        return self._covered([by_key[key] for key in keys if key in by_key]), total, total

    def _covered(self, checks: list) -> list:
        if self.owners is None:
            return checks
        return [check for check in checks if check.owner_pk in self.owners]

    def csv_rows(
        self, names: list[str], seen: Callable[[Any], None] | None, chunk_size: int
    ) -> Iterable[list]:
        """The values of the columns ``names`` of every row, in the default order; ``seen`` is
        called once for each character of the rows."""
        fields = ["pk", "character_id", *(_PLAIN_FIELDS[name] for name in names)]
        queryset = self.queryset.order_by(self.default_order, *_ROW_ORDER)
        # the owners of all characters in one query, rather than three joins for every row
        owners = {}
        if seen or self.owners is not None:
            owners = dict(Character.objects.values_list("pk", _OWNER_OF_CHARACTER))
        if self.owners is not None:
            owners = {pk: owner for pk, owner in owners.items() if owner in self.owners}
        characters_seen = set()
        rows = CharacterSkillSetCheck.objects.order_by()
        for keys in key_chunks(queryset, chunk_size):
            by_key = {row[0]: row for row in rows.filter(pk__in=keys).values_list(*fields)}
            for key in keys:
                row = by_key.get(key)
                if row is None:
                    continue
                character_id = row[1]
                if character_id not in characters_seen:
                    if self.owners is not None and character_id not in owners:
                        continue  # registered since its owner was found not covered
                    characters_seen.add(character_id)
                    if seen:
                        seen(_RowOwner(character_id, owners.get(character_id)))
                yield row[2:]

    def all_rows(self, seen: Callable[[Any], None] | None, chunk_size: int) -> Iterable[dict]:
        names = [column.name for column in self.columns]
        for values in self.csv_rows(names, seen, chunk_size):
            yield dict(zip(names, values, strict=True))


# A page starting past this row may be read from the other end of the rows: its count is then
# read apart, before the page (on a page near the start, in the same query).
_FROM_THE_END_AFTER = 10_000


class _RowOwner(NamedTuple):
    character_id: int
    owner_pk: int | None


_MAIN_NAME = f"{_MAIN}__character_name"
USER_COMPLIANCE_COLUMNS = [
    Column(
        "user",
        lambda user: user.username,
        "username",
        "username",
        title=_("User"),
        priority=1,
    ),
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

_OWNER_OF_CHARACTER = "eve_character__character_ownership__user_id"
_CHECK_OWNER = f"character__{_OWNER_OF_CHARACTER}"
SKILL_SET_COLUMNS = [
    Column(
        "character",
        lambda check: check.character_name,
        "character_name",
        _search_characters("eve_character__character_name"),
        title=_("Character"),
        priority=1,
    ),
    Column(
        "main",
        lambda check: check.main_name,
        "main_name",
        _search_characters(
            "eve_character__character_ownership__user__profile__main_character__character_name"
        ),
        title=_("Main character"),
        priority=2,
    ),
    Column(
        "corporation",
        lambda check: check.corporation_name,
        "corporation_name",
        _search_characters("eve_character__corporation_name"),
        title=_("Corporation"),
        priority=3,
    ),
    Column(
        "skill_set",
        lambda check: check.skill_set_name,
        "skill_set_name",
        _search_skill_sets,
        title=_("Skill set"),
        priority=1,
    ),
    Column(
        "can_fly",
        lambda check: check.meets_required,
        order_by="meets_required",
        title=_("Required skills met"),
        render="bool",
        priority=1,
    ),
    Column(
        "is_met",
        lambda check: check.meets_all,
        order_by="meets_all",
        title=_("All skills met"),
        render="bool",
        priority=2,
    ),
]
# The field of the check each column of the CSV reads.
_PLAIN_FIELDS = {
    "character": "character_name",
    "main": "main_name",
    "corporation": "corporation_name",
    "skill_set": "skill_set_name",
    "can_fly": "meets_required",
    "is_met": "meets_all",
}


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


def _skill_set_table(viewer: User) -> SkillSetReportTable:
    coverage = _coverage(viewer)
    return SkillSetReportTable(
        _skill_set_rows(coverage),
        SKILL_SET_COLUMNS,
        default_order="character_name",
        keys_first=True,
        unscoped=skill_set_checks(),
        owners=coverage.owners,
    )


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
            _skill_set_table,
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
