"""Data exports (``exports_access``): pick a topic, follow its progress, download the file."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import app_settings, data_export
from ..export_topics import TOPICS
from ..models import DataExport
from ..templatetags.memberaudit import eve_time

EXPORT_PERMISSIONS = ("memberaudit.basic_access", data_export.EXPORTS_ACCESS)


@login_required
@permission_required(EXPORT_PERMISSIONS, raise_exception=True)
def data_export_page(request):
    exports = list(data_export.recent_exports(request.user))
    context = {
        "app_name": app_settings.MEMBERAUDIT_APP_NAME,
        "page_title": _("Data export"),
        "topics": TOPICS.values(),
        "exports": [_export_row(export) for export in exports],
        "retention_hours": app_settings.MEMBERAUDIT_DATA_EXPORT_RETENTION_HOURS,
    }
    return render(request, "memberaudit/data_export.html", context)


@login_required
@permission_required(EXPORT_PERMISSIONS, raise_exception=True)
@require_POST
def data_export_start(request, topic: str):
    found = TOPICS.get(topic)
    if found is None:
        raise Http404
    _export, created = data_export.start_export(request.user, found)
    if created:
        messages.info(request, _("The export of %(topic)s has started.") % {"topic": found.title})
    else:
        messages.warning(
            request, _("An export of %(topic)s is running already.") % {"topic": found.title}
        )
    return redirect("memberaudit:data_export")


@login_required
@permission_required(EXPORT_PERMISSIONS, raise_exception=True)
def data_export_status(request):
    """The user's exports with their progress, for the page to follow (JSON)."""
    exports = data_export.recent_exports(request.user)
    return JsonResponse({"exports": [_export_row(export) for export in exports]})


@login_required
@permission_required(EXPORT_PERMISSIONS, raise_exception=True)
def data_export_download(request, export_pk: int):
    """The file of one of the user's finished exports; 404 for anyone else's or an expired
    one."""
    export = (
        data_export.recent_exports(request.user)
        .filter(pk=export_pk, status=DataExport.Status.DONE)
        .first()
    )
    if export is None:
        raise Http404
    path = data_export.file_path(export)
    if not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=export.file_name,
        content_type="application/gzip",
    )


def _export_row(export: DataExport) -> dict:
    topic = TOPICS.get(export.topic)
    is_done = export.status == DataExport.Status.DONE
    return {
        "id": export.pk,
        "topic": str(topic.title) if topic else export.topic,
        "status": export.status,
        "status_label": capfirst(str(export.get_status_display())),
        "percent": export.percent,
        "rows_done": export.rows_done,
        "rows_total": export.rows_total,
        "file_size": str(filesizeformat(export.file_size)) if is_done else "",
        "created_at": eve_time(export.created_at),
        "expires_at": eve_time(data_export.expires_at(export)),
        "is_finished": export.is_finished,
        "download_url": (
            reverse("memberaudit:data_export_download", args=[export.pk]) if is_done else ""
        ),
    }
