"""Walk through an EVE SSO login with Django's test client and the fake SSO over HTTP."""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlencode, urlparse

from .tokens import _NoRedirect


def follow_sso(client, start_url: str, character_id: int, max_steps: int = 10):
    """Start at ``start_url`` on the Django site, log in as ``character_id`` on the fake SSO
    and follow the redirects back through the site's callback. Returns the last response."""
    response = client.get(start_url)
    for _ in range(max_steps):
        if response.status_code not in (301, 302):
            return response
        location = response["Location"]
        parsed = urlparse(location)
        if parsed.scheme in ("http", "https") and "/oauth/authorize" in parsed.path:
            location = _pick_character(location, character_id)
            parsed = urlparse(location)
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        response = client.get(path)
    raise RuntimeError(f"SSO flow did not finish within {max_steps} redirects")


def _pick_character(authorize_url: str, character_id: int) -> str:
    """Ask the fake SSO to log in as the character; return where it sends the browser."""
    opener = urllib.request.build_opener(_NoRedirect)
    url = f"{authorize_url}&{urlencode({'character_id': character_id})}"
    try:
        opener.open(url, timeout=10)
    except urllib.error.HTTPError as exc:
        if exc.code == 302:
            return exc.headers["Location"]
        raise
    raise RuntimeError("the fake SSO did not redirect back")
