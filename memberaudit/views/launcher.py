"""The character launcher: a pilot's own characters, and registering more."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _

from esi.decorators import token_required

from .. import app_settings, selectors
from ..registration import RegistrationError, register_character
from ..scopes import REGISTRATION_SCOPES


@login_required
@permission_required("memberaudit.basic_access")
def index(request):
    return redirect("memberaudit:launcher")


@login_required
@permission_required("memberaudit.basic_access")
def launcher(request):
    context = {
        "app_name": app_settings.MEMBERAUDIT_APP_NAME,
        "page_title": _("My characters"),
        "characters": selectors.launcher_characters(request.user),
        "unregistered": selectors.unregistered_characters(request.user),
    }
    return render(request, "memberaudit/launcher.html", context)


@login_required
@permission_required("memberaudit.basic_access")
@token_required(scopes=list(REGISTRATION_SCOPES), new=True)
def register_character_view(request, token):
    try:
        character, created = register_character(request.user, token)
    except RegistrationError as exc:
        messages.error(request, str(exc))
        return redirect("memberaudit:launcher")
    text = (
        _("%(name)s has been registered. Its data is being loaded.")
        if created
        else _("%(name)s has been registered again. Its data is being refreshed.")
    )
    messages.success(request, format_html("{}", text % {"name": character.name}))
    return redirect("memberaudit:launcher")
