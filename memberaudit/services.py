"""Changes pilots make to their own registered characters: share, revoke, remove.

Callers decide access first (:mod:`memberaudit.access`); these functions only write.
"""

from datetime import datetime, timedelta

from django.contrib.auth.models import Group, User
from django.utils import timezone

from . import auth_notifications, tasks
from .compliance import queue_compliance_update
from .models import Character, CharacterShare

# Owners hear of a share ending within this many hours.
SHARE_ENDING_WARNING_HOURS = 24


def share_character(
    character: Character,
    *,
    user: User | None = None,
    group: Group | None = None,
    days: int | None = None,
    now: datetime | None = None,
) -> CharacterShare:
    """Share the character with one recruiter, one group or (neither given) all recruiters,
    for ``days`` or (None) until revoked."""
    if user is not None and group is not None:
        raise ValueError("A share is for a user or a group, not both")
    now = now or timezone.now()
    return CharacterShare.objects.create(
        character=character,
        shared_by=character.owner,
        user=user,
        group=group,
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )


def revoke_share(share: CharacterShare) -> None:
    """End one share at once."""
    CharacterShare.objects.filter(pk=share.pk).delete()


def unshare_character(character: Character) -> None:
    """End every share of the character at once."""
    CharacterShare.objects.filter(character=character).delete()


def delete_expired_shares(now: datetime | None = None) -> int:
    """Tidy away shares that have ended; they open nothing already. Returns how many."""
    now = now or timezone.now()
    deleted, _ = CharacterShare.objects.filter(expires_at__lte=now).delete()
    return deleted


def remove_character(character: Character) -> None:
    """Stop updating the character at once and delete it with all its data in the background.

    Its tables can be huge (assets, mails), so the deletion never runs in the web request.
    """
    Character.objects.filter(pk=character.pk).update(is_disabled=True)
    unshare_character(character)
    tasks.delete_character.apply_async(
        kwargs={"character_pk": character.pk}, priority=tasks.USER_TASK_PRIORITY
    )
    owner = character.owner
    queue_compliance_update([owner.pk] if owner else [])


def notify_expiring_shares(now: datetime | None = None) -> int:
    """Tell the owners of shares that still open their character and end within
    :data:`SHARE_ENDING_WARNING_HOURS`; each share at most once a day. Returns how many
    notices were sent."""
    from .access import live_shares

    now = now or timezone.now()
    ending = (
        live_shares(now)
        .filter(expires_at__lte=now + timedelta(hours=SHARE_ENDING_WARNING_HOURS))
        .select_related("character__eve_character", "shared_by", "user", "group")
        .order_by("expires_at")
    )
    return sum(
        auth_notifications.share_expiring(
            share.shared_by,
            share.pk,
            share.character.name,
            share.audience_name,
            share.expires_at,
        )
        for share in ending
    )
