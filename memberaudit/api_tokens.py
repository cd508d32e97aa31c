"""Personal API tokens: making, checking and revoking them.

A token reads ``ma_<prefix>_<secret>``. The prefix is not secret: it finds the token's row.
Only the SHA-256 hash of the whole token is stored, so the database never holds a usable
token; the secret is random (256 bits), so a fast hash is as good as a slow one here.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import User
from django.db.models import F, QuerySet
from django.utils import timezone

from .models import ApiToken

SCHEME = "ma"
MAX_ACTIVE_TOKENS = 20
# How stale "last used" may get: one write a minute per token at most, not one per call.
LAST_USED_PRECISION = timedelta(minutes=1)


class TooManyTokens(Exception):
    """The user has :data:`MAX_ACTIVE_TOKENS` active tokens already."""


@dataclass(frozen=True)
class NewToken:
    """A token just made: its row, and the plain token, which is never available again."""

    token: ApiToken
    plain: str


def create_token(user: User, name: str) -> NewToken:
    """Make a token for ``user``; raises :class:`TooManyTokens` beyond the limit."""
    if active_tokens(user).count() >= MAX_ACTIVE_TOKENS:
        raise TooManyTokens
    prefix = secrets.token_hex(6)
    plain = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100], prefix=prefix, secret_hash=hash_token(plain)
    )
    return NewToken(token=token, plain=plain)


def hash_token(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def authenticate(plain: str) -> ApiToken | None:
    """The active token ``plain`` names, with its user, or None: unknown, malformed or
    revoked tokens and tokens of inactive users are all None. Records when it was used."""
    scheme, _, rest = plain.strip().partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != SCHEME or not prefix or not secret or len(prefix) > 16:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, hash_token(plain.strip())):
        return None
    _note_use(token)
    return token


def active_tokens(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


def user_tokens(user: User) -> QuerySet[ApiToken]:
    """The user's tokens for the token page: active ones first, newest first."""
    return ApiToken.objects.filter(user=user).order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at", "-pk"
    )


def revoke_token(user: User, token_pk: int) -> bool:
    """Revoke one of ``user``'s own tokens; False when ``user`` has no such active token."""
    return bool(active_tokens(user).filter(pk=token_pk).update(revoked_at=timezone.now()))


def _note_use(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
