"""Fake EVE SSO (OAuth 2.0 authorization code flow with JWT access tokens)."""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from .messages import Request, Response
from .scenario import Scenario
from .signing import AUDIENCE, ISSUER, SigningKey

CODE_LIFETIME = 300
DEFAULT_TOKEN_LIFETIME = 1199

# path -> route key, for the request log and fault injection
SSO_ROUTES = {
    ("GET", "/v2/oauth/authorize"): "sso_authorize",
    ("GET", "/v2/oauth/authorize/select"): "sso_authorize",
    ("POST", "/v2/oauth/token"): "sso_token",
    ("POST", "/v2/oauth/revoke"): "sso_revoke",
    ("GET", "/oauth/jwks"): "sso_jwks",
    ("GET", "/v2/oauth/jwks"): "sso_jwks",
    ("GET", "/.well-known/oauth-authorization-server"): "sso_metadata",
}


def owner_hash(character: dict) -> str:
    if character.get("owner_hash"):
        return character["owner_hash"]
    digest = hashlib.sha1(f"owner:{character['character_id']}".encode()).digest()
    return base64.b64encode(digest).decode()


@dataclass
class Grant:
    character_id: int
    scopes: list[str]
    client_id: str
    redirect_uri: str = ""
    expires: float = 0.0
    revoked: bool = False


def _oauth_error(status: int, error: str, description: str) -> Response:
    return Response.json({"error": error, "error_description": description}, status)


