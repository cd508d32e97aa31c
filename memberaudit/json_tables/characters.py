"""The character finder and the character columns other lists share."""

from dataclasses import replace

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .. import images
from ..models import (
    Character,
    CharacterCorporationRole,
)
from ..selectors.finder import EVE_CHARACTER_SORT_KEYS, search_main, search_state
from ..tables import Column, ServerSideTable
from .common import iso


def character_columns(main_name: str = "main_name", main_search=None) -> list[Column]:
    """The columns of a table of characters (the finder, the skill search): the character
    with its portrait and viewer link, its corporation and alliance, and the owner's main.
    Rows are characters with ``eve_character`` and a ``main_name`` annotation; ``main_name``
    is what the main's name is sorted by (the annotation, or its path) and searched by,
    unless ``main_search`` gives the search's condition (see :class:`..tables.Column`)."""
    viewer_url = _character_viewer_url()
    return [
        Column(
            "name",
            lambda row: row.eve_character.character_name,
            "eve_character__character_name",
            "eve_character__character_name",
            title=_("Character"),
            render="character",
            priority=1,
        ),
        Column("character_id", lambda row: row.eve_character.character_id),
        Column(
            "portrait_url",
            lambda row: images.character_portrait_url(row.eve_character.character_id),
        ),
        Column("url", lambda row: viewer_url(row.pk)),
        Column(
            "corporation",
            lambda row: row.eve_character.corporation_name,
            "eve_character__corporation_name",
            "eve_character__corporation_name",
            title=_("Corporation"),
            priority=2,
        ),
        Column(
            "alliance",
            lambda row: row.eve_character.alliance_name or "",
            "eve_character__alliance_name",
            "eve_character__alliance_name",
            title=_("Alliance"),
            priority=3,
        ),
        Column(
            "main",
            lambda row: row.main_name or "",
            main_name,
            main_search or main_name,
            title=_("Main"),
            priority=2,
        ),
    ]


def _character_viewer_url():
    """The viewer's URL of a character by key: reversed once for a table, not for each row."""
    marker = 987_654_321
    head, tail = reverse("memberaudit:character_viewer", args=[marker]).split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def finder(rows=None) -> ServerSideTable:
    """The finder over :func:`memberaudit.selectors.finder_rows` (without rows: only its
    columns, for the page).

    A page's keys are found first, sorted by the column and then by the key of the
    character's EVE character, read from that character's table: sorted by a name of the
    character, its corporation or its alliance, the database walks that name's index and
    stops at the page's end; sorted by the owner's main or state, it walks the index of the
    character's copy of that name (see :mod:`memberaudit.owner_copies`). The shares and the
    roles are joined only to a page sorted by them (a search finds the owners whose main or
    state matches first), and the names shown loaded for the page's characters only. A
    search of a wide scope finds its matches among all characters first (see
    :class:`memberaudit.tables.SearchFirst`)."""
    return ServerSideTable(
        Character.objects.none() if rows is None else rows.characters,
        [
            *(_finder_column(column) for column in character_columns(main_search=search_main)),
            Column(
                "state",
                lambda row: row.state_name or "",
                "state_name",
                search_state,
                title=_("State"),
                priority=4,
            ),
            Column(
                "is_shared",
                lambda row: row.is_shared,
                order_by="is_shared",
                title=_("Shared"),
                render="bool",
                priority=3,
            ),
            Column(
                "corporation_roles",
                _role_names,
                order_by="role_count",  # most roles first when descending
                title=_("Corporation roles"),
                render="list",
                priority=4,
            ),
            Column(
                "share_ends_at",
                lambda row: iso(row.share_ends_at),
                order_by="share_ends_at",
                title=_("Share ends"),
                render="share_end",
                priority=5,
            ),
        ],
        default_order="character_name",
        tiebreaker="eve_character_key",
        keys_first=True,
        unscoped=None if rows is None else rows.shown,
        sort_keys=None if rows is None else rows.sort_keys,
        total=None if rows is None else rows.count,
        search_first=None if rows is None else rows.search_first,
    )


def _finder_column(column: Column) -> Column:
    """A column of :func:`character_columns` as the finder sorts it: a name of the character,
    its corporation or alliance by the sort key that ends like that name's index."""
    if column.name in EVE_CHARACTER_SORT_KEYS:
        return replace(column, order_by=EVE_CHARACTER_SORT_KEYS[column.name])
    return column


def _role_names(character: Character) -> list[str]:
    """The distinct corporation roles of a finder row, directors and accountants first."""
    roles = {row.role for row in character.corporation_roles.all()}
    key_roles = [role for role in CharacterCorporationRole.KEY_ROLES if role in roles]
    others = sorted(roles - set(key_roles))
    return [role.replace("_", " ") for role in key_roles + others]
