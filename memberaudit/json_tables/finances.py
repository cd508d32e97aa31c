"""The wallet journal, wallet transactions and market orders tables."""

from collections.abc import Callable
from typing import Any

from django.db.models import (
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity, EveType

from ..models import (
    Character,
    CharacterMarketOrder,
    CharacterWalletJournalEntry,
    CharacterWalletJournalSearch,
    CharacterWalletTransaction,
)
from ..models.finances import JOURNAL_SEARCH_SEPARATOR, folded
from ..models.locations import Location
from ..tables import (
    LISTED_KEYS,
    MAX_MATCHES_READ,
    Column,
    SearchFirst,
    ServerSideTable,
    in_keys,
    keys_read_as_list,
)
from .common import entity_name, iso, labels_of, name_contains, number, place_name, place_sort


def wallet_journal(character: Character) -> ServerSideTable:
    """The journal, newest first. A page's keys are found on the character's indexes of the
    sorted column; only the page's rows are joined with their parties. A search finds its
    matches among the character's search rows (read one after the other, see
    :class:`~memberaudit.models.CharacterWalletJournalSearch`): a page in the default order
    is a slice of them; in another order, the matches are sorted among themselves, or when
    there are more than are read as keys, the entries whose search rows match are."""
    rows = CharacterWalletJournalEntry.objects.select_related(
        "first_party", "second_party", "tax_receiver"
    )
    search_first = SearchFirst(
        CharacterWalletJournalSearch.objects.filter(character=character),
        among=list,
        limit=MAX_MATCHES_READ,
        condition=_journal_search,
        key="entry_id",
        in_default_order=("-date", "-entry"),
    )
    return ServerSideTable(
        character.wallet_journal.all(),
        [
            Column(
                "date",
                lambda row: iso(row.date),
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
                lambda row: entity_name(row.first_party),
                "first_party__name",
                name_contains("first_party", EveEntity),
                title=_("First party"),
                priority=4,
                related="first_party",
            ),
            Column(
                "second_party",
                lambda row: entity_name(row.second_party),
                "second_party__name",
                name_contains("second_party", EveEntity),
                title=_("Second party"),
                priority=4,
                related="second_party",
            ),
            Column(
                "amount",
                lambda row: number(row.amount),
                order_by="amount",
                title=_("Amount"),
                render="isk",
                priority=1,
            ),
            Column(
                "balance",
                lambda row: number(row.balance),
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
        search_first=search_first,
    )


def _journal_search(text: str) -> Q | None:
    """What a search of the journal for ``text`` matches among its search rows: the entries
    whose type, description or reason holds it, whatever their case and accents, or either
    party's name does. None for a text that is no search there (it would match across two
    texts of an entry, or it folds to nothing)."""
    searched = folded(text)
    if not searched or JOURNAL_SEARCH_SEPARATOR in searched:
        return None
    # the texts are folded: compared character by character (LIKE BINARY on MariaDB)
    condition = Q(text__contains=searched)
    parties = _parties_named(text)
    if isinstance(parties, QuerySet) or parties:
        condition |= in_keys("first_party", parties) | in_keys("second_party", parties)
    return condition


def _parties_named(text: str) -> "list | QuerySet":
    """The keys of the entities whose name holds ``text``: read as a list when they are at
    most :data:`~memberaudit.tables.LISTED_KEYS` and keys are read so (a list the database
    checks each row against, none at all for a name no entity has), else a subquery."""
    keys = EveEntity.objects.filter(name__icontains=text).values_list("pk", flat=True)
    if not keys_read_as_list():
        return keys
    listed = list(keys[: LISTED_KEYS + 1])
    return listed if len(listed) <= LISTED_KEYS else keys


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
                lambda row: iso(row.date),
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
                lambda row: number(row.unit_price),
                order_by="unit_price",
                title=_("Unit price"),
                render="isk",
                priority=3,
            ),
            Column(
                "total",
                lambda row: number(row.unit_price * row.quantity),
                title=_("Total"),
                render="isk",
                priority=1,
            ),
            Column(
                "client",
                lambda row: entity_name(row.client),
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
            "kind_sort": labels_of("is_buy", [(True, buy), (False, sell)]),
            "for_sort": labels_of("is_personal", [(True, personal), (False, corporation)]),
            "location_sort": place_sort("location"),
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
                lambda row: iso(row.issued),
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
                lambda row: number(row.price),
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
                lambda row: number(row.escrow),
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
            "kind_sort": labels_of("is_buy_order", [(True, buy), (False, sell)]),
            "for_sort": labels_of("is_corporation", [(True, corporation), (False, personal)]),
            "state_sort": labels_of("state", CharacterMarketOrder.State.choices),
            "location_sort": place_sort("location"),
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
        name_contains("eve_type", EveType),
        title=_("Item"),
        priority=1,
        related="eve_type",
    )


def _location_column() -> Column:
    return Column(
        "location",
        lambda row: place_name(row.location),
        order_by="location_sort",
        search=name_contains("location", Location),
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
