"""The one place where Member Audit talks to ESI.

Section code asks the gateway for data by operation id and gets plain Python data back.
The gateway takes care of:

- the client: one django-esi provider, pinned compatibility date, operation allow-list;
- pagination (``X-Pages``) and "not modified" (ETag / 304) as :class:`NotModified`;
- the global error limit: once ``X-ESI-Error-Limit-Remain`` falls to
  ``MEMBERAUDIT_ESI_ERROR_LIMIT_THRESHOLD``, or ESI answers 420, no call is made until
  ``X-ESI-Error-Limit-Reset`` has passed (shared by all workers through the cache);
- rate limits: a 429 pauses the route's rate-limit group (per character) for ``Retry-After``
  seconds; calls to a paused group and django-esi's full route buckets raise
  :class:`EsiRateLimited` without sending a request;
- bounded retries with backoff for 502, 503 and 504 only;
- EVE SSO failing while a token is refreshed: :class:`EsiUnavailable`, the token is kept;
- counters of requests, 304s and errors for the section being updated.
"""

import contextvars
import json
import logging
import math
import os
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from functools import cache as memoize
from pathlib import Path
from typing import Any

import httpx2
import pydantic
from aiopenapi3 import errors as openapi_errors
from aiopenapi3.plugin import Document

from django.core.cache import cache
from django.dispatch import receiver
from django.utils.translation import gettext as _

from esi import exceptions as esi_exceptions
from esi import openapi_clients
from esi.errors import IncompleteResponseError, TokenError
from esi.openapi_clients import ESIClientProvider
from esi.signals import esi_request_statistics

from . import __version__, app_settings

logger = logging.getLogger(__name__)

UA_APP_NAME = "aa-memberaudit"
COMPATIBILITY_DATE = "2025-12-16"
SPEC_FILE = Path(__import__("eveuniverse").__file__).parent / f"openapi_{COMPATIBILITY_DATE}.json"
ERROR_LIMIT_CACHE_KEY = "memberaudit_esi_error_limit_reset_at"
RATE_LIMIT_CACHE_KEY = "memberaudit_esi_rate_limit_reset_at"  # + group and character
DEFAULT_PAUSE_SECONDS = 60  # when ESI does not say how long to wait
RETRY_STATUS_CODES = frozenset({502, 503, 504})
MAX_ATTEMPTS = 3
BACKOFF_SECONDS = 0.5  # doubled after every failed attempt

# Operations used outside of sections (name resolution, locations, registration, skill sets
# from fittings).
COMMON_OPERATIONS = (
    "GetCharactersCharacterId",
    "GetUniverseStationsStationId",
    "GetUniverseStructuresStructureId",
    "GetUniverseSystemsSystemId",
    "PostCharactersAffiliation",
    "PostUniverseIds",
    "PostUniverseNames",
)


class EsiError(Exception):
    """ESI could not deliver the data; the message is meant for humans."""

    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


class NotModified(Exception):  # noqa: N818
    """ESI says the data did not change since the last successful fetch."""


class EsiErrorLimitReached(EsiError):
    """Too few errors remain in ESI's error window: wait for the reset."""

    def __init__(self, reset_in: float):
        super().__init__(
            _("ESI error limit reached, calls paused for %(seconds)d s")
            % {"seconds": _whole_seconds(reset_in)}
        )
        self.reset_in = reset_in


