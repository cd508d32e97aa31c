"""What Member Audit tells users through Alliance Auth's notifications.

Every notice has a cause (lost compliance, a share about to end, ...) and goes out at most
once a day per cause and subject: :func:`notify_once` keeps a mark in the cache for a day,
set atomically, so two workers never send the same notice twice.
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext as _

from allianceauth.notifications import notify

DEDUPE_SECONDS = 24 * 3600
CACHE_PREFIX = "memberaudit:notified"

COMPLIANCE_LOST = "compliance_lost"
COMPLIANCE_REGAINED = "compliance_regained"
SHARE_EXPIRING = "share_expiring"
TOKEN_LOST = "token_lost"


def notify_once(
    user: User, cause: str, subject: object, title: str, message: str, level: str = "info"
) -> bool:
    """Send a notification unless one of the same cause and subject went to ``user`` in the
    last day; return whether it was sent."""
    key = f"{CACHE_PREFIX}:{cause}:{user.pk}:{subject}"
    if not cache.add(key, 1, timeout=DEDUPE_SECONDS):
        return False
    notify(user, title, message, level=level)
    return True


def site_url(url_name: str) -> str:
    """The address of a page, absolute when the site's ``SITE_URL`` is known (notifications
    are plain text, read anywhere)."""
    path = reverse(url_name)
    base = getattr(settings, "SITE_URL", "") or ""
    return f"{base.rstrip('/')}{path}"


def compliance_lost(user: User, missing: Iterable[str]) -> bool:
    """Tell ``user`` they are no longer compliant: which characters to register, and where."""
    names = ", ".join(sorted(missing, key=str.casefold))
    return notify_once(
        user,
        COMPLIANCE_LOST,
        "",
        _("Member Audit: please register all your characters"),
        _(
            "Not all of your characters are registered with Member Audit, so you no longer "
            "meet your organisation's requirements. Characters to register: %(names)s. "
            "Register them here: %(url)s"
        )
        % {"names": names, "url": site_url("memberaudit:launcher")},
        level="warning",
    )


def compliance_regained(user: User) -> bool:
    """Tell ``user`` that every character of theirs is registered again."""
    return notify_once(
        user,
        COMPLIANCE_REGAINED,
        "",
        _("Member Audit: all your characters are registered"),
        _(
            "Every character of yours is registered with Member Audit again: you meet your "
            "organisation's requirements."
        ),
        level="success",
    )


def share_expiring(user: User, share_pk: int, character_name: str, audience: str, ends) -> bool:
    """Tell the owner that a share of their character ends soon."""
    return notify_once(
        user,
        SHARE_EXPIRING,
        share_pk,
        _("%(name)s: share ends soon") % {"name": character_name},
        _(
            "Your share of %(name)s with %(audience)s ends on %(end)s (UTC). Share the "
            "character again if it should stay open: %(url)s"
        )
        % {
            "name": character_name,
            "audience": audience,
            "end": f"{ends:%Y-%m-%d %H:%M}",
            "url": site_url("memberaudit:launcher"),
        },
        level="info",
    )


def token_lost(user: User, character_pk: int, character_name: str) -> bool:
    """Tell the owner that a character's token stopped working and its updates stopped."""
    return notify_once(
        user,
        TOKEN_LOST,
        character_pk,
        _("%(name)s: token no longer valid") % {"name": character_name},
        _(
            "Member Audit can no longer update %(name)s: its token was revoked, has "
            "expired or was deleted. Its data is kept; register the character again to "
            "resume its updates."
        )
        % {"name": character_name},
        level="danger",
    )
