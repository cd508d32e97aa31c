"""The character launcher: a pilot's own characters; registering, sharing and removing them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from esi.decorators import token_required

from .. import access, app_settings, selectors, services
from ..forms import ShareForm
from ..registration import RegistrationError, register_character
from ..scopes import REGISTRATION_SCOPES


@login_required
@permission_required("memberaudit.basic_access", raise_exception=True)
def index(request):
    return redirect("memberaudit:launcher")


@login_required
@permission_required("memberaudit.basic_access", raise_exception=True)
def launcher(request):
    characters = selectors.launcher_cards(request.user)
    can_share = request.user.has_perm(access.SHARE_CHARACTERS)
    context = {
        "app_name": app_settings.MEMBERAUDIT_APP_NAME,
        "page_title": _("My characters"),
        "characters": characters,
        "token_problems": [character for character in characters if character.token_problem],
        "unregistered": selectors.unregistered_characters(request.user),
        "can_share": can_share,
        "share_form": ShareForm(request.user) if can_share else None,
        "share_views": selectors.share_views(request.user),
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
    """Share a character with all recruiters, one recruiter or one group, for a while."""
    character = access.get_own_character_or_404_403(request.user, character_pk)
    if not access.can_share(request.user, character):
        raise PermissionDenied
    form = ShareForm(request.user, request.POST)
    if not form.is_valid():
        text = _("%(name)s was not shared: please choose whom with and for how long.")
        messages.error(request, text % {"name": character.name})
        return redirect("memberaudit:launcher")
    share = services.share_character(character, **form.share_target())
    messages.success(
        request,
        _("%(name)s is now shared with %(audience)s.")
        % {"name": character.name, "audience": share.audience_name},
    )
    return redirect("memberaudit:launcher")


@login_required
@permission_required("memberaudit.basic_access", raise_exception=True)
@require_POST
def revoke_share(request, character_pk: int, share_pk: int):
    """End one share of a character at once."""
    character = access.get_own_character_or_404_403(request.user, character_pk)
    share = get_object_or_404(character.shares.all(), pk=share_pk)
    services.revoke_share(share)
    messages.success(
        request,
        _("%(name)s is no longer shared with %(audience)s.")
        % {"name": character.name, "audience": share.audience_name},
    )
    return redirect("memberaudit:launcher")


@login_required
@permission_required("memberaudit.basic_access", raise_exception=True)
@require_POST
def unshare_character(request, character_pk: int):
    """End every share of a character at once."""
    character = access.get_own_character_or_404_403(request.user, character_pk)
    services.unshare_character(character)
    messages.success(request, _("%(name)s is no longer shared.") % {"name": character.name})
    return redirect("memberaudit:launcher")


@login_required
@permission_required("memberaudit.basic_access", raise_exception=True)
@require_POST
def remove_character(request, character_pk: int):
    """Remove a character after the pilot confirmed it (in the launcher's dialog, or on the
    confirmation page shown to a request that was not confirmed yet)."""
    character = access.get_own_character_or_404_403(request.user, character_pk)
    if request.POST.get("confirmed") != "yes":
        context = {"app_name": app_settings.MEMBERAUDIT_APP_NAME, "character": character}
        return render(request, "memberaudit/remove_character.html", context)
    services.remove_character(character)
    messages.success(
        request,
        _("%(name)s is being removed together with all its data.") % {"name": character.name},
    )
    return redirect("memberaudit:launcher")
