"""The ESI request pipeline: limits, faults, authentication, paging and response headers."""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import jwt

from .faults import Fault, drop_fields, malform, stretch_text
from .headers import cache_headers, etag_for, etag_matches, parse_http_date
from .limits import ERROR_LIMIT_MESSAGE, token_cost, window_seconds
from .messages import EsiError, Request, Response
from .requestlog import LoggedRequest
from .router import Route

if TYPE_CHECKING:
    from .server import FakeEveServer


@dataclass
class EsiContext:
    """What a route handler gets: path parameters, the request and the scenario."""

    request: Request
    params: dict[str, int]
    server: FakeEveServer
    claims: dict | None = None
    page: int = 1
    extra_headers: dict[str, str] = field(default_factory=dict)

    @property
    def scenario(self):
        return self.server.scenario

    def character(self) -> dict:
        character = self.scenario.character(self.params["character_id"])
        if character is None:
            raise EsiError(404, "Character not found")
        return character

    def json_body(self) -> Any:
        try:
            return self.request.json()
        except (ValueError, UnicodeDecodeError) as exc:
            raise EsiError(400, "Invalid JSON body") from exc


def _bearer_claims(server: FakeEveServer, request: Request) -> tuple[dict | None, str | None]:
    """(claims, error) of the bearer token, (None, None) without one."""
    auth = request.header("authorization", "")
    if not auth.lower().startswith("bearer "):
        return None, None
    try:
        return server.sso.verify_access_token(auth[7:].strip()), None
    except jwt.ExpiredSignatureError:
        return None, "token is expired"
    except jwt.PyJWTError:
        return None, "invalid token"


def _character_from_claims(claims: dict | None) -> int | None:
    if not claims:
        return None
    try:
        return int(claims["sub"].split(":")[2])
    except (KeyError, IndexError, ValueError):
        return None


def _authorize(route: Route, params: dict, claims: dict | None, token_error: str | None) -> None:
    if not route.scope:
        return
    if token_error:
        raise EsiError(401, token_error)
    if claims is None:
        raise EsiError(401, "authentication required")
    if route.character_route and _character_from_claims(claims) != params.get("character_id"):
        raise EsiError(403, "token not valid for this character")
    scopes = claims.get("scp", [])
    scopes = [scopes] if isinstance(scopes, str) else scopes
    if route.scope not in scopes:
        raise EsiError(403, f"token not valid for scope(s): {route.scope}")


def _page(route: Route, request: Request) -> int:
    if not route.paged:
        return 1
    try:
        page = int(request.arg("page", "1"))
    except ValueError as exc:
        raise EsiError(400, "failed to coerce value into type integer for page") from exc
    if page < 1:
        raise EsiError(400, "page must be at least 1")
    return page


def handle_esi(server: FakeEveServer, request: Request, route: Route, params: dict) -> Response:
    claims, token_error = _bearer_claims(server, request)
    character_id = params.get("character_id") or _character_from_claims(claims)
    fault: Fault | None = None
    page = None
    rate_key = rate_limit = None
    if route.rate_group:
        max_tokens, window = server.rate_limiter.limit_for(route.rate_group, route.rate_limit)
        rate_limit = (max_tokens, window, window_seconds(window))
        who = _character_from_claims(claims) if route.scope else None
        rate_key = f"{route.rate_group}:{who or request.client}"
    extra_headers: dict[str, str] = {}
    try:
        page = _page(route, request)
        if server.error_limiter.exhausted():
            response = Response.json({"error": ERROR_LIMIT_MESSAGE}, 420)
        else:
            fault = server.faults.take(route.key, character_id, page)
            if fault and fault.latency:
                time.sleep(fault.latency)
            wait = rate_key and server.rate_limiter.check(rate_key, rate_limit[0], rate_limit[2])
            if wait:
                response = Response.json(
                    {"error": "Too many requests"}, 429, {"Retry-After": str(wait)}
                )
            elif fault and fault.status:
                response = Response.json(fault.error_body(), fault.status, fault.error_headers())
            else:
                _authorize(route, params, claims, token_error)
                context = EsiContext(request, params, server, claims, page, extra_headers)
                data = route.handler(context)
                response = _success(server, route, request, data, page, fault, extra_headers)
    except EsiError as error:
        response = error.response()
    server.error_limiter.record(response.status)
    response.headers.update(server.error_limiter.headers())
    if rate_key:
        remaining = server.rate_limiter.consume(
            rate_key, token_cost(response.status), rate_limit[0], rate_limit[2]
        )
        response.headers.update(
            {
                "X-Ratelimit-Group": route.rate_group,
                "X-Ratelimit-Limit": f"{rate_limit[0]}/{rate_limit[1]}",
                "X-Ratelimit-Remaining": str(remaining),
                "X-Ratelimit-Used": str(token_cost(response.status)),
            }
        )
    server.log.add(
        LoggedRequest(
            time=time.time(),
            kind="esi",
            method=request.method,
            path=request.path,
            route=route.key,
            status=response.status,
            character_id=character_id,
            not_modified=response.status == 304,
            page=page if route.paged else None,
            compatibility_date=request.header("x-compatibility-date"),
            fault_id=fault.id if fault else None,
        )
    )
    return response


def _success(
    server: FakeEveServer,
    route: Route,
    request: Request,
    data: Any,
    page: int,
    fault: Fault | None,
    extra_headers: dict,
) -> Response:
    headers = dict(extra_headers)
    if route.paged:
        size = server.page_size(route)
        pages = max(math.ceil(len(data) / size), 1)
        if page > pages:
            raise EsiError(404, "Requested page does not exist!")
        data = data[(page - 1) * size : page * size]
        headers["X-Pages"] = str(pages)
    if fault and fault.drop_fields:
        data = drop_fields(data, fault.drop_fields)
    if fault and fault.stretch_text:
        data = stretch_text(data)
    body = json.dumps(data, separators=(",", ":")).encode("utf-8")
    if fault and fault.malformed:
        body = malform(body)
    etag = etag_for(body)
    resource = request.path + "?" + "&".join(f"{k}={v}" for k, v in sorted(request.query.items()))
    last_modified = server.last_modified.get(resource, etag)
    headers.update({"ETag": etag, **cache_headers(route.cache_seconds, last_modified)})
    if_none_match = request.header("if-none-match")
    since = parse_http_date(request.header("if-modified-since", ""))
    if etag_matches(if_none_match, etag) or (
        not if_none_match and since is not None and last_modified <= since
    ):
        return Response(304, headers, b"")
    return Response(200, {"Content-Type": "application/json; charset=UTF-8", **headers}, body)
