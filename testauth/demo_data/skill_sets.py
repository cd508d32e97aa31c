"""Seed the demo's skill sets: groups of skill sets made from fittings, as an admin does.

Each skill set is imported from its EFT fitting with Member Audit's builder, which loads the
ship, modules, drones and required skills from the (fake) ESI. Safe to run again: existing
groups and skill sets are kept as they are, missing ones are added.
"""

from __future__ import annotations

from memberaudit.models import SkillSet, SkillSetGroup, SkillSetSkill
from memberaudit.skill_set_builder import create_skill_set_from_eft
from memberaudit.skill_set_checks import update_checks_for_skill_sets

from . import world


def seed_skill_sets(groups: list[world.DemoSkillSetGroup] | None = None) -> list[SkillSet]:
    """Create the missing skill set groups and skill sets; return the new skill sets.

    New skill sets are checked against every character at once, so the skill sets tab and
    the skill sets report show them without waiting for the next update.
    """
    created = []
    for demo_group in world.SKILL_SET_GROUPS if groups is None else groups:
        group, _ = SkillSetGroup.objects.get_or_create(
            name=demo_group.name,
            defaults={
                "description": demo_group.description,
                "is_doctrine": demo_group.is_doctrine,
            },
        )
        for demo_skill_set in demo_group.skill_sets:
            skill_set = _skill_set(demo_skill_set)
            if skill_set is None:
                skill_set = _create(demo_skill_set)
                created.append(skill_set)
            group.skill_sets.add(skill_set)
    if created:
        update_checks_for_skill_sets(skill_set.pk for skill_set in created)
    return created


def skill_set_name(demo_skill_set: world.DemoSkillSet) -> str:
    """The name of the fitting: ``[Ship, Name]`` on its first line."""
    header = demo_skill_set.fitting.strip().splitlines()[0]
    return header.strip("[] ").partition(",")[2].strip()


def _skill_set(demo_skill_set: world.DemoSkillSet) -> SkillSet | None:
    return SkillSet.objects.filter(name__iexact=skill_set_name(demo_skill_set)).first()


def _create(demo_skill_set: world.DemoSkillSet) -> SkillSet:
    skill_set = create_skill_set_from_eft(
        demo_skill_set.fitting, description=demo_skill_set.description
    )
    for skill_name, level in demo_skill_set.recommended.items():
        updated = SkillSetSkill.objects.filter(
            skill_set=skill_set, eve_type__name=skill_name
        ).update(recommended_level=level)
        if not updated:
            raise ValueError(f"{skill_set.name} does not require {skill_name}")
    return skill_set
