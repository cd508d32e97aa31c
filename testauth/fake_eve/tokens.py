"""Create django-esi tokens for scenario characters through a real SSO code exchange."""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlencode, urlparse


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def authorize(
    base_url: str,
    character_id: int,
    scopes: list[str],
    client_id: str,
    redirect_uri: str,
    state: str = "fake-eve",
) -> str:
    """Log in as a character on the fake SSO over HTTP and return the authorization code."""
    query = urlencode(
        {
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "client_id": client_id,
            "scope": " ".join(scopes),
            "state": state,
            "character_id": character_id,
        }
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(f"{base_url.rstrip('/')}/v2/oauth/authorize?{query}", timeout=10)
    except urllib.error.HTTPError as exc:
        if exc.code != 302:
            raise
        location = exc.headers["Location"]
    else:
        raise RuntimeError("fake SSO did not redirect")
    params = parse_qs(urlparse(location).query)
    if params.get("state") != [state]:
        raise RuntimeError("fake SSO returned a wrong state")
    return params["code"][0]


def create_token(server, character_id: int, user=None, scopes: list[str] | None = None):
    """An ``esi.models.Token`` for a scenario character, created via ``create_from_code``.

    ``server`` is a FakeEveServer or its base URL. Django-ESI must already point at it
    (see ``fake_eve.wiring.point_esi_at``).
    """
    from esi import app_settings
    from esi.models import Token

    base_url = server if isinstance(server, str) else server.base_url
    code = authorize(
        base_url,
        character_id,
        list(scopes or []),
        app_settings.ESI_SSO_CLIENT_ID or "fake-client",
        app_settings.ESI_SSO_CALLBACK_URL or "http://localhost/sso/callback",
    )
    return Token.objects.create_from_code(code, user=user)
