"""Jump fatigue: when a character's fatigue expires and when it last jumped."""

from django.utils.translation import gettext_lazy as _

from .. import character_sheet_selectors as selectors
from ..bulk import sync_one
from ..models import CharacterJumpFatigue
from .base import OverviewPart, Section, registry

FIELDS = ("jump_fatigue_expire_date", "last_jump_date", "last_update_date")


def fetch(character, gateway) -> dict:
    data = gateway.get("GetCharactersCharacterIdFatigue", character_id=character.character_id)
    data = data if isinstance(data, dict) else {}
    return {field: data.get(field) for field in FIELDS}


def store(character, data: dict) -> bool:
    return sync_one(CharacterJumpFatigue, character, data)


registry.register(
    Section(
        name="jump_fatigue",
        title=_("jump fatigue"),
        ring=1,
        scopes=("esi-characters.read_fatigue.v1",),
        operations=("GetCharactersCharacterIdFatigue",),
        fetch=fetch,
        store=store,
        overview=OverviewPart(
            template="memberaudit/overview/jump_fatigue.html", context=selectors.jump_fatigue
        ),
    )
)
