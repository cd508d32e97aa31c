"""Location: the solar system a character is in, and the station or structure when docked."""

from django.utils.translation import gettext_lazy as _

from .. import change_events, updater
from ..esi_gateway import NotModified
from ..locations import resolve_locations
from ..models import CharacterLocation, Location
from .base import Section, registry


def fetch(character, gateway):
    try:
        data = gateway.get("GetCharactersCharacterIdLocation", character_id=character.character_id)
    except NotModified:
        _refresh_stored_place(character, gateway)
        raise
    solar_system_id = data.get("solar_system_id")
    if not solar_system_id:
        raise updater.SectionDataError(_("ESI sent a location without a solar system."))
    place_id = data.get("structure_id") or data.get("station_id") or None
    locations = resolve_locations([solar_system_id, place_id], gateway)
    system = locations.get(solar_system_id)
    if system is None or system.eve_solar_system_id is None:
        raise updater.SectionDataError(
            _("The solar system %(id)s could not be loaded.") % {"id": solar_system_id}
        )
    return {"solar_system_id": solar_system_id, "location_id": place_id}


def _refresh_stored_place(character, gateway) -> None:
    """Retry the lookup of a station or structure once its backoff has passed."""
    location_id = (
        CharacterLocation.objects.filter(character=character)
        .values_list("location_id", flat=True)
        .first()
    )
    if location_id:
        resolve_locations([location_id], gateway)


def store(character, data) -> bool:
    before = (
        CharacterLocation.objects.filter(character=character)
        .values_list("eve_solar_system_id", flat=True)
        .first()
    )
    row, _ = CharacterLocation.objects.update_or_create(
        character=character,
        defaults={
            "eve_solar_system_id": data["solar_system_id"],
            "location_id": data["location_id"],
        },
    )
    if data["location_id"]:
        # ESI does not describe a structure without docking rights, but a character docked
        # there tells its solar system: unknown places are then shown with it.
        Location.objects.filter(id=data["location_id"], eve_solar_system__isnull=True).update(
            eve_solar_system_id=data["solar_system_id"]
        )
    change_events.report(changed=[(row, {"eve_solar_system_id": before})])
    return True


registry.register(
    Section(
        name="location",
        title=_("location"),
        ring=1,
        # Structures also need esi-universe.read_structures.v1; without it they stay placeholders.
        scopes=("esi-location.read_location.v1",),
        operations=(
            "GetCharactersCharacterIdLocation",
            "GetUniverseStationsStationId",
            "GetUniverseStructuresStructureId",
        ),
        fetch=fetch,
        store=store,
        events=change_events.location,
    )
)
