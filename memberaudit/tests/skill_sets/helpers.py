"""Skill sets and characters with skills, built directly in the database."""

from memberaudit.models import CharacterSkill, SkillSet, SkillSetSkill

from ..sections.helpers import create_skill_types


def skill_types(count: int = 5) -> list[int]:
    return create_skill_types(count)


def create_skill_set(name: str, skills: dict[int, tuple], **fields) -> SkillSet:
    """A skill set with ``skills``: skill type id -> (required level, recommended level)."""
    skill_set = SkillSet.objects.create(name=name, **fields)
    SkillSetSkill.objects.bulk_create(
        [
            SkillSetSkill(
                skill_set=skill_set,
                eve_type_id=type_id,
                required_level=required,
                recommended_level=recommended,
            )
            for type_id, (required, recommended) in skills.items()
        ]
    )
    return skill_set


def give_skills(character, levels: dict[int, int], trained: dict[int, int] | None = None):
    """Give ``character`` skills at these active levels (trained levels default to them)."""
    trained = trained or {}
    CharacterSkill.objects.bulk_create(
        [
            CharacterSkill(
                character=character,
                eve_type_id=type_id,
                active_skill_level=level,
                trained_skill_level=trained.get(type_id, level),
                skillpoints_in_skill=0 if level == 0 else 1000 * level,
            )
            for type_id, level in levels.items()
        ]
    )
