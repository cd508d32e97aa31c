"""The access log in the admin: who opened which character, read only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .. import access_log
from ..models import (
    AccessLogEntry,
)
from .read_only import ReadOnlyAdminMixin


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The access log, read-only: for superusers and staff with ``view_access_log``."""

    list_display = ("viewed_at", "viewer", "character", "opened", "reason")
    list_filter = (
        "reason",
        ("viewer", admin.RelatedOnlyFieldListFilter),
        ("character", admin.RelatedOnlyFieldListFilter),
        "viewed_at",
    )
    date_hierarchy = "viewed_at"
    search_fields = ("viewer__username", "character__eve_character__character_name", "section")
    list_select_related = ("viewer", "character__eve_character")
    ordering = ("-viewed_at",)
    fields = ("viewer", "character", "opened", "reason", "hour", "viewed_at")
    readonly_fields = fields

    @admin.display(description=_("section"), ordering="section")
    def opened(self, obj: AccessLogEntry) -> str:
        """What was opened as people call it, with the name stored in the log."""
        title = access_log.opened_title(obj.section)
        return title if title == obj.section else f"{title} ({obj.section})"

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.has_perm("memberaudit.view_access_log")

    def has_module_permission(self, request):
        return self.has_view_permission(request)
