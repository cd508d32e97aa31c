"""Medals: the medals awarded to a character, with issuer, reason and date."""

from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity

from .. import app_settings
from .. import character_sheet_selectors as selectors
from ..entities import ensure_entity_rows, resolve_entities
from ..models import CharacterMedal
from .base import NavGroup, Section, ViewerTab, registry

FIELDS = ("title", "description", "corporation_id", "issuer_id", "reason", "is_public")
TITLE_MAX_LENGTH = 255


def fetch(character, gateway) -> list[dict]:
    rows = gateway.get("GetCharactersCharacterIdMedals", character_id=character.character_id)
    medals = {}
    for row in rows or []:
        if not isinstance(row, dict) or row.get("medal_id") is None or not row.get("date"):
            continue
        status = getattr(row.get("status"), "value", row.get("status"))
        medal = {
            "medal_id": int(row["medal_id"]),
            "date": row["date"],
            "title": str(row.get("title") or "")[:TITLE_MAX_LENGTH],
            "description": str(row.get("description") or ""),
            "corporation_id": _id_or_none(row.get("corporation_id")),
            "issuer_id": _id_or_none(row.get("issuer_id")),
            "reason": str(row.get("reason") or ""),
            "is_public": status == "public",
        }
        medals[(medal["medal_id"], medal["date"])] = medal
    corporations = {medal["corporation_id"] for medal in medals.values()}
    issuers = {medal["issuer_id"] for medal in medals.values()}
    resolve_entities(corporations, gateway, keep_unknown=True, category="corporation")
    resolve_entities(issuers, gateway, keep_unknown=True, category=EveEntity.CATEGORY_CHARACTER)
    return [medals[key] for key in sorted(medals)]


def _id_or_none(value) -> int | None:
    return int(value) if value else None


def store(character, data: list[dict]) -> bool:
    ensure_entity_rows({medal["corporation_id"] for medal in data} | {m["issuer_id"] for m in data})
    wanted = {(medal["medal_id"], medal["date"]): medal for medal in data}
    stored = {(row.medal_id, row.date): row for row in character.medals.all()}
    gone = [row.pk for key, row in stored.items() if key not in wanted]
    changed = []
    for key, row in stored.items():
        values = wanted.get(key)
        if values is not None and any(getattr(row, name) != values[name] for name in FIELDS):
            for name in FIELDS:
                setattr(row, name, values[name])
            changed.append(row)
    new = [
        CharacterMedal(
            character=character,
            medal_id=medal_id,
            date=date,
            **{name: values[name] for name in FIELDS},
        )
        for (medal_id, date), values in wanted.items()
        if (medal_id, date) not in stored
    ]
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    if gone:
        CharacterMedal.objects.filter(pk__in=gone).delete()
    if changed:
        CharacterMedal.objects.bulk_update(changed, list(FIELDS), batch_size=batch_size)
    if new:
        CharacterMedal.objects.bulk_create(new, batch_size=batch_size)
    return bool(gone or changed or new)


registry.register(
    Section(
        name="medals",
        title=_("medals"),
        ring=3,
        scopes=("esi-characters.read_medals.v1",),
        operations=("GetCharactersCharacterIdMedals",),
        fetch=fetch,
        store=store,
        tab=ViewerTab(
            group=NavGroup.CHARACTER,
            template="memberaudit/tabs/medals.html",
            context=selectors.medals_tab,
        ),
    )
)
