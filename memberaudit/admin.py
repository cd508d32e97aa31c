"""Django admin of Member Audit: characters with their update status, locations, skill sets,
compliance groups and the watchlist."""

from collections import Counter

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from eveuniverse.models import EveEntity

from . import access_log, tasks
from .managers import CharacterStatus
from .models import (
    AccessLogEntry,
    ApiToken,
    Character,
    CharacterShare,
    ComplianceGroupDesignation,
    Killmail,
    KillmailAttacker,
    Location,
    SectionUpdateStatus,
    SkillSet,
    SkillSetGroup,
    SkillSetSkill,
    WatchedEntity,
)
from .models.locations import ASSET_SAFETY_ID, SOLAR_SYSTEM_IDS, STATION_IDS, STRUCTURE_MIN_ID
from .sections import registry
from .skill_set_builder import SkillSetImportError, create_skill_set_from_eft


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


class SectionUpdateStatusInline(admin.TabularInline):
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

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

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


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Personal API tokens (superusers only): who has which, when used; revoke, never read."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("name", "user__username", "prefix")
    list_select_related = ("user",)
    ordering = ("-created_at",)
    fields = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # a token is made by its user, who alone sees it once

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke selected tokens"), permissions=["view"])
    def revoke(self, request, queryset):
        revoked = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )


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
class LocationAdmin(admin.ModelAdmin):
    """Places known to the app; filled from ESI only, so read-only here."""

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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # clones, assets and contracts point at locations

    @admin.display(description=_("kind"))
    def kind(self, obj: Location) -> str:
        return Location.Kind(obj.kind).label


class SkillSetSkillInline(admin.TabularInline):
    """The skills of a skill set; each row is labelled with its skill's name."""

    model = SkillSetSkill
    fields = ("eve_type", "required_level", "recommended_level")
    autocomplete_fields = ("eve_type",)  # limited to skills by the field's limit_choices_to
    ordering = ("eve_type__name",)
    extra = 3

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("eve_type")


class EftImportForm(forms.Form):
    """The EFT import, with the admin's own widget classes so it looks like its forms."""

    required_css_class = "required"  # bold labels of required fields, as in the admin

    fitting = forms.CharField(
        label=_("Fitting"),
        widget=forms.Textarea(attrs={"rows": 20, "cols": 80, "class": "vLargeTextField"}),
        help_text=_("A fitting in EFT format, as copied from the fitting window in EVE"),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text=_("Name of the new skill set; the fitting's name when empty"),
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80, "class": "vLargeTextField"}),
        required=False,
    )


@admin.register(SkillSet)
class SkillSetAdmin(admin.ModelAdmin):
    list_display = ("name", "ship_type", "skill_count", "group_names", "is_active", "is_visible")
    list_filter = ("is_active", "is_visible", "groups")
    search_fields = ("name", "description", "ship_type__name")
    ordering = ("name",)
    autocomplete_fields = ("ship_type",)
    inlines = (SkillSetSkillInline,)
    change_list_template = "admin/memberaudit/skillset/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("ship_type")
            .prefetch_related("groups")
            .annotate(skill_count=Count("skills"))
        )

    @admin.display(description=_("skills"), ordering="skill_count")
    def skill_count(self, obj: SkillSet) -> int:
        return obj.skill_count

    @admin.display(description=_("groups"))
    def group_names(self, obj: SkillSet) -> str:
        return ", ".join(group.name for group in obj.groups.all()) or "-"

    def get_urls(self):
        return [
            path(
                "import-eft/",
                self.admin_site.admin_view(self.import_eft_view),
                name="memberaudit_skillset_import_eft",
            ),
            *super().get_urls(),
        ]

    def import_eft_view(self, request):
        """Create a skill set from a pasted EFT fitting: its ship and the skills it needs."""
        if not self.has_add_permission(request):
            return redirect("admin:memberaudit_skillset_changelist")
        form = EftImportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                skill_set = create_skill_set_from_eft(
                    form.cleaned_data["fitting"],
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                )
            except SkillSetImportError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(
                    request,
                    _("Created skill set %(name)s with %(count)d skills.")
                    % {"name": skill_set.name, "count": skill_set.skills.count()},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:memberaudit_skillset_change", args=[skill_set.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import skill set from EFT fitting"),
            "form": form,
            # the body classes of Django's change form, which its form styles apply to
            "form_body_class": f"app-{self.opts.app_label} model-{self.opts.model_name} "
            "change-form",
        }
        return TemplateResponse(request, "admin/memberaudit/skillset/import_eft.html", context)


@admin.register(SkillSetGroup)
class SkillSetGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "is_doctrine", "is_active", "skill_set_count")
    list_filter = ("is_doctrine", "is_active")
    search_fields = ("name", "description")
    ordering = ("name",)
    filter_horizontal = ("skill_sets",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(skill_set_count=Count("skill_sets"))

    @admin.display(description=_("skill sets"), ordering="skill_set_count")
    def skill_set_count(self, obj: SkillSetGroup) -> int:
        return obj.skill_set_count


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


class ComplianceGroupForm(forms.ModelForm):
    """Only internal Auth groups can be compliance groups: users cannot join or leave those
    themselves (nor leave them on their own with ``GROUPMANAGEMENT_AUTO_LEAVE``), so Member
    Audit alone decides their members."""

    class Meta:
        model = ComplianceGroupDesignation
        fields = ("group",)

    def clean_group(self):
        group = self.cleaned_data["group"]
        authgroup = getattr(group, "authgroup", None)
        if authgroup is not None and not authgroup.internal:
            raise forms.ValidationError(
                _(
                    "Only internal groups can be compliance groups: users could join or leave "
                    "this group themselves. Mark it internal in the group admin first."
                )
            )
        return group


@admin.register(ComplianceGroupDesignation)
class ComplianceGroupDesignationAdmin(admin.ModelAdmin):
    """Which Auth groups follow compliance; Member Audit adds and removes their members."""

    form = ComplianceGroupForm
    list_display = ("group", "_states", "_members", "created_at")
    list_select_related = ("group",)
    ordering = ("group__name",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(member_count=Count("group__user", distinct=True))
            .prefetch_related("group__authgroup__states")
        )

    @admin.display(description=_("states"))
    def _states(self, obj):
        states = [state.name for state in obj.group.authgroup.states.all()]
        return ", ".join(sorted(states)) or _("any")

    @admin.display(description=_("members"), ordering="member_count")
    def _members(self, obj):
        return obj.member_count

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The new group gets its members at once, not with the next hourly run.
        transaction.on_commit(
            lambda: tasks.update_compliance_groups_for_all.apply_async(
                priority=tasks.USER_TASK_PRIORITY
            )
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
