"""Attributes: the five attributes of a character, its bonus remaps and remap cooldown."""

from django.utils.translation import gettext_lazy as _

from .. import character_sheet_selectors as selectors
from .. import updater
from ..bulk import sync_one
from ..models import CharacterAttributes
from .base import OverviewPart, Section, registry


def fetch(character, gateway) -> dict:
    data = gateway.get("GetCharactersCharacterIdAttributes", character_id=character.character_id)
    if not isinstance(data, dict):
        raise updater.SectionDataError(_("ESI sent attributes that are not an object."))
    missing = [name for name in CharacterAttributes.NAMES if data.get(name) is None]
    if missing:
        raise updater.SectionDataError(
            _("ESI sent attributes without %(names)s.") % {"names": ", ".join(missing)}
        )
    bonus_remaps = data.get("bonus_remaps")
    return {
        **{name: int(data[name]) for name in CharacterAttributes.NAMES},
        "bonus_remaps": int(bonus_remaps) if bonus_remaps is not None else None,
        "last_remap_date": data.get("last_remap_date"),
        "accrued_remap_cooldown_date": data.get("accrued_remap_cooldown_date"),
    }


def store(character, data: dict) -> bool:
    return sync_one(CharacterAttributes, character, data)


registry.register(
    Section(
        name="attributes",
        title=_("attributes"),
        ring=2,
        scopes=("esi-skills.read_skills.v1",),
        operations=("GetCharactersCharacterIdAttributes",),
        fetch=fetch,
        store=store,
        overview=OverviewPart(
            template="memberaudit/overview/attributes.html", context=selectors.attributes
        ),
    )
)
