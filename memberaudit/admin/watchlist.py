"""The watchlist in the admin: entities whose contacts and contracts raise red flags."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity

from ..models import (
    WatchedEntity,
)

WATCHABLE = (
    EveEntity.CATEGORY_ALLIANCE,
    EveEntity.CATEGORY_CORPORATION,
    EveEntity.CATEGORY_CHARACTER,
)


def entity_label(entity: EveEntity) -> str:
    """An entity as the watchlist's search offers it: its name, category and ID."""
    return f"{entity.name} ({entity.category} {entity.pk})"


class WatchableEntitySelect(AutocompleteSelect):
    """Django's autocomplete box, fed by the watchlist's own search of the alliances,
    corporations and characters Auth knows (eveuniverse has no admin for its entities, so
    the admin's own autocomplete cannot serve them)."""

    def get_url(self):
        return reverse(f"{self.admin_site.name}:memberaudit_watchedentity_entity_search")


class WatchedEntityForm(forms.ModelForm):
    """Only alliances, corporations and characters can be watched, each once."""

    class Meta:
        model = WatchedEntity
        fields = ["entity", "reason"]
        error_messages = {
            "entity": {
                "invalid_choice": _(
                    "No alliance, corporation or character with the ID %(value)s is known to "
                    "Auth. Search for it by name in the list."
                ),
                "unique": _("This entity is already on the watchlist."),
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity"].label_from_instance = entity_label
        self.fields["entity"].help_text = _(
            "Type a name or an ID: the alliances, corporations and characters known to Auth."
        )

    def clean_entity(self):
        entity = self.cleaned_data["entity"]
        if entity.category not in WATCHABLE:
            raise forms.ValidationError(
                _("Only alliances, corporations and characters can be watched.")
            )
        return entity


@admin.register(WatchedEntity)
class WatchedEntityAdmin(admin.ModelAdmin):
    """The watchlist: anything involving a listed entity raises a red flag, also in data
    stored before it was added (searched by a background task)."""

    ENTITY_SEARCH_PAGE_SIZE = 20

    form = WatchedEntityForm
    list_display = ["entity", "entity_category", "eve_id", "reason", "added_at", "added_by"]
    list_select_related = ["entity", "added_by"]
    search_fields = ["entity__name", "entity__id__exact", "reason"]
    ordering = ["entity__name"]

    @admin.display(description=_("category"), ordering="entity__category")
    def entity_category(self, obj):
        return obj.entity.category

    @admin.display(description=_("EVE ID"), ordering="entity_id")
    def eve_id(self, obj):
        return obj.entity_id

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "entity":
            # wide enough for a long name with its category and ID
            kwargs["widget"] = WatchableEntitySelect(
                db_field, self.admin_site, attrs={"data-width": "32em"}
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_urls(self):
        return [
            path(
                "entity-search/",
                self.admin_site.admin_view(self.entity_search_view),
                name="memberaudit_watchedentity_entity_search",
            ),
            *super().get_urls(),
        ]

    def entity_search_view(self, request):
        """The alliances, corporations and characters whose name contains the term (or whose
        ID it is), a page at a time, as Django's autocomplete box asks for them."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        term = request.GET.get("term", "").strip()
        try:
            page = max(int(request.GET.get("page", "1")), 1)
        except ValueError:
            page = 1
        entities = EveEntity.objects.filter(category__in=WATCHABLE)
        if term:
            matches = Q(name__icontains=term)
            if term.isdigit():
                matches |= Q(pk=int(term))
            entities = entities.filter(matches)
        size = self.ENTITY_SEARCH_PAGE_SIZE
        start = (page - 1) * size
        found = list(entities.order_by("name", "pk")[start : start + size + 1])
        return JsonResponse(
            {
                "results": [
                    {"id": str(entity.pk), "text": entity_label(entity)} for entity in found[:size]
                ],
                "pagination": {"more": len(found) > size},
            }
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)
