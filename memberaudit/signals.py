"""Signal receivers: recheck characters when a skill set changes, a user's compliance when
they gain or lose a character in Auth; search stored data when an entity is put on the
watchlist."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from allianceauth.authentication.models import CharacterOwnership

from .compliance import queue_compliance_update
from .models import SkillSet, SkillSetSkill, WatchedEntity


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
    queue_skill_set_checks(instance.pk)


@receiver(post_save, sender=SkillSetSkill, dispatch_uid="memberaudit_skill_set_skill_saved")
@receiver(post_delete, sender=SkillSetSkill, dispatch_uid="memberaudit_skill_set_skill_deleted")
def skill_set_skill_changed(sender, instance: SkillSetSkill, **kwargs) -> None:
    queue_skill_set_checks(instance.skill_set_id)


@receiver(post_save, sender=CharacterOwnership, dispatch_uid="memberaudit_ownership_saved")
def ownership_saved(sender, instance: CharacterOwnership, created: bool, **kwargs) -> None:
    if created:  # a new alt: its owner is not compliant until it is registered
        queue_compliance_update([instance.user_id])


@receiver(post_delete, sender=CharacterOwnership, dispatch_uid="memberaudit_ownership_deleted")
def ownership_deleted(sender, instance: CharacterOwnership, **kwargs) -> None:
    queue_compliance_update([instance.user_id])


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
