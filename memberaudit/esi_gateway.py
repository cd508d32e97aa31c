"""The one place where Member Audit talks to ESI.

Section code asks the gateway for data by operation id and gets plain Python data back.
The gateway takes care of:

- the client (:mod:`memberaudit.esi_client`): one django-esi provider, pinned compatibility
  date, operation allow-list;
- pagination (``X-Pages``): the pages after the first go out together, and a list comes back
  whole or not at all; "not modified" (ETag / 304) as :class:`NotModified`;
- batches of independent calls (:meth:`EsiGateway.get_each`, :mod:`memberaudit.esi_batches`):
  a few requests in flight at once on reused connections, answers in order, stopping at the
  first failure and before the rate-limit budget runs out;
- the global error limit (:mod:`memberaudit.esi_limits`): once ``X-ESI-Error-Limit-Remain`` falls to
  ``MEMBERAUDIT_ESI_ERROR_LIMIT_THRESHOLD``, or ESI answers 420, no call is made until
  ``X-ESI-Error-Limit-Reset`` has passed (shared by all workers through the cache);
- rate limits: a 429 pauses the route's rate-limit group (per character) for ``Retry-After``
  seconds; calls to a paused group and django-esi's full route buckets raise
  :class:`EsiRateLimited` without sending a request;
- bounded retries with backoff for 502, 503 and 504 only;
- EVE SSO failing while a token is refreshed: :class:`EsiUnavailable`, the token is kept;
- counters of requests, 304s and errors for the section being updated, and hourly counters
  of the whole app's use of ESI for the budget dashboard (:mod:`memberaudit.esi_usage`).
"""

import contextvars
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx2
import pydantic
from aiopenapi3 import errors as openapi_errors

from django.db import connections
from django.dispatch import receiver
from django.utils.translation import gettext as _

from esi import exceptions as esi_exceptions
from esi.errors import IncompleteResponseError, TokenError
from esi.signals import esi_request_statistics

from . import app_settings, esi_usage
from .esi_batches import (
    UNCHANGED,
    AllPagesUnchanged,
    Answer,
    any_failure,
    as_rows,
    fetch_all_pages,
    run_batch,
)
from .esi_client import (  # noqa: F401  re-exported: the gateway is where ESI is reached
    COMPATIBILITY_DATE,
    KnownScopesToken,
    esi_client,
    operation_info,
    provider,
    reuse_sessions,
)
from .esi_errors import (  # noqa: F401  re-exported for section code
    EsiBadResponse,
    EsiError,
    EsiErrorLimitReached,
    EsiForbidden,
    EsiNotFound,
    EsiRateLimited,
    EsiTokenError,
    EsiUnavailable,
    NotModified,
    _error_text,
    _whole_seconds,
    transport_error_message,
)
from .esi_limits import (  # noqa: F401  re-exported for section code
    DEFAULT_PAUSE_SECONDS,
    ERROR_LIMIT_CACHE_KEY,
    MAX_REQUESTS_IN_FLIGHT,
    _header,
    _last_answer_headers,
    _pause,
    _pause_left,
    _rate_limit_key,
    _seconds_header,
    bucket_reset_in,
    calls_left,
    error_limit_reached,
    error_limit_reset_in,
    rate_limit_reset_in,
)

logger = logging.getLogger(__name__)

RETRY_STATUS_CODES = frozenset({502, 503, 504})
MAX_ATTEMPTS = 3
BACKOFF_SECONDS = 0.5  # doubled after every failed attempt


@dataclass
class RequestCounter:
    requests: int = 0
    not_modified: int = 0
    errors: int = 0
    # Headers of the last answer: django-esi raises its error-limit exception without them.
    last_headers: Any = None
    section: str = ""
    character_id: int | None = None  # whose token the current call uses


_counting = threading.Lock()
_active_counter: contextvars.ContextVar[RequestCounter | None] = contextvars.ContextVar(
    "memberaudit_esi_counter", default=None
)


