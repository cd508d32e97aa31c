"""The large tables the pages fetch as JSON: their rows, columns, sorting and searching.

Each builder returns a :class:`memberaudit.tables.ServerSideTable` for one character (already
checked by :mod:`memberaudit.access`) or for the finder. Rows are plain data; the browser
renders them (``static/memberaudit/js/server-tables.js``), so nothing here builds HTML.
A viewer tab names its builders in :attr:`memberaudit.sections.ViewerTab.tables`.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity, EveType

from . import images, notification_texts, query_params
from .access_log import opened_choices, opened_title
from .models import (
    AccessLogEntry,
    Character,
    CharacterAsset,
    CharacterContract,
    CharacterCorporationRole,
    CharacterIndustryJob,
    CharacterMail,
    CharacterMailRecipient,
    CharacterMarketOrder,
    CharacterStanding,
    CharacterWalletJournalEntry,
    CharacterWalletTransaction,
    KillmailAttacker,
)
from .models.locations import ASSET_SAFETY_ID, STRUCTURE_MIN_ID, Location, unknown_place_name
from .tables import Column, ServerSideTable


def wallet_journal(character: Character) -> ServerSideTable:
    """The journal, newest first. A page's keys are found on the character's indexes of the
    sorted column; only the page's rows are joined with their parties."""
    rows = CharacterWalletJournalEntry.objects.select_related(
        "first_party", "second_party", "tax_receiver"
    )
    return ServerSideTable(
        character.wallet_journal.all(),
        [
            Column(
                "date",
                lambda row: _iso(row.date),
                order_by="date",
                title=_("Date"),
                render="datetime",
                priority=1,
            ),
            Column(
                "ref_type",
                lambda row: row.ref_type.replace("_", " "),
                "ref_type",
                "ref_type",
                title=_("Type"),
                priority=3,
            ),
            Column(
                "first_party",
                lambda row: _name(row.first_party),
                "first_party__name",
                _name_contains("first_party", EveEntity),
                title=_("First party"),
                priority=4,
                related="first_party",
            ),
            Column(
                "second_party",
                lambda row: _name(row.second_party),
                "second_party__name",
                _name_contains("second_party", EveEntity),
                title=_("Second party"),
                priority=4,
                related="second_party",
            ),
            Column(
                "amount",
                lambda row: _number(row.amount),
                order_by="amount",
                title=_("Amount"),
                render="isk",
                priority=1,
            ),
            Column(
                "balance",
                lambda row: _number(row.balance),
                order_by="balance",
                title=_("Balance"),
                render="isk",
                priority=5,
            ),
            Column(
                "description",
                lambda row: row.description,
                search="description",
                title=_("Description"),
                priority=7,
            ),
            Column(
                "reason",
                lambda row: row.reason,
                order_by="reason_sort",
                search="reason",
                title=_("Reason"),
                priority=8,
            ),
        ],
        default_order="-date",
        keys_first=True,
        unscoped=rows,
    )


def contacts(character: Character) -> ServerSideTable:
    queryset = character.contacts.select_related("eve_entity").prefetch_related("labels")
    return ServerSideTable(
        queryset,
        [
            Column(
                "name",
                lambda row: _name(row.eve_entity),
                "eve_entity__name",
                "eve_entity__name",
                title=_("Name"),
                priority=1,
            ),
            Column("eve_id", lambda row: row.eve_entity_id),
            Column(
                "category",
                lambda row: row.eve_entity.category or "",
                "eve_entity__category",
                "eve_entity__category",
                title=_("Type"),
                priority=3,
            ),
            Column(
                "standing",
                lambda row: row.standing,
                order_by="standing",
                title=_("Standing"),
                render="standing",
                priority=1,
            ),
            Column(
                "labels",
                lambda row: sorted(label.name for label in row.labels.all()),
                title=_("Labels"),
                render="list",
                priority=4,
            ),
            Column(
                "is_watched",
                lambda row: row.is_watched,
                order_by="is_watched",
                title=_("Watched"),
                render="bool",
                priority=5,
            ),
            Column(
                "is_blocked",
                lambda row: row.is_blocked,
                order_by="is_blocked",
                title=_("Blocked"),
                render="bool",
                priority=5,
            ),
        ],
        default_order="-standing",
    )


def standings(character: Character) -> ServerSideTable:
    """NPC standings towards the character, best first."""
    queryset = character.standings.select_related("eve_entity").annotate(
        kind_sort=_labels_of("kind", CharacterStanding.Kind.choices)
    )
    return ServerSideTable(
        queryset,
        [
            Column(
                "name",
                lambda row: _name(row.eve_entity),
                "eve_entity__name",
                "eve_entity__name",
                title=_("Name"),
                priority=1,
            ),
            Column("eve_id", lambda row: row.eve_entity_id),
            Column(
                "kind",
                lambda row: str(row.get_kind_display()),
                order_by="kind_sort",
                title=_("Type"),
                priority=3,
            ),
            Column(
                "standing",
                lambda row: row.standing,
                order_by="standing",
                title=_("Standing"),
                render="standing",
                priority=1,
            ),
        ],
        default_order="-standing",
    )


