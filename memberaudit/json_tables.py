"""The large tables the pages fetch as JSON: their rows, columns, sorting and searching.

Each builder returns a :class:`memberaudit.tables.ServerSideTable` for one character (already
checked by :mod:`memberaudit.access`) or for the finder. Rows are plain data; the browser
renders them (``static/memberaudit/js/server-tables.js``), so nothing here builds HTML.
A viewer tab names its builders in :attr:`memberaudit.sections.ViewerTab.tables`.
"""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext

from .models import (
    Character,
    CharacterAsset,
    CharacterMailRecipient,
    Location,
)
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


def mails(character: Character) -> ServerSideTable:
    """Mail headers, newest first; ``folder`` narrows them to ``label:<label_id>``,
    ``list:<list_id>`` (sent to or from a mailing list) or ``unread``."""
    recipients = CharacterMailRecipient.objects.select_related("eve_entity", "mailing_list")
    queryset = character.mails.select_related("sender", "sender_mailing_list").prefetch_related(
        Prefetch("recipients", queryset=recipients.order_by("pk"))
    )
    return ServerSideTable(
        queryset,
        [
            Column("timestamp", lambda row: _iso(row.timestamp), order_by="timestamp"),
            Column(
                "from",
                lambda row: row.sender_name,
                order_by="sender__name",
                search="sender__name",
            ),
            Column("to", lambda row: [str(recipient) for recipient in row.recipients.all()]),
            Column("subject", lambda row: row.subject, "subject", "subject"),
            Column("is_read", lambda row: row.is_read, order_by="is_read"),
            Column(
                "detail_url",
                lambda row: reverse("memberaudit:character_mail", args=[character.pk, row.mail_id]),
            ),
        ],
        default_order="-timestamp",
        filters={"folder": _mail_folder},
    )


def _mail_folder(queryset: QuerySet, value: str) -> QuerySet:
    if value == "unread":
        return queryset.filter(is_read=False)
    kind, _, number = value.partition(":")
    number = _int_or_none(number)
    if kind == "label" and number is not None:
        return queryset.filter(labels__label_id=number)
    if kind == "list" and number is not None:
        to_list = CharacterMailRecipient.objects.filter(
            mail=OuterRef("pk"), mailing_list__list_id=number
        )
        return queryset.filter(Q(sender_mailing_list__list_id=number) | Exists(to_list))
    return queryset.none()


def contracts(character: Character) -> ServerSideTable:
    """The character's contracts, newest first."""
    queryset = character.contracts.select_related(
        "issuer", "assignee", "acceptor", "start_location", "end_location"
    )
    return ServerSideTable(
        queryset,
        [
            Column("date_issued", lambda row: _iso(row.date_issued), order_by="date_issued"),
            Column(
                "type",
                lambda row: row.get_contract_type_display(),
                order_by="contract_type",
                search="contract_type",
            ),
            Column("status", lambda row: row.get_status_display(), "status", "status"),
            Column("title", lambda row: row.title or gettext("(no title)"), "title", "title"),
            Column("issuer", lambda row: _name(row.issuer), "issuer__name", "issuer__name"),
            Column("assignee", lambda row: _name(row.assignee), "assignee__name", "assignee__name"),
            Column("acceptor", lambda row: _name(row.acceptor), "acceptor__name", "acceptor__name"),
            Column("price", lambda row: _number(row.price), order_by="price"),
            Column("reward", lambda row: _number(row.reward), order_by="reward"),
            Column("date_expired", lambda row: _iso(row.date_expired), order_by="date_expired"),
            Column(
                "date_completed", lambda row: _iso(row.date_completed), order_by="date_completed"
            ),
            Column(
                "start_location",
                lambda row: _place(row.start_location),
                "start_location__name",
                "start_location__name",
            ),
            Column(
                "end_location",
                lambda row: _place(row.end_location),
                "end_location__name",
                "end_location__name",
            ),
            Column(
                "detail_url",
                lambda row: reverse("memberaudit:character_contract", args=[character.pk, row.pk]),
            ),
        ],
        default_order="-date_issued",
    )


def asset_locations(character: Character) -> ServerSideTable:
    """The places where the character has items, with the number of top-level items at each:
    one grouped query on the (character, location) index."""
    queryset = (
        character.assets.filter(parent__isnull=True, location__isnull=False)
        .values(
            "location_id",
            "location__name",
            "location__eve_solar_system__name",
            "location__eve_solar_system__security_status",
        )
        .annotate(items=Count("pk"))
    )
    return ServerSideTable(
        queryset,
        [
            Column(
                "location",
                lambda row: _place_name(row["location_id"], row["location__name"]),
                order_by="location__name",
                search="location__name",
            ),
            Column(
                "solar_system",
                lambda row: row["location__eve_solar_system__name"] or "",
                order_by="location__eve_solar_system__name",
                search="location__eve_solar_system__name",
            ),
            Column(
                "security_status",
                lambda row: row["location__eve_solar_system__security_status"],
                order_by="location__eve_solar_system__security_status",
            ),
            Column("items", lambda row: row["items"], order_by="items"),
            Column("location_id", lambda row: row["location_id"]),
        ],
        default_order="location__name",
        tiebreaker="location_id",
    )


def assets(character: Character) -> ServerSideTable:
    """All the character's items, searchable by name, type and place; ``location`` narrows
    them to the top-level items at one place."""
    return _asset_table(
        character, character.assets.all(), filters={"location": _top_level_at_location}
    )


def asset_children(character: Character, item: CharacterAsset) -> ServerSideTable:
    """The items inside ``item`` (a ship, container or office) of ``character``."""
    return _asset_table(character, character.assets.filter(parent=item))


def _top_level_at_location(queryset: QuerySet, value: str) -> QuerySet:
    location_id = _int_or_none(value)
    if location_id is None:
        return queryset.none()
    return queryset.filter(location_id=location_id, parent__isnull=True)


def _asset_table(character: Character, queryset: QuerySet, filters=None) -> ServerSideTable:
    has_children = CharacterAsset.objects.filter(character=character, parent=OuterRef("pk"))
    queryset = queryset.select_related(
        "eve_type__eve_group", "place__eve_solar_system", "parent__eve_type"
    ).annotate(has_children=Exists(has_children))
    return ServerSideTable(
        queryset,
        [
            Column("name", lambda row: row.display_name, order_by="name", search="name"),
            Column("type", lambda row: row.eve_type.name, "eve_type__name", "eve_type__name"),
            Column(
                "group",
                lambda row: row.eve_type.eve_group.name if row.eve_type.eve_group else "",
                "eve_type__eve_group__name",
            ),
            Column("quantity", lambda row: row.quantity, order_by="quantity"),
            # where the item is, however deep inside ships and containers
            Column("location", lambda row: _place(row.place), "place__name", "place__name"),
            Column(
                "container",
                lambda row: row.parent.display_name if row.parent else "",
                search="parent__name",
            ),
            Column("type_id", lambda row: row.eve_type_id),
            Column(
                "children_url",
                lambda row: (
                    reverse("memberaudit:character_asset", args=[character.pk, row.pk])
                    if row.has_children
                    else None
                ),
            ),
        ],
        default_order="eve_type__name",
        filters=filters,
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


def _place(location) -> str:
    return location.display_name if location is not None else ""


def _place_name(location_id: int, name: str) -> str:
    return Location(id=location_id, name=name or "").display_name


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
