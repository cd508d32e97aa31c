"""Killmails in the admin, with their attackers."""

from django.contrib import admin

from ..models import (
    Killmail,
    KillmailAttacker,
)


class KillmailAttackerInline(admin.TabularInline):
    """The attackers of a killmail, read-only; rows are labelled with the attacker's name."""

    model = KillmailAttacker
    fields = (
        "character",
        "corporation",
        "alliance",
        "ship_type",
        "weapon_type",
        "damage_done",
        "is_final_blow",
    )
    readonly_fields = fields
    ordering = ("position",)
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "character", "corporation", "alliance", "faction", "ship_type", "weapon_type"
            )
        )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Killmail)
class KillmailAdmin(admin.ModelAdmin):
    """Killmails stored for the whole site, read-only: they never change in EVE."""

    list_display = (
        "id",
        "time",
        "victim_character",
        "victim_ship_type",
        "solar_system",
        "attacker_count",
    )
    list_select_related = ("victim_character", "victim_ship_type", "solar_system")
    search_fields = ("=id", "victim_character__name", "victim_corporation__name")
    date_hierarchy = "time"
    ordering = ("-time",)
    inlines = (KillmailAttackerInline,)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
