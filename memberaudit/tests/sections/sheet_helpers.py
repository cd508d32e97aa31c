"""Helpers of the character sheet section tests: canned ESI with names for any id."""

from .helpers import install_canned_esi

NAMES = {
    500001: ("Caldari State", "faction"),
    1000035: ("Caldari Navy", "corporation"),
    1000180: ("State Protectorate", "corporation"),
    3009358: ("Okkamon Kairaka", "agent"),
    11452: ("Mechanical Engineering", "inventory_type"),
    98000001: ("Eclipse Shipyards", "corporation"),
    90000004: ("Dax Morrow", "character"),
}


def names_answer(params) -> list[dict]:
    """ESI's /universe/names for the ids it knows."""
    return [
        {"id": entity_id, "name": NAMES[entity_id][0], "category": NAMES[entity_id][1]}
        for entity_id in params["body"]
        if entity_id in NAMES
    ]


def install_sheet_esi(monkeypatch, **answers) -> dict:
    """Canned ESI by operation id that also names the ids of :data:`NAMES`."""
    return install_canned_esi(monkeypatch, {"PostUniverseNames": names_answer, **answers})
