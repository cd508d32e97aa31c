"""Compliance: which Auth groups follow it, and each user's last known compliance."""

from django.contrib.auth.models import Group, User
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["ComplianceGroupDesignation", "UserCompliance"]


class ComplianceGroupDesignation(models.Model):
    """An Alliance Auth group that Member Audit fills with the compliant users: a user who
    has registered every character they own is added, any other user is removed."""

    group = models.OneToOneField(
        Group,
        on_delete=models.CASCADE,
        related_name="memberaudit_compliance_designation",
        verbose_name=_("group"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        # Its own permissions: managing compliance groups needs no right to change groups.
        default_permissions = ("add", "delete", "view")
        verbose_name = _("compliance group")
        verbose_name_plural = _("compliance groups")

    def __str__(self) -> str:
        return str(self.group)


class UserCompliance(models.Model):
    """Whether a user was compliant at the last check, to tell them when that changes."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="memberaudit_compliance"
    )
    is_compliant = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        default_permissions = ()
        verbose_name = _("user compliance")
        verbose_name_plural = _("user compliance")

    def __str__(self) -> str:
        return f"{self.user_id}-{self.is_compliant}"
