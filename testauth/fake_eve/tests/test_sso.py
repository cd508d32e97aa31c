import time
from urllib.parse import parse_qs, urlparse

import pytest
from jose import jwt as jose_jwt

from .helpers import ALL_SCOPES, basic_auth, call, login

AARIA = 90000001
ELIN = 90000005  # has missing_scopes


def decode_like_django_esi(server, token: str) -> dict:
    """The same python-jose call django-esi's TokenManager._decode_jwt makes."""
    jwks = call(server, "GET", "/oauth/jwks").json()
    kid = jose_jwt.get_unverified_header(token)["kid"]
    key = next(k for k in jwks["keys"] if k["kid"] == kid)
    return jose_jwt.decode(
        token,
        key,
        algorithms=key["alg"],
        audience="EVE Online",
        issuer=("login.eveonline.com", "https://login.eveonline.com"),
    )


def test_authorize_page_lists_characters(srv):
    reply = call(
        srv,
        "GET",
        "/v2/oauth/authorize/?response_type=code&client_id=c"
        "&redirect_uri=http://x/cb&scope=a+b&state=st",
    )
    assert reply.status == 200
    page = reply.body.decode()
    assert "Aria Jaxon" in page and 'data-character-id="2112000003"' in page
    assert "/v2/oauth/authorize/select?" in page


def test_select_redirects_with_code_and_state(srv):
    reply = call(
        srv,
        "GET",
        "/v2/oauth/authorize/select?response_type=code&client_id=c"
        "&redirect_uri=http://x/cb%3Fnext%3D1&scope=&state=st&character_id=90000002",
    )
    assert reply.status == 302
    location = urlparse(reply.headers["Location"])
    params = parse_qs(location.query)
    assert location.path == "/cb" and params["state"] == ["st"] and params["next"] == ["1"]
    assert params["code"][0]


def test_access_token_claims_validate_like_django_esi(srv):
    tokens = login(srv, AARIA)
    assert tokens["expires_in"] == 1199 and tokens["token_type"] == "Bearer"
    claims = decode_like_django_esi(srv, tokens["access_token"])
    assert claims["sub"] == "CHARACTER:EVE:90000001"
    assert claims["name"] == "Aria Jaxon"
    assert claims["aud"] == ["test-client", "EVE Online"]
    assert claims["iss"] == "https://login.eveonline.com"
    assert sorted(claims["scp"]) == sorted(ALL_SCOPES)
    assert claims["owner"] and claims["tenant"] == "tranquility" and claims["jti"]
    assert claims["exp"] - claims["iat"] == 1199
    header = jose_jwt.get_unverified_header(tokens["access_token"])
    assert header["alg"] == "RS256" and header["kid"] == claims["kid"]


def test_jwks_shape(srv):
    keys = call(srv, "GET", "/v2/oauth/jwks").json()["keys"]
    assert {"kid", "alg", "kty", "n", "e", "use"} <= set(keys[0])


def test_owner_hash_is_stable(srv):
    first = decode_like_django_esi(srv, login(srv, AARIA)["access_token"])
    second = decode_like_django_esi(srv, login(srv, AARIA)["access_token"])
    assert first["owner"] == second["owner"]


def test_single_scope_is_a_string_and_missing_scopes_are_dropped(srv):
    claims = decode_like_django_esi(
        srv, login(srv, AARIA, ["esi-skills.read_skills.v1"])["access_token"]
    )
    assert claims["scp"] == "esi-skills.read_skills.v1"
    claims = decode_like_django_esi(srv, login(srv, ELIN)["access_token"])
    assert "esi-wallet.read_character_wallet.v1" not in claims["scp"]
    assert "esi-skills.read_skills.v1" in claims["scp"]


def test_code_is_single_use(srv):
    reply = call(
        srv,
        "GET",
        "/v2/oauth/authorize?response_type=code&client_id=test-client"
        "&redirect_uri=http://x/cb&scope=&state=s&character_id=90000001",
    )
    code = parse_qs(urlparse(reply.headers["Location"]).query)["code"][0]
    form = {"grant_type": "authorization_code", "code": code}
    assert call(srv, "POST", "/v2/oauth/token", headers=basic_auth(), form=form).status == 200
    reply = call(srv, "POST", "/v2/oauth/token", headers=basic_auth(), form=form)
    assert reply.status == 400 and reply.json()["error"] == "invalid_grant"


def test_refresh_grant(srv):
    tokens = login(srv, AARIA)
    reply = call(
        srv,
        "POST",
        "/v2/oauth/token",
        headers=basic_auth(),
        form={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert reply.status == 200
    refreshed = reply.json()
    assert refreshed["access_token"] != tokens["access_token"]
    assert decode_like_django_esi(srv, refreshed["access_token"])["name"] == "Aria Jaxon"


@pytest.mark.parametrize(
    "how", ["unknown", "revoked_python", "revoked_http", "revoke_endpoint", "character"]
)
def test_invalid_grant_for_unknown_or_revoked_refresh_token(srv, how):
    refresh = login(srv, AARIA)["refresh_token"]
    if how == "unknown":
        refresh = "no-such-token"
    elif how == "revoked_python":
        assert srv.sso.revoke_refresh_token(refresh)
    elif how == "revoked_http":
        assert (
            call(srv, "POST", "/_fake/revoke", json_body={"refresh_token": refresh}).status == 200
        )
    elif how == "revoke_endpoint":
        call(
            srv,
            "POST",
            "/v2/oauth/revoke",
            headers=basic_auth(),
            form={"token": refresh, "token_type_hint": "refresh_token"},
        )
    else:
        call(srv, "POST", "/_fake/revoke", json_body={"character_id": AARIA})
    reply = call(
        srv,
        "POST",
        "/v2/oauth/token",
        headers=basic_auth(),
        form={"grant_type": "refresh_token", "refresh_token": refresh},
    )
    assert reply.status == 400
    assert reply.json()["error"] == "invalid_grant" and reply.json()["error_description"]


def test_reset_undoes_revocation(srv):
    refresh = login(srv, AARIA)["refresh_token"]
    srv.sso.revoke_character(AARIA)
    srv.reset()
    reply = call(
        srv,
        "POST",
        "/v2/oauth/token",
        headers=basic_auth(),
        form={"grant_type": "refresh_token", "refresh_token": refresh},
    )
    assert reply.status == 200


def test_token_endpoint_needs_client_auth(srv):
    reply = call(
        srv, "POST", "/v2/oauth/token", form={"grant_type": "refresh_token", "refresh_token": "x"}
    )
    assert reply.status == 401 and reply.json()["error"] == "invalid_client"


def test_expired_access_token_is_rejected_by_esi(srv):
    token = srv.sso.access_token(AARIA, ["esi-skills.read_skills.v1"], lifetime=-10)
    reply = call(srv, "GET", "/characters/90000001/skills", token=token)
    assert reply.status == 401 and "expired" in reply.json()["error"]
    assert time.time() > 0
