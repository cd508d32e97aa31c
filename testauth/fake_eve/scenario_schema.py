"""Field specifications of the scenario format (see docs/fake-eve-server.md)."""

from __future__ import annotations

from dataclasses import replace

from .validation import POSITION, list_of, obj, opt, req

LOCATION_TYPES = ("station", "structure")

REGION = {"region_id": req("int"), "name": req("str"), "description": opt("str")}
CONSTELLATION = {
    "constellation_id": req("int"),
    "name": req("str"),
    "region_id": req("int"),
    "position": POSITION,
}
SYSTEM = {
    "system_id": req("int"),
    "name": req("str"),
    "constellation_id": req("int"),
    "security_status": req("number"),
    "security_class": opt("str"),
    "position": POSITION,
    "star_id": opt("int"),
    "stargates": list_of(opt("int")),
    "planets": list_of(opt("any")),
}
STATION = {
    "station_id": req("int"),
    "name": req("str"),
    "system_id": req("int"),
    "type_id": req("int"),
    "owner": opt("int"),
    "race_id": opt("int"),
    "position": POSITION,
    "services": list_of(opt("str")),
    "max_dockable_ship_volume": opt("number"),
    "office_rental_cost": opt("number"),
    "reprocessing_efficiency": opt("number"),
    "reprocessing_stations_take": opt("number"),
}
STRUCTURE = {
    "structure_id": req("int"),
    "name": req("str"),
    "owner_id": req("int"),
    "solar_system_id": req("int"),
    "type_id": opt("int"),
    "position": POSITION,
    "docking_rights": opt("bool"),
}
PLANET = {
    "planet_id": req("int"),
    "name": req("str"),
    "system_id": req("int"),
    "type_id": req("int"),
    "position": POSITION,
}
CATEGORY = {"category_id": req("int"), "name": req("str"), "published": opt("bool")}
GROUP = {
    "group_id": req("int"),
    "name": req("str"),
    "category_id": req("int"),
    "published": opt("bool"),
}
TYPE = {
    "type_id": req("int"),
    "name": req("str"),
    "group_id": req("int"),
    "description": opt("str"),
    "published": opt("bool"),
    "dogma_attributes": list_of(obj({"attribute_id": req("int"), "value": req("number")})),
    "dogma_effects": list_of(obj({"effect_id": req("int"), "is_default": req("bool")})),
    "mass": opt("number"),
    "volume": opt("number"),
    "capacity": opt("number"),
    "packaged_volume": opt("number"),
    "radius": opt("number"),
    "portion_size": opt("int"),
    "icon_id": opt("int"),
}
DOGMA_ATTRIBUTE = {
    "attribute_id": req("int"),
    "name": opt("str"),
    "display_name": opt("str"),
    "description": opt("str"),
    "default_value": opt("number"),
    "high_is_good": opt("bool"),
    "published": opt("bool"),
    "stackable": opt("bool"),
    "unit_id": opt("int"),
    "icon_id": opt("int"),
}
RACE = {
    "race_id": req("int"),
    "name": req("str"),
    "description": req("str"),
    "alliance_id": req("int"),
}
BLOODLINE = {
    "bloodline_id": req("int"),
    "name": req("str"),
    "race_id": req("int"),
    "corporation_id": req("int"),
    "description": req("str"),
    "ship_type_id": opt("int"),
    **{a: req("int") for a in ("charisma", "intelligence", "memory", "perception", "willpower")},
}
ANCESTRY = {
    "id": req("int"),
    "name": req("str"),
    "bloodline_id": req("int"),
    "description": req("str"),
    "short_description": opt("str"),
    "icon_id": opt("int"),
}
FACTION = {
    "faction_id": req("int"),
    "name": req("str"),
    "description": req("str"),
    "is_unique": req("bool"),
    "size_factor": req("number"),
    "station_count": req("int"),
    "station_system_count": req("int"),
    "corporation_id": opt("int"),
    "militia_corporation_id": opt("int"),
    "solar_system_id": opt("int"),
}
CORPORATION = {
    "corporation_id": req("int"),
    "name": req("str"),
    "ticker": req("str"),
    "member_count": req("int"),
    "ceo_id": req("int"),
    "creator_id": req("int"),
    "tax_rate": req("number"),
    "alliance_id": opt("int"),
    "date_founded": opt("datetime"),
    "description": opt("str"),
    "faction_id": opt("int"),
    "home_station_id": opt("int"),
    "shares": opt("int"),
    "url": opt("str"),
    "war_eligible": opt("bool"),
}
ALLIANCE = {
    "alliance_id": req("int"),
    "name": req("str"),
    "ticker": req("str"),
    "creator_corporation_id": req("int"),
    "creator_id": req("int"),
    "date_founded": req("datetime"),
    "executor_corporation_id": opt("int"),
    "faction_id": opt("int"),
}
JOURNAL_ENTRY = {
    "id": req("int"),
    "date": req("datetime"),
    "ref_type": req("str"),
    "description": req("str"),
    "amount": opt("number"),
    "balance": opt("number"),
    "tax": opt("number"),
    "context_id": opt("int"),
    "context_id_type": opt("str"),
    "first_party_id": opt("int"),
    "second_party_id": opt("int"),
    "tax_receiver_id": opt("int"),
    "reason": opt("str"),
}
CONTACT = {
    "contact_id": req("int"),
    "contact_type": req("str", choices=("character", "corporation", "alliance", "faction")),
    "standing": req("number"),
    "is_blocked": opt("bool"),
    "is_watched": opt("bool"),
    "label_ids": list_of(opt("int")),
}
CHARACTER_SECTIONS = {
    "corporation_history": list_of(
        obj(
            {
                "corporation_id": req("int"),
                "record_id": req("int"),
                "start_date": req("datetime"),
                "is_deleted": opt("bool"),
            }
        )
    ),
    "location": obj(
        {"solar_system_id": req("int"), "station_id": opt("int"), "structure_id": opt("int")}
    ),
    "online": obj(
        {
            "online": req("bool"),
            "last_login": opt("datetime"),
            "last_logout": opt("datetime"),
            "logins": opt("int"),
        }
    ),
    "ship": obj({"ship_item_id": req("int"), "ship_name": req("str"), "ship_type_id": req("int")}),
    "implants": list_of(opt("int")),
    "clones": obj(
        {
            "home_location": obj(
                {"location_id": opt("int"), "location_type": opt("str", choices=LOCATION_TYPES)}
            ),
            "jump_clones": list_of(
                obj(
                    {
                        "jump_clone_id": req("int"),
                        "location_id": req("int"),
                        "location_type": req("str", choices=LOCATION_TYPES),
                        "implants": list_of(opt("int"), required=True),
                        "name": opt("str"),
                    }
                ),
                required=True,
            ),
            "last_clone_jump_date": opt("datetime"),
            "last_station_change_date": opt("datetime"),
        }
    ),
    "loyalty_points": list_of(obj({"corporation_id": req("int"), "loyalty_points": req("int")})),
    "skillqueue": list_of(
        obj(
            {
                "skill_id": req("int"),
                "finished_level": req("int"),
                "queue_position": req("int"),
                "start_date": opt("datetime"),
                "finish_date": opt("datetime"),
                "level_start_sp": opt("int"),
                "level_end_sp": opt("int"),
                "training_start_sp": opt("int"),
            }
        )
    ),
    "skills": list_of(
        obj(
            {
                "skill_id": req("int"),
                "active_skill_level": req("int"),
                "trained_skill_level": req("int"),
                "skillpoints_in_skill": req("int"),
            }
        )
    ),
    "total_sp": opt("int"),
    "unallocated_sp": opt("int"),
    "wallet_balance": opt("number"),
    "wallet_journal": list_of(obj(JOURNAL_ENTRY)),
    "wallet_journal_generate": obj(
        {"count": req("int"), "seed": opt("int"), "first_id": opt("int"), "start": opt("datetime")}
    ),
    "contacts": list_of(obj(CONTACT)),
    "contact_labels": list_of(obj({"label_id": req("int"), "label_name": req("str")})),
}
CHARACTER = {
    "character_id": req("int"),
    "name": req("str"),
    "corporation_id": req("int"),
    "birthday": req("datetime"),
    "bloodline_id": req("int"),
    "race_id": req("int"),
    "gender": req("str", choices=("male", "female")),
    "alliance_id": opt("int"),
    "description": opt("str"),
    "faction_id": opt("int"),
    "security_status": opt("number"),
    "title": opt("str"),
    "owner_hash": opt("str"),
    "missing_scopes": list_of(opt("str")),
    **CHARACTER_SECTIONS,
}


