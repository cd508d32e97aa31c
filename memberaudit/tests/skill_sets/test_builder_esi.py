"""EFT import on an install that knows only some types: the rest comes from ESI over HTTP.

The fake EVE server's default scenario has the ships, modules, drones and skills used here,
with their required skills as dogma attributes; Damage Control I has no dogma attributes.
"""

import pytest

from eveuniverse.models import EveType

from memberaudit.models import SkillSet
from memberaudit.skill_set_builder import (
    SkillSetImportError,
    create_skill_set_from_eft,
    find_type_ids_on_esi,
)

pytestmark = pytest.mark.django_db

RIFTER = 587
MINMATAR_FRIGATE = 3329
SPACESHIP_COMMAND = 3327
SMALL_PROJECTILE_TURRET = 3302
GUNNERY = 3300
AFTERBURNER = 3450
NAVIGATION = 3449
LIGHT_DRONE_OPERATION = 24241
DRONES = 3436

RIFTER_FITTING = """[Rifter, Fast Rifter]
125mm Gatling AutoCannon I
1MN Afterburner I

Hobgoblin I x2
"""


def required_levels(skill_set) -> dict[int, int]:
    return dict(skill_set.skills.values_list("eve_type_id", "required_level"))


def test_should_find_type_ids_by_name_and_leave_out_other_names(fake_eve):
    found = find_type_ids_on_esi(["hobgoblin i", "Jita", "Aria Jaxon", "No Such Module"])

    assert found == {"hobgoblin i": [2454]}


def test_should_load_modules_drones_and_skills_unknown_to_the_database_from_esi(fake_eve):
    skill_set = create_skill_set_from_eft(RIFTER_FITTING)

    assert skill_set.name == "Fast Rifter"
    assert skill_set.ship_type_id == RIFTER
    assert required_levels(skill_set) == {
        MINMATAR_FRIGATE: 1,
        SPACESHIP_COMMAND: 1,
        SMALL_PROJECTILE_TURRET: 1,
        GUNNERY: 1,
        AFTERBURNER: 1,
        NAVIGATION: 1,
        LIGHT_DRONE_OPERATION: 1,
        DRONES: 1,
    }
    assert fake_eve.log.count(route="PostUniverseIds", status=200) == 1
    hobgoblin = EveType.objects.get(name="Hobgoblin I")
    assert hobgoblin.eve_group.eve_category.name == "Drone"
    assert hobgoblin.dogma_attributes.filter(eve_dogma_attribute_id=182).exists()


def test_should_load_dogma_of_types_stored_without_it(fake_eve):
    # As the ship section stores the ship of a character: without dogma.
    EveType.objects.get_or_create_esi(id=RIFTER)
    assert not EveType.objects.get(id=RIFTER).dogma_attributes.exists()

    skill_set = create_skill_set_from_eft("[Rifter, Plain Rifter]")

    assert required_levels(skill_set) == {MINMATAR_FRIGATE: 1, SPACESHIP_COMMAND: 1}
    assert fake_eve.log.count(route="PostUniverseIds") == 0


def test_should_answer_each_lookup_from_esi_not_from_the_cache(fake_eve):
    create_skill_set_from_eft("[Rifter, First]\n1MN Afterburner I")

    # django-esi's cache key ignores the body of a POST: a cached answer would be the first one
    skill_set = create_skill_set_from_eft("[Merlin, Second]\nHobgoblin I x1")

    assert LIGHT_DRONE_OPERATION in required_levels(skill_set)
    assert fake_eve.log.count(route="PostUniverseIds", status=200) == 2


def test_should_refuse_items_without_dogma_data_and_create_nothing(fake_eve):
    with pytest.raises(SkillSetImportError) as info:
        create_skill_set_from_eft("[Rifter, Tanky]\nDamage Control I\n1MN Afterburner I")

    message = str(info.value)
    assert "no dogma data" in message
    assert "Damage Control I" in message
    assert "Afterburner" not in message
    assert not SkillSet.objects.exists()


def test_should_name_items_esi_does_not_know(fake_eve):
    with pytest.raises(SkillSetImportError) as info:
        create_skill_set_from_eft("[Rifter, X]\nWarp Disruptor II\n1MN Afterburner I\nJita x1")

    message = str(info.value)
    assert "Warp Disruptor II" in message
    assert "Jita" in message  # a solar system, not an item
    assert "Afterburner" not in message
    assert not SkillSet.objects.exists()


def test_should_refuse_with_a_clear_error_when_esi_fails(fake_eve):
    fake_eve.faults.add(route="PostUniverseIds", status=503)

    with pytest.raises(SkillSetImportError, match="Could not load items from ESI"):
        create_skill_set_from_eft(RIFTER_FITTING)

    assert not SkillSet.objects.exists()


def test_should_refuse_when_a_type_cannot_be_loaded(fake_eve):
    fake_eve.faults.add(route="GetUniverseTypesTypeId", status=404)

    with pytest.raises(SkillSetImportError, match="Could not load items from ESI"):
        create_skill_set_from_eft(RIFTER_FITTING)

    assert not SkillSet.objects.exists()