class EsiRateLimited(EsiError):
    """A rate limit was hit; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: float, message: str = ""):
        super().__init__(
            message
            or _("ESI rate limit reached, retry after %(seconds)d s")
            % {"seconds": _whole_seconds(retry_after)},
            429,
        )
        self.retry_after = retry_after


class EsiUnavailable(EsiError):
    """ESI answered with a server error or did not answer in time, or EVE SSO failed."""


class EsiBadResponse(EsiError):
    """ESI answered with a body that cannot be used."""


class EsiForbidden(EsiError):
    """ESI refused access (401/403), e.g. a structure without docking rights."""


class EsiNotFound(EsiError):
    """ESI answered 404."""


class EsiTokenError(EsiError):
    """EVE SSO refused the token: revoked, or expired and not refreshable."""


@dataclass
class RequestCounter:
    requests: int = 0
    not_modified: int = 0
    errors: int = 0
    # Headers of the last answer: django-esi raises its error-limit exception without them.
    last_headers: Any = None


_active_counter: contextvars.ContextVar[RequestCounter | None] = contextvars.ContextVar(
    "memberaudit_esi_counter", default=None
)


# Headers of the last answer ESI sent in this context, whoever asked (the gateway, or
# eveuniverse loading EVE data): the error-limit reset is taken from them after a 420.
_last_answer_headers: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "memberaudit_esi_last_answer_headers", default=None
)


@receiver(esi_request_statistics)
def _count_request(sender, status_code=0, headers=None, **kwargs):
    if status_code:
        _last_answer_headers.set(headers)
    counter = _active_counter.get()
    if counter is None:
        return
    if status_code == 0:  # answered from django-esi's cache, no request sent
        counter.not_modified += 1
        return
    counter.requests += 1
    counter.last_headers = headers
    if status_code == 304:
        counter.not_modified += 1
    elif status_code >= 400:
        counter.errors += 1


@dataclass(frozen=True)
class OperationInfo:
    tag: str
    rate_group: str  # the spec's rate-limit group, or the operation id for routes without one


@memoize
def _operations() -> dict[str, OperationInfo]:
    """Map each operation id of the pinned spec to its tag and rate-limit group."""
    spec = json.loads(SPEC_FILE.read_text(encoding="utf-8"))
    return {
        operation["operationId"]: OperationInfo(
            tag=operation["tags"][0],
            rate_group=(operation.get("x-rate-limit") or {}).get("group")
            or operation["operationId"],
        )
        for path in spec["paths"].values()
        for method, operation in path.items()
        if isinstance(operation, dict) and "operationId" in operation
    }


class TolerateNewEnumValues(Document):
    """aiopenapi3 plugin: accept enum values that ESI added after the pinned spec.

    With the spec's enums a new contract type or journal ref type would make the client reject
    the whole answer; we store such values as they come instead.
    """

    def parsed(self, ctx: Document.Context) -> Document.Context:
        _drop_enums(ctx.document)
        return ctx


def _drop_enums(node) -> None:
    if isinstance(node, dict):
        node.pop("enum", None)
        for value in node.values():
            _drop_enums(value)
    elif isinstance(node, list):
        for value in node:
            _drop_enums(value)


def _install_client_plugins() -> None:
    """Add our plugins to the clients that django-esi builds for this app (and no other)."""
    original = openapi_clients._load_plugins
    if getattr(original, "adds_memberaudit_plugins", False):
        return

    def load_plugins(app_name, *args, **kwargs):
        plugins = original(app_name, *args, **kwargs)
        if app_name == UA_APP_NAME:
            plugins.append(TolerateNewEnumValues())
        return plugins

    load_plugins.adds_memberaudit_plugins = True
    openapi_clients._load_plugins = load_plugins


class _ReusedSession:
    """One HTTP client used for many requests: ``close()`` by the request code is ignored.

    django-esi's client asks for a new HTTP client for every request, which sets up TLS and a
    connection each time; reusing one per thread keeps connections alive.
    """

    def __init__(self, session):
        self._session = session

    def __getattr__(self, name):
        return getattr(self._session, name)

    def close(self) -> None:
        pass


def _reusing_session_factory(factory):
    local = threading.local()

    def session_factory(**kwargs):
        key = (os.getpid(), repr(sorted(kwargs.items(), key=lambda item: item[0])))
        sessions = local.__dict__.setdefault("sessions", {})
        if key not in sessions:
            sessions[key] = _ReusedSession(factory(**kwargs))
        return sessions[key]

    return session_factory


def reuse_sessions(api) -> None:
    """Make an aiopenapi3 client built by django-esi reuse its HTTP clients per thread."""
    if not getattr(api, "memberaudit_reuses_sessions", False):
        api._session_factory = _reusing_session_factory(api._session_factory)
        api.memberaudit_reuses_sessions = True


def esi_client():
    """The ESI client of :func:`provider`, reusing HTTP connections between requests."""
    client = provider().client
    reuse_sessions(client.api)
    return client


@memoize
def provider() -> ESIClientProvider:
    """The app's django-esi client provider, limited to the operations we use."""
    from .sections import registry

    _install_client_plugins()
    operations = sorted(set(registry.all_operations()) | set(COMMON_OPERATIONS))
    return ESIClientProvider(
        compatibility_date=COMPATIBILITY_DATE,
        ua_appname=UA_APP_NAME,
        ua_version=__version__,
        spec_file=str(SPEC_FILE),
        operations=operations,
    )


