"""Character details: public facts about a character and its biography (EVE markup)."""

import logging

import httpx2

from django.utils.translation import gettext_lazy as _

from esi import exceptions as esi_exceptions
from eveuniverse.models import EveAncestry, EveBloodline, EveRace

from .. import selectors
from ..entities import ensure_entity_rows, resolve_entities
from ..esi_gateway import error_limit_reached
from ..models import CharacterDetails
from .base import NavGroup, Section, ViewerTab, registry

logger = logging.getLogger(__name__)

GENDERS = {CharacterDetails.Gender.MALE.value, CharacterDetails.Gender.FEMALE.value}


def _load_universe_object(model, object_id) -> int | None:
    """Load a race, bloodline or ancestry; ``None`` when ESI cannot provide it.

    These only decorate the character sheet, so their absence must not fail the section;
    only ESI's error limit does, so that no more calls are sent.
    """
    if not object_id:
        return None
    try:
        obj, _created = model.objects.get_or_create_esi(id=int(object_id))
    except esi_exceptions.ESIErrorLimitException as exc:
        raise error_limit_reached(exc) from exc  # stop calling ESI, even for decorations
    except (
        esi_exceptions.HTTPClientError,
        esi_exceptions.HTTPServerError,
        httpx2.TimeoutException,
        httpx2.TransportError,
    ) as exc:
        logger.warning("Could not load %s %s: %r", model.__name__, object_id, exc)
        return None
    return obj.id


def fetch(character, gateway):
    info = gateway.get("GetCharactersCharacterId", public=True, character_id=character.character_id)
    entity_ids = [info.get("corporation_id"), info.get("alliance_id"), info.get("faction_id")]
    resolve_entities([entity_id for entity_id in entity_ids if entity_id], gateway)
    gender = getattr(info.get("gender"), "value", info.get("gender"))
    security_status = info.get("security_status")
    return {
        "birthday": info.get("birthday"),
        "corporation_id": info.get("corporation_id"),
        "alliance_id": info.get("alliance_id"),
        "faction_id": info.get("faction_id"),
        "race_id": _load_universe_object(EveRace, info.get("race_id")),
        "bloodline_id": _load_universe_object(EveBloodline, info.get("bloodline_id")),
        "ancestry_id": _load_universe_object(EveAncestry, info.get("ancestry_id")),
        "gender": gender if gender in GENDERS else CharacterDetails.Gender.UNKNOWN.value,
        "security_status": float(security_status) if security_status is not None else None,
        "title": info.get("title") or "",
        "description": info.get("description") or "",
    }


def store(character, data) -> bool:
    ensure_entity_rows([data["corporation_id"], data["alliance_id"], data["faction_id"]])
    CharacterDetails.objects.update_or_create(
        character=character,
        defaults={
            "birthday": data["birthday"],
            "corporation_id": data["corporation_id"],
            "alliance_id": data["alliance_id"],
            "faction_id": data["faction_id"],
            "race_id": data["race_id"],
            "bloodline_id": data["bloodline_id"],
            "ancestry_id": data["ancestry_id"],
            "gender": data["gender"],
            "security_status": data["security_status"],
            "title": data["title"],
            "description": data["description"],
        },
    )
    return True


registry.register(
    Section(
        name="character_details",
        stored=("details",),
        title=_("character details"),
        ring=2,
        scopes=(),
        operations=("GetCharactersCharacterId",),
        fetch=fetch,
        store=store,
        tab=ViewerTab(
            group=NavGroup.CHARACTER,
            template="memberaudit/tabs/bio.html",
            context=selectors.character_details_tab,
            title=_("bio"),
        ),
    )
)
