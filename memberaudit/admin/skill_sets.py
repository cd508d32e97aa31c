"""Skill sets and their groups in the admin, with the import of a fitting (EFT)."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from ..models import (
    SkillSet,
    SkillSetGroup,
    SkillSetSkill,
)
from ..skill_set_builder import SkillSetImportError, create_skill_set_from_eft


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
