"""Check characters against skill sets, in bulk.

A skill fails "required" when the character's active level is below the required level and
"recommended" when it is below the recommended level. A skill the character lacks counts as
level 0, as does an injected but untrained skill. Only active skill sets are checked; checks of
inactive skill sets are removed.

Each batch of characters costs a fixed number of queries, however many skill sets and skills
there are: the skills of all characters of the batch are loaded at once and compared in Python,
and the checks and their failed skills are replaced in bulk, then the checks' report rows
are refreshed in one update (:mod:`memberaudit.report_rows`).
"""

from collections import defaultdict
from collections.abc import Iterable

from . import app_settings, report_rows
from .models import Character, CharacterSkill, CharacterSkillSetCheck, SkillSet

CHARACTER_BATCH_SIZE = 500

_FailedRequired = CharacterSkillSetCheck.failed_required_skills.through
_FailedRecommended = CharacterSkillSetCheck.failed_recommended_skills.through


def update_checks_for_characters(character_ids: Iterable[int]) -> None:
    """Recheck the given characters (primary keys) against all active skill sets."""
    character_ids = sorted(set(character_ids))
    skill_sets = _active_skill_sets()
    active_ids = [skill_set.pk for skill_set in skill_sets]
    for batch in _batches(character_ids):
        CharacterSkillSetCheck.objects.filter(character_id__in=batch).exclude(
            skill_set_id__in=active_ids
        ).delete()
        _replace_checks(batch, skill_sets)


def update_checks_for_skill_sets(skill_set_ids: Iterable[int]) -> None:
    """Recheck every character against the given skill sets (primary keys).

    Checks of skill sets among them that are inactive are removed.
    """
    skill_set_ids = set(skill_set_ids)
    skill_sets = _active_skill_sets(skill_set_ids)
    inactive_ids = skill_set_ids - {skill_set.pk for skill_set in skill_sets}
    if inactive_ids:
        CharacterSkillSetCheck.objects.filter(skill_set_id__in=inactive_ids).delete()
    if not skill_sets:
        return
    character_ids = list(Character.objects.order_by("pk").values_list("pk", flat=True))
    for batch in _batches(character_ids):
        _replace_checks(batch, skill_sets)


def failed_skills(levels: dict[int, int], skill_set: SkillSet) -> tuple[list, list]:
    """The skills of ``skill_set`` (prefetched) that fail required and recommended levels.

    ``levels`` maps skill type ids to the character's active levels.
    """
    failed_required, failed_recommended = [], []
    for skill in skill_set.skills.all():
        level = levels.get(skill.eve_type_id, 0)
        if skill.required_level is not None and level < skill.required_level:
            failed_required.append(skill)
        if skill.recommended_level is not None and level < skill.recommended_level:
            failed_recommended.append(skill)
    return failed_required, failed_recommended


def _active_skill_sets(ids: set[int] | None = None) -> list[SkillSet]:
    queryset = SkillSet.objects.filter(is_active=True).prefetch_related("skills")
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return list(queryset)


def _batches(items: list) -> Iterable[list]:
    for start in range(0, len(items), CHARACTER_BATCH_SIZE):
        yield items[start : start + CHARACTER_BATCH_SIZE]


def _replace_checks(character_ids: list[int], skill_sets: list[SkillSet]) -> None:
    """Write the checks of these characters against these skill sets, replacing the old ones."""
    if not character_ids or not skill_sets:
        return
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    skill_set_ids = [skill_set.pk for skill_set in skill_sets]
    levels_by_character: dict[int, dict[int, int]] = defaultdict(dict)
    for character_id, type_id, level in CharacterSkill.objects.filter(
        character_id__in=character_ids
    ).values_list("character_id", "eve_type_id", "active_skill_level"):
        levels_by_character[character_id][type_id] = level

    checks = CharacterSkillSetCheck.objects.filter(
        character_id__in=character_ids, skill_set_id__in=skill_set_ids
    )
    check_ids = _ensure_checks(checks, character_ids, skill_set_ids, batch_size)
    _FailedRequired.objects.filter(characterskillsetcheck_id__in=checks.values("pk")).delete()
    _FailedRecommended.objects.filter(characterskillsetcheck_id__in=checks.values("pk")).delete()

    required_rows, recommended_rows = [], []
    for character_id in character_ids:
        levels = levels_by_character.get(character_id, {})
        for skill_set in skill_sets:
            check_id = check_ids[(character_id, skill_set.pk)]
            failed_required, failed_recommended = failed_skills(levels, skill_set)
            required_rows += [
                _FailedRequired(characterskillsetcheck_id=check_id, skillsetskill_id=skill.pk)
                for skill in failed_required
            ]
            recommended_rows += [
                _FailedRecommended(characterskillsetcheck_id=check_id, skillsetskill_id=skill.pk)
                for skill in failed_recommended
            ]
    _FailedRequired.objects.bulk_create(required_rows, batch_size=batch_size)
    _FailedRecommended.objects.bulk_create(recommended_rows, batch_size=batch_size)
    report_rows.refresh(checks)


def _ensure_checks(checks, character_ids, skill_set_ids, batch_size) -> dict[tuple, int]:
    """Primary keys of the checks, by (character, skill set), creating the missing ones."""
    check_ids = {
        (character_id, skill_set_id): pk
        for pk, character_id, skill_set_id in checks.values_list(
            "pk", "character_id", "skill_set_id"
        )
    }
    missing = [
        CharacterSkillSetCheck(character_id=character_id, skill_set_id=skill_set_id)
        for character_id in character_ids
        for skill_set_id in skill_set_ids
        if (character_id, skill_set_id) not in check_ids
    ]
    if missing:
        # Not every database returns the new keys, and a concurrent run may have created some.
        CharacterSkillSetCheck.objects.bulk_create(
            missing, batch_size=batch_size, ignore_conflicts=True
        )
        check_ids = {
            (character_id, skill_set_id): pk
            for pk, character_id, skill_set_id in checks.values_list(
                "pk", "character_id", "skill_set_id"
            )
        }
    return check_ids
