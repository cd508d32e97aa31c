"""Small HTTP client for the fake server tests (stdlib only)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlencode, urlparse

CLIENT_ID = "test-client"
ALL_SCOPES = [
    "esi-location.read_location.v1",
    "esi-location.read_online.v1",
    "esi-location.read_ship_type.v1",
    "esi-clones.read_clones.v1",
    "esi-clones.read_implants.v1",
    "esi-characters.read_loyalty.v1",
    "esi-skills.read_skillqueue.v1",
    "esi-skills.read_skills.v1",
    "esi-wallet.read_character_wallet.v1",
    "esi-characters.read_contacts.v1",
    "esi-universe.read_structures.v1",
]


class Reply:
    def __init__(self, status: int, headers, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def call(
    server,
    method: str,
    path: str,
    *,
    token: str | None = None,
    json_body=None,
    form: dict | None = None,
    headers: dict | None = None,
) -> Reply:
    headers = dict(headers or {})
    data = None
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        data = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        server.base_url + path, data=data, headers=headers, method=method
    )
    try:
        with _opener.open(request, timeout=10) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.headers, exc.read())


def basic_auth(client_id: str = CLIENT_ID, secret: str = "secret") -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def login(server, character_id: int, scopes=ALL_SCOPES) -> dict:
    """Authorize + code exchange; returns the token response."""
    query = urlencode(
        {
            "response_type": "code",
            "redirect_uri": "http://app.test/callback",
            "client_id": CLIENT_ID,
            "scope": " ".join(scopes),
            "state": "s1",
            "character_id": character_id,
        }
    )
    reply = call(server, "GET", f"/v2/oauth/authorize?{query}")
    assert reply.status == 302, reply.body
    code = parse_qs(urlparse(reply.headers["Location"]).query)["code"][0]
    reply = call(
        server,
        "POST",
        "/v2/oauth/token",
        headers=basic_auth(),
        form={"grant_type": "authorization_code", "code": code},
    )
    assert reply.status == 200, reply.body
    return reply.json()
