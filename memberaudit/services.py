"""Changes pilots make to their own registered characters: share, unshare, remove.

Callers decide access first (:mod:`memberaudit.access`); these functions only write.
"""

from . import tasks
from .models import Character


def share_character(character: Character) -> None:
    """Let recruiters with ``view_shared_characters`` open the character."""
    Character.objects.filter(pk=character.pk).update(is_shared=True)


def unshare_character(character: Character) -> None:
    Character.objects.filter(pk=character.pk).update(is_shared=False)


def remove_character(character: Character) -> None:
    """Stop updating the character at once and delete it with all its data in the background.

    Its tables can be huge (assets, mails), so the deletion never runs in the web request.
    """
    Character.objects.filter(pk=character.pk).update(is_disabled=True, is_shared=False)
    tasks.delete_character.apply_async(
        kwargs={"character_pk": character.pk}, priority=tasks.USER_TASK_PRIORITY
    )
