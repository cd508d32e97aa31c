"""The character finder's rows and filter options."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from .. import access
from ..models import (
    Character,
    CharacterCorporationRole,
)
from .related import OWNER

FINDER_FILTERS = {
    "corporation": "eve_character__corporation_id",
    "alliance": "eve_character__alliance_id",
    "main": f"{OWNER}__profile__main_character__character_id",
    "state": f"{OWNER}__profile__state__name",
}


@dataclass(frozen=True)
class FinderRows:
    """What the finder's table needs for one viewer.

    ``characters``: exactly ``access.finder_characters``, narrowed by the filters, and
    nothing more, so that counting them and finding a page's keys join only what the scope,
    the filters, the search and the sort need. ``sort_keys``: what the columns that are not
    fields of the character sort and search by (the owner's main and state, the shares, the
    role count), added only to a page sorted or searched by them. ``shown``: every character
    with what a row shows, loaded by key for the page's characters only."""

    characters: QuerySet[Character]
    sort_keys: dict[str, Any]
    shown: QuerySet[Character]


def finder_rows(user: User, filters: dict | None = None) -> FinderRows:
    """The finder's rows for ``user``, narrowed by ``filters`` (see :class:`FinderRows`).

    ``filters`` maps ``corporation``, ``alliance``, ``main`` (EVE ids), ``state`` (a name) and
    ``shared`` (a bool) and ``roles`` (corporation roles: "1" any, "0" none, "director",
    "accountant") to the wanted value, as :mod:`memberaudit.query_params` parsed them; empty
    values are ignored.

    ``is_shared`` says whether a live share opens the character to anyone, and
    ``share_ends_at`` when the last share that opens it to ``user`` ends (or, for a viewer who
    may open it anyway, the last of all); None: until revoked, or not shared.
    """
    now = timezone.now()
    shares = access.live_shares(now).filter(character=OuterRef("pk"))
    opening = access.open_shares(user, now).filter(character=OuterRef("pk"))
    characters = access.finder_characters(user)
    for name, value in (filters or {}).items():
        if value in (None, ""):
            continue
        if name == "shared":
            characters = characters.filter(Exists(shares) if value else ~Exists(shares))
        elif name == "roles":
            characters = _with_corporation_roles(characters, value)
        elif name in FINDER_FILTERS:
            characters = characters.filter(**{FINDER_FILTERS[name]: value})
    # the few shared characters are read once: most characters then need no subquery of their own
    shared = Q(pk__in=access.live_shares(now).values("character"))
    opened = Q(pk__in=access.open_shares(user, now).values("character"))
    sort_keys = {
        "main_name": _owner_field("profile__main_character__character_name"),
        "state_name": _owner_field("profile__state__name"),
        "is_shared": ExpressionWrapper(shared, output_field=BooleanField()),
        "share_ends_at": Case(
            When(opened, then=_latest_end(opening)),
            When(shared, then=_latest_end(shares)),
            default=None,
        ),
        "role_count": _role_count(),
    }
    shown = (
        Character.objects.select_related("eve_character")
        .annotate(
            **sort_keys,
            main_character_id=_owner_field("profile__main_character__character_id"),
        )
        .prefetch_related(
            Prefetch(
                "corporation_roles", queryset=CharacterCorporationRole.objects.order_by("role")
            )
        )
    )
    return FinderRows(characters, sort_keys, shown)


def _with_corporation_roles(queryset: QuerySet, value: str) -> QuerySet:
    """Narrow to characters with any corporation role ("1"), none ("0") or one key role
    ("director", "accountant"), in any of the four role lists."""
    roles = CharacterCorporationRole.objects.filter(character=OuterRef("pk"))
    key_roles = {role.lower(): role for role in CharacterCorporationRole.KEY_ROLES}
    if value in ("1", "true", "yes"):
        return queryset.filter(Exists(roles))
    if value in ("0", "false", "no"):
        return queryset.exclude(Exists(roles))
    if value in key_roles:
        return queryset.filter(Exists(roles.filter(role=key_roles[value])))
    return queryset


def _role_count() -> Coalesce:
    counts = (
        CharacterCorporationRole.objects.filter(character=OuterRef("pk"))
        .order_by()
        .values("character")
        .annotate(count=Count("role", distinct=True))
        .values("count")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def _latest_end(shares: QuerySet) -> Subquery:
    """The end of the share that lasts longest; NULL (until revoked) before any date."""
    ordered = shares.order_by(F("expires_at").desc(nulls_first=True))
    return Subquery(ordered.values("expires_at")[:1])


def finder_filter_options(user: User) -> dict:
    """The choices of the finder's filters, taken from the characters the user may see."""
    characters = access.finder_characters(user)

    def pairs(id_field, name_field):
        return (
            characters.exclude(**{f"{id_field}__isnull": True})
            .order_by(name_field)
            .values_list(id_field, name_field)
            .distinct()
        )

    return {
        "corporations": pairs("eve_character__corporation_id", "eve_character__corporation_name"),
        "alliances": pairs("eve_character__alliance_id", "eve_character__alliance_name"),
        "mains": pairs(
            f"{OWNER}__profile__main_character__character_id",
            f"{OWNER}__profile__main_character__character_name",
        ),
        "states": characters.exclude(**{f"{OWNER}__profile__state__isnull": True})
        .order_by(f"{OWNER}__profile__state__name")
        .values_list(f"{OWNER}__profile__state__name", flat=True)
        .distinct(),
    }


def _owner_field(path: str) -> F:
    return F(f"{OWNER}__{path}")
