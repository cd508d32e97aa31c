"""The skill sets report: per character of the covered users and active skill set, whether
the set is met, for 200,000 rows and more.

Its rows are the skill set checks, which carry what the report shows
(:mod:`memberaudit.report_rows`); who is covered follows :func:`memberaudit.access.report_users`.
A page's keys are read along one index of the checks (one per sortable column), then its rows
by key; the CSV reads plain values chunk by chunk of keys.
"""

import operator
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from typing import Any, NamedTuple

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _

from allianceauth.authentication.models import CharacterOwnership

from . import access, query_params, tables
from .exports import key_chunks
from .json_tables.common import name_column
from .models import Character, CharacterSkillSetCheck, SkillSet
from .selectors.finder import search_main
from .tables import MARIADB_IN_TABLE_SIZE, Column, SearchAmong, ServerSideTable, sort_column


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
    # the same checks as ``condition``, in a form cheaper to count (None: ``condition``)
    counted: Q | None = None
    # for a search of a scope: which of the given characters are covered (each rule asked of
    # them only), the condition that a check's character is covered, and that its skill set
    # is active. The characters a text finds are then checked against the rules and looked up
    # along the index of (character, skill set) by that short list, not among every row of
    # the sort's index (None: ``condition``)
    search_scope: "_SearchScope | None" = None


@dataclass(frozen=True)
class _SearchScope:
    among: Callable[[list[int]], list[int]]
    keys: Callable[[], list[int]]
    covered: Q
    active: Q


def _coverage(viewer: User) -> _Coverage:
    """Which checks the viewer's report covers: those of covered characters and of active
    skill sets. The checks of inactive skill sets are removed by the next run; until then
    they are left out by the keys of their skill sets (a few).

    For a viewer who sees every user with access, the characters left out are found (those
    without an owner, those of users without access), in the same query as the inactive skill
    sets with checks: usually there are none, and then the report is every check, which a
    page reads along an index and counts without testing a condition on each of its rows.

    For a viewer with a scope on SQLite, the covered characters are one subquery, read once.
    On MariaDB a single subquery would be turned into a join driven from the users, sorting
    every row of the report. The characters are chosen rule by rule instead
    (:func:`memberaudit.access.report_character_rules`), conditions joined by OR: each rule is
    read once and a page walks its index, looking each row's character up, however wide the
    scope, and no list of thousands of keys is sent; the rows are counted by the last rule
    alone, a join from the users in scope to their characters' checks.
    """
    users = access.report_users(viewer)
    checks = CharacterSkillSetCheck.objects.filter(skill_set_id=OuterRef("pk"))
    stale = (
        SkillSet.objects.filter(Exists(checks), is_active=False)
        .order_by()
        .values_list("pk", flat=True)
    )
    rules = access.report_character_rules(viewer)
    if rules is None:
        return _coverage_of_everyone(users, stale)
    if connection.vendor != "mysql":
        return _coverage_by_subquery(users, stale)
    active = ~Q(skill_set_id__in=list(stale))
    condition = Q(pk__in=[])
    for rule in rules:
        condition |= Q(character_id__in=rule)
    # counted by the last rule alone, which holds them all (see report_character_rules):
    # the database then reads only the checks of the characters in scope, by character
    return _Coverage(
        condition & active,
        counted=Q(character_id__in=rules[-1]) & active,
        search_scope=_SearchScope(
            among=lambda keys: sorted(access.report_keys_among(rules, keys)),
            keys=lambda: sorted(access.report_keys_of(rules)),
            covered=condition,
            active=active,
        ),
    )


def _coverage_by_subquery(users, stale) -> _Coverage:
    """The checks of the characters of ``users`` (one subquery) not of a ``stale`` skill set."""
    covered = Character.objects.filter(eve_character__character_ownership__user__in=users)
    return _Coverage(Q(character_id__in=covered.values("pk")) & ~Q(skill_set_id__in=stale))