def character_schema() -> dict:
    """The character fields, with those that ESI domain modules add for their routes."""
    from .esi import extra_character_fields

    return {**CHARACTER, **extra_character_fields()}


def character_data_schema() -> dict:
    """Sections added to a character from another file: any character field but its id is
    optional there."""
    fields = character_schema()
    optional = {name: replace(field, required=False) for name, field in fields.items()}
    return {**optional, "character_id": req("int")}


# section name -> (item fields, id field)
UNIVERSE_SECTIONS = {
    "regions": (REGION, "region_id"),
    "constellations": (CONSTELLATION, "constellation_id"),
    "systems": (SYSTEM, "system_id"),
    "stations": (STATION, "station_id"),
    "structures": (STRUCTURE, "structure_id"),
    "planets": (PLANET, "planet_id"),
    "categories": (CATEGORY, "category_id"),
    "groups": (GROUP, "group_id"),
    "types": (TYPE, "type_id"),
    "dogma_attributes": (DOGMA_ATTRIBUTE, "attribute_id"),
    "races": (RACE, "race_id"),
    "bloodlines": (BLOODLINE, "bloodline_id"),
    "ancestries": (ANCESTRY, "id"),
    "factions": (FACTION, "faction_id"),
}
NAME = {
    "id": req("int"),
    "name": req("str"),
    "category": req(
        "str",
        choices=(
            "agent",
            "alliance",
            "character",
            "constellation",
            "corporation",
            "faction",
            "inventory_type",
            "region",
            "solar_system",
            "station",
        ),
    ),
}
TOP_SECTIONS = {
    "names": (NAME, "id"),
    "corporations": (CORPORATION, "corporation_id"),
    "alliances": (ALLIANCE, "alliance_id"),
    "characters": (CHARACTER, "character_id"),
}
SETTINGS = obj(
    {
        "error_limit": opt("int"),
        "error_window": opt("int"),
        "token_lifetime": opt("int"),
        "page_sizes": opt("object"),
        "rate_limits": opt("object"),
        "server_version": opt("str"),
        "players": opt("int"),
    }
)
SSO = obj({"client_id": opt("str"), "client_secret": opt("str")})
FAULT = obj(
    {
        "route": opt("str"),
        "character_id": opt("int"),
        "status": opt("int"),
        "times": opt("int"),
        "latency": opt("number"),
        "malformed": opt("bool"),
        "drop_fields": list_of(opt("str")),
        "stretch_text": opt("bool"),
        "page": opt("int"),
        "retry_after": opt("int"),
        "body": opt("any"),
    }
)

# Characters may carry the fields that ESI domain modules declare for their own routes.
TOP_SECTIONS["characters"] = (character_schema(), "character_id")
