"""The character finder: every character the viewer may open, searchable and filterable."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import app_settings, json_tables, query_params, selectors
from ..tables import for_browser

FINDER_PERMISSIONS = ("memberaudit.basic_access", "memberaudit.finder_access")


@login_required
@permission_required(FINDER_PERMISSIONS, raise_exception=True)
def finder(request):
    context = {
        "app_name": app_settings.MEMBERAUDIT_APP_NAME,
        "page_title": _("Character finder"),
        "filters": selectors.finder_filter_options(request.user),
        "table": for_browser(
            reverse("memberaudit:finder_data"), json_tables.finder().browser_spec()
        ),
    }
    return render(request, "memberaudit/finder.html", context)


@login_required
@permission_required(FINDER_PERMISSIONS, raise_exception=True)
@query_params.json_errors
def finder_data(request):
    params = query_params.params_of(request)
    filters = {
        "corporation": query_params.identifier(params, "corporation"),
        "alliance": query_params.identifier(params, "alliance"),
        "main": query_params.identifier(params, "main"),
        "state": query_params.text(params, "state"),
        "shared": query_params.flag(params, "shared"),
        "roles": query_params.text(params, "roles", max_length=16),
    }
    rows = selectors.finder_rows(request.user, filters)
    return json_tables.finder(rows).response(request)
