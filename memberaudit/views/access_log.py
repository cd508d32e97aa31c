"""The access log for those who audit it (``view_access_log``): every view of a character by
someone other than its owner, with the right that allowed it."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import app_settings, json_tables, selectors
from ..models import AccessLogEntry
from ..tables import for_browser

ACCESS_LOG_PERMISSIONS = ("memberaudit.basic_access", "memberaudit.view_access_log")


@login_required
@permission_required(ACCESS_LOG_PERMISSIONS, raise_exception=True)
def access_log(request):
    context = {
        "app_name": app_settings.MEMBERAUDIT_APP_NAME,
        "page_title": _("Access log"),
        "reasons": AccessLogEntry.Reason.choices,
        "retention_days": app_settings.MEMBERAUDIT_ACCESS_LOG_RETENTION_DAYS,
        "table": for_browser(
            reverse("memberaudit:access_log_data"),
            json_tables.access_log(AccessLogEntry.objects.none()).browser_spec(),
        ),
    }
    return render(request, "memberaudit/access_log.html", context)


@login_required
@permission_required(ACCESS_LOG_PERMISSIONS, raise_exception=True)
def access_log_data(request):
    return json_tables.access_log(selectors.access_log_entries()).response(request)
