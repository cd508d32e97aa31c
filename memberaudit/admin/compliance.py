"""Compliance groups in the admin."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .. import tasks
from ..models import (
    ComplianceGroupDesignation,
)


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
