"""Locations in the admin: stations, structures and solar systems the app knows."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..models import (
    Location,
)
from ..models.locations import ASSET_SAFETY_ID, SOLAR_SYSTEM_IDS, STATION_IDS, STRUCTURE_MIN_ID
from .read_only import ReadOnlyAdminMixin


class LocationKindFilter(admin.SimpleListFilter):
    """Filter locations by kind, which follows from the id range."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return Location.Kind.choices

    def queryset(self, request, queryset):
        ranges = {
            Location.Kind.STATION: Q(id__gte=STATION_IDS.start, id__lt=STATION_IDS.stop),
            Location.Kind.SOLAR_SYSTEM: Q(
                id__gte=SOLAR_SYSTEM_IDS.start, id__lt=SOLAR_SYSTEM_IDS.stop
            ),
            Location.Kind.ASSET_SAFETY: Q(id=ASSET_SAFETY_ID),
            Location.Kind.STRUCTURE: Q(id__gte=STRUCTURE_MIN_ID),
        }
        value = self.value()
        if value == Location.Kind.UNKNOWN:
            unknown = Q()
            for known in ranges.values():
                unknown &= ~known
            return queryset.filter(unknown)
        if value in ranges:
            return queryset.filter(ranges[value])
        return queryset


@admin.register(Location)
class LocationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Places known to the app; filled from ESI only, so read-only here (and never deleted:
    clones, assets and contracts point at them)."""

    list_display = (
        "id",
        "kind",
        "name",
        "eve_solar_system",
        "eve_type",
        "updated_at",
        "retry_after",
        "failed_attempts",
    )
    list_select_related = ("eve_solar_system", "eve_type")
    list_filter = (LocationKindFilter,)
    search_fields = ("name", "id")
    ordering = ("name", "id")

    @admin.display(description=_("kind"))
    def kind(self, obj: Location) -> str:
        return Location.Kind(obj.kind).label
