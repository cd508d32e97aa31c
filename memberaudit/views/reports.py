"""Reports: compliance and skill sets of the users in the viewer's scope, and the red flags
of the characters the viewer may open."""

import json

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access, app_settings, query_params, red_flags
from ..csv_export import csv_response
from ..reports import REPORTS, ListTable, csv_rows
from ..tables import for_browser

RED_FLAGS_REPORT = "red_flags"

REPORT_PERMISSIONS = ["memberaudit.basic_access", "memberaudit.reports_access"]


@login_required
@permission_required(REPORT_PERMISSIONS, raise_exception=True)
def reports(request):
    context = {
        "app_name": app_settings.MEMBERAUDIT_APP_NAME,
        "page_title": _("Reports"),
        "reports": [
            {"name": report.name, "title": report.title, "spec": json.dumps(report.browser_spec())}
            for report in REPORTS.values()
        ],
    }
    return render(request, "memberaudit/reports.html", context)


@login_required
@permission_required(REPORT_PERMISSIONS, raise_exception=True)
@query_params.json_errors
def report_data(request, report: str):
    """One page of a report as JSON (DataTables protocol); the characters on it are recorded
    in the access log (one write)."""
    definition = _report(report)
    table = definition.table(request.user)
    params = query_params.params_of(request)
    if not definition.character_of or isinstance(table, ListTable):
        return JsonResponse(table.page(params))
    characters: set[tuple[int, int | None]] = set()
    page = table.page(params, lambda obj: characters.add(definition.character_of(obj)))
    access.log_report_rows(request.user, characters, definition.name)
    return JsonResponse(page)


@login_required
@permission_required(REPORT_PERMISSIONS, raise_exception=True)
def report_csv(request, report: str):
    """All rows of a report as a CSV file."""
    definition = _report(report)
    table = definition.table(request.user)
    characters: set[tuple[int, int | None]] = set()
    seen = None
    if definition.character_of:
        seen = lambda obj: characters.add(definition.character_of(obj))  # noqa: E731

    headers = definition.headers

    def rows():
        try:
            yield from csv_rows(table, list(headers), seen)
        finally:
            # Rows sent, even of a download broken off, are recorded: in one write at the end.
            if characters:
                access.log_report_rows(request.user, characters, definition.name)

    filename = f"memberaudit_{definition.name}_{timezone.now():%Y%m%d}.csv"
    return csv_response(filename, headers.values(), rows())


@login_required
@permission_required(REPORT_PERMISSIONS, raise_exception=True)
def red_flags_report(request):
    """The red flags page; opening it starts a new visit (what came since is "new")."""
    visit = red_flags.start_visit(request.user)
    table = red_flags.red_flags_table(request.user)
    context = {
        "app_name": app_settings.MEMBERAUDIT_APP_NAME,
        "page_title": _("Red flags"),
        "since": visit.seen_before,
        "table": for_browser(reverse("memberaudit:red_flags_data"), table.browser_spec()),
        "severities": red_flags.Severity.choices[1:],
    }
    return render(request, "memberaudit/red_flags.html", context)


@login_required
@permission_required(REPORT_PERMISSIONS, raise_exception=True)
@query_params.json_errors
def red_flags_data(request):
    """One page of red flags as JSON; their characters are recorded in the access log."""
    table = red_flags.red_flags_table(request.user, red_flags.new_since(request.user))
    characters: set[tuple[int, int | None]] = set()
    page = table.page(
        query_params.params_of(request),
        lambda event: characters.add((event.character_id, red_flags.owner_pk(event))),
    )
    access.log_report_rows(request.user, characters, RED_FLAGS_REPORT)
    return JsonResponse(page)


def _report(name: str):
    try:
        return REPORTS[name]
    except KeyError:
        raise Http404 from None