def _coverage_of_everyone(users, stale) -> _Coverage:
    """The checks of every character but those left out (without an owner, or of a user
    without access), not of a ``stale`` skill set: a few characters left out are named, and
    a row is shown only when its character's owner is one of ``users`` (see
    :class:`_Coverage`); with many, the covered characters are named instead (MariaDB, in
    short lists) or found by a subquery (SQLite)."""
    is_covered = Case(When(pk__in=users, then=Value(True)), default=Value(False))
    owners, left_out_users = set(), []
    for pk, covered in User.objects.annotate(covered=is_covered).values_list("pk", "covered"):
        if covered:
            owners.add(pk)
        else:
            left_out_users.append(pk)
    owned = CharacterOwnership.objects.filter(character_id=OuterRef("eve_character_id"))
    left_out = Q(~Exists(owned))
    if left_out_users:  # many (guests who logged in once) are found by a subquery again
        without_access = left_out_users
        if len(left_out_users) >= MARIADB_IN_TABLE_SIZE:
            without_access = User.objects.exclude(pk__in=users).values("pk")
        left_out |= Q(eve_character__character_ownership__user_id__in=without_access)
    left_out_keys = defaultdict(list)
    for kind, pk in _tagged(Character.objects.filter(left_out), "character").union(
        _tagged(stale, "skill_set"), all=True
    ):
        left_out_keys[kind].append(pk)
    condition = ~Q(skill_set_id__in=left_out_keys["skill_set"])
    characters = sorted(left_out_keys["character"])
    if len(characters) < MARIADB_IN_TABLE_SIZE:
        return _Coverage(condition & ~Q(character_id__in=characters), frozenset(owners))
    if connection.vendor != "mysql":
        return _coverage_by_subquery(users, stale)
    covered = Character.objects.exclude(pk__in=characters).values_list("pk", flat=True)
    return _Coverage(condition & tables.in_keys("character_id", sorted(covered)))


def _tagged(queryset, kind: str):
    """The keys of ``queryset`` as pairs (``kind``, key): to read keys of several tables in
    one query (``UNION``)."""
    return queryset.annotate(kind=Value(kind)).values_list("kind", "pk")


def _every_skill_set_named_with(text: str) -> bool:
    """Whether the name of every active skill set holds ``text`` (as the search of the
    skill set column reads it)."""
    column = next(column for column in SKILL_SET_COLUMNS if column.name == "skill_set")
    return (
        not SkillSet.objects.filter(is_active=True).exclude(column.search.condition(text)).exists()
    )


