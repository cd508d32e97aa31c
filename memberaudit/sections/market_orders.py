"""Market orders: the open orders and the order history, kept for good.

ESI lists open orders in one call and closed orders (about 90 days) in a paged history. An
order keeps its row for ever and moves from open to its final state: ``expired`` with nothing
left to trade is ``filled``. An order that left the open list but is not in the history yet
is ``closed`` until the history tells how it ended; rows ESI stops returning are kept.
"""

from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from .. import app_settings, json_tables
from ..locations import resolve_locations
from ..models import CharacterMarketOrder
from .base import NavGroup, OverviewPart, Section, ViewerTab, registry
from .esi_values import as_datetime, as_id, as_int, as_money, load_types, plain

OPEN_ORDERS = "GetCharactersCharacterIdOrders"
ORDER_HISTORY = "GetCharactersCharacterIdOrdersHistory"

State = CharacterMarketOrder.State
STORED_FIELDS = (
    "eve_type_id",
    "is_buy_order",
    "is_corporation",
    "issued",
    "duration",
    "escrow",
    "location_id",
    "region_id",
    "min_volume",
    "price",
    "range",
    "volume_remain",
    "volume_total",
    "state",
)


def fetch(character, gateway) -> list[dict]:
    params = {"character_id": character.character_id}
    answers = gateway.get_unchanged_together(
        {
            "open": (OPEN_ORDERS, params),
            "history": (ORDER_HISTORY, {**params, "paged": True}),
        }
    )
    orders: dict[int, dict] = {}
    for row in answers["history"] or []:
        order = _clean(row, open_=False)
        if order is not None:
            orders[order["order_id"]] = order
    for row in answers["open"] or []:  # the open list is the newer word on an order
        order = _clean(row, open_=True)
        if order is not None:
            orders[order["order_id"]] = order
    load_types({order["eve_type_id"] for order in orders.values()}, _("market orders"), gateway)
    places = resolve_locations({order["location_id"] for order in orders.values()}, gateway)
    for order in orders.values():
        if order["location_id"] not in places:
            order["location_id"] = None
    return [orders[key] for key in sorted(orders)]


def _clean(row: dict, open_: bool) -> dict | None:
    order_id = as_id(row.get("order_id"))
    issued = as_datetime(row.get("issued"))
    price = as_money(row.get("price"))
    if not order_id or issued is None or price is None or not as_id(row.get("type_id")):
        return None
    volume_remain = as_int(row.get("volume_remain"), 0)
    return {
        "order_id": order_id,
        "eve_type_id": as_id(row.get("type_id")),
        "is_buy_order": bool(row.get("is_buy_order")),
        "is_corporation": bool(row.get("is_corporation")),
        "issued": issued.isoformat(),
        "duration": as_int(row.get("duration"), 0),
        "escrow": _money_text(row.get("escrow")),
        "location_id": as_id(row.get("location_id")),
        "region_id": as_id(row.get("region_id")),
        "min_volume": as_int(row.get("min_volume")),
        "price": str(price),
        "range": str(plain(row.get("range")) or "")[:16],
        "volume_remain": volume_remain,
        "volume_total": as_int(row.get("volume_total"), 0),
        "state": State.OPEN if open_ else _final_state(plain(row.get("state")), volume_remain),
    }


def _final_state(state, volume_remain: int) -> str:
    if state == "cancelled":
        return State.CANCELLED
    if state == "expired":
        return State.FILLED if volume_remain == 0 else State.EXPIRED
    return State.CLOSED  # a state ESI added later: closed, outcome not known


def _money_text(value) -> str | None:
    money = as_money(value)
    return str(money) if money is not None else None


def store(character, data: list[dict]) -> bool:
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    stored = {order.order_id: order for order in character.market_orders.all()}
    new, changed, changed_fields = [], [], set()
    for row in data:
        values = {field: row[field] for field in STORED_FIELDS}
        values["issued"] = as_datetime(values["issued"])
        for field in ("escrow", "price"):
            values[field] = as_money(values[field])
        order = stored.get(row["order_id"])
        if order is None:
            new.append(
                CharacterMarketOrder(character=character, order_id=row["order_id"], **values)
            )
            continue
        if order.state != State.OPEN and values["state"] == State.CLOSED:
            values["state"] = order.state  # an order never goes back from a known end
        differing = [field for field, value in values.items() if getattr(order, field) != value]
        if differing:
            for field in differing:
                setattr(order, field, values[field])
            changed.append(order)
            changed_fields.update(differing)
    listed = {row["order_id"] for row in data}
    for order_id, order in stored.items():
        if order_id not in listed and order.state == State.OPEN:
            order.state = State.CLOSED  # no longer open; the history will tell how it ended
            changed.append(order)
            changed_fields.add("state")
    if changed:
        fields = [field for field in STORED_FIELDS if field in changed_fields]
        CharacterMarketOrder.objects.bulk_update(changed, fields, batch_size=batch_size)
    if new:
        CharacterMarketOrder.objects.bulk_create(new, batch_size=batch_size)
    return bool(new or changed)


def overview(character) -> dict:
    """Escrow of open buy orders and the value of open sell orders, in one query."""
    value = ExpressionWrapper(
        F("price") * F("volume_remain"), output_field=DecimalField(max_digits=30, decimal_places=2)
    )
    totals = character.market_orders.filter(state=State.OPEN).aggregate(
        escrow=Sum("escrow", filter=Q(is_buy_order=True)),
        on_market=Sum(value, filter=Q(is_buy_order=False)),
    )
    return totals


registry.register(
    Section(
        name="market_orders",
        title=_("market orders"),
        ring=2,
        scopes=("esi-markets.read_character_orders.v1",),
        operations=(OPEN_ORDERS, ORDER_HISTORY),
        fetch=fetch,
        store=store,
        tab=ViewerTab(
            group=NavGroup.FINANCES,
            title=_("Market orders"),
            template="memberaudit/tabs/market_orders.html",
            tables={"market_orders": json_tables.market_orders},
        ),
        overview=OverviewPart(
            template="memberaudit/partials/overview_market.html", context=overview
        ),
    )
)
