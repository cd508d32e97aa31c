"""Jump clones: where the character's clones are parked, their implants, the home station."""

from django.utils.translation import gettext_lazy as _

from .. import app_settings, selectors
from ..bulk import sync_by_key
from ..locations import ensure_location_rows, resolve_locations
from ..models import (
    CharacterCloneInfo,
    CharacterJumpCloneImplant,
)
from .base import NavGroup, Section, ViewerTab, registry
from .implants import implant_rows, load_implant_types

CLONE_FIELDS = ("location_id", "name")
IMPLANT_FIELDS = ("slot", "position")


def fetch(character, gateway):
    answer = gateway.get("GetCharactersCharacterIdClones", character_id=character.character_id)
    home_location_id = (answer.get("home_location") or {}).get("location_id")
    clones = [clone for clone in answer.get("jump_clones") or [] if clone.get("jump_clone_id")]
    location_ids = {clone["location_id"] for clone in clones if clone.get("location_id")}
    if home_location_id:
        location_ids.add(home_location_id)
    if location_ids:
        resolve_locations(location_ids, gateway)
    slots = load_implant_types(
        type_id for clone in clones for type_id in clone.get("implants") or [] if type_id
    )
    return {
        "home_location_id": home_location_id or None,
        "last_clone_jump_date": answer.get("last_clone_jump_date"),
        "last_station_change_date": answer.get("last_station_change_date"),
        "jump_clones": sorted(
            (
                {
                    "jump_clone_id": clone["jump_clone_id"],
                    "location_id": clone.get("location_id"),
                    "name": clone.get("name") or "",
                    "implants": implant_rows(clone.get("implants") or [], slots),
                }
                for clone in clones
            ),
            key=lambda clone: clone["jump_clone_id"],
        ),
    }


def store(character, data) -> bool:
    clones = [clone for clone in data["jump_clones"] if clone["location_id"]]
    ensure_location_rows([data["home_location_id"], *(clone["location_id"] for clone in clones)])
    info_changed = _store_clone_info(character, data)
    clone_pks, clones_changed = _store_jump_clones(character, clones)
    implants_changed = _store_jump_clone_implants(character, clones, clone_pks)
    return info_changed or clones_changed or implants_changed


def _store_clone_info(character, data) -> bool:
    values = {
        "home_location_id": data["home_location_id"],
        "last_clone_jump_date": data["last_clone_jump_date"],
        "last_station_change_date": data["last_station_change_date"],
    }
    info = CharacterCloneInfo.objects.filter(character=character).first()
    if info is None:
        CharacterCloneInfo.objects.create(character=character, **values)
        return True
    if all(getattr(info, name) == value for name, value in values.items()):
        return False
    CharacterCloneInfo.objects.filter(character=character).update(**values)
    return True


def _store_jump_clones(character, clones: list[dict]) -> tuple[dict[int, int], bool]:
    """Write the clones that changed; return the pk of every clone by its ESI id."""
    wanted = {clone["jump_clone_id"]: clone for clone in clones}
    existing, new, written = sync_by_key(
        character.jump_clones.all(), "jump_clone_id", wanted, CLONE_FIELDS, character=character
    )
    clone_pks = {clone_id: existing[clone_id].pk for clone_id in wanted if clone_id in existing}
    if new:
        # Not every database returns primary keys from a bulk insert.
        clone_pks.update(
            character.jump_clones.filter(
                jump_clone_id__in=[clone.jump_clone_id for clone in new]
            ).values_list("jump_clone_id", "pk")
        )
    return clone_pks, written


def _store_jump_clone_implants(character, clones: list[dict], clone_pks: dict[int, int]) -> bool:
    existing = {
        (implant.jump_clone_id, implant.eve_type_id): implant
        for implant in CharacterJumpCloneImplant.objects.filter(jump_clone__character=character)
    }
    wanted = {
        (clone_pks[clone["jump_clone_id"]], row["type_id"]): row
        for clone in clones
        for row in clone["implants"]
    }
    gone = [implant.pk for key, implant in existing.items() if key not in wanted]
    new, changed = [], []
    for (clone_pk, type_id), row in wanted.items():
        implant = existing.get((clone_pk, type_id))
        if implant is None:
            new.append(
                CharacterJumpCloneImplant(
                    jump_clone_id=clone_pk,
                    eve_type_id=type_id,
                    **{name: row[name] for name in IMPLANT_FIELDS},
                )
            )
        elif any(getattr(implant, name) != row[name] for name in IMPLANT_FIELDS):
            for name in IMPLANT_FIELDS:
                setattr(implant, name, row[name])
            changed.append(implant)
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    if gone:
        for start in range(0, len(gone), batch_size):
            CharacterJumpCloneImplant.objects.filter(
                pk__in=gone[start : start + batch_size]
            ).delete()
    if new:
        CharacterJumpCloneImplant.objects.bulk_create(new, batch_size=batch_size)
    if changed:
        CharacterJumpCloneImplant.objects.bulk_update(
            changed, IMPLANT_FIELDS, batch_size=batch_size
        )
    return bool(gone or new or changed)


registry.register(
    Section(
        name="jump_clones",
        stored=("jump_clones", "clone_info"),
        title=_("jump clones"),
        ring=2,
        scopes=("esi-clones.read_clones.v1",),
        operations=("GetCharactersCharacterIdClones",),
        fetch=fetch,
        store=store,
        tab=ViewerTab(
            group=NavGroup.CHARACTER,
            template="memberaudit/tabs/jump_clones.html",
            context=selectors.jump_clones_tab,
        ),
    )
)
