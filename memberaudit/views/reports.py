"""Reports: compliance and skill sets of the users in the viewer's scope."""

import csv

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import app_settings
from ..reports import REPORTS, all_rows

REPORT_PERMISSIONS = ["memberaudit.basic_access", "memberaudit.reports_access"]


@login_required
@permission_required(REPORT_PERMISSIONS, raise_exception=True)
def reports(request):
    context = {
        "app_name": app_settings.MEMBERAUDIT_APP_NAME,
        "page_title": _("Reports"),
        "reports": list(REPORTS.values()),
    }
    return render(request, "memberaudit/reports.html", context)


@login_required
@permission_required(REPORT_PERMISSIONS, raise_exception=True)
def report_data(request, report: str):
    """One page of a report as JSON (DataTables protocol)."""
    table = _report(report).table(request.user)
    return JsonResponse(table.page(request.GET))


class _Echo:
    def write(self, value):
        return value


@login_required
@permission_required(REPORT_PERMISSIONS, raise_exception=True)
def report_csv(request, report: str):
    """All rows of a report as a CSV file."""
    definition = _report(report)
    table = definition.table(request.user)
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow([str(title) for title in definition.headers.values()])
        for row in all_rows(table):
            yield writer.writerow([_csv_value(row[name]) for name in definition.headers])

    filename = f"memberaudit_{definition.name}_{timezone.now():%Y%m%d}.csv"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _report(name: str):
    try:
        return REPORTS[name]
    except KeyError:
        raise Http404 from None


def _csv_value(value):
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None or isinstance(value, int | float):
        return "" if value is None else value
    value = str(value)
    # Keep spreadsheets from running cell content as formulas.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value
