"""Corporation history: every corporation the character has been a member of."""

from django.utils.translation import gettext_lazy as _

from .. import change_events, selectors
from ..bulk import sync_by_key
from ..entities import ensure_entity_rows, resolve_entities
from .base import NavGroup, Section, ViewerTab, registry

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
    wanted = {entry["record_id"]: entry for entry in data}
    _, new, written = sync_by_key(
        character.corporation_history.all(), "record_id", wanted, FIELDS, character=character
    )
    change_events.report(created=new)
    return written


registry.register(
    Section(
        name="corporation_history",
        title=_("corporation history"),
        ring=2,
        scopes=(),
        operations=("GetCharactersCharacterIdCorporationhistory",),
        fetch=fetch,
        store=store,
        events=change_events.corporation_history,
        tab=ViewerTab(
            group=NavGroup.CHARACTER,
            template="memberaudit/tabs/corporation_history.html",
            context=selectors.corporation_history_tab,
        ),
    )
)
