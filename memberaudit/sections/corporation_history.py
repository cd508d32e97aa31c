"""Corporation history: every corporation the character has been a member of."""

from django.utils.translation import gettext_lazy as _

from .. import app_settings, selectors
from ..entities import ensure_entity_rows, resolve_entities
from ..models import CharacterCorporationHistory
from .base import Section, ViewerTab, registry

FIELDS = ("corporation_id", "start_date", "is_deleted")


def fetch(character, gateway):
    entries = gateway.get(
        "GetCharactersCharacterIdCorporationhistory",
        public=True,
        character_id=character.character_id,
    )
    entries = [entry for entry in entries or [] if entry.get("record_id") is not None]
    resolve_entities({entry["corporation_id"] for entry in entries}, gateway)
    return sorted(
        (
            {
                "record_id": entry["record_id"],
                "corporation_id": entry["corporation_id"],
                "start_date": entry["start_date"],
                "is_deleted": bool(entry.get("is_deleted")),
            }
            for entry in entries
        ),
        key=lambda entry: entry["record_id"],
    )


def store(character, data) -> bool:
    ensure_entity_rows(entry["corporation_id"] for entry in data)
    existing = {entry.record_id: entry for entry in character.corporation_history.all()}
    wanted = {entry["record_id"]: entry for entry in data}
    gone = [record_id for record_id in existing if record_id not in wanted]
    new, changed = [], []
    for record_id, values in wanted.items():
        entry = existing.get(record_id)
        if entry is None:
            new.append(
                CharacterCorporationHistory(
                    character=character,
                    record_id=record_id,
                    **{name: values[name] for name in FIELDS},
                )
            )
        elif any(getattr(entry, name) != values[name] for name in FIELDS):
            for name in FIELDS:
                setattr(entry, name, values[name])
            changed.append(entry)
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    if gone:
        character.corporation_history.filter(record_id__in=gone).delete()
    if new:
        CharacterCorporationHistory.objects.bulk_create(new, batch_size=batch_size)
    if changed:
        CharacterCorporationHistory.objects.bulk_update(changed, FIELDS, batch_size=batch_size)
    return bool(gone or new or changed)


registry.register(
    Section(
        name="corporation_history",
        title=_("corporation history"),
        ring=2,
        scopes=(),
        operations=("GetCharactersCharacterIdCorporationhistory",),
        fetch=fetch,
        store=store,
        tab=ViewerTab(
            template="memberaudit/tabs/corporation_history.html",
            context=selectors.corporation_history_tab,
        ),
    )
)
