"""Personal API tokens: a user's key to the read API, kept only as a hash."""

from django.contrib.auth.models import User
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ApiToken"]


class ApiToken(models.Model):
    """A personal token for the read API.

    The secret is shown once, when the token is made; only its SHA-256 hash is stored.
    ``prefix`` is a short, non-secret part of the token that finds its row without a scan.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberaudit_api_tokens")
    name = models.CharField(max_length=100, help_text=_("What the token is for"))
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, default=None, editable=False)
    revoked_at = models.DateTimeField(null=True, default=None, db_index=True)

    class Meta:
        default_permissions = ()
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def visible_part(self) -> str:
        """What the token page shows to tell tokens apart: the start of the token."""
        return f"ma_{self.prefix}_…"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