def error_limit_reset_in() -> float:
    """Seconds until calls may resume after the error limit was reached, else 0."""
    return _pause_left(ERROR_LIMIT_CACHE_KEY)


def error_limit_reached(
    exc: esi_exceptions.ESIErrorLimitException, headers: Any = None
) -> EsiErrorLimitReached:
    """Pause all ESI calls of all workers until ESI's error window resets; return the error
    to raise.

    django-esi raises ``ESIErrorLimitException`` for a 420 (and while its own pause lasts)
    and reads the reset from a header ESI does not send: ESI's own
    ``X-ESI-Error-Limit-Reset`` is taken from ``headers``, else from the last answer. Also for
    EVE data loaded through eveuniverse, which raises django-esi's exceptions unchanged.
    """
    if headers is None:
        headers = _last_answer_headers.get()
    reset = _seconds_header(headers, "X-ESI-Error-Limit-Reset")
    if reset is None:
        reset = float(exc.reset or DEFAULT_PAUSE_SECONDS)
    return EsiErrorLimitReached(_pause(ERROR_LIMIT_CACHE_KEY, reset))


def rate_limit_reset_in(group: str, character_id: int | None = None) -> float:
    """Seconds until calls to a rate-limit group may resume after a 429, else 0.

    ESI keeps a bucket per group and character for authenticated calls; public calls share
    one bucket per group (``character_id`` None).
    """
    return _pause_left(_rate_limit_key(group, character_id))


def _rate_limit_key(group: str, character_id: int | None) -> str:
    return f"{RATE_LIMIT_CACHE_KEY}:{group}:{character_id or 'public'}"


def _pause(key: str, seconds: float) -> float:
    """Pause the calls guarded by ``key`` for all workers (through the cache)."""
    seconds = max(1.0, seconds)
    cache.set(key, time.time() + seconds, timeout=math.ceil(seconds) + 1)
    return seconds


def _pause_left(key: str) -> float:
    resume_at = cache.get(key)
    return max(0.0, resume_at - time.time()) if resume_at else 0.0


def _whole_seconds(seconds: float) -> int:
    return math.ceil(seconds)


def _seconds_header(headers: Any, name: str) -> float | None:
    """A header giving seconds to wait (a number, or for ``Retry-After`` an HTTP date)."""
    value = _header(headers, name)
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _header(headers: Any, name: str) -> str | None:
    if not headers:
        return None
    for key, value in dict(headers).items():
        if key.lower() == name.lower():
            return value
    return None


def _to_plain(data: Any) -> Any:
    if isinstance(data, pydantic.BaseModel):
        return data.model_dump(mode="python")
    if isinstance(data, list):
        return [_to_plain(item) for item in data]
    if isinstance(data, pydantic.RootModel):
        return data.root
    return data


