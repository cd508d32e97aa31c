"""The character launcher: a pilot's own characters; registering, sharing and removing them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from esi.decorators import token_required

from .. import access, app_settings, selectors, services
from ..registration import RegistrationError, register_character
from ..scopes import REGISTRATION_SCOPES


@login_required
@permission_required("memberaudit.basic_access", raise_exception=True)
def index(request):
    return redirect("memberaudit:launcher")


@login_required
@permission_required("memberaudit.basic_access", raise_exception=True)
def launcher(request):
    characters = list(selectors.launcher_characters(request.user))
    context = {
        "app_name": app_settings.MEMBERAUDIT_APP_NAME,
        "page_title": _("My characters"),
        "characters": characters,
        "token_problems": [character for character in characters if character.token_problem],
        "unregistered": selectors.unregistered_characters(request.user),
        "can_share": request.user.has_perm(access.SHARE_CHARACTERS),
    }
    return render(request, "memberaudit/launcher.html", context)


@login_required
@permission_required("memberaudit.basic_access", raise_exception=True)
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


@login_required
@permission_required("memberaudit.basic_access", raise_exception=True)
@require_POST
def share_character(request, character_pk: int):
    character = access.get_character_or_404_403(request.user, character_pk)
    if not access.can_share(request.user, character):
        raise PermissionDenied
    services.share_character(character)
    messages.success(request, _("%(name)s is now shared.") % {"name": character.name})
    return redirect("memberaudit:launcher")


@login_required
@permission_required("memberaudit.basic_access", raise_exception=True)
@require_POST
def unshare_character(request, character_pk: int):
    character = access.get_character_or_404_403(request.user, character_pk)
    if not access.can_manage(request.user, character):
        raise PermissionDenied
    services.unshare_character(character)
    messages.success(request, _("%(name)s is no longer shared.") % {"name": character.name})
    return redirect("memberaudit:launcher")


@login_required
@permission_required("memberaudit.basic_access", raise_exception=True)
@require_POST
def remove_character(request, character_pk: int):
    """Remove a character after the pilot confirmed it (in the launcher's dialog, or on the
    confirmation page shown to a request that was not confirmed yet)."""
    character = access.get_character_or_404_403(request.user, character_pk)
    if not access.can_manage(request.user, character):
        raise PermissionDenied
    if request.POST.get("confirmed") != "yes":
        context = {"app_name": app_settings.MEMBERAUDIT_APP_NAME, "character": character}
        return render(request, "memberaudit/remove_character.html", context)
    services.remove_character(character)
    messages.success(
        request,
        _("%(name)s is being removed together with all its data.") % {"name": character.name},
    )
    return redirect("memberaudit:launcher")
