"""Reports: compliance of users and corporations, and skill sets per character.

Every report covers exactly the users :func:`memberaudit.access.report_users` gives for the
viewer. Each report is a table with fixed columns, served page by page as JSON (the DataTables
protocol of :mod:`memberaudit.tables`) and as a CSV download of all its rows.
A user is compliant when every character of theirs known to Auth is registered here.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
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
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from allianceauth.authentication.models import CharacterOwnership

from . import access
from .models import CharacterSkillSetCheck
from .tables import Column, ServerSideTable

_MAIN = "profile__main_character"


@dataclass(frozen=True)
class Report:
    """A report: its title, its column titles for CSV, and its table for a viewer."""

    name: str
    title: str | Promise
    headers: dict[str, str | Promise]  # JSON field -> column title, in CSV order
    table: Callable[[User], "ServerSideTable | ListTable"]


class ListTable:
    """The DataTables protocol over a short list of dicts (e.g. one row per corporation),
    sorted, searched and paged in Python."""

    def __init__(self, rows: list[dict], searchable: Iterable[str], sortable: Iterable[str]):
        self.rows = rows
        self.searchable = tuple(searchable)
        self.sortable = tuple(sortable)

    def page(self, params) -> dict:
        columns = list(self.rows[0]) if self.rows else []
        rows = list(self.rows)
        search = (params.get("search[value]") or "").strip().casefold()
        if search:
            rows = [
                row
                for row in rows
                if any(search in str(row[name] or "").casefold() for name in self.searchable)
            ]
        index = _int(params.get("order[0][column]"))
        name = params.get(f"columns[{index}][data]") if index is not None else None
        if name in self.sortable and (not columns or name in columns):
            descending = params.get("order[0][dir]") == "desc"
            rows.sort(key=lambda row: _sort_key(row[name]), reverse=descending)
        start = max(0, _int(params.get("start")) or 0)
        length = _int(params.get("length")) or 50
        length = 50 if length <= 0 else min(length, 500)
        return {
            "draw": _int(params.get("draw")) or 0,
            "recordsTotal": len(self.rows),
            "recordsFiltered": len(rows),
            "data": rows[start : start + length],
        }

    def all_rows(self) -> Iterable[dict]:
        return iter(self.rows)


def user_compliance_rows(viewer: User):
    """The users the viewer's reports cover, with counts of known and registered characters.

    One query.
    """
    ownerships = CharacterOwnership.objects.filter(user=OuterRef("pk")).order_by()
    known = ownerships.values("user").annotate(count=Count("pk")).values("count")
    registered = (
        ownerships.filter(character__memberaudit_character__isnull=False)
        .values("user")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        access.report_users(viewer)
        .select_related(_MAIN)
        .annotate(
            known=Coalesce(Subquery(known, output_field=IntegerField()), 0),
            registered=Coalesce(Subquery(registered, output_field=IntegerField()), 0),
        )
        .annotate(
            is_compliant=Case(
                When(Q(known__gt=0, known=F("registered")), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


def corporation_compliance_rows(viewer: User) -> list[dict]:
    """Per corporation of the covered users' mains: users, compliant users, percentage.

    One query. Users without a main are counted under an empty corporation.
    """
    grouped = (
        user_compliance_rows(viewer)
        .order_by()
        .values(
            f"{_MAIN}__corporation_id",
            f"{_MAIN}__corporation_name",
            f"{_MAIN}__alliance_name",
        )
        .annotate(
            users=Count("pk"),
            compliant_users=Sum(
                Case(When(is_compliant=True, then=1), default=0, output_field=IntegerField())
            ),
        )
    )
    rows = []
    for group in grouped:
        users, compliant = group["users"], group["compliant_users"] or 0
        rows.append(
            {
                "corporation": group[f"{_MAIN}__corporation_name"] or "",
                "alliance": group[f"{_MAIN}__alliance_name"] or "",
                "users": users,
                "compliant_users": compliant,
                "percentage": round(100 * compliant / users, 1) if users else 0.0,
            }
        )
    rows.sort(key=lambda row: row["corporation"].casefold())
    return rows


def skill_set_rows(viewer: User):
    """Per character of the covered users and active skill set: whether the set is met."""
    failed_required = CharacterSkillSetCheck.failed_required_skills.through.objects.filter(
        characterskillsetcheck_id=OuterRef("pk")
    )
    failed_recommended = CharacterSkillSetCheck.failed_recommended_skills.through.objects.filter(
        characterskillsetcheck_id=OuterRef("pk")
    )
    owner = "character__eve_character__character_ownership__user"
    return (
        CharacterSkillSetCheck.objects.filter(
            **{f"{owner}__in": access.report_users(viewer)}, skill_set__is_active=True
        )
        .select_related(
            "skill_set", "character__eve_character", f"{owner}__profile__main_character"
        )
        .annotate(
            meets_required=~Exists(failed_required),
            meets_all=~Exists(failed_required) & ~Exists(failed_recommended),
        )
    )


def _user_compliance_table(viewer: User) -> ServerSideTable:
    main = f"{_MAIN}__character_name"
    return ServerSideTable(
        user_compliance_rows(viewer),
        [
            Column("user", lambda user: user.username, "username", "username"),
            Column("main", lambda user: _main_field(user, "character_name"), main, main),
            Column(
                "corporation",
                lambda user: _main_field(user, "corporation_name"),
                f"{_MAIN}__corporation_name",
                f"{_MAIN}__corporation_name",
            ),
            Column(
                "alliance",
                lambda user: _main_field(user, "alliance_name"),
                f"{_MAIN}__alliance_name",
                f"{_MAIN}__alliance_name",
            ),
            Column("registered", lambda user: user.registered, order_by="registered"),
            Column("known", lambda user: user.known, order_by="known"),
            Column("is_compliant", lambda user: user.is_compliant, order_by="is_compliant"),
        ],
        default_order="username",
    )


def _corporation_compliance_table(viewer: User) -> ListTable:
    return ListTable(
        corporation_compliance_rows(viewer),
        searchable=("corporation", "alliance"),
        sortable=("corporation", "alliance", "users", "compliant_users", "percentage"),
    )


def _skill_set_table(viewer: User) -> ServerSideTable:
    character = "character__eve_character__character_name"
    main = "character__eve_character__character_ownership__user__profile__main_character"
    return ServerSideTable(
        skill_set_rows(viewer),
        [
            Column(
                "character",
                lambda check: check.character.eve_character.character_name,
                character,
                character,
            ),
            Column(
                "main",
                lambda check: _main_field(check.character.owner, "character_name"),
                f"{main}__character_name",
                f"{main}__character_name",
            ),
            Column(
                "corporation",
                lambda check: check.character.eve_character.corporation_name,
                "character__eve_character__corporation_name",
                "character__eve_character__corporation_name",
            ),
            Column(
                "skill_set",
                lambda check: check.skill_set.name,
                "skill_set__name",
                "skill_set__name",
            ),
            Column("can_fly", lambda check: check.meets_required, order_by="meets_required"),
            Column("is_met", lambda check: check.meets_all, order_by="meets_all"),
        ],
        default_order=character,
    )


REPORTS = {
    report.name: report
    for report in (
        Report(
            "user_compliance",
            _("User compliance"),
            {
                "user": _("User"),
                "main": _("Main character"),
                "corporation": _("Corporation"),
                "alliance": _("Alliance"),
                "registered": _("Registered characters"),
                "known": _("Characters in Auth"),
                "is_compliant": _("Compliant"),
            },
            _user_compliance_table,
        ),
        Report(
            "corporation_compliance",
            _("Corporation compliance"),
            {
                "corporation": _("Corporation"),
                "alliance": _("Alliance"),
                "users": _("Users"),
                "compliant_users": _("Compliant users"),
                "percentage": _("Compliant (%)"),
            },
            _corporation_compliance_table,
        ),
        Report(
            "skill_sets",
            _("Skill sets"),
            {
                "character": _("Character"),
                "main": _("Main character"),
                "corporation": _("Corporation"),
                "skill_set": _("Skill set"),
                "can_fly": _("Required skills met"),
                "is_met": _("All skills met"),
            },
            _skill_set_table,
        ),
    )
}


def all_rows(table: "ServerSideTable | ListTable") -> Iterable[dict]:
    """Every row of a report table as JSON fields, for the CSV download; bounded memory."""
    if isinstance(table, ListTable):
        yield from table.all_rows()
        return
    queryset = table.queryset.order_by(*filter(None, [table.default_order, "pk"]))
    for obj in queryset.iterator(chunk_size=2000):
        yield {column.name: column.value(obj) for column in table.columns}


def _main_field(user: User | None, name: str) -> str:
    profile = getattr(user, "profile", None) if user else None
    main = profile.main_character if profile else None
    return (getattr(main, name, "") or "") if main else ""


def _sort_key(value):
    if isinstance(value, str):
        return (0, value.casefold())
    return (0, value) if value is not None else (-1, 0)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
