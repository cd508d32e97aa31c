"""The character launcher: a pilot's own characters."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render

from .. import app_settings


@login_required
@permission_required("memberaudit.basic_access")
def index(request):
    return redirect("memberaudit:launcher")


@login_required
@permission_required("memberaudit.basic_access")
def launcher(request):
    context = {"app_name": app_settings.MEMBERAUDIT_APP_NAME, "page_title": "My characters"}
    return render(request, "memberaudit/launcher.html", context)
