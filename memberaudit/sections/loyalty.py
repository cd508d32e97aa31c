"""Loyalty points: how many points a character holds with each NPC corporation."""

from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity

from .. import app_settings, selectors
from ..entities import resolve_entities
from ..models import CharacterLoyaltyEntry
from .base import NavGroup, Section, ViewerTab, registry


def fetch(character, gateway) -> list[dict]:
    rows = gateway.get("GetCharactersCharacterIdLoyaltyPoints", character_id=character.character_id)
    points = {}
    for row in rows or []:
        corporation_id = row.get("corporation_id")
        if corporation_id:
            points[int(corporation_id)] = int(row.get("loyalty_points") or 0)
    resolve_entities(points, gateway, keep_unknown=True, category=EveEntity.CATEGORY_CORPORATION)
    return [
        {"corporation_id": corporation_id, "loyalty_points": value}
        for corporation_id, value in sorted(points.items())
    ]


def store(character, data: list[dict]) -> bool:
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    wanted = {row["corporation_id"]: row["loyalty_points"] for row in data}
    stored = {entry.corporation_id: entry for entry in character.loyalty_entries.all()}
    new = [
        CharacterLoyaltyEntry(
            character=character, corporation_id=corporation_id, loyalty_points=points
        )
        for corporation_id, points in wanted.items()
        if corporation_id not in stored
    ]
    changed = []
    for corporation_id, entry in stored.items():
        points = wanted.get(corporation_id)
        if points is not None and points != entry.loyalty_points:
            entry.loyalty_points = points
            changed.append(entry)
    gone = [entry.pk for corporation_id, entry in stored.items() if corporation_id not in wanted]
    for start in range(0, len(gone), batch_size):
        CharacterLoyaltyEntry.objects.filter(pk__in=gone[start : start + batch_size]).delete()
    if changed:
        CharacterLoyaltyEntry.objects.bulk_update(
            changed, fields=["loyalty_points"], batch_size=batch_size
        )
    if new:
        CharacterLoyaltyEntry.objects.bulk_create(new, batch_size=batch_size)
    return bool(new or changed or gone)


registry.register(
    Section(
        name="loyalty",
        stored=("loyalty_entries",),
        title=_("loyalty points"),
        ring=2,
        scopes=("esi-characters.read_loyalty.v1",),
        operations=("GetCharactersCharacterIdLoyaltyPoints",),
        fetch=fetch,
        store=store,
        tab=ViewerTab(
            group=NavGroup.FINANCES,
            template="memberaudit/tabs/loyalty.html",
            context=selectors.loyalty_tab,
        ),
    )
)