def mails(character: Character) -> ServerSideTable:
    """Mail headers, newest first; ``folder`` narrows them to ``label:<label_id>``,
    ``list:<list_id>`` (sent to or from a mailing list) or ``unread``."""
    recipients = CharacterMailRecipient.objects.select_related("eve_entity", "mailing_list")
    rows = CharacterMail.objects.select_related("sender", "sender_mailing_list").prefetch_related(
        Prefetch("recipients", queryset=recipients.order_by("pk"))
    )
    return ServerSideTable(
        character.mails.all(),
        [
            Column(
                "timestamp",
                lambda row: _iso(row.timestamp),
                order_by="timestamp",
                title=_("Date"),
                render="datetime",
                priority=2,
            ),
            Column(
                "from",
                lambda row: row.sender_name,
                order_by="sender_sort",
                search="sender_sort",
                title=_("From"),
                priority=2,
            ),
            Column(
                "to",
                lambda row: [str(recipient) for recipient in row.recipients.all()],
                title=_("To"),
                render="list",
                priority=5,
            ),
            Column(
                "subject",
                lambda row: row.subject,
                "subject",
                "subject",
                title=_("Subject"),
                priority=1,
            ),
            Column(
                "is_read",
                lambda row: row.is_read,
                order_by="is_read",
                title=_("Read"),
                render="bool",
                priority=4,
            ),
            Column(
                "detail_url",
                lambda row: reverse("memberaudit:character_mail", args=[character.pk, row.mail_id]),
            ),
        ],
        default_order="-timestamp",
        filters={"folder": _mail_folder},
        # sorted as shown: a mailing list's name, else the sender's
        sort_keys={
            "sender_sort": Coalesce(NullIf("sender_mailing_list__name", Value("")), "sender__name")
        },
        keys_first=True,
        unscoped=rows,
    )


def _mail_folder(queryset: QuerySet, value: str) -> QuerySet:
    if value == "unread":
        return queryset.filter(is_read=False)
    kind, _, number = value.partition(":")
    number = query_params.identifier_or_none(number)
    if kind == "label" and number is not None:
        return queryset.filter(labels__label_id=number)
    if kind == "list" and number is not None:
        # the mails sent to the list, found once (not a lookup per mail: a page's count
        # subquery would otherwise make one for every mail of the character)
        to_list = CharacterMailRecipient.objects.filter(mailing_list__list_id=number)
        return queryset.filter(
            Q(sender_mailing_list__list_id=number) | Q(pk__in=to_list.values("mail"))
        )
    return queryset.none()


def contracts(character: Character) -> ServerSideTable:
    """The character's contracts, newest first."""
    rows = CharacterContract.objects.select_related(
        "issuer", "assignee", "acceptor", "start_location", "end_location"
    )
    return ServerSideTable(
        character.contracts.all(),
        [
            Column(
                "date_issued",
                lambda row: _iso(row.date_issued),
                order_by="date_issued",
                title=_("Issued"),
                render="datetime",
                priority=1,
            ),
            Column(
                "type",
                lambda row: row.get_contract_type_display(),
                order_by="contract_type",
                search="contract_type",
                title=_("Type"),
                priority=3,
            ),
            Column(
                "status",
                lambda row: row.get_status_display(),
                "status",
                "status",
                title=_("Status"),
                priority=2,
            ),
            Column(
                "title",
                lambda row: row.title or gettext("(no title)"),
                "title",
                "title",
                title=_("Title"),
                priority=1,
            ),
            Column(
                "issuer",
                lambda row: _name(row.issuer),
                "issuer__name",
                "issuer__name",
                related="issuer",
                title=_("Issuer"),
                priority=4,
            ),
            Column(
                "assignee",
                lambda row: _name(row.assignee),
                "assignee__name",
                "assignee__name",
                related="assignee",
                title=_("Assignee"),
                priority=6,
            ),
            Column(
                "acceptor",
                lambda row: _name(row.acceptor),
                "acceptor__name",
                "acceptor__name",
                related="acceptor",
                title=_("Acceptor"),
                priority=7,
            ),
            Column(
                "price",
                lambda row: _number(row.price),
                order_by="price",
                title=_("Price"),
                render="isk",
                priority=2,
            ),
            Column(
                "reward",
                lambda row: _number(row.reward),
                order_by="reward",
                title=_("Reward"),
                render="isk",
                priority=4,
            ),
            Column(
                "date_expired",
                lambda row: _iso(row.date_expired),
                order_by="date_expired",
                title=_("Expires"),
                render="datetime",
                priority=3,
            ),
            Column(
                "date_completed",
                lambda row: _iso(row.date_completed),
                order_by="date_completed",
                title=_("Completed"),
                render="datetime",
                details=True,
            ),
            Column(
                "start_location",
                lambda row: _place(row.start_location),
                "start_location__name",
                "start_location__name",
                related="start_location",
                title=_("From"),
                priority=6,
            ),
            Column(
                "end_location",
                lambda row: _place(row.end_location),
                "end_location__name",
                "end_location__name",
                related="end_location",
                title=_("To"),
                details=True,
            ),
            Column(
                "detail_url",
                lambda row: reverse("memberaudit:character_contract", args=[character.pk, row.pk]),
            ),
        ],
        default_order="-date_issued",
        keys_first=True,
        unscoped=rows,
    )


