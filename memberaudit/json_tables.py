"""The large tables the pages fetch as JSON: their rows, columns, sorting and searching.

Each builder returns a :class:`memberaudit.tables.ServerSideTable` for one character (already
checked by :mod:`memberaudit.access`) or for the finder. Rows are plain data; the browser
renders them (``static/memberaudit/js/server-tables.js``), so nothing here builds HTML.
A viewer tab names its builders in :attr:`memberaudit.sections.ViewerTab.tables`.
"""

from django.urls import reverse

from .models import Character
from .tables import Column, ServerSideTable


def wallet_journal(character: Character) -> ServerSideTable:
    queryset = character.wallet_journal.select_related(
        "first_party", "second_party", "tax_receiver"
    )
    return ServerSideTable(
        queryset,
        [
            Column("date", lambda row: _iso(row.date), order_by="date"),
            Column("ref_type", lambda row: row.ref_type.replace("_", " "), "ref_type", "ref_type"),
            Column(
                "first_party",
                lambda row: _name(row.first_party),
                "first_party__name",
                "first_party__name",
            ),
            Column(
                "second_party",
                lambda row: _name(row.second_party),
                "second_party__name",
                "second_party__name",
            ),
            Column("amount", lambda row: _number(row.amount), order_by="amount"),
            Column("balance", lambda row: _number(row.balance), order_by="balance"),
            Column("description", lambda row: row.description, search="description"),
            Column("reason", lambda row: row.reason, order_by="reason", search="reason"),
        ],
        default_order="-date",
    )


def contacts(character: Character) -> ServerSideTable:
    queryset = character.contacts.select_related("eve_entity").prefetch_related("labels")
    return ServerSideTable(
        queryset,
        [
            Column(
                "name", lambda row: _name(row.eve_entity), "eve_entity__name", "eve_entity__name"
            ),
            Column("eve_id", lambda row: row.eve_entity_id),
            Column(
                "category",
                lambda row: row.eve_entity.category or "",
                "eve_entity__category",
                "eve_entity__category",
            ),
            Column("standing", lambda row: row.standing, order_by="standing"),
            Column("labels", lambda row: sorted(label.name for label in row.labels.all())),
            Column("is_watched", lambda row: row.is_watched, order_by="is_watched"),
            Column("is_blocked", lambda row: row.is_blocked, order_by="is_blocked"),
        ],
        default_order="-standing",
    )


def finder(queryset) -> ServerSideTable:
    """The finder over rows from :func:`memberaudit.selectors.finder_rows`."""
    return ServerSideTable(
        queryset,
        [
            Column(
                "name",
                lambda row: row.eve_character.character_name,
                "eve_character__character_name",
                "eve_character__character_name",
            ),
            Column("character_id", lambda row: row.eve_character.character_id),
            Column("url", lambda row: reverse("memberaudit:character_viewer", args=[row.pk])),
            Column(
                "corporation",
                lambda row: row.eve_character.corporation_name,
                "eve_character__corporation_name",
                "eve_character__corporation_name",
            ),
            Column(
                "alliance",
                lambda row: row.eve_character.alliance_name or "",
                "eve_character__alliance_name",
                "eve_character__alliance_name",
            ),
            Column("main", lambda row: row.main_name or "", "main_name", "main_name"),
            Column("state", lambda row: row.state_name or "", "state_name", "state_name"),
            Column("is_shared", lambda row: row.is_shared, order_by="is_shared"),
        ],
        default_order="eve_character__character_name",
    )


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _number(value) -> float | None:
    return None if value is None else float(value)


def _name(entity) -> str:
    return entity.name if entity is not None and entity.name else ""