def skill_set_checks():
    """Every skill set check with the owner of its character (``owner_pk``), for any viewer:
    the rows of :func:`skill_set_rows` once their keys are chosen."""
    return CharacterSkillSetCheck.objects.annotate(owner_pk=F(_CHECK_OWNER))


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

    # a search's rows are chosen by the report's own means (see _search_condition), and
    # counted by ``counted``
    matches_first = False

    def __init__(
        self,
        *args,
        owners: frozenset | None = None,
        counted: Q | None = None,
        search_scope: _SearchScope | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.owners = owners
        self.search_scope = search_scope
        self.searching_scope = False
        # the rows of ``queryset`` in a form cheaper to count, for the counts of all rows
        self.counted = None if counted is None else CharacterSkillSetCheck.objects.filter(counted)

    def page(self, params, seen: Callable[[Any], None] | None = None) -> dict:
        search = query_params.table_request(params).search
        if search and _every_skill_set_named_with(search):
            # every row is of an active skill set whose name holds the text: the search
            # matches every row, which the page then reads as if unsearched
            params = params.copy()
            params["search[value]"] = ""
            search = ""
        if self.search_scope is not None and search:
            # the rows of the covered characters are chosen by the search's condition (see
            # _search_condition); all rows are still counted by ``counted``
            self.searching_scope = True
            self.queryset = CharacterSkillSetCheck.objects.filter(self.search_scope.active)
        return super().page(params, seen)

    def _search_condition(self, search: str) -> Q:
        """For a search of a scope (see ``search_scope``): the rows of the characters the
        text finds that the scope covers, and the rows of the skill sets it finds among the
        covered characters' rows. Up to :data:`memberaudit.access.CHECKED_CHARACTERS` found
        characters are checked against the viewer's rules; with more, the keys of the scope's
        characters are read: when fewer of them are not found than are found, and at most
        :data:`memberaudit.tables.LISTED_KEYS`, the rows of the scope's keys but theirs
        match; else the found ones are kept to the scope's in Python. Once read, the scope's
        keys also stand for the scope in the rest of the condition (the rows of the skill sets
        found) and count all rows."""
        if not self.searching_scope:
            return super()._search_condition(search)
        scope = self.search_scope
        condition, among = self._search_parts(search)
        found = {
            field: list(model._default_manager.filter(matching).values_list("pk", flat=True))
            for (field, model), matching in among.items()
        }
        characters, covered = found.pop("character_id", []), scope.covered
        if len(characters) <= access.CHECKED_CHARACTERS:
            matches = [tables.in_keys("character_id", scope.among(characters))]
        else:
            keys = scope.keys()
            # all rows are then counted by these keys, in one list: MariaDB joins it as a
            # table, which costs less than the join from the users in scope (26 -> 16 ms
            # for an alliance's 5,024 characters)
            self.counted = CharacterSkillSetCheck.objects.filter(
                tables.in_keys("character_id", keys, size=len(keys)) & scope.active
            )
            found_keys = sorted(set(characters).intersection(keys))
            not_found = sorted(set(keys).difference(characters))
            # the scope's keys, read now, rather than each rule read again by the page and
            # by its count (an alliance's 5,024 characters: 13 ms each time)
            covered = tables.walked_keys("character_id", keys)
            if len(not_found) < min(len(found_keys), tables.LISTED_KEYS + 1):
                # a text found in nearly every name of the scope
                matches = [covered & ~tables.in_keys("character_id", not_found)]
            else:
                matches = [tables.walked_keys("character_id", found_keys)]
        if condition:
            matches.append(condition & covered)
        for field, keys in found.items():
            if keys:
                matches.append(Q(**{f"{field}__in": keys}) & covered)
        return reduce(operator.or_, matches, Q(pk__in=[]))

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

    def _page_objects_and_counts(self, queryset, counted, unsearched, total, start, length):
        if self.counted is not None:  # every row, counted in the cheaper form
            if unsearched is None:
                counted = self.counted
            else:
                unsearched = self.counted
        if unsearched is None and total is None and start >= _FROM_THE_END_AFTER:
            # a deep page: counted first, so that one past the middle is read from the end
            total = counted.order_by().count()
        objects, filtered, total = super()._page_objects_and_counts(
            queryset, counted, unsearched, total, start, length
        )
        return self._covered(objects), filtered, total

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


_OWNER_OF_CHARACTER = "eve_character__character_ownership__user_id"
_CHECK_OWNER = f"character__{_OWNER_OF_CHARACTER}"
SKILL_SET_COLUMNS = [
    name_column(
        "character",
        "character_name",
        SearchAmong("character_id", Character, "eve_character__character_name"),
        title=_("Character"),
        priority=1,
    ),
    name_column(
        "main",
        "main_name",
        SearchAmong("character_id", Character, search_main),
        title=_("Main character"),
        priority=2,
    ),
    name_column(
        "corporation",
        "corporation_name",
        SearchAmong("character_id", Character, "eve_character__corporation_name"),
        title=_("Corporation"),
        priority=3,
    ),
    name_column(
        "skill_set",
        "skill_set_name",
        SearchAmong("skill_set_id", SkillSet, "name"),
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


def skill_set_table(viewer: User) -> SkillSetReportTable:
    coverage = _coverage(viewer)
    return SkillSetReportTable(
        _skill_set_rows(coverage),
        SKILL_SET_COLUMNS,
        default_order="character_name",
        keys_first=True,
        unscoped=skill_set_checks(),
        owners=coverage.owners,
        counted=coverage.counted,
        search_scope=coverage.search_scope,
    )
