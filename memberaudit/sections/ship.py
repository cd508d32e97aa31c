"""Ship: the ship type, item id and name of the ship a character is flying."""

import logging

from django.utils.translation import gettext_lazy as _

from .. import updater
from ..esi_gateway import EsiUnavailable
from ..eve_types import load_eve_types
from ..models import CharacterShip
from .base import Section, registry

logger = logging.getLogger(__name__)


def fetch(character, gateway):
    data = gateway.get("GetCharactersCharacterIdShip", character_id=character.character_id)
    ship_type_id = data.get("ship_type_id")
    if not ship_type_id or not data.get("ship_item_id"):
        raise updater.SectionDataError(_("ESI sent a ship without type or item id."))
    try:
        # through the gateway: the type, its group and category asked for together, and one
        # query when the type is known (eveuniverse would ask for each with a client of its own)
        load_eve_types([ship_type_id], gateway)
    except Exception as exc:  # eveuniverse raises its client's errors
        logger.info("Ship type %s could not be loaded", ship_type_id, exc_info=True)
        raise EsiUnavailable(
            _("The ship type %(type_id)s could not be loaded: %(error_type)s")
            % {"type_id": ship_type_id, "error_type": type(exc).__name__}
        ) from exc
    return {
        "ship_type_id": ship_type_id,
        "item_id": data.get("ship_item_id"),
        "name": data.get("ship_name") or "",
    }


def store(character, data) -> bool:
    CharacterShip.objects.update_or_create(
        character=character,
        defaults={
            "eve_type_id": data["ship_type_id"],
            "item_id": data["item_id"],
            "name": data["name"],
        },
    )
    return True


registry.register(
    Section(
        name="ship",
        title=_("ship"),
        ring=1,
        scopes=("esi-location.read_ship_type.v1",),
        operations=("GetCharactersCharacterIdShip",),
        fetch=fetch,
        store=store,
    )
)