class SsoService:
    def __init__(self, scenario: Scenario, key: SigningKey, base_url_getter) -> None:
        self.scenario = scenario
        self.key = key
        self._base_url = base_url_getter
        self.token_lifetime = int(scenario.settings.get("token_lifetime", DEFAULT_TOKEN_LIFETIME))
        self._codes: dict[str, Grant] = {}
        self._refresh_tokens: dict[str, Grant] = {}
        self._lock = threading.Lock()

    # --- Python API ----------------------------------------------------------------------

    def granted_scopes(self, character_id: int, scopes: list[str]) -> list[str]:
        character = self.scenario.character(character_id) or {}
        missing = set(character.get("missing_scopes", []))
        return [s for s in dict.fromkeys(scopes) if s not in missing]

    def issue_code(
        self,
        character_id: int,
        scopes: list[str],
        client_id: str = "fake-client",
        redirect_uri: str = "",
    ) -> str:
        if self.scenario.character(character_id) is None:
            raise KeyError(f"no character {character_id} in scenario")
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._codes[code] = Grant(
                character_id,
                self.granted_scopes(character_id, scopes),
                client_id,
                redirect_uri,
                time.time() + CODE_LIFETIME,
            )
        return code

    def issue_tokens(
        self, character_id: int, scopes: list[str], client_id: str = "fake-client"
    ) -> dict:
        """Tokens as the token endpoint would return them, without a code exchange."""
        grant = Grant(character_id, self.granted_scopes(character_id, scopes), client_id)
        return self._token_response(grant, secrets.token_urlsafe(24))

    def access_token(
        self,
        character_id: int,
        scopes: list[str],
        client_id: str = "fake-client",
        lifetime: int | None = None,
    ) -> str:
        grant = Grant(character_id, self.granted_scopes(character_id, scopes), client_id)
        return self._sign(grant, lifetime)

    def revoke_refresh_token(self, refresh_token: str) -> bool:
        with self._lock:
            grant = self._refresh_tokens.get(refresh_token)
            if grant:
                grant.revoked = True
            return grant is not None

    def revoke_character(self, character_id: int) -> int:
        """Invalidate every refresh token of a character, like a user revoking the app."""
        with self._lock:
            grants = [g for g in self._refresh_tokens.values() if g.character_id == character_id]
            for grant in grants:
                grant.revoked = True
            return len(grants)

    def reset(self) -> None:
        """Undo revocations (issued tokens stay valid)."""
        with self._lock:
            for grant in self._refresh_tokens.values():
                grant.revoked = False

    def verify_access_token(self, token: str) -> dict:
        return self.key.verify(token)

    # --- HTTP ----------------------------------------------------------------------------

    def handle(self, request: Request, route_key: str) -> Response:
        path = request.path.rstrip("/")
        if route_key == "sso_authorize":
            return self._authorize(request, select=path.endswith("/select"))
        if route_key == "sso_token":
            return self._token(request)
        if route_key == "sso_revoke":
            token = request.form().get("token", "")
            self.revoke_refresh_token(token)
            return Response(200, {}, b"")
        if route_key == "sso_jwks":
            return Response.json(self.key.jwks(), headers={"Cache-Control": "public, max-age=300"})
        base = self._base_url()
        return Response.json(
            {
                "issuer": ISSUER,
                "authorization_endpoint": f"{base}/v2/oauth/authorize",
                "token_endpoint": f"{base}/v2/oauth/token",
                "jwks_uri": f"{base}/oauth/jwks",
                "revocation_endpoint": f"{base}/v2/oauth/revoke",
                "response_types_supported": ["code", "token"],
                "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            }
        )

    def _authorize(self, request: Request, select: bool) -> Response:
        params = {
            k: request.arg(k, "")
            for k in ("response_type", "redirect_uri", "client_id", "scope", "state")
        }
        if params["response_type"] != "code" or not params["redirect_uri"]:
            return Response.html(
                "<h1>Bad request</h1><p>response_type=code and redirect_uri are required.</p>", 400
            )
        if self.scenario.sso.get("client_id") not in (None, params["client_id"]):
            return Response.html("<h1>Invalid client</h1>", 400)
        character_id = request.arg("character_id")
        if character_id:
            try:
                code = self.issue_code(
                    int(character_id),
                    params["scope"].split(),
                    params["client_id"],
                    params["redirect_uri"],
                )
            except (KeyError, ValueError):
                return Response.html("<h1>Unknown character</h1>", 400)
            separator = "&" if "?" in params["redirect_uri"] else "?"
            query = urlencode({"code": code, "state": params["state"]})
            return Response.redirect(f"{params['redirect_uri']}{separator}{query}")
        return Response.html(self._login_page(params))

    def _login_page(self, params: dict) -> str:
        rows = []
        for character in self.scenario.characters:
            query = urlencode({**params, "character_id": character["character_id"]})
            name = html.escape(character["name"])
            rows.append(
                f'<li><a class="character" data-character-id="{character["character_id"]}" '
                f'href="/v2/oauth/authorize/select?{query}">{name}</a></li>'
            )
        scopes = "".join(f"<li><code>{html.escape(s)}</code></li>" for s in params["scope"].split())
        return (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>EVE Online SSO (fake)"
            "</title></head><body><h1>Log in with EVE Online</h1>"
            "<p>Select the character to authorize:</p>"
            f"<ul id='characters'>{''.join(rows)}</ul>"
            f"<h2>Requested scopes</h2><ul id='scopes'>{scopes or '<li>none</li>'}</ul>"
            "</body></html>"
        )

    def _client_credentials(self, request: Request, form: dict) -> tuple[str, str] | None:
        auth = request.header("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                return None
            return client_id, secret
        if form.get("client_id"):
            return form["client_id"], form.get("client_secret", "")
        return None

    def _token(self, request: Request) -> Response:
        form = request.form()
        credentials = self._client_credentials(request, form)
        if credentials is None:
            return _oauth_error(401, "invalid_client", "Client authentication failed")
        client_id, secret = credentials
        expected = self.scenario.sso
        if expected.get("client_id") not in (None, client_id) or expected.get(
            "client_secret"
        ) not in (None, secret):
            return _oauth_error(401, "invalid_client", "Unknown client")
        grant_type = form.get("grant_type")
        with self._lock:
            if grant_type == "authorization_code":
                grant = self._codes.pop(form.get("code", ""), None)
                if grant is None or grant.expires < time.time():
                    return _oauth_error(400, "invalid_grant", "Authorization code is invalid")
                if grant.client_id != client_id:
                    return _oauth_error(400, "invalid_grant", "Code was issued to another client")
                refresh = secrets.token_urlsafe(24)
            elif grant_type == "refresh_token":
                refresh = form.get("refresh_token", "")
                grant = self._refresh_tokens.get(refresh)
                if grant is None or grant.revoked:
                    return _oauth_error(
                        400, "invalid_grant", "Invalid refresh token. Token missing/expired."
                    )
                if grant.client_id != client_id:
                    return _oauth_error(400, "invalid_grant", "Token was issued to another client")
            else:
                return _oauth_error(
                    400, "unsupported_grant_type", f"Unsupported grant type: {grant_type}"
                )
        return Response.json(
            self._token_response(grant, refresh), headers={"Cache-Control": "no-store"}
        )

    def _token_response(self, grant: Grant, refresh: str) -> dict:
        with self._lock:
            self._refresh_tokens[refresh] = Grant(grant.character_id, grant.scopes, grant.client_id)
        return {
            "access_token": self._sign(grant),
            "expires_in": self.token_lifetime,
            "token_type": "Bearer",
            "refresh_token": refresh,
        }

    def _sign(self, grant: Grant, lifetime: int | None = None) -> str:
        character = self.scenario.character(grant.character_id)
        now = int(time.time())
        claims = {
            "jti": str(uuid.uuid4()),
            "kid": self.key.kid,
            "sub": f"CHARACTER:EVE:{grant.character_id}",
            "azp": grant.client_id,
            "tenant": "tranquility",
            "tier": "live",
            "region": "world",
            "aud": [grant.client_id, AUDIENCE],
            "name": character["name"],
            "owner": owner_hash(character),
            "exp": now + (self.token_lifetime if lifetime is None else lifetime),
            "iat": now,
            "iss": ISSUER,
        }
        if grant.scopes:
            # like the real SSO: a single scope is a string, several are a list
            claims["scp"] = grant.scopes[0] if len(grant.scopes) == 1 else list(grant.scopes)
        return self.key.sign(claims)
