"""Implants: the implants plugged into the character's active clone, sorted by slot."""

import logging
from collections.abc import Iterable

import httpx2

from django.utils.translation import gettext_lazy as _

from esi import exceptions as esi_exceptions
from eveuniverse.models import EveType, EveTypeDogmaAttribute

from .. import app_settings, selectors
from ..esi_gateway import EsiError, EsiUnavailable, error_limit_reached
from ..models import CharacterImplant
from .base import NavGroup, Section, ViewerTab, registry

logger = logging.getLogger(__name__)

IMPLANT_SLOT_ATTRIBUTE_ID = 331  # "implantness": the slot an implant occupies


def load_implant_types(type_ids: Iterable[int]) -> dict[int, int | None]:
    """Load implant types into eveuniverse and return their slots (``None`` when unknown).

    Slots come from the types' dogma attributes. When those cannot be loaded the types are
    loaded without them, and the implants keep the order ESI sent.
    """
    ids = {int(type_id) for type_id in type_ids}
    if not ids:
        return {}
    try:
        _load_types(ids, with_dogmas=True)
    except EsiError as exc:
        if exc.status_code is None or exc.status_code >= 500:
            raise
        logger.warning("Implant slots not available (%s), loading types without them", exc)
        _load_types(ids, with_dogmas=False)
    slots = dict.fromkeys(ids)
    slot_values = EveTypeDogmaAttribute.objects.filter(
        eve_type_id__in=ids, eve_dogma_attribute_id=IMPLANT_SLOT_ATTRIBUTE_ID
    ).values_list("eve_type_id", "value")
    for type_id, value in slot_values:
        slots[type_id] = int(value) if value else None
    return slots


def _load_types(ids: set[int], with_dogmas: bool) -> None:
    sections = [EveType.Section.DOGMAS] if with_dogmas else None
    try:
        EveType.objects.bulk_get_or_create_esi(ids=ids, enabled_sections=sections)
    except (esi_exceptions.HTTPClientError, esi_exceptions.HTTPServerError) as exc:
        message = f"ESI answered {exc.status_code} when loading implant types"
        error_class = EsiUnavailable if exc.status_code >= 500 else EsiError
        raise error_class(message, exc.status_code) from exc
    except esi_exceptions.ESIErrorLimitException as exc:
        raise error_limit_reached(exc) from exc
    except (httpx2.TimeoutException, httpx2.TransportError) as exc:
        raise EsiUnavailable(f"ESI did not answer when loading implant types: {exc!r}") from exc


def implant_rows(type_ids: Iterable, slots: dict[int, int | None]) -> list[dict]:
    """Plain data of an implant list: each type once, with its slot and position."""
    unique_ids = list(dict.fromkeys(int(type_id) for type_id in type_ids if type_id))
    return [
        {"type_id": type_id, "slot": slots.get(type_id), "position": position}
        for position, type_id in enumerate(unique_ids)
    ]


def fetch(character, gateway):
    type_ids = gateway.get("GetCharactersCharacterIdImplants", character_id=character.character_id)
    type_ids = [type_id for type_id in type_ids or [] if type_id]
    return implant_rows(type_ids, load_implant_types(type_ids))


def store(character, data) -> bool:
    existing = {implant.eve_type_id: implant for implant in character.implants.all()}
    wanted = {row["type_id"]: row for row in data}
    gone = [type_id for type_id in existing if type_id not in wanted]
    new, changed = [], []
    for type_id, row in wanted.items():
        implant = existing.get(type_id)
        if implant is None:
            new.append(
                CharacterImplant(
                    character=character,
                    eve_type_id=type_id,
                    slot=row["slot"],
                    position=row["position"],
                )
            )
        elif (implant.slot, implant.position) != (row["slot"], row["position"]):
            implant.slot, implant.position = row["slot"], row["position"]
            changed.append(implant)
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    if gone:
        character.implants.filter(eve_type_id__in=gone).delete()
    if new:
        CharacterImplant.objects.bulk_create(new, batch_size=batch_size)
    if changed:
        CharacterImplant.objects.bulk_update(changed, ["slot", "position"], batch_size=batch_size)
    return bool(gone or new or changed)


registry.register(
    Section(
        name="implants",
        title=_("implants"),
        ring=2,
        scopes=("esi-clones.read_implants.v1",),
        operations=("GetCharactersCharacterIdImplants",),
        fetch=fetch,
        store=store,
        tab=ViewerTab(
            group=NavGroup.CHARACTER,
            template="memberaudit/tabs/implants.html",
            context=selectors.implants_tab,
        ),
    )
)
