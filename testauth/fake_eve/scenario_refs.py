"""Cross-reference checks of a merged scenario: duplicate IDs and dangling references."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import scenario_schema as schema

if TYPE_CHECKING:
    from .scenario import Scenario

# section -> list of (field path inside an item, referenced section(s))
_REFERENCES = {
    "constellations": [("region_id", "regions")],
    "systems": [("constellation_id", "constellations")],
    "stations": [("system_id", "systems"), ("type_id", "types")],
    "structures": [("solar_system_id", "systems"), ("type_id", "types")],
    "planets": [("system_id", "systems"), ("type_id", "types")],
    "groups": [("category_id", "categories")],
    "types": [("group_id", "groups"), ("dogma_attributes[].attribute_id", "dogma_attributes")],
    "bloodlines": [("race_id", "races"), ("ship_type_id", "types")],
    "ancestries": [("bloodline_id", "bloodlines")],
    "factions": [("solar_system_id", "systems")],
    "corporations": [("alliance_id", "alliances"), ("home_station_id", "stations")],
    "alliances": [
        ("creator_corporation_id", "corporations"),
        ("executor_corporation_id", "corporations"),
    ],
    "characters": [
        ("corporation_id", "corporations"),
        ("alliance_id", "alliances"),
        ("race_id", "races"),
        ("bloodline_id", "bloodlines"),
        ("corporation_history[].corporation_id", "corporations"),
        ("location.solar_system_id", "systems"),
        ("location.station_id", "stations"),
        ("location.structure_id", "structures"),
        ("ship.ship_type_id", "types"),
        ("implants[]", "types"),
        ("skills[].skill_id", "types"),
        ("skillqueue[].skill_id", "types"),
        ("clones.jump_clones[].location_id", ("stations", "structures")),
        ("clones.jump_clones[].implants[]", "types"),
        ("clones.home_location.location_id", ("stations", "structures")),
        ("loyalty_points[].corporation_id", "corporations"),
        ("contacts[].contact_id", ("characters", "corporations", "alliances", "factions", "names")),
        ("planets[].planet_id", "planets"),
        ("planets[].solar_system_id", "systems"),
        ("planets[].layout.pins[].type_id", "types"),
        ("planets[].layout.pins[].extractor_details.product_type_id", "types"),
        ("planets[].layout.pins[].contents[].type_id", "types"),
    ],
}


def _walk(value, parts: list[str], path: str):
    """Yield (path, value) for a field path like ``skills[].skill_id``."""
    if not parts:
        yield path, value
        return
    head, rest = parts[0], parts[1:]
    is_list = head.endswith("[]")
    name = head[:-2] if is_list else head
    if name:
        if not isinstance(value, dict) or name not in value:
            return
        value = value[name]
        path = f"{path}.{name}"
    if is_list:
        for index, item in enumerate(value if isinstance(value, list) else []):
            yield from _walk(item, rest, f"{path}[{index}]")
    else:
        yield from _walk(value, rest, path)


def find_reference_errors(scenario: Scenario) -> list[tuple[str, str, str]]:
    errors = []
    all_sections = {**schema.UNIVERSE_SECTIONS, **schema.TOP_SECTIONS}
    for section, (_, id_field) in all_sections.items():
        seen = set()
        for item, (filename, item_path) in zip(
            scenario.sections[section], scenario.origins[section], strict=True
        ):
            if item[id_field] in seen:
                errors.append(
                    (filename, f"{item_path}.{id_field}", f"duplicate id {item[id_field]}")
                )
            seen.add(item[id_field])
    for section, references in _REFERENCES.items():
        for item, (filename, item_path) in zip(
            scenario.sections[section], scenario.origins[section], strict=True
        ):
            for field_path, targets in references:
                targets = (targets,) if isinstance(targets, str) else targets
                for path, value in _walk(item, field_path.split("."), item_path):
                    if not any(value in scenario.by_id[t] for t in targets):
                        where = " or ".join(
                            f"universe.{t}" if t in schema.UNIVERSE_SECTIONS else t for t in targets
                        )
                        errors.append((filename, path, f"unknown id {value} (not in {where})"))
    return errors
