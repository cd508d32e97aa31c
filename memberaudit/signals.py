"""Signal receivers: recheck characters when a skill set changes, a user's compliance when
they gain or lose a character in Auth; keep the skill sets report's rows and the finder's
copies of each character's owner in step with the names they copy; search stored data when an
entity is put on the watchlist."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from allianceauth.authentication.models import CharacterOwnership, State, UserProfile
from allianceauth.eveonline.models import EveCharacter

from . import owner_copies, report_rows
from .compliance import queue_compliance_update
from .models import Character, SkillSet, SkillSetSkill, WatchedEntity


def queue_skill_set_checks(skill_set_id: int) -> None:
    """Recheck all characters against a skill set once the current transaction commits."""
    from .tasks import DEFAULT_TASK_PRIORITY, update_skill_set_checks

    transaction.on_commit(
        lambda: update_skill_set_checks.apply_async(
            kwargs={"skill_set_id": skill_set_id}, priority=DEFAULT_TASK_PRIORITY
        )
    )


@receiver(post_save, sender=SkillSet, dispatch_uid="memberaudit_skill_set_saved")
def skill_set_saved(sender, instance: SkillSet, **kwargs) -> None:
    report_rows.refresh(instance.character_checks.all())  # a new name shows at once
    queue_skill_set_checks(instance.pk)


@receiver(post_save, sender=SkillSetSkill, dispatch_uid="memberaudit_skill_set_skill_saved")
@receiver(post_delete, sender=SkillSetSkill, dispatch_uid="memberaudit_skill_set_skill_deleted")
def skill_set_skill_changed(sender, instance: SkillSetSkill, **kwargs) -> None:
    queue_skill_set_checks(instance.skill_set_id)


def refresh_copies_of_owner(eve_character_id: int) -> None:
    """The copies of an EVE character's owner, after a change of owner: on its skill sets
    report rows (the owner's main) and on its character (the owner's main and state)."""
    report_rows.refresh_characters([eve_character_id])
    owner_copies.refresh_characters([eve_character_id])


@receiver(post_save, sender=CharacterOwnership, dispatch_uid="memberaudit_ownership_saved")
def ownership_saved(sender, instance: CharacterOwnership, created: bool, **kwargs) -> None:
    refresh_copies_of_owner(instance.character_id)
    if created:  # a new alt: its owner is not compliant until it is registered
        queue_compliance_update([instance.user_id])


@receiver(post_delete, sender=CharacterOwnership, dispatch_uid="memberaudit_ownership_deleted")
def ownership_deleted(sender, instance: CharacterOwnership, **kwargs) -> None:
    refresh_copies_of_owner(instance.character_id)
    queue_compliance_update([instance.user_id])


@receiver(post_save, sender=EveCharacter, dispatch_uid="memberaudit_eve_character_saved")
def eve_character_saved(sender, instance: EveCharacter, created: bool, **kwargs) -> None:
    """A character's new name or corporation shows in the skill sets report, a main's new name
    in the finder's copies of its owner (a new one has no checks yet, nor is it anyone's
    main)."""
    if not created:
        report_rows.refresh_characters([instance.pk])
        owner_copies.refresh_owned_by(user__profile__main_character_id=instance.pk)


@receiver(post_save, sender=UserProfile, dispatch_uid="memberaudit_user_profile_saved")
def user_profile_saved(sender, instance: UserProfile, **kwargs) -> None:
    """A user's new main shows on their characters' rows of the skill sets report, their new
    main or state in the finder's copies of their characters' owner."""
    report_rows.refresh_users([instance.user_id])
    owner_copies.refresh_owned_by(user_id=instance.user_id)


@receiver(post_save, sender=State, dispatch_uid="memberaudit_state_saved")
def state_saved(sender, instance: State, created: bool, **kwargs) -> None:
    """A state's new name shows in the finder's copies of its members' characters' owner (a
    new state has no members yet: they join it by a save of their profile)."""
    if not created:
        owner_copies.refresh_owned_by(user__profile__state_id=instance.pk)


@receiver(post_save, sender=Character, dispatch_uid="memberaudit_character_saved")
def character_saved(sender, instance: Character, created: bool, **kwargs) -> None:
    """A new character gets its owner's names copied (a later save leaves the copies alone,
    see ``Character.save``)."""
    if created:
        owner_copies.refresh(Character.objects.filter(pk=instance.pk))


@receiver(post_save, sender=WatchedEntity, dispatch_uid="memberaudit_watched_entity_saved")
def watched_entity_saved(sender, instance: WatchedEntity, created: bool, **kwargs) -> None:
    """Raise red flags for data stored before the entity was watched, once it is saved."""
    if not created:
        return
    from .tasks import DEFAULT_TASK_PRIORITY, match_watchlist_entry

    entity_id = instance.entity_id
    transaction.on_commit(
        lambda: match_watchlist_entry.apply_async(
            kwargs={"entity_id": entity_id}, priority=DEFAULT_TASK_PRIORITY
        )
    )
