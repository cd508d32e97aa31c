"""Planetary colonies and the layout of each: extractors, factories, storage.

The colony list and each colony's layout come from separate calls; the section is unchanged
only when all of them answer 304. Colonies ESI no longer lists were abandoned and are
removed; a layout that cannot be fetched fails the run and keeps what is stored, and so does
a planet or an item type that eveuniverse cannot load (the tab shows their names).
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .. import app_settings, selectors
from ..esi_gateway import NotModified
from ..models import CharacterPlanet, CharacterPlanetPin
from .base import NavGroup, Section, ViewerTab, registry
from .esi_values import (
    as_datetime,
    as_id,
    as_int,
    load_planets,
    load_solar_systems,
    load_types,
    plain,
    without_etag,
)

COLONIES = "GetCharactersCharacterIdPlanets"
LAYOUT = "GetCharactersCharacterIdPlanetsPlanetId"
Kind = CharacterPlanetPin.Kind
# The command centers of the eight planet types: the only pins of these types.
COMMAND_CENTER_TYPE_IDS = frozenset({2254, 2524, 2525, 2533, 2534, 2549, 2550, 2551})
PIN_FIELDS = (
    "eve_type_id",
    "kind",
    "schematic_id",
    "product_type_id",
    "qty_per_cycle",
    "cycle_time",
    "install_time",
    "expiry_time",
    "last_cycle_start",
    "contents_amount",
)
COLONY_FIELDS = (
    "eve_solar_system_id",
    "eve_planet_id",
    "planet_type",
    "upgrade_level",
    "num_pins",
    "last_update",
)


def _layouts(character, gateway, planet_ids) -> list:
    """The layouts of the colonies, a few at a time; a 304 is an answer, any error fails."""
    answers = gateway.get_each(
        LAYOUT,
        [{"character_id": character.character_id, "planet_id": pid} for pid in planet_ids],
        stop=lambda answer: not isinstance(answer.error, NotModified),
    )
    for answer in answers:
        if answer.error is not None and not isinstance(answer.error, NotModified):
            raise answer.error
    return answers


def fetch(character, gateway) -> list[dict]:
    if _links_missing(character):
        # Rows stored before colonies were linked to their planet and installations to their
        # types: ESI's 304 would keep them unlinked until the colony changes.
        gateway = without_etag(gateway)
    try:
        colonies = gateway.get(COLONIES, character_id=character.character_id)
    except NotModified:
        colonies = None
    planet_ids = (
        sorted({as_id(row.get("planet_id")) for row in colonies if as_id(row.get("planet_id"))})
        if colonies is not None
        else sorted(character.planets.values_list("planet_id", flat=True))
    )
    layouts, unchanged = {}, []
    for answer in _layouts(character, gateway, planet_ids):
        if isinstance(answer.error, NotModified):
            unchanged.append(answer.params["planet_id"])
        else:
            layouts[answer.params["planet_id"]] = answer.data
    if colonies is None and len(unchanged) == len(planet_ids):
        raise NotModified()
    fresh = without_etag(gateway)
    if colonies is None:
        colonies = fresh.get(COLONIES, character_id=character.character_id)
    for answer in _layouts(character, fresh, unchanged):
        layouts[answer.params["planet_id"]] = answer.data
    result = []
    for row in colonies or []:
        planet_id = as_id(row.get("planet_id"))
        if not planet_id or planet_id not in layouts:
            continue
        result.append(_clean_colony(row, layouts[planet_id]))
    load_solar_systems({colony["eve_solar_system_id"] for colony in result}, _("colonies"), gateway)
    load_planets({colony["eve_planet_id"] for colony in result}, _("colonies"))
    load_types(
        {
            pin[field]
            for colony in result
            for pin in colony["pins"]
            for field in ("eve_type_id", "product_type_id")
        },
        _("colonies"),
        gateway,
    )
    return sorted(result, key=lambda colony: colony["planet_id"])


def _links_missing(character) -> bool:
    return (
        character.planets.filter(Q(eve_planet__isnull=True) | Q(pins__eve_type__isnull=True))
        .order_by()
        .exists()
    )


def _clean_colony(row: dict, layout: dict | None) -> dict:
    last_update = as_datetime(row.get("last_update"))
    pins = {}
    for pin in (layout or {}).get("pins") or []:
        cleaned = _clean_pin(pin)
        if cleaned is not None:
            pins[cleaned["pin_id"]] = cleaned
    planet_id = as_id(row.get("planet_id"))
    return {
        "planet_id": planet_id,
        "eve_solar_system_id": as_id(row.get("solar_system_id")),
        "eve_planet_id": planet_id,
        "planet_type": str(plain(row.get("planet_type")) or "")[:16],
        "upgrade_level": max(0, as_int(row.get("upgrade_level"), 0)),
        "num_pins": max(0, as_int(row.get("num_pins"), 0)),
        "last_update": last_update.isoformat() if last_update else None,
        "pins": [pins[key] for key in sorted(pins)],
    }


def _clean_pin(pin: dict) -> dict | None:
    pin_id, type_id = as_id(pin.get("pin_id")), as_id(pin.get("type_id"))
    if not pin_id or not type_id:
        return None
    extractor = pin.get("extractor_details") or None
    factory = pin.get("factory_details") or None
    schematic_id = as_id((factory or {}).get("schematic_id")) or as_id(pin.get("schematic_id"))
    contents = pin.get("contents") or []
    if extractor is not None:
        kind = Kind.EXTRACTOR
    elif schematic_id:
        kind = Kind.FACTORY
    elif _is_command_center(pin):
        kind = Kind.COMMAND_CENTER
    elif contents or "contents" in pin:
        kind = Kind.STORAGE
    else:
        kind = Kind.OTHER
    dates = {
        field: as_datetime(pin.get(field))
        for field in ("install_time", "expiry_time", "last_cycle_start")
    }
    return {
        "pin_id": pin_id,
        "eve_type_id": type_id,
        "kind": str(kind),
        "schematic_id": schematic_id,
        "product_type_id": as_id((extractor or {}).get("product_type_id")),
        "qty_per_cycle": as_int((extractor or {}).get("qty_per_cycle")),
        "cycle_time": as_int((extractor or {}).get("cycle_time")),
        "contents_amount": sum(max(0, as_int(c.get("amount"), 0)) for c in contents),
        **{field: value.isoformat() if value else None for field, value in dates.items()},
    }


def _is_command_center(pin: dict) -> bool:
    return as_id(pin.get("type_id")) in COMMAND_CENTER_TYPE_IDS


def store(character, data: list[dict]) -> bool:
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    stored = {planet.planet_id: planet for planet in character.planets.all()}
    listed = {colony["planet_id"] for colony in data}
    gone = [planet.pk for planet_id, planet in stored.items() if planet_id not in listed]
    if gone:
        CharacterPlanet.objects.filter(pk__in=gone).delete()
    changed = bool(gone)
    for colony in data:
        values = {field: colony[field] for field in COLONY_FIELDS}
        values["last_update"] = as_datetime(values["last_update"])
        planet = stored.get(colony["planet_id"])
        if planet is None:
            planet = CharacterPlanet.objects.create(
                character=character, planet_id=colony["planet_id"], **values
            )
            changed = True
        elif differing := [f for f, v in values.items() if getattr(planet, f) != v]:
            for field in differing:
                setattr(planet, field, values[field])
            planet.save(update_fields=differing)
            changed = True
        changed |= _store_pins(planet, colony["pins"], batch_size)
    return changed


def _store_pins(planet: CharacterPlanet, pins: list[dict], batch_size: int) -> bool:
    """Replace the colony's pins when any of them changed."""
    wanted = [_pin_values(pin) for pin in pins]
    stored = [
        (pin.pin_id, *(getattr(pin, field) for field in PIN_FIELDS))
        for pin in planet.pins.order_by("pin_id")
    ]
    incoming = [(pin_id, *(values[field] for field in PIN_FIELDS)) for pin_id, values in wanted]
    if stored == incoming:
        return False
    planet.pins.all().delete()
    CharacterPlanetPin.objects.bulk_create(
        [CharacterPlanetPin(planet=planet, pin_id=pin_id, **values) for pin_id, values in wanted],
        batch_size=batch_size,
    )
    return True


def _pin_values(pin: dict) -> tuple[int, dict]:
    values = {field: pin[field] for field in PIN_FIELDS}
    for field in ("install_time", "expiry_time", "last_cycle_start"):
        values[field] = as_datetime(values[field])
    return pin["pin_id"], values


registry.register(
    Section(
        name="planets",
        title=_("planetary colonies"),
        ring=3,
        scopes=("esi-planets.manage_planets.v1",),
        operations=(COLONIES, LAYOUT),
        fetch=fetch,
        store=store,
        tab=ViewerTab(
            group=NavGroup.ASSETS,
            title=_("Planets"),
            template="memberaudit/tabs/planets.html",
            context=selectors.planets_tab,
        ),
    )
)
