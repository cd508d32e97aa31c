"""Mining ledger: what a character mined per day, solar system and ore.

ESI keeps about 30 days, paged. A day's quantity grows while the day lasts, so rows are
updated when their quantity changed and never deleted. The tab groups the ledger by month
and ore, with the ore's volume and an estimate in ISK from eveuniverse's average market
prices, which are loaded from ESI like any other EVE data; an ore without a price shows none.
"""

import logging
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveMarketPrice

from .. import app_settings, selectors
from ..models import CharacterMiningEntry
from .base import NavGroup, Section, ViewerTab, registry
from .esi_values import as_date, as_id, as_int, load_solar_systems, load_types

logger = logging.getLogger(__name__)

OPERATION = "GetCharactersCharacterIdMining"
PRICES_STALE_AFTER = timedelta(hours=24)


def fetch(character, gateway) -> list[dict]:
    rows = gateway.get(OPERATION, paged=True, character_id=character.character_id)
    entries: dict[tuple, dict] = {}
    for row in rows or []:
        day = as_date(row.get("date"))
        system_id, type_id = as_id(row.get("solar_system_id")), as_id(row.get("type_id"))
        if day is None or not system_id or not type_id:
            continue
        key = (day.isoformat(), system_id, type_id)
        entry = entries.setdefault(
            key,
            {
                "date": key[0],
                "eve_solar_system_id": system_id,
                "eve_type_id": type_id,
                "quantity": 0,
            },
        )
        entry["quantity"] += max(0, as_int(row.get("quantity"), 0))
    load_types(
        {entry["eve_type_id"] for entry in entries.values()}, _("the mining ledger"), gateway
    )
    load_solar_systems(
        {entry["eve_solar_system_id"] for entry in entries.values()},
        _("the mining ledger"),
        gateway,
    )
    refresh_market_prices({entry["eve_type_id"] for entry in entries.values()})
    return [entries[key] for key in sorted(entries)]


def refresh_market_prices(type_ids: set[int]) -> None:
    """Load average prices from ESI when none was loaded for a day (ESI sends all prices at
    once, so one fresh price means all are fresh; some types have none).

    Prices only feed an estimate: when ESI cannot give them the ledger is stored anyway.
    """
    if not type_ids:
        return
    fresh_after = timezone.now() - PRICES_STALE_AFTER
    if EveMarketPrice.objects.filter(updated_at__gt=fresh_after).exists():
        return
    try:
        EveMarketPrice.objects.update_from_esi(
            minutes_until_stale=int(PRICES_STALE_AFTER.total_seconds() // 60)
        )
    except Exception:  # eveuniverse raises its client's errors
        logger.warning("Could not load market prices from ESI", exc_info=True)


def store(character, data: list[dict]) -> bool:
    if not data:
        return False
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    oldest = min(as_date(entry["date"]) for entry in data)
    stored = {
        (entry.date.isoformat(), entry.eve_solar_system_id, entry.eve_type_id): entry
        for entry in character.mining_ledger.filter(date__gte=oldest)
    }
    new, changed = [], []
    for row in data:
        key = (row["date"], row["eve_solar_system_id"], row["eve_type_id"])
        entry = stored.get(key)
        if entry is None:
            new.append(
                CharacterMiningEntry(
                    character=character,
                    date=as_date(row["date"]),
                    eve_solar_system_id=row["eve_solar_system_id"],
                    eve_type_id=row["eve_type_id"],
                    quantity=row["quantity"],
                )
            )
        elif entry.quantity != row["quantity"]:
            entry.quantity = row["quantity"]
            changed.append(entry)
    if changed:
        CharacterMiningEntry.objects.bulk_update(changed, ["quantity"], batch_size=batch_size)
    if new:
        CharacterMiningEntry.objects.bulk_create(new, batch_size=batch_size)
    return bool(new or changed)


registry.register(
    Section(
        name="mining_ledger",
        title=_("mining ledger"),
        ring=2,
        scopes=("esi-industry.read_character_mining.v1",),
        operations=(OPERATION,),
        fetch=fetch,
        store=store,
        tab=ViewerTab(
            group=NavGroup.ASSETS,
            title=_("Mining"),
            template="memberaudit/tabs/mining_ledger.html",
            context=selectors.mining_ledger_tab,
        ),
    )
)
