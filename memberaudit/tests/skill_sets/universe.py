"""A few ships, modules and skills with their required skills as dogma attributes."""

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

_TYPES = {
    # type id: (name, group id, {skill id: level})
    DRAKE: ("Drake", 419, {CALDARI_BATTLECRUISER: 1}),
    LAUNCHER: ("Light Missile Launcher I", 509, {MISSILE_LAUNCHER_OPERATION: 1}),
    LIGHT_MISSILE: ("Scourge Light Missile", 384, {LIGHT_MISSILES: 1}),
    SPACESHIP_COMMAND: ("Spaceship Command", 257, {}),
    CALDARI_BATTLECRUISER: ("Caldari Battlecruiser", 257, {SPACESHIP_COMMAND: 3}),
    MISSILE_LAUNCHER_OPERATION: ("Missile Launcher Operation", 256, {}),
    LIGHT_MISSILES: ("Light Missiles", 256, {MISSILE_LAUNCHER_OPERATION: 2}),
}
_GROUPS = {
    419: (6, "Combat Battlecruiser"),
    509: (7, "Missile Launcher Light"),
    384: (8, "Light Missile"),
    257: (16, "Spaceship Command"),
    256: (16, "Missiles"),
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
    for attribute_id in (182, 183, 184, 277, 278, 279):
        EveDogmaAttribute.objects.get_or_create(
            id=attribute_id, defaults={"name": str(attribute_id)}
        )
    for type_id, (name, group_id, skills) in _TYPES.items():
        EveType.objects.update_or_create(
            id=type_id, defaults={"name": name, "eve_group_id": group_id, "published": True}
        )
        for (skill_attribute, level_attribute), (skill_id, level) in zip(
            ((182, 277), (183, 278), (184, 279)), skills.items(), strict=False
        ):
            EveTypeDogmaAttribute.objects.update_or_create(
                eve_type_id=type_id,
                eve_dogma_attribute_id=skill_attribute,
                defaults={"value": skill_id},
            )
            EveTypeDogmaAttribute.objects.update_or_create(
                eve_type_id=type_id,
                eve_dogma_attribute_id=level_attribute,
                defaults={"value": level},
            )
