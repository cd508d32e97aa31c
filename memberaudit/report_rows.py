"""The skill sets report's rows: what the report shows of each skill set check, kept on the
check itself (:class:`~memberaudit.models.CharacterSkillSetCheck`).

A report of 200,000 checks cannot join a character, its owner's main and a skill set to every
row and still sort and page in a few milliseconds; with the names and results copied onto the
check, one table serves any sort along an index, and the CSV reads plain values.

The copies are written whenever checks are (:mod:`memberaudit.skill_set_checks`) and refreshed
when what they copy changes: a character's name or corporation, a user's main, a character's
owner, a skill set's name (:mod:`memberaudit.signals`). Who may see a row is never decided by
them: the report's scope always follows the live ownership (:mod:`memberaudit.access`).
"""

from django.db.models import Exists, Model, OuterRef, QuerySet

from .models import CharacterSkillSetCheck
from .owner_copies import MAIN_NAME, first_value

COPIED_FIELDS = (
    "character_name",
    "main_name",
    "corporation_name",
    "skill_set_name",
    "meets_required",
    "meets_all",
)


def refresh(checks: QuerySet) -> int:
    """Copy the report's values onto ``checks`` afresh, from what they copy; one update.
    Returns the number of checks refreshed."""
    return checks.update(**copied_values(checks.model))


def refresh_characters(eve_character_ids: list[int]) -> int:
    """Refresh the rows of these EVE characters and of every character whose owner has one of
    them as main (a main's name is on all their characters' rows)."""
    checks = CharacterSkillSetCheck.objects.filter(
        character__eve_character_id__in=eve_character_ids
    ) | CharacterSkillSetCheck.objects.filter(
        character__eve_character__character_ownership__user__profile__main_character_id__in=(
            eve_character_ids
        )
    )
    return refresh(checks)


def refresh_users(user_ids: list[int]) -> int:
    """Refresh the rows of these users' characters (e.g. after a change of main)."""
    return refresh(
        CharacterSkillSetCheck.objects.filter(
            character__eve_character__character_ownership__user_id__in=user_ids
        )
    )


def copied_values(check_model: type[Model]) -> dict:
    """The expressions of the copied fields for an update of ``check_model`` (the model of
    the app or a migration's historical one)."""
    character_model = check_model._meta.get_field("character").related_model
    skill_set_model = check_model._meta.get_field("skill_set").related_model
    character = character_model.objects.filter(pk=OuterRef("character_id"))
    failed_required = check_model.failed_required_skills.through.objects.filter(
        characterskillsetcheck_id=OuterRef("pk")
    )
    failed_recommended = check_model.failed_recommended_skills.through.objects.filter(
        characterskillsetcheck_id=OuterRef("pk")
    )
    return {
        "character_name": first_value(character, "eve_character__character_name"),
        "main_name": first_value(character, f"eve_character__{MAIN_NAME}"),
        "corporation_name": first_value(character, "eve_character__corporation_name"),
        "skill_set_name": first_value(
            skill_set_model.objects.filter(pk=OuterRef("skill_set_id")), "name"
        ),
        "meets_required": ~Exists(failed_required),
        "meets_all": ~Exists(failed_required) & ~Exists(failed_recommended),
    }