def asset_locations(character: Character) -> ServerSideTable:
    """The places where the character has items, with the number of top-level items at each,
    as counted when the assets were stored (see :mod:`.sections.asset_places`).

    Places ESI does not name (structures without docking rights) always come last, labelled
    as unknown with their solar system when it is known. ``items_url`` lists the items there.
    """
    queryset = (
        character.asset_places.filter(items__gt=0)
        .values(
            "location_id",
            "location__name",
            "location__eve_solar_system__name",
            "location__eve_solar_system__security_status",
            "items",
        )
        .annotate(
            is_unknown=Case(
                When(
                    Q(location__name="") & ~Q(location_id=ASSET_SAFETY_ID),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )
    items_url = reverse("memberaudit:character_data", args=[character.pk, "asset_items"])
    return ServerSideTable(
        queryset,
        [
            Column(
                "location",
                lambda row: (
                    row["location__name"]
                    or unknown_place_name(
                        row["location_id"], row["location__eve_solar_system__name"]
                    )
                ),
                order_by="location__name",
                search="location__name",
                title=_("Place"),
                render="place",
                priority=1,
            ),
            Column(
                "solar_system",
                lambda row: row["location__eve_solar_system__name"] or "",
                order_by="location__eve_solar_system__name",
                search="location__eve_solar_system__name",
                title=_("Solar system"),
                priority=2,
            ),
            Column(
                "security_status",
                lambda row: row["location__eve_solar_system__security_status"],
            ),
            Column(
                "items",
                lambda row: row["items"],
                order_by="items",
                title=_("Items"),
                render="number",
                priority=1,
            ),
            Column("location_id", lambda row: row["location_id"]),
            Column("is_unknown", lambda row: row["is_unknown"]),
            Column("items_url", lambda row: f"{items_url}?location={row['location_id']}"),
        ],
        default_order="location__name",
        tiebreaker="location_id",
        leading_order=("is_unknown",),
    )


def assets(character: Character) -> ServerSideTable:
    """All the character's items, searchable by name, type and place; ``location`` narrows
    them to the top-level items at one place."""
    return _asset_table(
        character, character.assets.all(), filters={"location": _top_level_at_location}
    )


def asset_items(character: Character) -> ServerSideTable:
    """The top-level items at one place (``location``), as the drill-down below the places
    shows them: the columns of :func:`assets` without the place and the container, which are
    the same for every row there."""
    return _asset_table(
        character,
        character.assets.filter(parent__isnull=True),
        filters={"location": _top_level_at_location},
        without=AT_ONE_PLACE,
    )


def asset_children(character: Character, item: CharacterAsset) -> ServerSideTable:
    """The items inside ``item`` (a ship, container or office) of ``character``: the same
    columns as :func:`assets` (the page shows those of :func:`asset_items`)."""
    return _asset_table(character, character.assets.filter(parent=item))


def _top_level_at_location(queryset: QuerySet, value: str) -> QuerySet:
    location_id = query_params.identifier_or_none(value)
    if location_id is None:
        return queryset.none()
    return queryset.filter(location_id=location_id, parent__isnull=True)


# Asset columns that tell nothing in a list of items at one place or in one container.
AT_ONE_PLACE = ("location", "container")


def _asset_table(
    character: Character, queryset: QuerySet, filters=None, without: tuple[str, ...] = ()
) -> ServerSideTable:
    has_children = CharacterAsset.objects.filter(character=character, parent=OuterRef("pk"))
    rows = CharacterAsset.objects.select_related(
        "eve_type__eve_group", "place__eve_solar_system", "parent__eve_type"
    ).annotate(has_children=Exists(has_children))
    columns = [
        Column(
            "name",
            lambda row: row.display_name,
            order_by="sort_name",
            search="sort_name",
            title=_("Name"),
            render="asset",
            priority=1,
        ),
        Column(
            "type",
            lambda row: row.eve_type.name,
            "eve_type__name",
            _name_contains("eve_type", EveType),
            title=_("Type"),
            priority=1,
            related="eve_type",
        ),
        Column(
            "group",
            lambda row: row.eve_type.eve_group.name if row.eve_type.eve_group else "",
            "eve_type__eve_group__name",
            title=_("Group"),
            priority=4,
            related="eve_type",
        ),
        Column(
            "quantity",
            lambda row: row.quantity,
            order_by="quantity",
            title=_("Quantity"),
            render="number",
            priority=2,
        ),
        # where the item is, however deep inside ships and containers
        Column(
            "location",
            lambda row: _place(row.place),
            "place__name",
            _name_contains("place", Location),
            title=_("Place"),
            priority=3,
            related="place",
        ),
        Column(
            "container",
            lambda row: row.parent.display_name if row.parent else "",
            # by the name shown, on the index of sort names
            search=lambda text: Q(
                parent__in=character.assets.filter(sort_name__icontains=text).values("pk")
            ),
            title=_("Inside"),
            priority=5,
        ),
        Column("type_id", lambda row: row.eve_type_id),
        Column("icon_url", lambda row: images.type_icon_url(row.eve_type_id)),
        Column(
            "children_url",
            lambda row: (
                reverse("memberaudit:character_asset", args=[character.pk, row.pk])
                if row.has_children
                else None
            ),
        ),
    ]
    return ServerSideTable(
        queryset,
        [column for column in columns if column.name not in without],
        default_order="eve_type__name",
        filters=filters,
        keys_first=True,
        unscoped=rows,
    )


def character_columns(main_name: str = "main_name") -> list[Column]:
    """The columns of a table of characters (the finder, the skill search): the character
    with its portrait and viewer link, its corporation and alliance, and the owner's main.
    Rows are characters with ``eve_character`` and a ``main_name`` annotation; ``main_name``
    is what the main's name is sorted and searched by (the annotation, or its path)."""
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
        Column("url", lambda row: reverse("memberaudit:character_viewer", args=[row.pk])),
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
            main_name,
            title=_("Main"),
            priority=2,
        ),
    ]


def finder(rows=None) -> ServerSideTable:
    """The finder over :func:`memberaudit.selectors.finder_rows` (without rows: only its
    columns, for the page).

    A page's keys are found first, sorted by the column and then by the character's EVE id:
    sorted by a name of the character, its corporation or its alliance, the database walks
    that name's index and stops at the page's end; the owner's main and state, the shares and
    the roles are joined only to a page sorted or searched by them, and loaded for the page's
    characters only."""
    return ServerSideTable(
        Character.objects.none() if rows is None else rows.characters,
        [
            *character_columns(),
            Column(
                "state",
                lambda row: row.state_name or "",
                "state_name",
                "state_name",
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
                lambda row: _iso(row.share_ends_at),
                order_by="share_ends_at",
                title=_("Share ends"),
                render="share_end",
                priority=5,
            ),
        ],
        default_order="eve_character__character_name",
        tiebreaker="eve_character_id",
        keys_first=True,
        unscoped=None if rows is None else rows.shown,
        sort_keys=None if rows is None else rows.sort_keys,
        count_in_window=True,
    )


def _role_names(character: Character) -> list[str]:
    """The distinct corporation roles of a finder row, directors and accountants first."""
    roles = {row.role for row in character.corporation_roles.all()}
    key_roles = [role for role in CharacterCorporationRole.KEY_ROLES if role in roles]
    others = sorted(roles - set(key_roles))
    return [role.replace("_", " ") for role in key_roles + others]


def access_log(queryset) -> ServerSideTable:
    """The access log over rows from :func:`memberaudit.selectors.access_log_entries`.

    A page's keys are found first on the ``viewed_at`` index, without the joins to viewers
    and characters; the labels the "opened" and "right used" columns sort by are only added
    to pages sorted by them. Pages sorted by viewer are found viewer by viewer (a log has few
    viewers); characters are sorted by the database, as most have only a few entries."""
    viewer_main = "viewer__profile__main_character__character_name"
    character = "character__eve_character__character_name"
    return ServerSideTable(
        queryset,
        [
            Column(
                "viewed_at",
                lambda row: _iso(row.viewed_at),
                order_by="viewed_at",
                title=_("When"),
                render="datetime",
                priority=1,
            ),
            Column(
                "viewer",
                lambda row: _user_name(row.viewer),
                viewer_main,
                _viewers_matching("profile__main_character__character_name"),
                title=_("Viewer"),
                priority=1,
                related="viewer",
            ),
            Column(
                "viewer_username",
                lambda row: row.viewer.username,
                "viewer__username",
                _viewers_matching("username"),
                title=_("User"),
                priority=4,
                related="viewer",
            ),
            Column(
                "character",
                lambda row: row.character.eve_character.character_name,
                character,
                _characters_matching,
                title=_("Character"),
                priority=1,
            ),
            Column("section", lambda row: row.section, search="section"),
            Column(
                "opened",
                lambda row: opened_title(row.section),
                order_by="opened_sort",
                title=_("Opened"),
                priority=2,
            ),
            Column(
                "reason",
                lambda row: row.get_reason_display(),
                order_by="reason_sort",
                title=_("Right used"),
                priority=3,
            ),
        ],
        default_order="-viewed_at",
        filters={
            "reason": lambda queryset, value: queryset.filter(reason=value),
            "since": _since,
        },
        sort_keys={
            "reason_sort": _labels_of("reason", AccessLogEntry.Reason.choices),
            "opened_sort": _labels_of("section", opened_choices(), default=F("section")),
        },
        keys_first=True,
        unscoped=queryset,
    )


def _viewers_matching(path: str) -> Callable[[str], Q]:
    """A search of the access log by a value of its viewers: the few matching users are found
    first, so the entries are not joined to every viewer."""

    def condition(text: str) -> Q:
        users = User.objects.filter(**{f"{path}__icontains": text}).values("pk")
        return Q(viewer__in=users)

    return condition


def _characters_matching(text: str) -> Q:
    """A search of the access log by character name: the matching characters first."""
    characters = Character.objects.filter(eve_character__character_name__icontains=text)
    return Q(character__in=characters.values("pk"))


def _since(queryset, value: str):
    """Entries viewed on ``value`` (a day in the current time zone) or later: a range on the
    ``viewed_at`` index rather than the day of every entry."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return queryset.none()
    return queryset.filter(viewed_at__gte=_start_of(day))


def _start_of(day: dt.date) -> dt.datetime:
    """The first moment of ``day`` in the current time zone, as ``__date`` lookups see it."""
    start = dt.datetime.combine(day, dt.time.min)
    return timezone.make_aware(start) if settings.USE_TZ else start


def _user_name(user) -> str:
    main = getattr(getattr(user, "profile", None), "main_character", None)
    return main.character_name if main else user.username


def _labels_of(field: str, choices, default=None) -> Case:
    """A sort key for a field with choices: each value's label in the viewer's language, so
    the column sorts as it is shown; other values sort as ``default`` (blank)."""
    return Case(
        *(When(**{field: value}, then=Value(str(label))) for value, label in choices),
        default=Value("") if default is None else default,
        output_field=CharField(),
    )


def wallet_transactions(character: Character) -> ServerSideTable:
    """Transactions, newest first, with the reason of their wallet journal entry."""
    journal = CharacterWalletJournalEntry.objects.filter(
        character=character, entry_id=OuterRef("journal_ref_id")
    )
    buy, sell = gettext("buy"), gettext("sell")
    personal, corporation = gettext("personal"), gettext("corporation")
    rows = CharacterWalletTransaction.objects.select_related(
        "eve_type", "client", "location"
    ).annotate(journal_description=Subquery(journal.values("description")[:1]))
    return ServerSideTable(
        character.wallet_transactions.all(),
        [
            Column(
                "date",
                lambda row: _iso(row.date),
                order_by="date",
                title=_("Date"),
                render="datetime",
                priority=1,
            ),
            _buy_sell_column(lambda row: buy if row.is_buy else sell),
            _item_column(),
            Column(
                "quantity",
                lambda row: row.quantity,
                order_by="quantity",
                title=_("Quantity"),
                render="number",
                priority=2,
            ),
            Column(
                "unit_price",
                lambda row: _number(row.unit_price),
                order_by="unit_price",
                title=_("Unit price"),
                render="isk",
                priority=3,
            ),
            Column(
                "total",
                lambda row: _number(row.unit_price * row.quantity),
                title=_("Total"),
                render="isk",
                priority=1,
            ),
            Column(
                "client",
                lambda row: _name(row.client),
                "client__name",
                "client__name",
                related="client",
                title=_("Client"),
                priority=4,
            ),
            _location_column(),
            _for_column("is_personal", lambda row: personal if row.is_personal else corporation),
            Column("journal_ref_id", lambda row: row.journal_ref_id, search="journal_ref_id"),
            Column(
                "journal",
                lambda row: row.journal_description or "",
                title=_("Journal"),
                priority=7,
            ),
        ],
        default_order="-date",
        sort_keys={
            "kind_sort": _labels_of("is_buy", [(True, buy), (False, sell)]),
            "for_sort": _labels_of("is_personal", [(True, personal), (False, corporation)]),
            "location_sort": _place_sort("location"),
        },
        keys_first=True,
        unscoped=rows,
    )


def market_orders(character: Character) -> ServerSideTable:
    """Open orders and order history; ``state`` narrows them to ``open`` or ``closed``."""
    buy, sell = gettext("buy"), gettext("sell")
    personal, corporation = gettext("personal"), gettext("corporation")
    rows = CharacterMarketOrder.objects.select_related("eve_type", "location")
    return ServerSideTable(
        character.market_orders.all(),
        [
            Column(
                "issued",
                lambda row: _iso(row.issued),
                order_by="issued",
                title=_("Issued"),
                render="datetime",
                priority=1,
            ),
            _buy_sell_column(lambda row: buy if row.is_buy_order else sell),
            _item_column(),
            Column(
                "state",
                lambda row: row.get_state_display(),
                order_by="state_sort",
                search="state",
                title=_("State"),
                priority=2,
            ),
            Column(
                "price",
                lambda row: _number(row.price),
                order_by="price",
                title=_("Price"),
                render="isk",
                priority=1,
            ),
            Column(
                "volume_remain",
                lambda row: row.volume_remain,
                order_by="volume_remain",
                title=_("Remaining"),
                render="number",
                priority=3,
            ),
            Column(
                "volume_total",
                lambda row: row.volume_total,
                order_by="volume_total",
                title=_("Total"),
                render="number",
                priority=4,
            ),
            Column(
                "escrow",
                lambda row: _number(row.escrow),
                order_by="escrow",
                title=_("Escrow"),
                render="isk",
                priority=4,
            ),
            _location_column(),
            Column(
                "duration",
                lambda row: row.duration,
                order_by="duration",
                title=_("Days"),
                render="number",
                details=True,
            ),
            _for_column(
                "is_corporation", lambda row: corporation if row.is_corporation else personal
            ),
        ],
        default_order="-issued",
        filters={"state": _order_state},
        sort_keys={
            "kind_sort": _labels_of("is_buy_order", [(True, buy), (False, sell)]),
            "for_sort": _labels_of("is_corporation", [(True, corporation), (False, personal)]),
            "state_sort": _labels_of("state", CharacterMarketOrder.State.choices),
            "location_sort": _place_sort("location"),
        },
        # a page sorted by item starts from the types of the character's own orders
        keys_first=True,
        unscoped=rows,
    )


# Columns the trade tables (transactions, market orders) share: each sorts by an annotation of
# the table's queryset (``kind_sort``, ``for_sort``, ``location_sort``).


def _buy_sell_column(label: Callable[[Any], str]) -> Column:
    return Column("kind", label, order_by="kind_sort", title=_("Buy/sell"), priority=2)


def _item_column() -> Column:
    return Column(
        "type",
        lambda row: row.eve_type.name,
        "eve_type__name",
        _name_contains("eve_type", EveType),
        title=_("Item"),
        priority=1,
        related="eve_type",
    )


def _location_column() -> Column:
    return Column(
        "location",
        lambda row: _place(row.location),
        order_by="location_sort",
        search=_name_contains("location", Location),
        title=_("Location"),
        priority=5,
    )


def _for_column(name: str, label: Callable[[Any], str]) -> Column:
    return Column(name, label, order_by="for_sort", title=_("For"), priority=6)


def _order_state(queryset: QuerySet, value: str) -> QuerySet:
    if value == "open":
        return queryset.filter(state=CharacterMarketOrder.State.OPEN)
    if value == "closed":
        return queryset.exclude(state=CharacterMarketOrder.State.OPEN)
    return queryset.none()


def industry_jobs(character: Character) -> ServerSideTable:
    """Jobs, latest end first; active jobs carry their end for the remaining time. Searches
    and sorts by a type or facility start from the character's own jobs (see
    :func:`_name_contains` and :attr:`memberaudit.tables.Column.related`)."""
    rows = CharacterIndustryJob.objects.select_related(
        "blueprint_type", "product_type", "facility", "installer"
    )
    now = timezone.now()
    return ServerSideTable(
        character.industry_jobs.all(),
        [
            Column(
                "start_date",
                lambda row: _iso(row.start_date),
                order_by="start_date",
                title=_("Started"),
                render="datetime",
                priority=4,
            ),
            Column(
                "end_date",
                lambda row: _iso(row.end_date),
                order_by="end_date",
                title=_("Ends"),
                render="datetime",
                priority=1,
            ),
            Column(
                "remaining",
                lambda row: _seconds_left(row, now),
                title=_("Remaining"),
                render="duration",
                priority=2,
            ),
            Column(
                "activity",
                lambda row: row.get_activity_id_display(),
                order_by="activity_sort",
                title=_("Activity"),
                priority=2,
            ),
            Column(
                "blueprint",
                lambda row: row.blueprint_type.name,
                "blueprint_type__name",
                _name_contains("blueprint_type", EveType),
                title=_("Blueprint"),
                priority=1,
                related="blueprint_type",
            ),
            Column(
                "product",
                lambda row: row.product_type.name if row.product_type else "",
                "product_type__name",
                _name_contains("product_type", EveType),
                title=_("Product"),
                priority=3,
                related="product_type",
            ),
            Column(
                "runs",
                lambda row: row.runs,
                order_by="runs",
                title=_("Runs"),
                render="number",
                priority=4,
            ),
            Column(
                "status",
                lambda row: row.get_status_display(),
                order_by="status_sort",
                search="status",
                title=_("Status"),
                priority=2,
            ),
            Column(
                "facility",
                lambda row: _place(row.facility),
                order_by="facility_sort",
                search=_name_contains("facility", Location),
                title=_("Facility"),
                priority=5,
            ),
            Column(
                "cost",
                lambda row: _number(row.cost),
                order_by="cost",
                title=_("Cost"),
                render="isk",
                details=True,
            ),
        ],
        default_order="-end_date",
        sort_keys={
            "activity_sort": _labels_of("activity_id", CharacterIndustryJob.Activity.choices),
            "status_sort": _labels_of("status", CharacterIndustryJob.Status.choices),
            "facility_sort": _place_sort("facility"),
        },
        keys_first=True,
        unscoped=rows,
    )


def _seconds_left(job: CharacterIndustryJob, now) -> int | None:
    """Seconds until an active job ends; None for any other job."""
    if job.status != CharacterIndustryJob.Status.ACTIVE:
        return None
    return max(0, int((job.end_date - now).total_seconds()))


def blueprints(character: Character) -> ServerSideTable:
    original, copy = gettext("original"), gettext("copy")
    queryset = character.blueprints.select_related("eve_type", "location").annotate(
        # ESI's quantity is -2 for a copy, -1 for a single original, else a stack of originals
        kind_sort=Case(When(quantity=-2, then=Value(copy)), default=Value(original)),
        location_sort=_place_sort("location"),
    )
    return ServerSideTable(
        queryset,
        [
            Column(
                "type",
                lambda row: row.eve_type.name,
                "eve_type__name",
                "eve_type__name",
                title=_("Blueprint"),
                priority=1,
            ),
            Column(
                "kind",
                lambda row: copy if row.is_copy else original,
                order_by="kind_sort",
                title=_("Original/copy"),
                priority=2,
            ),
            Column(
                "quantity",
                lambda row: row.quantity if row.quantity > 0 else 1,
                order_by="quantity",
                title=_("Quantity"),
                render="number",
                priority=3,
            ),
            Column(
                "material_efficiency",
                lambda row: row.material_efficiency,
                order_by="material_efficiency",
                title=_("ME"),
                render="number",
                priority=2,
            ),
            Column(
                "time_efficiency",
                lambda row: row.time_efficiency,
                order_by="time_efficiency",
                title=_("TE"),
                render="number",
                priority=2,
            ),
            Column(
                "runs",
                lambda row: row.runs if row.runs >= 0 else None,
                order_by="runs",
                title=_("Runs"),
                render="number",
                priority=3,
            ),
            Column(
                "location",
                lambda row: _place(row.location),
                order_by="location_sort",
                search="location__name",
                title=_("Location"),
                priority=4,
            ),
            Column(
                "container",
                lambda row: row.container_name,
                "container_name",
                "container_name",
                title=_("Container"),
                priority=5,
            ),
        ],
        default_order="eve_type__name",
    )


def _place_sort(path: str) -> Case:
    """A sort key for a place (``path`` to a location) as it is shown: a named place by its
    name, an unknown one by what it is shown as (without its id)."""
    return Case(
        When(**{f"{path}__isnull": True}, then=Value("")),
        When(
            **{f"{path}__name": ""},
            then=Case(
                When(**{f"{path}_id": ASSET_SAFETY_ID}, then=Value(gettext("Asset Safety"))),
                When(
                    **{f"{path}_id__gte": STRUCTURE_MIN_ID},
                    then=Value(gettext("Unknown structure")),
                ),
                default=Value(gettext("Unknown location")),
            ),
        ),
        default=F(f"{path}__name"),
        output_field=CharField(),
    )


def _name_contains(relation: str, related) -> Callable[[str], Q]:
    """A search of the name of a related row (``related``: its model or a queryset): the
    database finds the few matching related rows first instead of joining every row."""
    rows = related if isinstance(related, QuerySet) else related.objects.all()
    return lambda text: Q(**{f"{relation}__in": rows.filter(name__icontains=text).values("pk")})


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _number(value) -> float | None:
    return None if value is None else float(value)


def _name(entity) -> str:
    return entity.name if entity is not None and entity.name else ""


def _place(location) -> str:
    return location.display_name if location is not None else ""


# --- intel: killmails and notifications ---


def killmails(character: Character) -> ServerSideTable:
    """The character's kills and losses with stored details, newest first; ``kind`` narrows
    them to ``kills`` or ``losses``."""
    attackers = KillmailAttacker.objects.select_related("character").order_by(
        "-is_final_blow", "-damage_done", "pk"
    )
    queryset = (
        character.killmails.filter(is_loss__isnull=False)
        .select_related(
            "killmail__solar_system",
            "killmail__victim_character",
            "killmail__victim_corporation",
            "killmail__victim_alliance",
            "killmail__victim_ship_type",
        )
        .prefetch_related(Prefetch("killmail__attackers", queryset=attackers))
        # sorted as shown: the victim's name, else its corporation's (structures)
        .annotate(
            victim_sort=Coalesce(
                NullIf("killmail__victim_character__name", Value("")),
                "killmail__victim_corporation__name",
            )
        )
    )
    ours = _our_organisations(character)
    return ServerSideTable(
        queryset,
        [
            Column(
                "time",
                lambda row: _iso(row.killmail.time),
                order_by="killmail__time",
                title=_("Date"),
                render="datetime",
                priority=1,
            ),
            Column(
                "is_loss",
                lambda row: row.is_loss,
                order_by="is_loss",
                title=_("Kill or loss"),
                render="loss",
                priority=1,
            ),
            Column(
                "ship",
                lambda row: _name(row.killmail.victim_ship_type),
                "killmail__victim_ship_type__name",
                "killmail__victim_ship_type__name",
                title=_("Ship"),
                priority=2,
            ),
            Column(
                "victim",
                lambda row: (
                    _name(row.killmail.victim_character) or _name(row.killmail.victim_corporation)
                ),
                order_by="victim_sort",
                search="victim_sort",
                title=_("Victim"),
                priority=1,
            ),
            Column(
                "victim_corporation",
                lambda row: _name(row.killmail.victim_corporation),
                "killmail__victim_corporation__name",
                "killmail__victim_corporation__name",
                title=_("Corporation"),
                priority=4,
            ),
            Column(
                "solar_system",
                lambda row: _name(row.killmail.solar_system),
                "killmail__solar_system__name",
                "killmail__solar_system__name",
                title=_("System"),
                priority=3,
            ),
            Column(
                "final_blow",
                lambda row: _final_blow(row.killmail),
                title=_("Final blow"),
                priority=5,
            ),
            Column(
                "attacker_count",
                lambda row: row.killmail.attacker_count,
                order_by="killmail__attacker_count",
                title=_("Attackers"),
                render="number",
                priority=3,
            ),
            Column(
                "co_attackers",
                lambda row: _co_attackers(row.killmail, character.character_id, ours),
                title=_("Co-attackers"),
                render="pilots",
                priority=2,
            ),
            Column(
                "killboard_url",
                lambda row: row.killmail.killboard_url,
                title=_("Killboard"),
                render="killboard",
                priority=2,
            ),
            Column(
                "detail_url",
                lambda row: reverse(
                    "memberaudit:character_killmail", args=[character.pk, row.killmail_id]
                ),
            ),
        ],
        default_order="-killmail__time",
        filters={"kind": _killmail_kind},
    )


MAX_CO_ATTACKERS = 10


def _our_organisations(character: Character) -> set[int]:
    """Our corporation and alliance, to mark co-attackers who belong to them."""
    eve_character = character.eve_character
    return {eve_character.corporation_id, eve_character.alliance_id} - {None}


def _final_blow(killmail) -> str:
    for attacker in killmail.attackers.all():
        if attacker.is_final_blow:
            return _name(attacker.character) or gettext("(NPC or structure)")
    return ""


def _co_attackers(killmail, character_id: int, ours: set[int]) -> list[dict]:
    """The player attackers other than the character, strongest first, each marked when
    they belong to our corporation or alliance."""
    rows = [
        {
            "name": _name(attacker.character) or f"#{attacker.character_id}",
            "ours": bool({attacker.corporation_id, attacker.alliance_id} & ours),
        }
        for attacker in killmail.attackers.all()
        if attacker.character_id and attacker.character_id != character_id
    ]
    return rows[:MAX_CO_ATTACKERS]


def _killmail_kind(queryset: QuerySet, value: str) -> QuerySet:
    if value == "kills":
        return queryset.filter(is_loss=False)
    if value == "losses":
        return queryset.filter(is_loss=True)
    return queryset.none()


MAX_RAW_TEXT_SHOWN = 2000


def notifications(character: Character) -> ServerSideTable:
    """The character's notifications, newest first; ``group`` narrows them to one group of
    types. A parsed notification's ``message`` is its sentence as parts (text and links),
    any other's the raw text: both are data, escaped by the browser."""
    queryset = character.notifications.select_related("sender").annotate(
        # sorted as shown: by the group's title in the viewer's language
        group_sort=_labels_of("group", notification_texts.Group.TITLES.items())
    )
    return ServerSideTable(
        queryset,
        [
            Column(
                "timestamp",
                lambda row: _iso(row.timestamp),
                order_by="timestamp",
                title=_("Date"),
                render="datetime",
                priority=1,
            ),
            Column(
                "group",
                lambda row: str(notification_texts.Group.TITLES.get(row.group, row.group)),
                order_by="group_sort",
                title=_("Group"),
                priority=4,
            ),
            Column("type", lambda row: row.type, "type", "type", title=_("Type"), priority=3),
            Column(
                "sender",
                lambda row: (
                    _name(row.sender) or (f"#{row.sender_id_raw}" if row.sender_id_raw else "")
                ),
                "sender__name",
                "sender__name",
                title=_("Sender"),
                priority=2,
            ),
            Column(
                "message",
                lambda row: (
                    (notification_texts.segments(row.type, row.details) if row.is_parsed else None)
                    or row.text[:MAX_RAW_TEXT_SHOWN]
                ),
                search="text",
                title=_("Message"),
                render="sentence",
                priority=1,
            ),
            Column(
                "is_read",
                lambda row: row.is_read,
                order_by="is_read",
                title=_("Read"),
                render="bool",
                priority=5,
            ),
        ],
        default_order="-timestamp",
        filters={"group": _notification_group},
    )


def _notification_group(queryset: QuerySet, value: str) -> QuerySet:
    if value not in notification_texts.Group.TITLES:
        return queryset.none()
    return queryset.filter(group=value)