@receiver(esi_request_statistics)
def _count_request(sender, status_code=0, headers=None, **kwargs):
    if status_code:
        _last_answer_headers.set(headers)
    counter = _active_counter.get()
    if counter is None:
        return
    _record_usage(counter, kwargs.get("operation") or "", status_code, headers)
    with _counting:  # a section may send requests from several threads
        if status_code == 0:  # answered from django-esi's cache, no request sent
            counter.not_modified += 1
            return
        counter.requests += 1
        counter.last_headers = headers
        if status_code == 304:
            counter.not_modified += 1
        elif status_code >= 400:
            counter.errors += 1


def _record_usage(counter: RequestCounter, operation_id: str, status_code: int, headers) -> None:
    operation = operation_info(operation_id)
    esi_usage.record_answer(
        section=counter.section,
        operation=operation_id,
        status_code=status_code,
        headers=headers,
        rate_group=operation.rate_group if operation and operation.max_tokens else "",
        character_id=counter.character_id,
    )


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
        self.counter = RequestCounter(section=section)
        self._token_for_calls: KnownScopesToken | None = None

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

        def fetch(key: str, use_etag: bool | None = None):
            operation_id, params = calls[key]
            paged, public = bool(params.get("paged")), bool(params.get("public"))
            return self._call(
                operation_id, params, paged=paged, public=public, is_post=False, use_etag=use_etag
            )

        results: dict[str, Any] = {}
        unchanged: list[str] = []
        for key in calls:
            try:
                results[key] = fetch(key)
            except NotModified:
                unchanged.append(key)
        if unchanged and len(unchanged) == len(calls):
            raise NotModified()
        for key in unchanged:
            results[key] = fetch(key, use_etag=False)
        return results

    def get_each(
        self,
        operation_id: str,
        calls: Iterable[dict],
        *,
        public: bool = False,
        use_etag: bool | None = None,
        stop: Callable[[Answer], bool] = any_failure,
    ) -> list[Answer]:
        """Answer calls of one GET operation that do not depend on each other, in the order
        given, with up to :data:`MAX_REQUESTS_IN_FLIGHT` requests in flight at once.

        The batch ends at the first answer for which ``stop`` is true (by default any
        failure): that answer is the last one returned, so everything before it can be
        stored, and the calls after it are not sent (answers already on their way are
        dropped). It also ends, with an :class:`EsiRateLimited` answer for the first call not
        sent, where ESI's budget of the route's rate-limit group allows no more calls. Every
        call checks the error limit first: once it is reached, no further request is sent.
        """

        def send(params: dict) -> Answer:
            try:
                return Answer(params, data=self.get(operation_id, public=public, **params))
            except (EsiError, NotModified) as exc:
                return Answer(params, error=exc)

        saved_use_etag = self.use_etag
        if use_etag is not None:
            self.use_etag = use_etag
        try:
            return self._batch(operation_id, list(calls), send, public=public, stop=stop)
        finally:
            self.use_etag = saved_use_etag

    def _batch(self, operation_id, calls, send, *, public, stop=any_failure) -> list[Answer]:
        operation = operation_info(operation_id)
        if operation is None:
            raise ValueError(f"Unknown ESI operation: {operation_id}")
        character_id = None
        if self.token is not None and not public:
            # its scopes read here, in the caller's thread (and database connection), once
            self._token_with_known_scopes().values_list("name", flat=True)
            character_id = self.token.character_id
        allowed = calls_left(operation.rate_group, operation.max_tokens, character_id)

        def send_and_close(params: dict) -> Answer:
            try:
                return send(params)
            finally:
                connections.close_all()  # this thread's, should anything have opened one

        return run_batch(
            calls,
            send_and_close,
            allowed=len(calls) if allowed is None else allowed,
            over_budget=lambda params: self._over_budget(operation_id, params, character_id),
            stop=stop,
        )

    def _get_pages(self, operation_id: str, params: dict, *, public: bool, use_etag: bool):
        """All pages of a list (:func:`~memberaudit.esi_batches.fetch_all_pages`)."""

        def send_page(page_params: dict, etag: bool) -> Answer:
            try:
                data, headers = self._call(
                    operation_id,
                    page_params,
                    paged=False,
                    public=public,
                    is_post=False,
                    use_etag=use_etag and etag,
                    with_headers=True,
                )
            except NotModified as exc:
                data, headers = UNCHANGED, exc.headers
            except EsiError as exc:
                return Answer(page_params, error=exc)
            return Answer(page_params, data=(data, headers))

        def batch(calls, send):
            return self._batch(operation_id, calls, send, public=public)

        try:
            return fetch_all_pages(params, send_page, batch)
        except AllPagesUnchanged:
            raise NotModified() from None

    def _over_budget(self, operation_id: str, params: dict, character_id) -> Answer:
        operation = operation_info(operation_id)
        reset_in = bucket_reset_in(operation.rate_group, operation.window_seconds, character_id)
        self._record_pause(operation_id, esi_usage.RATE_LIMIT_PAUSE)
        return Answer(
            params,
            error=EsiRateLimited(
                reset_in,
                _("ESI rate limit of %(group)s: no calls left for %(seconds)d s")
                % {"group": operation.rate_group, "seconds": _whole_seconds(reset_in)},
            ),
        )

    def _call(
        self, operation_id, params, *, paged, public, is_post, use_etag=None, with_headers=False
    ):
        operation = operation_info(operation_id)
        if operation is None:
            raise ValueError(f"Unknown ESI operation: {operation_id}")
        use_etag = self.use_etag if use_etag is None else use_etag
        if paged:
            params = {k: v for k, v in params.items() if k not in ("paged", "public")}
            if operation.paged:
                return self._get_pages(operation_id, params, public=public, use_etag=use_etag)
            return as_rows(
                self._call(
                    operation_id,
                    params,
                    paged=False,
                    public=public,
                    is_post=False,
                    use_etag=use_etag,
                )
            )
        reset_in = error_limit_reset_in()
        if reset_in:
            self._record_pause(operation_id, esi_usage.ERROR_LIMIT_PAUSE)
            raise EsiErrorLimitReached(reset_in)
        params = {k: v for k, v in params.items() if k not in ("paged", "public")}
        character_id = None
        if self.token is not None and not public:
            params["token"] = self._token_with_known_scopes()
            character_id = self.token.character_id
        self.counter.character_id = character_id
        rate_limit_key = _rate_limit_key(operation.rate_group, character_id)
        paused_for = _pause_left(rate_limit_key)
        if paused_for:
            self._record_pause(operation_id, esi_usage.RATE_LIMIT_PAUSE)
            raise EsiRateLimited(
                paused_for,
                _("ESI rate limit of %(group)s reached, calls paused for %(seconds)d s")
                % {"group": operation.rate_group, "seconds": _whole_seconds(paused_for)},
            )
        token = _active_counter.set(self.counter)
        try:
            data, headers = self._call_with_retries(
                operation_id, operation, rate_limit_key, params, is_post, use_etag
            )
        finally:
            _active_counter.reset(token)
        return (data, headers) if with_headers else data

    def _token_with_known_scopes(self) -> KnownScopesToken:
        """The token as django-esi gets it: its scopes read once per gateway, not per call."""
        if self._token_for_calls is None or self._token_for_calls.token is not self.token:
            self._token_for_calls = KnownScopesToken(self.token)
        return self._token_for_calls

    def _call_with_retries(
        self, operation_id, operation, rate_limit_key, params, is_post, use_etag
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
                data, response = request.result(**options)
            except esi_exceptions.HTTPNotModified as exc:
                self._watch_error_limit(exc.headers)
                raise NotModified(exc.headers) from exc
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
                self._record_pause(operation_id, esi_usage.ERROR_LIMIT_PAUSE)
                raise error_limit_reached(exc, self.counter.last_headers) from exc
            except esi_exceptions.ESIBucketLimitException as exc:
                self._record_pause(operation_id, esi_usage.RATE_LIMIT_PAUSE)
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
                raise EsiUnavailable(transport_error_message(operation_id, exc)) from exc
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
            headers = getattr(response, "headers", None)
            self._watch_error_limit(headers)
            return _to_plain(data), headers
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
            self._record_pause(operation_id, esi_usage.RATE_LIMIT_PAUSE)
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

    def _record_pause(self, operation_id: str, kind: str) -> None:
        esi_usage.record_pause(section=self.section, operation=operation_id, kind=kind)

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
