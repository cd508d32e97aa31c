"""Personal tokens for the read API: the user makes them (each shown once), lists them and
revokes them. Only the user's own tokens are ever shown or changed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import api_tokens as tokens
from .. import app_settings
from ..forms import ApiTokenForm

API_PERMISSIONS = ("memberaudit.basic_access", "memberaudit.api_access")


@login_required
@permission_required(API_PERMISSIONS, raise_exception=True)
def api_tokens(request):
    """The token page; a POST makes a token and shows it on this one answer only."""
    new_token = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new_token = tokens.create_token(request.user, form.cleaned_data["name"])
        except tokens.TooManyTokens:
            messages.error(
                request,
                _("You have %(count)s active tokens already: revoke one first.")
                % {"count": tokens.MAX_ACTIVE_TOKENS},
            )
        else:
            form = ApiTokenForm()
    characters_url = request.build_absolute_uri(reverse("memberaudit_api:characters"))
    context = {
        "app_name": app_settings.MEMBERAUDIT_APP_NAME,
        "page_title": _("API tokens"),
        "form": form,
        "new_token": new_token,
        "example_call": (
            f'curl -H "Authorization: Bearer {new_token.plain}" {characters_url}'
            if new_token
            else ""
        ),
        "tokens": tokens.user_tokens(request.user),
        "api_url": request.build_absolute_uri(reverse("memberaudit_api:openapi-view")),
        "rate_limit": app_settings.MEMBERAUDIT_API_RATE_LIMIT,
    }
    response = render(request, "memberaudit/api_tokens.html", context)
    if new_token:
        response["Cache-Control"] = "no-store"  # the secret must not stay in any cache
    return response


@login_required
@permission_required(API_PERMISSIONS, raise_exception=True)
@require_POST
def revoke_api_token(request, token_pk: int):
    """Revoke one of the user's own active tokens at once; anyone else's is 404."""
    if not tokens.revoke_token(request.user, token_pk):
        raise Http404
    messages.success(request, _("The token has been revoked; it no longer opens the API."))
    return redirect("memberaudit:api_tokens")
