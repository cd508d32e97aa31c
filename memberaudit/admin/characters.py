"""Characters in the admin: their update status per section, shares, and actions that update
or reset sections."""

from collections import Counter

from django.contrib import admin
from django.db.models import Max
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import tasks
from ..managers import CharacterStatus
from ..models import (
    Character,
    CharacterShare,
    SectionUpdateStatus,
)
from ..sections import registry
from .read_only import ReadOnlyAdminMixin


class TotalStatusFilter(admin.SimpleListFilter):
    """Filter characters by their total status, with the number of characters in each."""

    title = _("total status")
    parameter_name = "total_status"

    def lookups(self, request, model_admin):
        # One query: the status of every character, counted here (the status is itself an
        # aggregate, so the database cannot group by it).
        counts = Counter(Character.objects.with_status().values_list("total_status", flat=True))
        return [
            (status.value, f"{status.label} ({counts.get(status.value, 0)})")
            for status in CharacterStatus
        ]

    def queryset(self, request, queryset):
        if self.value() in CharacterStatus.values:
            return queryset.filter(total_status=self.value())
        return queryset


class SectionUpdateStatusInline(ReadOnlyAdminMixin, admin.TabularInline):
    """How the last update of each section went, read-only; rows are labelled with the
    section's title."""

    model = SectionUpdateStatus
    fields = (
        "section_display",
        "is_success",
        "error_kind",
        "error_message",
        "started_at",
        "finished_at",
        "last_success_at",
        "esi_requests",
        "esi_not_modified",
        "esi_errors",
    )
    readonly_fields = fields
    ordering = ("section",)
    extra = 0
    can_delete = False

    @admin.display(description=_("section"), ordering="section")
    def section_display(self, obj: SectionUpdateStatus) -> str:
        return section_with_title(obj.section)


def section_with_title(name: str) -> str:
    """A section as admins see it: its title, with the name used in commands and logs."""
    if name not in registry:
        return name
    return f"{capfirst(registry.get(name).title)} ({name})"


class CharacterShareInline(admin.TabularInline):
    """The character's shares; deleting one here revokes it at once."""

    model = CharacterShare
    fields = ("user", "group", "created_at", "expires_at")
    readonly_fields = fields
    ordering = ("created_at",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "group")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _make_section_action(section_name: str, title):
    def action(modeladmin, request, queryset):
        modeladmin.queue_updates(request, queryset, [section_name])

    action.__name__ = f"update_section_{section_name}"
    description = _("Update %(section)s now") % {"section": title}
    return action, action.__name__, description


@admin.register(Character)
class CharacterAdmin(admin.ModelAdmin):
    list_display = (
        "character_name",
        "owner",
        "main_character",
        "corporation",
        "total_status",
        "last_update_at",
        "is_disabled",
    )
    list_display_links = ("character_name",)
    list_filter = (TotalStatusFilter, "is_disabled")
    search_fields = (
        "eve_character__character_name",
        "eve_character__character_ownership__user__username",
    )
    ordering = ("eve_character__character_name",)
    fields = (
        "eve_character",
        "owner",
        "main_character",
        "is_disabled",
        "created_at",
        "token_error_notified_at",
    )
    readonly_fields = (
        "eve_character",
        "owner",
        "main_character",
        "created_at",
        "token_error_notified_at",
    )
    inlines = (SectionUpdateStatusInline, CharacterShareInline)
    actions = ("update_all_sections", "enable_characters", "disable_characters", "delete_async")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("eve_character__character_ownership__user__profile__main_character")
            .with_status()
            .annotate(last_update_at=Max("update_status_set__finished_at"))
        )

    def has_add_permission(self, request):
        return False  # characters are registered by their owners through EVE SSO

    def has_delete_permission(self, request, obj=None):
        return False  # a character with much data is deleted by the "delete" action, in a task

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "update_all_sections" not in actions:  # e.g. a popup, which offers no actions
            return actions
        for section in registry:
            action = _make_section_action(section.name, section.title)
            actions[action[1]] = action
        return actions

    @admin.display(description=_("character"), ordering="eve_character__character_name")
    def character_name(self, obj: Character) -> str:
        return obj.eve_character.character_name

    @admin.display(description=_("owner"))
    def owner(self, obj: Character):
        return obj.owner or "-"

    @admin.display(description=_("main character"))
    def main_character(self, obj: Character):
        user = obj.owner
        main = user.profile.main_character if user else None
        return main.character_name if main else "-"

    @admin.display(description=_("corporation"), ordering="eve_character__corporation_name")
    def corporation(self, obj: Character) -> str:
        return obj.eve_character.corporation_name

    @admin.display(description=_("total status"), ordering="total_status")
    def total_status(self, obj: Character) -> str:
        return CharacterStatus(obj.total_status).label

    @admin.display(description=_("last update"), ordering="last_update_at")
    def last_update_at(self, obj: Character):
        return obj.last_update_at

    def queue_updates(self, request, queryset, sections: list[str] | None) -> None:
        count = 0
        for character in queryset:
            tasks.update_character_now(character, sections)
            count += 1
        what = ", ".join(map(section_with_title, sections)) if sections else _("all sections")
        self.message_user(
            request,
            ngettext(
                "Queued an update of %(what)s for %(count)d character.",
                "Queued an update of %(what)s for %(count)d characters.",
                count,
            )
            % {"what": what, "count": count},
        )

    @admin.action(description=_("Update all sections now"))
    def update_all_sections(self, request, queryset):
        self.queue_updates(request, queryset, None)

    @admin.action(description=_("Enable selected characters"))
    def enable_characters(self, request, queryset):
        count = Character.objects.filter(pk__in=queryset.values("pk")).update(is_disabled=False)
        self.message_user(request, _("Enabled %(count)d characters.") % {"count": count})

    @admin.action(description=_("Disable selected characters"))
    def disable_characters(self, request, queryset):
        count = Character.objects.filter(pk__in=queryset.values("pk")).update(is_disabled=True)
        self.message_user(request, _("Disabled %(count)d characters.") % {"count": count})

    @admin.action(description=_("Delete selected characters with all their data"))
    def delete_async(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True))
        for pk in pks:
            tasks.delete_character.apply_async(
                kwargs={"character_pk": pk}, priority=tasks.USER_TASK_PRIORITY
            )
        self.message_user(
            request,
            _(
                "Queued the deletion of %(count)d characters. They are disabled at once and "
                "disappear when their data has been deleted in the background."
            )
            % {"count": len(pks)},
        )
