"""A few ships, modules and skills with their required skills as dogma attributes.

Every type has at least one dogma attribute, as when eveuniverse loaded it with its dogma: the
builder then needs no ESI. Skills have their training time multiplier (attribute 275).
"""

from eveuniverse.models import (
    EveCategory,
    EveDogmaAttribute,
    EveGroup,
    EveType,
    EveTypeDogmaAttribute,
)

DRAKE = 24698
LAUNCHER = 499
LIGHT_MISSILE = 2404
SPACESHIP_COMMAND = 3327
CALDARI_BATTLECRUISER = 33096
MISSILE_LAUNCHER_OPERATION = 3319
LIGHT_MISSILES = 3321
# A module with six required skills (requiredSkill1..6) and those skills.
SIX_SKILL_MODULE = 990001
GUNNERY = 3300
SMALL_HYBRID_TURRET = 3301
NAVIGATION = 3449
AFTERBURNER = 3450
POWER_GRID_MANAGEMENT = 3413
CPU_MANAGEMENT = 3426

# (skill attribute, level attribute) of requiredSkill1..6
REQUIRED_SKILL_ATTRIBUTE_PAIRS = (
    (182, 277),
    (183, 278),
    (184, 279),
    (1285, 1286),
    (1289, 1287),
    (1290, 1288),
)
SKILL_TIME_CONSTANT = 275

_TYPES = {
    # type id: (name, group id, {skill id: level})
    DRAKE: ("Drake", 419, {CALDARI_BATTLECRUISER: 1}),
    LAUNCHER: ("Light Missile Launcher I", 509, {MISSILE_LAUNCHER_OPERATION: 1}),
    LIGHT_MISSILE: ("Scourge Light Missile", 384, {LIGHT_MISSILES: 1}),
    SPACESHIP_COMMAND: ("Spaceship Command", 257, {}),
    CALDARI_BATTLECRUISER: ("Caldari Battlecruiser", 257, {SPACESHIP_COMMAND: 3}),
    MISSILE_LAUNCHER_OPERATION: ("Missile Launcher Operation", 256, {}),
    LIGHT_MISSILES: ("Light Missiles", 256, {MISSILE_LAUNCHER_OPERATION: 2}),
    SIX_SKILL_MODULE: (
        "Six Skill Module",
        509,
        {
            GUNNERY: 1,
            SMALL_HYBRID_TURRET: 2,
            NAVIGATION: 3,
            AFTERBURNER: 4,
            POWER_GRID_MANAGEMENT: 5,
            CPU_MANAGEMENT: 2,
        },
    ),
    GUNNERY: ("Gunnery", 255, {}),
    SMALL_HYBRID_TURRET: ("Small Hybrid Turret", 255, {GUNNERY: 1}),
    NAVIGATION: ("Navigation", 275, {}),
    AFTERBURNER: ("Afterburner", 275, {NAVIGATION: 1}),
    POWER_GRID_MANAGEMENT: ("Power Grid Management", 1216, {}),
    CPU_MANAGEMENT: ("CPU Management", 1216, {}),
}
_GROUPS = {
    419: (6, "Combat Battlecruiser"),
    509: (7, "Missile Launcher Light"),
    384: (8, "Light Missile"),
    257: (16, "Spaceship Command"),
    256: (16, "Missiles"),
    255: (16, "Gunnery"),
    275: (16, "Navigation"),
    1216: (16, "Engineering"),
}
_CATEGORIES = {6: "Ship", 7: "Module", 8: "Charge", 16: "Skill"}


def create_fitting_universe() -> None:
    for category_id, name in _CATEGORIES.items():
        EveCategory.objects.get_or_create(
            id=category_id, defaults={"name": name, "published": True}
        )
    for group_id, (category_id, name) in _GROUPS.items():
        EveGroup.objects.get_or_create(
            id=group_id, defaults={"name": name, "eve_category_id": category_id, "published": True}
        )
    attribute_ids = [
        SKILL_TIME_CONSTANT,
        *(a for pair in REQUIRED_SKILL_ATTRIBUTE_PAIRS for a in pair),
    ]
    for attribute_id in attribute_ids:
        EveDogmaAttribute.objects.get_or_create(
            id=attribute_id, defaults={"name": str(attribute_id)}
        )
    for type_id, (name, group_id, skills) in _TYPES.items():
        EveType.objects.update_or_create(
            id=type_id, defaults={"name": name, "eve_group_id": group_id, "published": True}
        )
        values = {}
        if _GROUPS[group_id][0] == 16:
            values[SKILL_TIME_CONSTANT] = 1
        for (skill_attribute, level_attribute), (skill_id, level) in zip(
            REQUIRED_SKILL_ATTRIBUTE_PAIRS, skills.items(), strict=False
        ):
            values[skill_attribute] = skill_id
            values[level_attribute] = level
        for attribute_id, value in values.items():
            EveTypeDogmaAttribute.objects.update_or_create(
                eve_type_id=type_id, eve_dogma_attribute_id=attribute_id, defaults={"value": value}
            )
