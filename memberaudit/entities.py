"""Names of characters, corporations, alliances, factions: eveuniverse ``EveEntity`` rows.

Resolved in bulk through the gateway (never through django-esi's response cache, which
answers every POST to the same route with the first answer). Only entity ids may be passed:
mailing list ids or title ids make ESI reject the whole call.
"""

from collections.abc import Iterable

from django.utils import timezone

from eveuniverse.models import EveEntity

from . import app_settings
from .bulk import bulk_upsert
from .esi_gateway import EsiGateway, EsiNotFound

NAMES_PER_CALL = 1000
VALID_CATEGORIES = {choice[0] for choice in EveEntity.CATEGORY_CHOICES}


def resolve_entities(
    ids: Iterable[int | None],
    gateway: EsiGateway,
    *,
    keep_unknown: bool = False,
    category: str | None = None,
) -> dict[int, EveEntity]:
    """Return ``EveEntity`` rows for all ids, creating the missing ones with their names.

    Ids that ESI cannot name are left out, or with ``keep_unknown`` stored as nameless rows
    (of ``category`` when the caller knows it) so that they can serve as foreign keys; they
    are asked for again on a later update.
    """
    wanted = {int(entity_id) for entity_id in ids if entity_id}
    if not wanted:
        return {}
    known = _resolve(wanted, gateway)
    if keep_unknown and len(known) < len(wanted):
        ensure_entity_rows(wanted - set(known), category)
        known = EveEntity.objects.in_bulk(wanted)
    return known


def ensure_entity_rows(ids: Iterable[int | None], category: str | None = None) -> None:
    """Make sure an ``EveEntity`` row exists for every id, if only as a nameless placeholder."""
    wanted = {int(entity_id) for entity_id in ids if entity_id}
    if not wanted:
        return
    existing = set(EveEntity.objects.filter(id__in=wanted).values_list("id", flat=True))
    if missing := wanted - existing:
        now = timezone.now()
        EveEntity.objects.bulk_create(
            [EveEntity(id=entity_id, category=category, last_updated=now) for entity_id in missing],
            batch_size=app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE,
            ignore_conflicts=True,
        )


def _resolve(wanted: set[int], gateway: EsiGateway) -> dict[int, EveEntity]:
    known = EveEntity.objects.in_bulk(wanted)
    unknown = sorted(
        entity_id for entity_id in wanted if entity_id not in known or not known[entity_id].name
    )
    for start in range(0, len(unknown), NAMES_PER_CALL):
        _resolve_chunk(unknown[start : start + NAMES_PER_CALL], gateway)
    if unknown:
        known = EveEntity.objects.in_bulk(wanted)
    return known


def _resolve_chunk(ids: list[int], gateway: EsiGateway) -> None:
    try:
        answers = gateway.post("PostUniverseNames", body=ids, public=True)
    except EsiNotFound:
        # ESI rejects the whole call when one id is unknown: split to find the good ones.
        if len(ids) == 1:
            return
        middle = len(ids) // 2
        _resolve_chunk(ids[:middle], gateway)
        _resolve_chunk(ids[middle:], gateway)
        return
    now = timezone.now()
    entities = [
        EveEntity(
            id=answer["id"],
            name=answer.get("name") or "",
            category=_category(answer.get("category")),
            last_updated=now,
        )
        for answer in answers
    ]
    bulk_upsert(
        EveEntity,
        entities,
        unique_fields=["id"],
        update_fields=["name", "category", "last_updated"],
    )


def _category(value) -> str | None:
    value = getattr(value, "value", value)
    return value if value in VALID_CATEGORIES else None
