"""Errors of the SalesNexus wire client, sorted by what they mean for the application.

Every error carries the call-v1 ``function`` it belongs to (``None`` for a whole request),
the ``request_id`` the client gave the call, the server's ``code`` (or one the client
inferred) and a message fit to show a person. No error text ever contains a login token,
a password or document data.

Two attributes answer the questions the layers above ask:

* ``offline``: the server could not be reached or the exchange broke off (connection
  refused, DNS, timeout, dropped connection). Used for the online/offline state.
* ``retryable``: trying the same call again later may succeed without any change.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AnswerTooLargeError",
    "ConnectionFailedError",
    "InsecureURLError",
    "InvalidLoginError",
    "InvalidParameterError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "ProtocolError",
    "RequestTimeoutError",
    "SalesNexusError",
    "ServerError",
    "SessionExpiredError",
    "error_for_code",
    "infer_code",
    "is_offline",
]


class SalesNexusError(Exception):
    """Base of every error the client raises for a call or a request."""

    #: what the error is about, for a person, when the server says nothing more useful
    default_message = "The SalesNexus server reported an error."
    #: the server could not be reached or the exchange broke off
    offline: bool = False
    #: the same call may succeed if simply tried again later
    retryable: bool = False

    def __init__(
        self,
        message: str | None = None,
        *,
        function: str | None = None,
        request_id: str | None = None,
        code: str | None = None,
        detail: str | None = None,
        http_status: int | None = None,
    ) -> None:
        self.message: str = message or self.default_message
        self.function = function
        self.request_id = request_id
        self.code = code
        #: the server's own text (already scrubbed of secrets), if any
        self.detail = detail
        self.http_status = http_status
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, function={self.function!r}, "
            f"request_id={self.request_id!r}, code={self.code!r})"
        )


# --- the server refused the call ------------------------------------------------------------


class InvalidLoginError(SalesNexusError):
    """Wrong e-mail address or password (``INVALID_LOGIN``)."""

    default_message = "The e-mail address or password is not correct."


class SessionExpiredError(SalesNexusError):
    """The login token is unknown or expired (``INVALID_TOKEN``) and signing in again was
    not possible (no credentials provider, the user declined, or it failed); also raised
    when a call needs a session and the client has none (code ``NOT_SIGNED_IN``)."""

    default_message = "Your SalesNexus session has expired. Please sign in again."


class NotFoundError(SalesNexusError):
    """The record the call names does not exist (``NOT_FOUND``)."""

    default_message = "The record was not found. It may have been deleted."


class InvalidParameterError(SalesNexusError):
    """The server refused the call's parameters or the call itself (``INVALID_PARAMETER``,
    ``MISSING_PARAMETER``, ``UNKNOWN_FUNCTION``, ``INVALID_REQUEST``)."""

    default_message = "The server refused the request as invalid."


class PermissionDeniedError(SalesNexusError):
    """The signed-in user may not do this (``PERMISSION_DENIED``)."""

    default_message = "You do not have permission to do this."


class PayloadTooLargeError(SalesNexusError):
    """The request or the document is larger than the server accepts (``PAYLOAD_TOO_LARGE``,
    HTTP 413)."""

    default_message = "The file or request is larger than the server accepts."


class ServerError(SalesNexusError):
    """The server failed (``SERVER_ERROR``, HTTP 5xx, an unknown error code)."""

    default_message = "The SalesNexus server had a problem. Please try again later."
    retryable = True


class ProtocolError(SalesNexusError):
    """The answer does not follow the contract: not JSON, not an array, wrong length,
    request-ids that do not match, an element of the wrong shape, a result missing keys."""

    default_message = "The server sent an answer this application cannot read."
    retryable = True


class AnswerTooLargeError(ProtocolError):
    """The server's answer (or a document being downloaded) is larger than the client accepts
    (``max_answer_bytes``, ``max_download_bytes``); the rest of it was not read. Asking again
    would bring the same answer, so it is not retried."""

    default_message = "The server's answer is larger than this application accepts."
    retryable = False


# --- the exchange itself failed --------------------------------------------------------------


class ConnectionFailedError(SalesNexusError):
    """The server could not be reached; the request was certainly not processed."""

    default_message = "Cannot reach the SalesNexus server. Check your connection."
    offline = True
    retryable = True


class RequestTimeoutError(SalesNexusError):
    """The server did not answer in time (only raised for reads; a write that timed out
    after it was sent is an :class:`OutcomeUnknownError`)."""

    default_message = "The SalesNexus server did not answer in time."
    offline = True
    retryable = True


class OutcomeUnknownError(SalesNexusError):
    """A write was sent but no usable answer came back (the connection dropped, it timed out,
    the server failed as a whole or answered garbage). The write may or may not have been
    applied: look before sending it again. ``reason`` is the underlying error."""

    default_message = (
        "The change was sent but the answer was lost; it may or may not have been saved."
    )
    retryable = False

    def __init__(
        self, message: str | None = None, *, reason: SalesNexusError | None = None, **kw: Any
    ) -> None:
        super().__init__(message, **kw)
        self.reason = reason
        self.offline = reason is not None and reason.offline


class InsecureURLError(ValueError):
    """A plain ``http://`` address for a host that is not this machine, without
    ``allow_insecure_http=True``; or an address that is not http(s) at all."""


# --- code mapping ----------------------------------------------------------------------------

_BY_CODE: dict[str, type[SalesNexusError]] = {
    "INVALID_LOGIN": InvalidLoginError,
    "INVALID_TOKEN": SessionExpiredError,
    "NOT_SIGNED_IN": SessionExpiredError,
    "NOT_FOUND": NotFoundError,
    "INVALID_PARAMETER": InvalidParameterError,
    "MISSING_PARAMETER": InvalidParameterError,
    "UNKNOWN_FUNCTION": InvalidParameterError,
    "INVALID_REQUEST": InvalidParameterError,
    "PERMISSION_DENIED": PermissionDeniedError,
    "PAYLOAD_TOO_LARGE": PayloadTooLargeError,
    "SERVER_ERROR": ServerError,
}

# (code, words that all must appear) in order of precedence; lower-case matching
_MESSAGE_HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("INVALID_TOKEN", ("token",)),
    ("INVALID_TOKEN", ("session", "expired")),
    ("INVALID_LOGIN", ("password",)),
    ("INVALID_LOGIN", ("login",)),
    ("INVALID_LOGIN", ("credentials",)),
    ("PAYLOAD_TOO_LARGE", ("too large",)),
    ("PAYLOAD_TOO_LARGE", ("too big",)),
    ("UNKNOWN_FUNCTION", ("unknown function",)),
    ("NOT_FOUND", ("not found",)),
    ("NOT_FOUND", ("not exist",)),
    ("NOT_FOUND", ("unknown",)),
    ("NOT_FOUND", ("no such",)),
    ("NOT_FOUND", ("no ", " exists")),
    ("PERMISSION_DENIED", ("permission",)),
    ("PERMISSION_DENIED", ("denied",)),
    ("PERMISSION_DENIED", ("not allowed",)),
    ("PERMISSION_DENIED", ("forbidden",)),
    ("MISSING_PARAMETER", ("missing",)),
    ("MISSING_PARAMETER", ("required",)),
    ("INVALID_PARAMETER", ("invalid",)),
    ("INVALID_PARAMETER", ("not a valid",)),
    ("INVALID_PARAMETER", ("not valid",)),
    ("INVALID_PARAMETER", ("malformed",)),
    ("INVALID_PARAMETER", ("format",)),
)

_BY_STATUS: dict[int, str] = {
    400: "INVALID_REQUEST",
    401: "INVALID_TOKEN",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    413: "PAYLOAD_TOO_LARGE",
}


def infer_code(message: str | None, http_status: int | None = None) -> str:
    """The error code for an error element or answer that carries none."""
    text = (message or "").lower()
    for code, words in _MESSAGE_HINTS:
        if all(w in text for w in words):
            return code
    if http_status is not None:
        if http_status in _BY_STATUS:
            return _BY_STATUS[http_status]
        if http_status >= 500:
            return "SERVER_ERROR"
    return "SERVER_ERROR"


def error_for_code(code: str) -> type[SalesNexusError]:
    """The error class for a server error code; unknown codes are server errors."""
    return _BY_CODE.get(code.strip().upper(), ServerError)


def is_offline(exc: BaseException) -> bool:
    """True when ``exc`` means "the server cannot be reached" rather than "it said no"."""
    return isinstance(exc, SalesNexusError) and bool(exc.offline)
