"""The industry tabs: industry jobs, mining ledger, planets."""

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    Prefetch,
    Q,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ..models import (
    Character,
)


def industry_jobs_tab(character: Character) -> dict:
    """How many jobs run and how many wait for delivery (one query)."""
    return character.industry_jobs.aggregate(
        active=Count("pk", filter=Q(status="active")),
        ready=Count("pk", filter=Q(status="ready")),
    )


@dataclass
class MiningMonthRow:
    """What a character mined of one ore in one month."""

    month: Any
    ore: str
    quantity: int
    volume: float | None
    isk: float | None  # None when the ore has no market price


def mining_ledger_tab(character: Character) -> dict:
    """The mining ledger grouped by month and ore, newest month first (one query)."""
    rows = (
        character.mining_ledger.annotate(month=TruncMonth("date"))
        .values(
            "month", "eve_type__name", "eve_type__volume", "eve_type__market_price__average_price"
        )
        .annotate(quantity=Sum("quantity"))
        .order_by("-month", "eve_type__name")
    )
    months: dict = {}
    for row in rows:
        quantity = row["quantity"] or 0
        unit_volume = row["eve_type__volume"]
        price = row["eve_type__market_price__average_price"]
        months.setdefault(row["month"], []).append(
            MiningMonthRow(
                month=row["month"],
                ore=row["eve_type__name"],
                quantity=quantity,
                volume=quantity * unit_volume if unit_volume is not None else None,
                isk=quantity * price if price is not None else None,
            )
        )
    return {
        "months": [
            {
                "month": month,
                "rows": month_rows,
                "volume": sum(row.volume or 0 for row in month_rows),
                "isk": (
                    sum(row.isk for row in month_rows if row.isk is not None)
                    if any(row.isk is not None for row in month_rows)
                    else None
                ),
            }
            for month, month_rows in months.items()
        ]
    }


def planets_tab(character: Character) -> dict:
    """Colonies with their planet and layout; colonies with a stopped extractor are marked."""
    from ..models import CharacterPlanetPin

    now = timezone.now()
    pins = CharacterPlanetPin.objects.select_related("eve_type", "product_type").order_by("pin_id")
    colonies = list(
        character.planets.select_related("eve_solar_system", "eve_planet")
        .prefetch_related(Prefetch("pins", queryset=pins))
        .order_by("eve_solar_system__name", "eve_planet__name", "planet_id")
    )
    for colony in colonies:
        colony_pins = list(colony.pins.all())
        colony.extractors = [
            pin for pin in colony_pins if pin.kind == CharacterPlanetPin.Kind.EXTRACTOR
        ]
        colony.has_expired_extractors = any(
            pin.expiry_time and pin.expiry_time <= now for pin in colony.extractors
        )
        colony.factory_count = sum(
            1 for pin in colony_pins if pin.kind == CharacterPlanetPin.Kind.FACTORY
        )
        colony.storage_count = sum(
            1 for pin in colony_pins if pin.kind == CharacterPlanetPin.Kind.STORAGE
        )
        colony.layout = _colony_layout(colony_pins, now)
    return {"colonies": colonies, "now": now}


def _colony_layout(pins: list, now) -> list[dict]:
    """One row per extractor (each has its product and expiry), one per kind and type of the
    other installations, with how many there are and what they hold."""
    from ..models import CharacterPlanetPin

    kind = CharacterPlanetPin.Kind
    order = [kind.COMMAND_CENTER, kind.EXTRACTOR, kind.FACTORY, kind.STORAGE, kind.OTHER]
    rows: dict[tuple, dict] = {}
    for pin in pins:
        key = (pin.kind, pin.pin_id if pin.kind == kind.EXTRACTOR else pin.eve_type_id)
        row = rows.get(key)
        if row is None:
            rows[key] = row = {
                "kind": pin.kind,
                "kind_label": pin.get_kind_display(),
                "type_name": pin.eve_type.name if pin.eve_type else "",
                "product_name": pin.product_type.name if pin.product_type else "",
                "count": 0,
                "contents_amount": 0,
                "expiry_time": pin.expiry_time,
                "is_expired": bool(pin.expiry_time and pin.expiry_time <= now),
            }
        row["count"] += 1
        row["contents_amount"] += pin.contents_amount
    return sorted(rows.values(), key=lambda row: order.index(row["kind"]))
