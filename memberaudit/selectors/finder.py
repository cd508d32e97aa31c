"""The character finder's rows and filter options."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Col
from django.db.models.functions import Coalesce
from django.utils import timezone

from allianceauth.authentication.models import CharacterOwnership, UserProfile

from .. import access, tables
from ..models import (
    Character,
    CharacterCorporationRole,
)
from ..tables import SearchFirst
from .related import OWNER

# the finder's columns sorted by a field of the EVE character -> its sort key
EVE_CHARACTER_SORT_KEYS = {
    "name": "character_name",
    "corporation": "corporation_name",
    "alliance": "alliance_name",
}
# filters on the character's own EVE character; those on its owner ask for the owners first
FINDER_FILTERS = {
    "corporation": "eve_character__corporation_id",
    "alliance": "eve_character__alliance_id",
}
OWNER_FILTERS = {
    "main": "main_character__character_id",
    "state": "state__name",
}


@dataclass(frozen=True)
class FinderRows:
    """What the finder's table needs for one viewer.

    ``characters``: exactly ``access.finder_characters``, narrowed by the filters, and
    nothing more, so that counting them and finding a page's keys join only what the scope,
    the filters, the search and the sort need. ``sort_keys``: what the columns sort by (the
    owner's main and state as copied onto the character, see
    :mod:`memberaudit.owner_copies`; the shares, the role count, the EVE character's key as
    the last one), added only to a page sorted by them. ``shown``: every character with what
    a row shows (the owner's main and state as they are now), loaded by key for the page's
    characters only. ``count``: how many ``characters`` there are, when known without a
    query (the viewer's scope read as keys, not narrowed by a filter), or how to count them
    when a page asks (a wide scope, see :func:`memberaudit.access.finder_scope`).
    ``search_first``: for a scope not read as keys (a wide one, or every character), how a
    search finds its matches among all characters first and keeps those in the scope (see
    :class:`memberaudit.tables.SearchFirst`)."""

    characters: QuerySet[Character]
    sort_keys: dict[str, Any]
    shown: QuerySet[Character]
    count: "int | Callable[[], int] | None" = None
    search_first: SearchFirst | None = None


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
    # each built once (their conditions take most of the time of building a page's queries)
    live, open_to_user = access.live_shares(now), access.open_shares(user, now)
    # the few shared characters are read once: most characters then need no subquery of their own
    opened_keys, opened_ends = _shared_characters(open_to_user)
    shared_keys, shared_ends = _shared_characters(live)
    shared, opened = access.among(shared_keys), access.among(opened_keys)
    share_ends_at = Case(
        When(opened, then=_latest_end(open_to_user.filter(character=OuterRef("pk")))),
        When(shared, then=_latest_end(live.filter(character=OuterRef("pk")))),
        default=None,
    )
    scope = access.finder_scope(user, opened_keys if isinstance(opened_keys, list) else None)

    def narrowed(characters: QuerySet[Character]) -> QuerySet[Character]:
        for name, value in (filters or {}).items():
            if value in (None, ""):
                continue
            if name == "shared":
                characters = characters.filter(shared if value else ~shared)
            elif name == "roles":
                characters = _with_corporation_roles(characters, value)
            elif name in FINDER_FILTERS:
                characters = characters.filter(**{FINDER_FILTERS[name]: value})
            elif name in OWNER_FILTERS:
                characters = characters.filter(_owned_by(**{OWNER_FILTERS[name]: value}))
        return characters

    characters = narrowed(scope.characters())
    filtered = any(value not in (None, "") for value in (filters or {}).values())
    count = None if filtered else scope.count
    search_first = None
    if scope.keys is None:  # a wide scope or every character: a search is asked of all first
        search_first = SearchFirst(
            narrowed(Character.objects.all()),
            scope.keys_among,  # the rules and shares already read for the scope
            access.CHECKED_CHARACTERS,
        )
    sort_keys = {
        **{key: F(f"eve_character__{key}") for key in EVE_CHARACTER_SORT_KEYS.values()},
        # the copies on the character, on whose indexes a page walks (see owner_copies)
        "main_name": F("owner_main_name"),
        "state_name": F("owner_state_name"),
        "is_shared": ExpressionWrapper(shared, output_field=BooleanField()),
        "share_ends_at": (
            share_ends_at
            if shared_ends is None
            else _share_ends_as_values({**shared_ends, **opened_ends})
        ),
        "role_count": _role_count(),
        # after the keys that join the EVE character (see RelatedKey)
        "eve_character_key": RelatedKey("eve_character"),
    }
    shown = (
        Character.objects.select_related("eve_character")
        .annotate(
            # the live names, as the search and the filters read them, for a page's rows only
            main_name=_owner_field("profile__main_character__character_name"),
            state_name=_owner_field("profile__state__name"),
            is_shared=sort_keys["is_shared"],
            share_ends_at=share_ends_at,
            main_character_id=_owner_field("profile__main_character__character_id"),
        )
        .prefetch_related(
            Prefetch(
                "corporation_roles", queryset=CharacterCorporationRole.objects.order_by("role")
            )
        )
    )
    return FinderRows(characters, sort_keys, shown, count, search_first)


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


def _shared_characters(shares: QuerySet) -> tuple["list[int] | QuerySet", dict | None]:
    """The keys of the characters ``shares`` open (see
    :func:`memberaudit.access.shared_character_keys`) and, where they are read as a list,
    when the longest of each one's shares ends (None: until revoked), read in the same
    query; else None."""
    if not tables.keys_read_as_list():
        return access.shared_character_keys(shares), None
    ends = {}
    for character, expires_at in shares.order_by().values_list("character", "expires_at"):
        if character not in ends:
            ends[character] = expires_at
        elif ends[character] is not None:
            ends[character] = None if expires_at is None else max(ends[character], expires_at)
    return sorted(ends), ends


def _share_ends_as_values(ends: dict) -> Case | Value:
    """What a page sorted by the share's end sorts by, when the ends of the few shared
    characters (``ends``: key -> end) were read: those values, written into the query, so
    that the database sorts the characters in scope by a value it has, not by two subqueries
    it must run for every character first (in a table of its own: 22 -> 2 ms for an
    alliance's 5,024 characters on MariaDB). Without an end to sort by, a constant: the
    page is then in the order of the tiebreaker, whose index the database walks."""
    whens = [
        When(pk=character, then=Value(end))
        for character, end in sorted(ends.items())
        if end is not None
    ]
    if not whens:
        return Value(None, output_field=DateTimeField())
    return Case(*whens, default=None, output_field=DateTimeField())


def _latest_end(shares: QuerySet) -> Subquery:
    """The end of the share that lasts longest; NULL (until revoked) before any date."""
    ordered = shares.order_by(F("expires_at").desc(nulls_first=True))
    return Subquery(ordered.values("expires_at")[:1])


def finder_filter_options(user: User, owners: bool = True) -> dict:
    """The choices of the finder's filters, taken from the characters the user may see: their
    corporations, alliances and (``owners``) their owners' mains and states, each as pairs of
    key and name (states: names) in the order of the names.

    The distinct combinations are read in one query, one pass over the characters in scope,
    and divided here: an alliance's characters are a few thousand combinations at most,
    where a query per list would pass over them four times."""
    columns = {
        "corporations": ("eve_character__corporation_id", "eve_character__corporation_name"),
        "alliances": ("eve_character__alliance_id", "eve_character__alliance_name"),
    }
    if owners:
        main = f"{OWNER}__profile__main_character"
        columns["mains"] = (f"{main}__character_id", f"{main}__character_name")
        columns["states"] = (f"{OWNER}__profile__state__name",) * 2
    fields = list(dict.fromkeys(field for pair in columns.values() for field in pair))
    found = {name: set() for name in columns}
    # the viewer's rules tested in this one pass (the owners in scope read once), rather
    # than the keys of the characters in scope read first and sent back in a list
    characters = access.finder_characters_by_rules(user)
    combinations = characters.order_by().values_list(*fields).distinct()
    for values in combinations:
        row = dict(zip(fields, values, strict=True))
        for name, (key, label) in columns.items():
            if row[key] is not None:
                found[name].add((row[key], row[label]))
    options = {
        name: sorted(pairs, key=lambda pair: ((pair[1] or "").casefold(), pair[0]))
        for name, pairs in found.items()
    }
    if owners:
        options["states"] = [name for name, _ in options["states"]]
    return options


def search_main(text: str) -> Q:
    """Characters whose owner's main's name contains ``text`` (see :func:`_owned_by`)."""
    return _owned_by(main_character__character_name__icontains=text)


def search_state(text: str) -> Q:
    """Characters whose owner's state's name contains ``text`` (see :func:`_owned_by`)."""
    return _owned_by(state__name__icontains=text)


def _owned_by(**profile) -> Q:
    """Characters whose owner's profile meets ``profile``: the owned EVE characters of those
    profiles are found first, once, and each character is looked up among them by its own
    column, instead of joining every character's ownership, owner, profile and main."""
    owned = CharacterOwnership.objects.filter(
        user__in=UserProfile.objects.filter(**profile).values("user")
    )
    return Q(eve_character__in=owned.values("character"))


class RelatedKey(F):
    """The key of the row a foreign key ``relation`` points to. When the query sorts or
    searches by a field of that row (an annotation reads it), read from that row's own table
    (Django reads ``relation__pk`` from the foreign key's column): a page sorted by a field of
    that row, then by this, is in the order of the field's index (whose entries end with the
    row's key), which the database walks from the page's start instead of sorting every row.
    Else read from the foreign key's column (the same value): no join is added for it, and a
    page sorted by a column of the query's own table, then by this, walks that column's index
    (whose entries end with the foreign key), even where a condition joins the related row
    (the viewer's scope, through the owner)."""

    def __init__(self, relation: str):
        super().__init__(relation)

    def resolve_expression(self, query=None, *args, **kwargs):
        field = query.model._meta.get_field(self.name)
        for alias, join in query.alias_map.items():
            if getattr(join, "join_field", None) == field and _annotations_read(query, alias):
                return Col(alias, field.related_model._meta.pk)
        return F(field.attname).resolve_expression(query, *args, **kwargs)


def _annotations_read(query, alias: str) -> bool:
    """Whether an annotation of ``query`` reads a column of the table joined as ``alias``."""
    return any(
        isinstance(part, Col) and part.alias == alias
        for annotation in query.annotations.values()
        for part in annotation.flatten()
    )


def _owner_field(path: str) -> F:
    return F(f"{OWNER}__{path}")
