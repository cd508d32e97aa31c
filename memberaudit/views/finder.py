"""The character finder: every character the viewer may open, searchable and filterable."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import app_settings, json_tables, selectors

FILTER_PARAMS = ("corporation", "alliance", "main", "state", "shared")
FINDER_PERMISSIONS = ("memberaudit.basic_access", "memberaudit.finder_access")


@login_required
@permission_required(FINDER_PERMISSIONS, raise_exception=True)
def finder(request):
    context = {
        "app_name": app_settings.MEMBERAUDIT_APP_NAME,
        "page_title": _("Character finder"),
        "filters": selectors.finder_filter_options(request.user),
    }
    return render(request, "memberaudit/finder.html", context)


@login_required
@permission_required(FINDER_PERMISSIONS, raise_exception=True)
def finder_data(request):
    filters = {name: request.GET.get(name, "") for name in FILTER_PARAMS}
    rows = selectors.finder_rows(request.user, filters)
    return json_tables.finder(rows).response(request)
