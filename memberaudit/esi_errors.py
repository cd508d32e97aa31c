"""What can go wrong when Member Audit asks ESI for data: one exception per kind of failure,
each with a message meant for humans."""

import math

import httpx2
import pydantic
from aiopenapi3 import errors as openapi_errors

from django.utils.translation import gettext as _


def _whole_seconds(seconds: float) -> int:
    return math.ceil(seconds)


class EsiError(Exception):
    """ESI could not deliver the data; the message is meant for humans."""

    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


class NotModified(Exception):  # noqa: N818
    """ESI says the data did not change since the last successful fetch."""

    def __init__(self, headers=None):
        super().__init__()
        self.headers = headers  # of ESI's answer, where pages say how many there are


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


def transport_error_message(operation_id: str, exc: BaseException) -> str:
    """One readable line for a request that got no answer: a timeout says so.

    aiopenapi3 wraps the HTTP client's error in a ``RequestError`` whose text dumps the whole
    operation; only the underlying error's kind is worth showing.
    """
    cause = exc
    while isinstance(cause, openapi_errors.RequestError) and cause.__cause__ is not None:
        cause = cause.__cause__
    if isinstance(cause, httpx2.TimeoutException):
        return _("Timeout: ESI did not answer %(operation)s in time") % {"operation": operation_id}
    return _("ESI could not be reached for %(operation)s (%(error)s)") % {
        "operation": operation_id,
        "error": type(cause).__name__,
    }


def _error_text(exc) -> str:
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        return str(data.get("error") or "")
    if isinstance(data, pydantic.BaseModel):
        return str(getattr(data, "error", "") or "")
    return ""
