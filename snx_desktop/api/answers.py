"""Reading an exchange's outcome: the HTTP status, the answer's JSON, each call's element,
and a transport failure, each turned into a result, an error, a retry or a re-login.

Every call gets its own answer or its own error. A call without a usable answer is retried
if it is a read and fails with :class:`OutcomeUnknownError` if it is a write (see
:mod:`.retrypolicy`); ``INVALID_TOKEN`` sends the call through one sign-in.
"""

from __future__ import annotations

import copy
import json
import logging
import ssl
from collections.abc import Callable
from typing import Any

import httpx

from . import _wire, retrypolicy
from .batching import Leftover, PendingCall
from .errors import (
    ConnectionFailedError,
    InvalidLoginError,
    OutcomeUnknownError,
    PayloadTooLargeError,
    ProtocolError,
    RequestTimeoutError,
    SalesNexusError,
    ServerError,
    SessionExpiredError,
    error_for_code,
    infer_code,
)
from .results import (
    ResultShapeError,
    as_bool,
    as_text,
)

log = logging.getLogger("snx_desktop.api")

_DETAIL_LIMIT = 300


class _Missing:
    pass


MISSING: Any = _Missing()


class AnswerReader:
    """Settles calls from what one exchange brought back (a base of the transport)."""

    _url: httpx.URL
    _token: str | None
    _old_tokens: list[str]
    _online: bool | None
    _on_online_change: Callable[[bool], object] | None

    def _note_online(self, online: bool) -> None:
        if online == self._online:
            return
        self._online = online
        log.info("server %s is %s", self._url.host, "reachable" if online else "unreachable")
        if self._on_online_change is not None:
            try:
                self._on_online_change(online)
            except Exception:
                log.exception("online listener failed")

    def _unreadable(self, calls: list[PendingCall], exc: BaseException, left: Leftover) -> None:
        """The answer could not be read (``exc``): reads not settled yet go again, writes are
        of unknown outcome."""
        log.warning("the answer from %s could not be read: %s", self._url.host, type(exc).__name__)
        err = ProtocolError("The server's answer cannot be read.")
        err.__cause__ = exc
        waiting = {id(c) for c in left.retry} | {id(c) for c in left.relogin}
        for call in calls:
            if not call.future.done() and id(call) not in waiting:
                self._garbage(call, err, left)

    # --- classifying failures --------------------------------------------------------------------

    def _transport_failed(
        self, calls: list[PendingCall], exc: httpx.HTTPError, left: Leftover, *, sent_fully: bool
    ) -> None:
        host = self._url.host
        if isinstance(exc, httpx.ConnectError) and _is_certificate_error(exc):
            err: SalesNexusError = ConnectionFailedError(
                f"The security certificate of {host} could not be verified; the connection "
                "was refused. Check the server address (or the CA bundle in the settings).",
                code="CERTIFICATE",
            )
            err.offline = False  # the server answered; it is not who it should be
            err.retryable = False
            log.warning("TLS certificate of %s not verified", host)
            for call in calls:
                self._fail(call, err)
            return
        if not isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            self._note_online(False)
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
            err = ConnectionFailedError(
                f"Cannot reach the SalesNexus server at {host}. Check your connection."
            )
            log.info("connection to %s failed: %s", host, type(exc).__name__)
            for call in calls:
                self._retry(call, err, left)
            return
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            err = ConnectionFailedError(f"The server address cannot be used: {type(exc).__name__}.")
            for call in calls:
                self._fail(call, err)
            return
        if isinstance(exc, httpx.TimeoutException):
            err = RequestTimeoutError(f"The SalesNexus server at {host} did not answer in time.")
        else:
            err = ConnectionFailedError(
                f"The connection to the SalesNexus server at {host} was lost."
            )
        log.info("exchange with %s broke off: %s", host, type(exc).__name__)
        for call in calls:
            if retrypolicy.may_send_again(read=call.read, sent_fully=sent_fully):
                self._retry(call, err, left)
            else:
                self._fail(call, self._unknown(err))

    def _unknown(self, reason: SalesNexusError) -> OutcomeUnknownError:
        return OutcomeUnknownError(
            "The change was sent but the answer was lost "
            f"({reason.message.rstrip('.')}); it may or may not have been saved.",
            reason=reason,
            code=reason.code,
            http_status=reason.http_status,
        )

    def _retry(self, call: PendingCall, err: SalesNexusError, left: Leftover) -> None:
        call.last_error = err
        left.retry.append(call)

    def _garbage(self, call: PendingCall, err: SalesNexusError, left: Leftover) -> None:
        """No usable answer for this call: reads try again, writes are of unknown outcome."""
        if call.read:
            self._retry(call, err, left)
        else:
            self._fail(call, self._unknown(err))

    def _fail(self, call: PendingCall, err: BaseException) -> None:
        if call.future.done():
            return
        log.debug(
            "call %s (%s) failed: %s %s",
            call.function,
            call.request_id,
            type(err).__name__,
            getattr(err, "code", None) or "",
        )
        if isinstance(err, SalesNexusError):
            mine = copy.copy(err)
            mine.__cause__ = err.__cause__
            mine.function = call.function
            mine.request_id = call.request_id
            call.future.set_exception(mine)
        else:
            call.future.set_exception(err)

    def _scrub(self, text: str) -> str:
        text = _wire.scrub_text(text, [self._token, *self._old_tokens])
        if len(text) > _DETAIL_LIMIT:
            text = text[:_DETAIL_LIMIT] + "…"
        return text

    def _error_from(
        self, message: Any, code: Any, *, http_status: int | None = None
    ) -> SalesNexusError:
        detail = self._scrub(as_text(message).strip()) if message not in (None, "") else None
        code_text = as_text(code).strip().upper() or infer_code(detail, http_status)
        cls = error_for_code(code_text)
        human = cls.default_message
        if detail and cls not in (InvalidLoginError, SessionExpiredError):
            human = f"{human.rstrip('.')}: {detail}"
        return cls(human, code=code_text, detail=detail, http_status=http_status)

    # --- reading the answer ----------------------------------------------------------------------

    def _settle_response(
        self,
        calls: list[PendingCall],
        status: int,
        headers: httpx.Headers,
        body: bytes | bytearray,
        left: Leftover,
        token: str | None,
    ) -> None:
        if status == 429:
            # throttled: the server refused to run the calls, so writes may go again too
            left.retry_after = _wire.retry_after_seconds(headers.get("retry-after"))
            err: SalesNexusError = ServerError(
                "The SalesNexus server is busy. Please try again in a moment.",
                code="RATE_LIMITED",
                http_status=status,
            )
            for call in calls:
                self._retry(call, err, left)
            return
        if status >= 500 or status == 408:
            left.retry_after = _wire.retry_after_seconds(headers.get("retry-after"))
            message, code = _error_fields(body)
            err = (
                RequestTimeoutError(http_status=status, code=code or "TIMEOUT")
                if status == 408
                else ServerError(
                    f"The SalesNexus server had a problem (HTTP {status}). Please try again later.",
                    code=as_text(code).upper() or "SERVER_ERROR",
                    detail=self._scrub(as_text(message)) or None,
                    http_status=status,
                )
            )
            for call in calls:
                self._garbage(call, err, left)
            return
        if status == 413:
            message, code = _error_fields(body)
            err = PayloadTooLargeError(
                code=as_text(code).upper() or "PAYLOAD_TOO_LARGE",
                detail=self._scrub(as_text(message)) or None,
                http_status=status,
            )
            for call in calls:
                self._fail(call, err)
            return
        if status >= 300:
            message, code = _error_fields(body)
            if status == 404 and not code:
                err = ProtocolError(
                    "There is no SalesNexus API at this server address (HTTP 404).",
                    http_status=status,
                )
            elif status < 400:
                err = ProtocolError(
                    f"The server redirected the request (HTTP {status}); check the address.",
                    http_status=status,
                )
            else:
                err = self._error_from(message, code, http_status=status)
            if err.code == "INVALID_TOKEN":
                for call in calls:
                    self._token_refused(call, left)
                return
            for call in calls:
                self._fail(call, err)
            return

        try:
            data = json.loads(body)
        except Exception as exc:  # not JSON, invalid UTF-8, nested too deep, out of memory
            log.info("the answer is not readable JSON: %s", type(exc).__name__)
            err = ProtocolError(
                "The server's answer is not JSON."
                if isinstance(exc, ValueError)
                else "The server's answer cannot be read.",
                http_status=status,
            )
            for call in calls:
                self._garbage(call, err, left)
            return
        if isinstance(data, dict) and ("error" in data or "error-code" in data):
            err = self._error_from(data.get("error"), data.get("error-code"), http_status=status)
            if err.code == "INVALID_TOKEN":
                for call in calls:
                    self._token_refused(call, left)
                return
            for call in calls:
                if isinstance(err, ServerError):
                    self._garbage(call, err, left)
                else:
                    self._fail(call, err)
            return
        if not isinstance(data, list):
            err = ProtocolError("The server's answer is not a list of results.")
            for call in calls:
                self._garbage(call, err, left)
            return

        for call, element in self._route(calls, data):
            if element is MISSING:
                self._garbage(
                    call, ProtocolError("The server's answer has no result for this call."), left
                )
            else:
                try:
                    self._settle_element(call, element, left)
                except Exception as exc:  # this element only; the others are fine
                    self._unreadable([call], exc, left)

    def _route(self, calls: list[PendingCall], data: list[Any]) -> list[tuple[PendingCall, Any]]:
        """Pair each call with its answer element (``MISSING`` when there is none)."""
        if len(data) == len(calls) and all(
            isinstance(e, dict)
            and ("request-id" not in e or as_text(e.get("request-id")) == c.request_id)
            for c, e in zip(calls, data, strict=True)
        ):
            return list(zip(calls, data, strict=True))
        by_id: dict[str, Any] = {}
        duplicates: set[str] = set()
        for element in data:
            if isinstance(element, dict) and "request-id" in element:
                rid = as_text(element.get("request-id"))
                if rid in by_id:
                    duplicates.add(rid)
                by_id[rid] = element
        if len(data) == len(calls) and not by_id:
            return list(zip(calls, data, strict=True))  # non-object elements: settled one by one
        log.warning(
            "answer does not match the request: %d element(s) for %d call(s)",
            len(data),
            len(calls),
        )
        return [
            (
                c,
                by_id[c.request_id]
                if c.request_id in by_id and c.request_id not in duplicates
                else MISSING,
            )
            for c in calls
        ]

    def _token_refused(self, call: PendingCall, left: Leftover) -> None:
        if not call.needs_token and "login-token" in call.params:
            # a call with a token of its own (``token_owner``): refused, nothing to renew
            self._fail(call, SessionExpiredError(code="INVALID_TOKEN"))
        elif not call.needs_token:
            self._fail(call, ProtocolError("The server asked for a session on a public call."))
        elif call.relogged:
            self._fail(
                call,
                SessionExpiredError(
                    "The server refused the session right after signing in again.",
                    code="INVALID_TOKEN",
                ),
            )
        else:
            left.relogin.append(call)

    def _settle_element(self, call: PendingCall, element: Any, left: Leftover) -> None:
        if not isinstance(element, dict):
            self._garbage(call, ProtocolError("A result in the answer is not an object."), left)
            return
        if "error" in element or "error-code" in element:
            err = self._error_from(element.get("error"), element.get("error-code"))
            if err.code == "INVALID_TOKEN":
                self._token_refused(call, left)
            elif isinstance(err, ServerError) and call.read:
                self._retry(call, err, left)
            else:
                self._fail(call, err)
            return
        result = element.get("result")
        if isinstance(result, str):
            try:
                result = json.loads(result)
            except Exception:  # not JSON, nested too deep: no result object
                result = None
        if not isinstance(result, dict):
            self._garbage(call, ProtocolError("A result in the answer has no result object."), left)
            return
        success = result.get("success")
        if success is not None and not as_bool(success) and as_text(success).strip() != "":
            err = self._error_from(
                result.get("error") or result.get("message"), result.get("error-code")
            )
            if err.code == "INVALID_TOKEN":
                self._token_refused(call, left)
            elif isinstance(err, ServerError) and call.read:
                self._retry(call, err, left)
            else:
                self._fail(call, err)
            return
        try:
            value = call.parse(result)
        except (ResultShapeError, ValueError, TypeError, KeyError, AttributeError) as exc:
            self._garbage(
                call,
                ProtocolError(f"The server's answer cannot be read: {self._scrub(str(exc))}."),
                left,
            )
            return
        if not call.future.done():
            call.future.set_result(value)


def _is_certificate_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(exc)


def _error_fields(body: bytes | bytearray) -> tuple[Any, Any]:
    try:
        data = json.loads(body)
    except Exception:  # not JSON, nested too deep: no fields to tell
        return None, None
    if isinstance(data, dict):
        return data.get("error"), data.get("error-code")
    return None, None