class EsiGateway:
    """Calls ESI on behalf of one character and section.

    ``use_etag`` should be true only when the section's last update succeeded: a 304 then means
    the stored data is current. After a failed run every call fetches full data again.
    """

    def __init__(self, token=None, section: str = "", use_etag: bool = True):
        self.token = token
        self.section = section
        self.use_etag = use_etag
        self.counter = RequestCounter()

    def get(self, operation_id: str, *, paged: bool = False, public: bool = False, **params):
        """Return the data of a GET operation; raise :class:`NotModified` on 304."""
        return self._call(operation_id, params, paged=paged, public=public, is_post=False)

    def post(self, operation_id: str, body: Any, *, public: bool = False, **params):
        """Return the data of a POST operation (never cached: see django-esi's cache key)."""
        params["body"] = body
        return self._call(operation_id, params, paged=False, public=public, is_post=True)

    def get_unchanged_together(self, calls: dict[str, tuple[str, dict]]) -> dict[str, Any]:
        """Fetch several operations that together make one section's data.

        Raises :class:`NotModified` only when all of them are unchanged; when some changed,
        those that answered 304 are fetched again in full so the caller always gets everything.
        """
        results: dict[str, Any] = {}
        unchanged: list[str] = []
        for key, (operation_id, params) in calls.items():
            try:
                results[key] = self._call(
                    operation_id,
                    params,
                    paged=bool(params.get("paged")),
                    public=bool(params.get("public")),
                    is_post=False,
                )
            except NotModified:
                unchanged.append(key)
        if unchanged and len(unchanged) == len(calls):
            raise NotModified()
        for key in unchanged:
            operation_id, params = calls[key]
            results[key] = self._call(
                operation_id,
                params,
                paged=bool(params.get("paged")),
                public=bool(params.get("public")),
                is_post=False,
                use_etag=False,
            )
        return results

    def _call(self, operation_id, params, *, paged, public, is_post, use_etag=None):
        operation = _operations().get(operation_id)
        if operation is None:
            raise ValueError(f"Unknown ESI operation: {operation_id}")
        reset_in = error_limit_reset_in()
        if reset_in:
            raise EsiErrorLimitReached(reset_in)
        params = {k: v for k, v in params.items() if k not in ("paged", "public")}
        character_id = None
        if self.token is not None and not public:
            params["token"] = self.token
            character_id = self.token.character_id
        rate_limit_key = _rate_limit_key(operation.rate_group, character_id)
        paused_for = _pause_left(rate_limit_key)
        if paused_for:
            raise EsiRateLimited(
                paused_for,
                _("ESI rate limit of %(group)s reached, calls paused for %(seconds)d s")
                % {"group": operation.rate_group, "seconds": _whole_seconds(paused_for)},
            )
        use_etag = self.use_etag if use_etag is None else use_etag
        token = _active_counter.set(self.counter)
        try:
            return self._call_with_retries(
                operation_id, operation, rate_limit_key, params, paged, is_post, use_etag
            )
        finally:
            _active_counter.reset(token)

    def _call_with_retries(
        self, operation_id, operation, rate_limit_key, params, paged, is_post, use_etag
    ):
        if is_post:  # django-esi's cache key ignores the body: never cache POST answers
            options = {"use_etag": False, "use_cache": False, "store_cache": False}
        elif use_etag:
            options = {"use_etag": True}
        else:  # after a failed run a 304 would hide data we never stored: fetch in full
            options = {"use_etag": True, "force_refresh": True}
        options["return_response"] = True
        delay = BACKOFF_SECONDS
        for attempt in range(1, MAX_ATTEMPTS + 1):
            self.counter.last_headers = None
            request = getattr(getattr(esi_client(), operation.tag), operation_id)(**params)
            try:
                if paged:
                    data, response = request.results(**options)
                else:
                    data, response = request.result(**options)
            except esi_exceptions.HTTPNotModified as exc:
                self._watch_error_limit(exc.headers)
                raise NotModified() from exc
            except (esi_exceptions.HTTPServerError, esi_exceptions.HTTPClientError) as exc:
                self._watch_error_limit(exc.headers)
                if exc.status_code in RETRY_STATUS_CODES and attempt < MAX_ATTEMPTS:
                    logger.info(
                        "%s: ESI %s on %s, retrying", self.section, exc.status_code, operation_id
                    )
                    time.sleep(delay)
                    delay *= 2
                    continue
                raise self._translate_http_error(
                    operation_id, operation, rate_limit_key, exc
                ) from exc
            except esi_exceptions.ESIErrorLimitException as exc:
                raise error_limit_reached(exc, self.counter.last_headers) from exc
            except esi_exceptions.ESIBucketLimitException as exc:
                raise EsiRateLimited(
                    float(exc.reset),
                    _("ESI rate limit of %(group)s reached, calls paused for %(seconds)d s")
                    % {"group": operation.rate_group, "seconds": _whole_seconds(exc.reset)},
                ) from exc
            except TokenError as exc:
                raise EsiTokenError(
                    _("The token of this character no longer works (%(reason)s)")
                    % {"reason": type(exc).__name__}
                ) from exc
            except IncompleteResponseError as exc:  # SSOUnavailableError among them
                raise EsiUnavailable(
                    _("EVE SSO did not refresh the token, try again later: %(error)s")
                    % {"error": str(exc) or type(exc).__name__}
                ) from exc
            except (
                httpx2.TimeoutException,
                httpx2.TransportError,
                openapi_errors.RequestError,
            ) as exc:
                raise EsiUnavailable(
                    _("ESI did not answer %(operation)s: %(error)r")
                    % {"operation": operation_id, "error": exc}
                ) from exc
            except (
                openapi_errors.ResponseDecodingError,
                openapi_errors.ResponseSchemaError,
                openapi_errors.ContentTypeError,
                pydantic.ValidationError,
                json.JSONDecodeError,
            ) as exc:
                raise EsiBadResponse(
                    _("ESI sent an unusable answer for %(operation)s: %(error)s")
                    % {"operation": operation_id, "error": type(exc).__name__}
                ) from exc
            self._watch_error_limit(getattr(response, "headers", None))
            return _to_plain(data)
        raise AssertionError("unreachable")  # pragma: no cover

    def _translate_http_error(self, operation_id, operation, rate_limit_key, exc) -> EsiError:
        # 420 never gets here: django-esi raises ESIErrorLimitException for it.
        status = exc.status_code
        detail = _error_text(exc)
        values = {"status": status, "operation": operation_id, "detail": detail}
        if detail:
            message = _("ESI answered %(status)s for %(operation)s: %(detail)s") % values
        else:
            message = _("ESI answered %(status)s for %(operation)s") % values
        if status == 429:
            retry_after = _seconds_header(exc.headers, "Retry-After")
            if retry_after is None:
                retry_after = DEFAULT_PAUSE_SECONDS
            paused_for = _pause(rate_limit_key, retry_after)
            logger.warning(
                "ESI rate limit of %s reached: pausing it for %d s",
                operation.rate_group,
                paused_for,
            )
            return EsiRateLimited(
                paused_for,
                _("%(message)s; calls to %(group)s paused for %(seconds)d s")
                % {
                    "message": message,
                    "group": operation.rate_group,
                    "seconds": _whole_seconds(paused_for),
                },
            )
        if status in (401, 403):
            return EsiForbidden(message, status)
        if status == 404:
            return EsiNotFound(message, status)
        if status >= 500:
            return EsiUnavailable(message, status)
        return EsiError(message, status)

    def _watch_error_limit(self, headers) -> None:
        remain = _header(headers, "X-ESI-Error-Limit-Remain")
        if remain is None:
            return
        try:
            remain_value = int(remain)
        except ValueError:
            return
        if remain_value <= app_settings.MEMBERAUDIT_ESI_ERROR_LIMIT_THRESHOLD:
            reset = _seconds_header(headers, "X-ESI-Error-Limit-Reset")
            if reset is None:
                reset = DEFAULT_PAUSE_SECONDS
            logger.warning("ESI error limit low (%s left): pausing for %s s", remain_value, reset)
            self._pause_for(reset)

    @staticmethod
    def _pause_for(seconds: float) -> None:
        """Pause all ESI calls of all workers for ``seconds`` (the error limit)."""
        _pause(ERROR_LIMIT_CACHE_KEY, seconds)


def _error_text(exc) -> str:
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        return str(data.get("error") or "")
    if isinstance(data, pydantic.BaseModel):
        return str(getattr(data, "error", "") or "")
    return ""
