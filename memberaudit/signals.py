"""Signal receivers: recheck characters when a skill set changes."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import SkillSet, SkillSetSkill


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
