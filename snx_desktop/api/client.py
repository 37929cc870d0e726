"""The SalesNexus call-v1 client: typed calls, automatic batching, retries, re-login.

One :class:`SalesNexusClient` per account holds one ``httpx.AsyncClient``. Each call-v1
function is an async method. Calls issued in the same event-loop turn are sent together as
one POST (at most ``max_calls_per_request`` calls each); every caller gets its own answer or
its own error.

How a batch of calls is settled:

* Each answer element is routed to its call by request-id (by position when the server
  echoes no ids). A call without a usable answer is retried if it is a read, and fails with
  :class:`OutcomeUnknownError` if it is a write.
* ``INVALID_TOKEN`` sends the affected calls through one sign-in with the app's credentials
  provider, then replays them once.
* Connection failures before anything was sent are retried for every call; after sending,
  only reads are retried.
"""

from __future__ import annotations

import asyncio
import contextvars
import copy
import itertools
import json
import logging
import os
import random
import secrets
import ssl
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Generic, TypeVar, cast

import httpx

from . import _wire
from .errors import (
    ConnectionFailedError,
    InvalidLoginError,
    NotFoundError,
    OutcomeUnknownError,
    PayloadTooLargeError,
    PermissionDeniedError,
    ProtocolError,
    RequestTimeoutError,
    SalesNexusError,
    ServerError,
    SessionExpiredError,
    error_for_code,
    infer_code,
    is_offline,
)
from .results import (
    Activity,
    AddResult,
    Campaign,
    CompletedActivity,
    Contact,
    Created,
    DeleteResult,
    Document,
    Echo,
    FieldDef,
    Greeting,
    Group,
    ImportResult,
    Layout,
    Note,
    RecordList,
    ResultShapeError,
    SalesOpp,
    UpdateResult,
    User,
    as_bool,
    as_text,
    parse_record_list,
)
from .upload import Base64CallBody, BinarySource, ProgressCallback, UploadSource

__all__ = ["Batch", "CredentialsProvider", "SalesNexusClient"]

log = logging.getLogger("snx_desktop.api")

T = TypeVar("T")
CredentialsProvider = Callable[[], Awaitable[tuple[str, str] | None]]
TokenListener = Callable[[str | None], object]
DateLike = str | datetime

_current_batch: contextvars.ContextVar[Batch | None] = contextvars.ContextVar(
    "snx_current_batch", default=None
)

_PAGED = {
    "get-contacts": "get_contacts",
    "get-groups": "get_groups",
    "get-activities": "get_activities",
    "get-activities-for-group": "get_activities_for_group",
    "get-sales": "get_sales",
}

_DETAIL_LIMIT = 300


class _Call:
    """One call-v1 call on its way: parameters without the token, its parser and future."""

    __slots__ = (
        "attempts",
        "function",
        "future",
        "last_error",
        "needs_token",
        "params",
        "parse",
        "read",
        "relogged",
        "request_id",
    )

    def __init__(
        self,
        function: str,
        params: dict[str, Any],
        parse: Callable[[dict[str, Any]], Any],
        future: asyncio.Future[Any],
        request_id: str,
    ) -> None:
        self.function = function
        self.params = params
        self.parse = parse
        self.future = future
        self.request_id = request_id
        self.read = _wire.is_read(function)
        self.needs_token = _wire.needs_token(function)
        self.attempts = 0
        self.relogged = False
        self.last_error: SalesNexusError | None = None


@dataclass
class _Leftover:
    """What one exchange could not settle."""

    retry: list[_Call] = field(default_factory=list)
    relogin: list[_Call] = field(default_factory=list)
    retry_after: float | None = None
    token_used: str | None = None


class Batch:
    """Explicit grouping: calls added with :meth:`add` go out together when the block ends.

    >>> async with client.batch() as b:
    ...     info = b.add(client.get_contact_info(cid))
    ...     notes = b.add(client.get_notes_for_contact(cid))
    >>> info.result(), notes.result()
    """

    def __init__(self, client: SalesNexusClient) -> None:
        self._client = client
        self._calls: list[_Call] = []
        self._tasks: list[asyncio.Task[Any]] = []
        self._reached: set[asyncio.Task[Any]] = set()
        self._open = False

    @property
    def is_open(self) -> bool:
        return self._open

    def add(self, awaitable: Awaitable[T]) -> asyncio.Task[T]:
        """Start a client call as a task whose call joins this batch."""
        if not self._open:
            if asyncio.iscoroutine(awaitable):
                awaitable.close()
            raise RuntimeError("Batch.add() is only possible inside 'async with client.batch()'")
        loop = asyncio.get_running_loop()
        ctx = contextvars.copy_context()
        ctx.run(_current_batch.set, self)
        task: asyncio.Task[T] = ctx.run(loop.create_task, _as_coroutine(awaitable))
        self._tasks.append(task)
        return task

    async def __aenter__(self) -> Batch:
        self._open = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            # let every added task run up to the point where it issues its call
            for _ in range(1000):
                if all(t.done() or t in self._reached for t in self._tasks):
                    break
                await asyncio.sleep(0)
            self._open = False
            calls, self._calls = self._calls, []
            self._client._dispatch(calls)
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
        except asyncio.CancelledError:
            self._open = False
            for task in self._tasks:
                task.cancel()
            raise

    def _take(self, call: _Call) -> None:
        self._calls.append(call)
        task = asyncio.current_task()
        if task is not None:
            self._reached.add(task)


async def _as_coroutine(awaitable: Awaitable[T]) -> T:
    return await awaitable


_default_ssl: ssl.SSLContext | None = None
_default_ssl_lock = threading.Lock()
_prewarm_started = False


def _ssl_context(ca_bundle: str | os.PathLike[str] | None) -> ssl.SSLContext:
    """System CAs plus certifi's, plus ``ca_bundle``; verification is always on.

    The context without an extra bundle is built once and shared (it is read-only after)."""
    global _default_ssl
    if ca_bundle is not None:
        return _build_ssl_context(ca_bundle)
    with _default_ssl_lock:
        if _default_ssl is None:
            _default_ssl = _build_ssl_context(None)
        return _default_ssl


def _prewarm_ssl_context() -> None:
    """Build the shared context in a worker thread (loading the CA files takes ~50-70 ms, most
    of it outside the GIL), so that the first request rarely waits for it."""
    global _prewarm_started
    if _default_ssl is not None or _prewarm_started:
        return
    _prewarm_started = True

    def build() -> None:
        try:
            _ssl_context(None)
        except Exception:  # pragma: no cover - the first request builds it again and reports
            log.debug("building the TLS context in advance failed", exc_info=True)

    threading.Thread(target=build, name="snx-tls-context", daemon=True).start()


def _build_ssl_context(ca_bundle: str | os.PathLike[str] | None) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    try:
        import certifi

        ctx.load_verify_locations(certifi.where())
    except (ImportError, OSError, ssl.SSLError):  # pragma: no cover - depends on the machine
        log.debug("certifi bundle not loaded; using the system's certificates")
    if ca_bundle is not None:
        ctx.load_verify_locations(os.fspath(ca_bundle))
    return ctx


class SalesNexusClient:
    """Async client for the SalesNexus ``call-v1`` API (see the module docstring).

    TLS certificates are always verified (system CAs, certifi's, plus ``ca_bundle``). Plain
    ``http://`` is accepted only for this machine: ``localhost`` itself and literal loopback
    addresses (127.0.0.0/8, ::1), not other names such as ``*.localhost`` (a resolver need not
    map them to loopback), unless ``allow_insecure_http=True`` is passed, for a server on a
    trusted network; otherwise the constructor raises :class:`InsecureURLError`, whose text
    says to use https:// or http://127.0.0.1.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        credentials: CredentialsProvider | None = None,
        on_token_change: TokenListener | None = None,
        on_online_change: Callable[[bool], object] | None = None,
        timeout: float = 30.0,
        max_calls_per_request: int = 50,
        retries: int = 3,
        backoff: float = 0.25,
        backoff_max: float = 8.0,
        max_retry_after: float = 60.0,
        ca_bundle: str | os.PathLike[str] | None = None,
        allow_insecure_http: bool = False,
        user_agent: str | None = None,
    ) -> None:
        self._url = _wire.check_url(
            _wire.endpoint_url(base_url), allow_insecure_http=allow_insecure_http
        )
        self._allow_insecure_http = allow_insecure_http
        if max_calls_per_request < 1:
            raise ValueError("max_calls_per_request must be at least 1")
        self._token = token or None
        self._credentials = credentials
        self._on_token_change = on_token_change
        self._on_online_change = on_online_change
        self._online: bool | None = None
        self._max_calls = max_calls_per_request
        self._retries = max(0, retries)
        self._backoff = max(0.0, backoff)
        self._backoff_max = max(0.0, backoff_max)
        self._max_retry_after = max(0.0, max_retry_after)
        from snx_desktop import __version__

        self._headers = {
            "Accept": "application/json",
            "User-Agent": user_agent or f"SalesNexusDesktop/{__version__}",
        }
        self._transport = transport
        # a bad extra bundle fails here, as it always did
        self._ssl: ssl.SSLContext | None = (
            _ssl_context(ca_bundle) if ca_bundle is not None else None
        )
        self._timeout = timeout
        # built on first use (`http`): the TLS context costs tens of ms, which a start-up
        # that shows the cache first need not wait for; the shared one is prepared meanwhile
        self._http_client: httpx.AsyncClient | None = None
        _prewarm_ssl_context()
        self._queue: list[_Call] = []
        self._flush_scheduled = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._login_lock: asyncio.Lock | None = None
        self._rid_prefix = secrets.token_hex(3)
        self._rid_counter = itertools.count(1)
        self._old_tokens: list[str] = []
        self._closed = False
        #: POSTs sent to call-v1 (for diagnostics and benchmarks)
        self.requests_sent = 0

    # --- properties and lifecycle --------------------------------------------------------------

    @property
    def token(self) -> str | None:
        return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        self._set_token(value or None, notify=False)

    @property
    def base_url(self) -> str:
        return str(self._url)

    @property
    def signed_in(self) -> bool:
        return self._token is not None

    @property
    def online(self) -> bool | None:
        """Whether the last exchange reached the server (None before the first one)."""
        return self._online

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

    @property
    def http(self) -> httpx.AsyncClient:
        """The shared ``httpx.AsyncClient`` (for callers that need plain HTTP too); made on
        first use."""
        if self._http_client is None:
            self._http_client = httpx.AsyncClient(
                transport=self._transport,
                verify=self._ssl or _ssl_context(None),
                timeout=httpx.Timeout(self._timeout),
                headers=self._headers,
                follow_redirects=False,
            )
        return self._http_client

    async def __aenter__(self) -> SalesNexusClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Fail calls not yet answered, stop in-flight requests, close the connections."""
        self._closed = True
        closed = ConnectionFailedError("The connection to the server was closed.")
        for call in self._queue:
            self._fail(call, closed)
        self._queue.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._http_client is not None:
            await self._http_client.aclose()
        elif self._transport is not None:
            await self._transport.aclose()  # as closing the AsyncClient would have

    def batch(self) -> Batch:
        """An explicit batch: ``async with client.batch() as b: t = b.add(client.x(...))``."""
        return Batch(self)

    # --- sessions --------------------------------------------------------------------------------

    async def login(self, email: str, password: str) -> str:
        """Sign in with e-mail and password; the token is kept and returned."""
        call = self._new_call(
            "get-login-token",
            {"email-address": email, "password": password},
            _parse_login_token,
        )
        await self._drive([call])
        failure = call.future.exception()
        if isinstance(failure, SalesNexusError):
            # a server may quote what it was sent; never let the password through
            failure.message = _wire.scrub_text(failure.message, [password, email])
            failure.args = (failure.message,)
            if failure.detail:
                failure.detail = _wire.scrub_text(failure.detail, [password])
            raise failure
        token = cast(str, call.future.result())
        self._set_token(token, notify=True)
        log.info("signed in to %s", self._url.host)
        return token

    async def token_owner(self, token: str) -> str | None:
        """The user id a login token belongs to, as the server reports it, without using the
        token for anything else.

        Asks ``get-user-layouts`` with ``token`` (the layouts of the token's user, each naming
        its user) and returns their one owner, lower-case; None when the answer names no
        owner or several. The client's own token is left as it was, so nothing else goes out
        with ``token`` meanwhile (see :meth:`use_token`). Raises :class:`SessionExpiredError`
        when the server refuses the token, and the usual errors when it cannot be reached.
        """
        token = token.strip()
        if not token:
            raise SessionExpiredError(code="INVALID_TOKEN")
        call = self._new_call(
            "get-user-layouts", {"login-token": token}, _lister("layout", Layout.parse)
        )
        call.needs_token = False  # it carries its own token, never the client's
        await self._drive([call])
        failure = call.future.exception()
        if isinstance(failure, SalesNexusError):
            failure.message = _wire.scrub_text(failure.message, [token])
            failure.args = (failure.message,)
            if failure.detail:
                failure.detail = _wire.scrub_text(failure.detail, [token])
            raise failure
        layouts = cast(RecordList[Layout], call.future.result())
        owners = {layout.user_id for layout in layouts.items if layout.user_id}
        return owners.pop() if len(owners) == 1 else None

    def use_token(self, token: str) -> None:
        """Go on with ``token`` (a renewed sign-in) for every call sent from now on; the
        token listener is told, as after :meth:`login`."""
        self._set_token(token.strip() or None, notify=True)

    def _set_token(self, token: str | None, *, notify: bool) -> None:
        if self._token and self._token != token:
            self._old_tokens = [*self._old_tokens[-3:], self._token]
        self._token = token
        if notify and self._on_token_change is not None:
            try:
                self._on_token_change(token)
            except Exception:
                log.exception("token listener failed")

    async def _relogin(self, token_used: str | None) -> None:
        """One sign-in through the credentials provider, shared by concurrent callers."""
        if self._login_lock is None:
            self._login_lock = asyncio.Lock()
        async with self._login_lock:
            if self._token is not None and self._token != token_used:
                return  # another caller signed in already
            if self._credentials is None:
                if token_used is None:
                    raise SessionExpiredError(
                        "You are not signed in to SalesNexus.", code="NOT_SIGNED_IN"
                    )
                raise SessionExpiredError(code="INVALID_TOKEN")
            try:
                creds = await self._credentials()
            except SalesNexusError:
                raise
            except Exception as exc:
                log.exception("credentials provider failed")
                raise SessionExpiredError(code="INVALID_TOKEN") from exc
            if creds is None:
                raise SessionExpiredError(code="INVALID_TOKEN")
            email, password = creds
            try:
                await self.login(email, password)
            except InvalidLoginError as exc:
                raise SessionExpiredError(
                    "Your session expired and signing in again failed: the saved e-mail "
                    "address or password is not correct.",
                    code="INVALID_TOKEN",
                ) from exc

    # --- generic call ----------------------------------------------------------------------------

    async def call(self, function: str, parameters: Mapping[str, Any] | None = None) -> Any:
        """Any call-v1 function by name; returns the raw ``result`` map. Values are sent as
        given after the usual conversion (numbers and booleans as strings)."""
        return await self._call(function, _wire.wire_value(dict(parameters or {})), _identity)

    def _new_call(
        self, function: str, params: dict[str, Any], parse: Callable[[dict[str, Any]], Any]
    ) -> _Call:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        rid = f"snx-{self._rid_prefix}-{next(self._rid_counter)}"
        return _Call(function, params, parse, future, rid)

    async def _call(
        self, function: str, params: dict[str, Any], parse: Callable[[dict[str, Any]], T]
    ) -> T:
        if self._closed:
            raise ConnectionFailedError("The client is closed.", function=function)
        call = self._new_call(function, params, parse)
        self._enqueue(call)
        return cast(T, await call.future)

    def _enqueue(self, call: _Call) -> None:
        batch = _current_batch.get()
        if batch is not None and batch._client is self and batch.is_open:
            batch._take(call)
            return
        self._queue.append(call)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            # two hops: every task started in this turn issues its call before we send
            asyncio.get_running_loop().call_soon(self._flush_soon)

    def _flush_soon(self) -> None:
        asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        calls, self._queue = self._queue, []
        self._dispatch(calls)

    def _dispatch(self, calls: list[_Call]) -> None:
        calls = [c for c in calls if not c.future.done()]
        for i in range(0, len(calls), self._max_calls):
            self._spawn(self._drive(calls[i : i + self._max_calls]))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- driving a group of calls to completion --------------------------------------------------

    async def _drive(self, calls: list[_Call], upload: _UploadJob | None = None) -> None:
        """Send ``calls`` (one request), then retry / re-login what is left until every call
        is settled. Never raises for a call's failure: each future carries its own."""
        try:
            pending = calls
            while pending:
                left = await self._exchange(pending, upload)
                following: list[_Call] = []
                if left.relogin:
                    try:
                        await self._relogin(left.token_used)
                    except SalesNexusError as exc:
                        for call in left.relogin:
                            self._fail(call, exc)
                    else:
                        for call in left.relogin:
                            call.relogged = True
                            if upload is not None and not upload.source.rewindable:
                                self._fail(
                                    call,
                                    SessionExpiredError(
                                        "You were signed in again; the file needs to be sent "
                                        "again.",
                                        code="INVALID_TOKEN",
                                    ),
                                )
                            else:
                                following.append(call)
                if left.retry:
                    again: list[_Call] = []
                    for call in left.retry:
                        if call.attempts < self._retries and not self._closed:
                            call.attempts += 1
                            again.append(call)
                        else:
                            self._fail(call, call.last_error or ProtocolError())
                    if again:
                        delay = self._delay(max(c.attempts for c in again), left.retry_after)
                        log.debug(
                            "retrying %d call(s) in %.2fs: %s",
                            len(again),
                            delay,
                            ", ".join(sorted({c.function for c in again})),
                        )
                        if delay > 0:
                            await asyncio.sleep(delay)
                        following.extend(again)
                pending = [c for c in following if not c.future.done()]
        except asyncio.CancelledError:
            closed = ConnectionFailedError("The connection to the server was closed.")
            for call in calls:
                if self._closed and upload is None:
                    self._fail(call, closed)  # the caller is still waiting: tell it why
                elif not call.future.done():
                    call.future.cancel()
            raise
        except BaseException as exc:  # a bug must not leave a caller waiting for ever
            log.exception("unexpected failure while sending calls")
            for call in calls:
                self._fail(
                    call,
                    ProtocolError(f"The request failed unexpectedly ({self._scrub(repr(exc))})."),
                )

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        ceiling = min(self._backoff_max, self._backoff * (2 ** max(0, attempt - 1)))
        delay = random.uniform(ceiling / 2, ceiling) if ceiling > 0 else 0.0
        if retry_after is not None:
            delay = max(delay, min(retry_after, self._max_retry_after))
        return delay

    async def _exchange(self, calls: list[_Call], upload: _UploadJob | None) -> _Leftover:
        left = _Leftover(token_used=self._token)
        token = self._token
        if token is None:
            tokenless = [c for c in calls if c.needs_token]
            if tokenless:
                # no session yet: sign in through the provider (or fail) first
                calls = [c for c in calls if not c.needs_token]
                for call in tokenless:
                    if call.relogged or self._credentials is None:
                        self._fail(
                            call,
                            SessionExpiredError(
                                "You are not signed in to SalesNexus.", code="NOT_SIGNED_IN"
                            ),
                        )
                    else:
                        left.relogin.append(call)
                if not calls:
                    return left

        body_items = []
        for call in calls:
            parameters = dict(call.params)
            if call.needs_token and token is not None:
                parameters = {"login-token": token, **parameters}
            item: dict[str, Any] = {"function": call.function, "request-id": call.request_id}
            if parameters:
                item["parameters"] = parameters
            body_items.append(item)

        started = time.perf_counter()
        stream: Base64CallBody | None = None
        try:
            if upload is not None:
                call = calls[0]
                parameters = dict(body_items[0].get("parameters", {}))
                stream = Base64CallBody.for_call(
                    call.function, parameters, call.request_id, upload.source, upload.progress
                )
                log.debug(
                    "POST upload %s (%d bytes, body %d) rid=%s",
                    call.function,
                    upload.source.size,
                    stream.length,
                    call.request_id,
                )
                self.requests_sent += 1
                response = await self.http.post(
                    self._url,
                    content=stream,
                    headers={
                        "Content-Type": "application/json",
                        "Content-Length": str(stream.length),
                    },
                )
            else:
                content = json.dumps(body_items, ensure_ascii=False, separators=(",", ":"))
                if log.isEnabledFor(logging.DEBUG):
                    log.debug("POST %d call(s): %s", len(calls), _wire.short_json(body_items))
                self.requests_sent += 1
                response = await self.http.post(
                    self._url,
                    content=content.encode("utf-8"),
                    headers={"Content-Type": "application/json"},
                )
        except httpx.HTTPError as exc:
            sent_fully = stream is None or stream.finished
            self._transport_failed(calls, exc, left, sent_fully=sent_fully)
            return left
        except ConnectionError as exc:
            # a transport that reports a lost connection as the OS error itself (an in-process
            # ASGI transport, e.g. the sandbox's drop fault): the same as the server closing it
            sent_fully = stream is None or stream.finished
            lost = httpx.RemoteProtocolError(f"connection lost: {type(exc).__name__}")
            self._transport_failed(calls, lost, left, sent_fully=sent_fully)
            return left
        except OSError as exc:
            if stream is None:
                raise
            # reading the local file failed (it shrank, a disk error): the request was cut
            # short, so the server stored nothing; the caller gets the OSError itself
            log.info("upload stopped: the local file could not be read (%s)", type(exc).__name__)
            for call in calls:
                if not call.future.done():
                    call.future.set_exception(exc)
            return left
        elapsed = time.perf_counter() - started
        self._note_online(True)
        log.debug(
            "answer HTTP %d, %d bytes in %.3fs",
            response.status_code,
            len(response.content),
            elapsed,
        )
        self._settle_response(calls, response, left, token)
        return left

    # --- classifying failures --------------------------------------------------------------------

    def _transport_failed(
        self, calls: list[_Call], exc: httpx.HTTPError, left: _Leftover, *, sent_fully: bool
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
            if call.read or not sent_fully:
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

    def _retry(self, call: _Call, err: SalesNexusError, left: _Leftover) -> None:
        call.last_error = err
        left.retry.append(call)

    def _garbage(self, call: _Call, err: SalesNexusError, left: _Leftover) -> None:
        """No usable answer for this call: reads try again, writes are of unknown outcome."""
        if call.read:
            self._retry(call, err, left)
        else:
            self._fail(call, self._unknown(err))

    def _fail(self, call: _Call, err: BaseException) -> None:
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
        self, calls: list[_Call], response: httpx.Response, left: _Leftover, token: str | None
    ) -> None:
        status = response.status_code
        if status == 429:
            # throttled: the server refused to run the calls, so writes may go again too
            left.retry_after = _wire.retry_after_seconds(response.headers.get("retry-after"))
            err: SalesNexusError = ServerError(
                "The SalesNexus server is busy. Please try again in a moment.",
                code="RATE_LIMITED",
                http_status=status,
            )
            for call in calls:
                self._retry(call, err, left)
            return
        if status >= 500 or status == 408:
            left.retry_after = _wire.retry_after_seconds(response.headers.get("retry-after"))
            message, code = _error_fields(response)
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
            message, code = _error_fields(response)
            err = PayloadTooLargeError(
                code=as_text(code).upper() or "PAYLOAD_TOO_LARGE",
                detail=self._scrub(as_text(message)) or None,
                http_status=status,
            )
            for call in calls:
                self._fail(call, err)
            return
        if status >= 300:
            message, code = _error_fields(response)
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
            data = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            err = ProtocolError("The server's answer is not JSON.", http_status=status)
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
            if element is _MISSING:
                self._garbage(
                    call, ProtocolError("The server's answer has no result for this call."), left
                )
            else:
                self._settle_element(call, element, left)

    def _route(self, calls: list[_Call], data: list[Any]) -> list[tuple[_Call, Any]]:
        """Pair each call with its answer element (``_MISSING`` when there is none)."""
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
                else _MISSING,
            )
            for c in calls
        ]

    def _token_refused(self, call: _Call, left: _Leftover) -> None:
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

    def _settle_element(self, call: _Call, element: Any, left: _Leftover) -> None:
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
            except ValueError:
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

    async def probe(self) -> bool:
        """One ``greet`` sent at once, without retries: True when the server answered (even
        with an error), False when it could not be reached. Never raises for network
        trouble; updates :attr:`online`. For the periodic online check."""
        if self._closed:
            return False
        call = self._new_call("greet", {}, Greeting.parse)
        call.attempts = self._retries  # no retries
        await self._drive([call])
        failure = call.future.exception()
        return failure is None or not is_offline(failure)

    # --- calls: session-free ---------------------------------------------------------------------

    async def greet(self) -> Greeting:
        return await self._call("greet", {}, Greeting.parse)

    async def echo(self, data: str) -> Echo:
        return await self._call("echo", _wire.params(data=data), Echo.parse)

    # --- fields, layouts, users ------------------------------------------------------------------

    async def get_all_fields(self) -> RecordList[FieldDef]:
        return await self._call("get-all-fields", {}, _lister("field", FieldDef.parse))

    async def get_user_layouts(self) -> RecordList[Layout]:
        return await self._call("get-user-layouts", {}, _lister("layout", Layout.parse))

    async def get_users(self) -> RecordList[User]:
        return await self._call("get-users", {}, _lister("user", User.parse))

    # --- contacts --------------------------------------------------------------------------------

    async def create_contact(self, *, contact_field_data: Mapping[Any, Any]) -> Created:
        return await self._call(
            "create-contact",
            _wire.params(contact_field_data=contact_field_data),
            Created.parser("contact-id"),
        )

    async def get_contacts(
        self,
        *,
        filter_value: str | None = None,
        start_after: int | str | None = None,
        page_size: int | str | None = None,
    ) -> RecordList[Contact]:
        return await self._call(
            "get-contacts",
            _wire.params(filter_value=filter_value, start_after=start_after, page_size=page_size),
            _lister("contact", Contact.parse, start_after),
        )

    async def get_contact_info(self, contact_id: str) -> Contact:
        return await self._call(
            "get-contact-info", _wire.params(contact_id=contact_id), Contact.parse_info
        )

    async def get_notes_for_contact(self, contact_id: str) -> RecordList[Note]:
        return await self._call(
            "get-notes-for-contact",
            _wire.params(contact_id=contact_id),
            _lister("note", Note.parse),
        )

    async def get_sales_for_contact(self, contact_id: str) -> RecordList[SalesOpp]:
        return await self._call(
            "get-sales-for-contact",
            _wire.params(contact_id=contact_id),
            _lister("sales", SalesOpp.parse),
        )

    async def update_contact(
        self,
        *,
        match_by_field_data: Mapping[Any, Any],
        contact_field_data: Mapping[Any, Any],
        create_if_not_updated: bool | None = None,
    ) -> UpdateResult:
        return await self._call(
            "update-contact",
            _wire.params(
                match_by_field_data=match_by_field_data,
                create_if_not_updated=create_if_not_updated,
                contact_field_data=contact_field_data,
            ),
            UpdateResult.parser("contact-ids"),
        )

    async def delete_contacts(self, contact_ids_to_delete: Sequence[str]) -> DeleteResult:
        return await self._call(
            "delete-contacts",
            _wire.params(contact_ids_to_delete=_id_list(contact_ids_to_delete)),
            DeleteResult.parse,
        )

    async def import_contacts(
        self,
        contacts: Sequence[Mapping[Any, Any]],
        *,
        create_if_not_updated: bool | None = None,
        match_nulls: bool | None = None,
    ) -> ImportResult:
        rows = [_import_row(row) for row in contacts]
        encoded = json.dumps(rows, ensure_ascii=False)
        return await self._call(
            "import-contacts",
            _wire.params(
                contacts=encoded,
                create_if_not_updated=create_if_not_updated,
                match_nulls=match_nulls,
            ),
            ImportResult.parse,
        )

    async def get_docs_for_contact(self, contact_id: str) -> RecordList[Document]:
        return await self._call(
            "get-docs-for-contact",
            _wire.params(contact_id=contact_id),
            _lister("document", Document.parse),
        )

    async def add_doc_to_contact(
        self,
        contact_id: str,
        file_name: str,
        source: str | os.PathLike[str] | BinarySource,
        *,
        progress: ProgressCallback | None = None,
        size: int | None = None,
    ) -> Created:
        """Upload a file (path or binary stream) in a request of its own, base64 streamed.

        ``progress(sent, total)`` counts file bytes. Cancel the awaiting task to stop.
        """
        if self._closed:
            raise ConnectionFailedError("The client is closed.", function="add-doc-to-contact")
        job = _UploadJob(UploadSource(source, size), progress)
        call = self._new_call(
            "add-doc-to-contact",
            _wire.params(contact_id=contact_id, file_name=file_name),
            Created.parser("document-id"),
        )
        if not job.source.rewindable:
            call.attempts = self._retries  # a one-shot stream cannot be sent again
        await self._drive([call], upload=job)
        return cast(Created, call.future.result())

    # --- groups ----------------------------------------------------------------------------------

    async def get_groups(
        self,
        *,
        filter_value: str | None = None,
        start_after: int | str | None = None,
        page_size: int | str | None = None,
    ) -> RecordList[Group]:
        return await self._call(
            "get-groups",
            _wire.params(filter_value=filter_value, start_after=start_after, page_size=page_size),
            _lister("group", Group.parse, start_after),
        )

    async def get_group_info(self, group_id: str) -> Group:
        return await self._call("get-group-info", _wire.params(group_id=group_id), Group.parse_info)

    async def get_activities_for_group(
        self,
        group_id: str,
        *,
        start_after: int | str | None = None,
        page_size: int | str | None = None,
    ) -> RecordList[Activity]:
        return await self._call(
            "get-activities-for-group",
            _wire.params(group_id=group_id, start_after=start_after, page_size=page_size),
            _lister("activity", Activity.parse, start_after),
        )

    async def get_sales_for_group(self, group_id: str) -> RecordList[SalesOpp]:
        return await self._call(
            "get-sales-for-group", _wire.params(group_id=group_id), _lister("sales", SalesOpp.parse)
        )

    async def get_notes_for_group(self, group_id: str) -> RecordList[Note]:
        return await self._call(
            "get-notes-for-group", _wire.params(group_id=group_id), _lister("note", Note.parse)
        )

    async def update_group(
        self,
        *,
        match_by_field_data: Mapping[Any, Any],
        group_field_data: Mapping[Any, Any],
        create_if_not_updated: bool | None = None,
    ) -> UpdateResult:
        return await self._call(
            "update-group",
            _wire.params(
                match_by_field_data=match_by_field_data,
                create_if_not_updated=create_if_not_updated,
                group_field_data=group_field_data,
            ),
            UpdateResult.parser("group-ids"),
        )

    async def delete_groups(self, group_ids_to_delete: Sequence[str]) -> DeleteResult:
        return await self._call(
            "delete-groups",
            _wire.params(group_ids_to_delete=_id_list(group_ids_to_delete)),
            DeleteResult.parse,
        )

    async def create_note_for_group(
        self,
        *,
        details: str,
        group_id: str,
        user_id: str | None = None,
        type: int | str | None = None,
    ) -> Created:
        return await self._call(
            "create-note-for-group",
            _wire.params(details=details, group_id=group_id, user_id=user_id, type=type),
            Created.parser("note-id"),
        )

    async def create_activity_for_group(
        self,
        group_id: str,
        *,
        schedule_with: str | None = None,
        regarding: str | None = None,
        schedule_for: str | None = None,
        details: str | None = None,
        color: str | None = None,
        start_time: DateLike | None = None,
        end_time: DateLike | None = None,
        type: str | None = None,
        timeless: bool | None = None,
    ) -> Created:
        return await self._call(
            "create-activity-for-group",
            _wire.params(
                group_id=group_id,
                schedule_with=schedule_with,
                regarding=regarding,
                schedule_for=schedule_for,
                details=details,
                color=color,
                start_time=start_time,
                end_time=end_time,
                type=type,
                timeless=timeless,
            ),
            Created.parser("activity-id"),
        )

    async def get_contacts_for_group(self, group_id: str) -> RecordList[Contact]:
        return await self._call(
            "get-contacts-for-group",
            _wire.params(group_id=group_id),
            _lister("contact", Contact.parse),
        )

    async def add_contacts_to_group(self, group_id: str, contact_ids: Sequence[str]) -> AddResult:
        return await self._call(
            "add-contacts-to-group",
            _wire.params(group_id=group_id, contact_ids=_id_list(contact_ids)),
            AddResult.parse,
        )

    # --- activities ------------------------------------------------------------------------------

    async def get_activities(
        self,
        *,
        filter_value: str | None = None,
        start_after: int | str | None = None,
        page_size: int | str | None = None,
        user_id: str | None = None,
    ) -> RecordList[Activity]:
        return await self._call(
            "get-activities",
            _wire.params(
                filter_value=filter_value,
                start_after=start_after,
                page_size=page_size,
                user_id=user_id,
            ),
            _lister("activity", Activity.parse, start_after),
        )

    async def create_activity(
        self,
        *,
        schedule_with: str | None = None,
        regarding: str | None = None,
        schedule_for: str | None = None,
        details: str | None = None,
        color: str | None = None,
        start_time: DateLike | None = None,
        end_time: DateLike | None = None,
        type: str | None = None,
        timeless: bool | None = None,
    ) -> Created:
        return await self._call(
            "create-activity",
            _wire.params(
                schedule_with=schedule_with,
                regarding=regarding,
                schedule_for=schedule_for,
                details=details,
                color=color,
                start_time=start_time,
                end_time=end_time,
                type=type,
                timeless=timeless,
            ),
            Created.parser("activity-id"),
        )

    async def update_activity(
        self,
        activity_id: str,
        *,
        schedule_with: str | None = None,
        regarding: str | None = None,
        schedule_for: str | None = None,
        details: str | None = None,
        color: str | None = None,
        start_time: DateLike | None = None,
        end_time: DateLike | None = None,
        type: str | None = None,
        timeless: bool | None = None,
    ) -> Created:
        return await self._call(
            "update-activity",
            _wire.params(
                activity_id=activity_id,
                schedule_with=schedule_with,
                regarding=regarding,
                schedule_for=schedule_for,
                details=details,
                color=color,
                start_time=start_time,
                end_time=end_time,
                type=type,
                timeless=timeless,
            ),
            Created.parser("activity-id"),
        )

    async def complete_activity(
        self,
        activity_id: str,
        *,
        schedule_with: str | None = None,
        regarding: str | None = None,
        schedule_for: str | None = None,
        type: str | None = None,
        details: str | None = None,
        color: str | None = None,
        result: str | None = None,
    ) -> CompletedActivity:
        return await self._call(
            "complete-activity",
            _wire.params(
                activity_id=activity_id,
                schedule_with=schedule_with,
                regarding=regarding,
                schedule_for=schedule_for,
                type=type,
                details=details,
                color=color,
                result=result,
            ),
            CompletedActivity.parse,
        )

    async def get_activity_info(self, activity_id: str) -> Activity:
        return await self._call(
            "get-activity-info", _wire.params(activity_id=activity_id), Activity.parse_info
        )

    # --- campaigns, sales, notes -----------------------------------------------------------------

    async def get_campaigns(self) -> RecordList[Campaign]:
        return await self._call("get-campaigns", {}, _lister("campaign", Campaign.parse))

    async def add_to_campaign(self, campaign_id: str, contact_ids: Sequence[str]) -> AddResult:
        return await self._call(
            "add-to-campaign",
            _wire.params(campaign_id=campaign_id, contact_ids=_id_list(contact_ids)),
            AddResult.parse,
        )

    async def get_sales(
        self,
        *,
        filter_value: str | None = None,
        start_after: int | str | None = None,
        page_size: int | str | None = None,
    ) -> RecordList[SalesOpp]:
        return await self._call(
            "get-sales",
            _wire.params(start_after=start_after, page_size=page_size, filter_value=filter_value),
            _lister("sales", SalesOpp.parse, start_after),
        )

    async def create_sales_opp(self, *, sales_field_data: Mapping[Any, Any]) -> Created:
        return await self._call(
            "create-sales-opp",
            _wire.params(sales_field_data=sales_field_data),
            Created.parser("sales-id"),
        )

    async def create_note(
        self,
        *,
        details: str,
        contact_id: str,
        user_id: str | None = None,
        type: int | str | None = None,
    ) -> Created:
        return await self._call(
            "create-note",
            _wire.params(details=details, contact_id=contact_id, user_id=user_id, type=type),
            Created.parser("note-id"),
        )

    # --- paging ----------------------------------------------------------------------------------

    async def iter_pages(
        self,
        function: str,
        *,
        page_size: int = 200,
        start_after: int = 0,
        **parameters: Any,
    ) -> AsyncIterator[RecordList[Any]]:
        """Pages of a paged list function (``get-contacts``, ``get-groups``,
        ``get-activities``, ``get-activities-for-group`` with ``group_id=``, ``get-sales``),
        from ``start_after`` until the list's end. Extra keywords go to the method."""
        method_name = _PAGED.get(function) or _PAGED.get(function.replace("_", "-"))
        if method_name is None:
            raise ValueError(f"{function!r} is not a paged list function")
        method = getattr(self, method_name)
        offset = start_after
        while True:
            page: RecordList[Any] = await method(
                start_after=offset, page_size=page_size, **parameters
            )
            if not page.items:
                return
            yield page
            advanced = offset + len(page.items)
            if advanced >= page.total or advanced <= offset:
                return
            offset = advanced

    async def iter_records(
        self, function: str, *, page_size: int = 200, start_after: int = 0, **parameters: Any
    ) -> AsyncIterator[Any]:
        """The records of :meth:`iter_pages`, one by one."""
        async for page in self.iter_pages(
            function, page_size=page_size, start_after=start_after, **parameters
        ):
            for item in page.items:
                yield item

    # --- download --------------------------------------------------------------------------------

    async def download_document(
        self,
        url: str,
        dest: str | os.PathLike[str] | IO[bytes],
        progress: Callable[[int, int | None], object] | None = None,
    ) -> int:
        """Stream a document's ``url`` to ``dest`` (path or binary stream); bytes written."""
        target = self._url.join(url)
        if not isinstance(target, httpx.URL):  # pragma: no cover - httpx always returns URL
            target = httpx.URL(str(target))
        _wire.check_url(str(target), allow_insecure_http=self._allow_insecure_http)
        same_origin = (target.scheme, target.host, target.port) == (
            self._url.scheme,
            self._url.host,
            self._url.port,
        )
        relogged = False
        attempt = 0
        while True:
            token = self._token
            headers = {"Accept": "*/*"}
            if same_origin and token:
                headers["Authorization"] = f"Bearer {token}"
            written = 0
            try:
                async with self.http.stream("GET", target, headers=headers) as response:
                    status = response.status_code
                    if same_origin:
                        self._note_online(True)
                    if status in (401, 403) and same_origin and not relogged:
                        relogged = True
                        try:
                            await self._relogin(token)
                        except SessionExpiredError as exc:
                            raise self._download_error(exc) from exc.__cause__
                        continue
                    if status >= 500 or status in (408, 429):
                        raise ServerError(
                            f"The server could not send the document (HTTP {status}).",
                            http_status=status,
                            code="SERVER_ERROR",
                        )
                    if status == 404:
                        raise NotFoundError(
                            "The document was not found. It may have been deleted.",
                            http_status=status,
                            code="NOT_FOUND",
                        )
                    if status in (401, 403):
                        raise (
                            SessionExpiredError(http_status=status, code="INVALID_TOKEN")
                            if status == 401
                            else PermissionDeniedError(http_status=status, code="PERMISSION_DENIED")
                        )
                    if status >= 300:
                        raise ProtocolError(
                            f"The server refused the download (HTTP {status}).", http_status=status
                        )
                    length_text = response.headers.get("content-length")
                    total = int(length_text) if length_text and length_text.isdigit() else None
                    written = await _write_stream(response, dest, total, progress)
                    return written
            except httpx.HTTPError as exc:
                if same_origin:
                    self._note_online(False)
                err: SalesNexusError = (
                    RequestTimeoutError(f"The download from {target.host} timed out.")
                    if isinstance(exc, httpx.TimeoutException)
                    else ConnectionFailedError(f"The download from {target.host} failed.")
                )
                if attempt < self._retries and _rewindable(dest):
                    attempt += 1
                    await asyncio.sleep(self._delay(attempt, None))
                    continue
                raise err from None
            except ServerError as err:
                if attempt < self._retries and _rewindable(dest):
                    attempt += 1
                    await asyncio.sleep(self._delay(attempt, None))
                    continue
                raise err from None

    @staticmethod
    def _download_error(exc: SessionExpiredError) -> SessionExpiredError:
        return SessionExpiredError(exc.message, code=exc.code, function="download")


@dataclass
class _UploadJob:
    source: UploadSource
    progress: ProgressCallback | None


class _Missing:
    pass


_MISSING: Any = _Missing()


def _identity(raw: dict[str, Any]) -> dict[str, Any]:
    return raw


def _parse_login_token(raw: dict[str, Any]) -> str:
    token = as_text(raw.get("login-token")).strip()
    if not token:
        raise ResultShapeError("the answer lacks 'login-token'")
    return token


class _Lister(Generic[T]):
    def __init__(
        self, kind: str, item: Callable[[dict[str, Any], str], T], start_after: Any
    ) -> None:
        self.kind = kind
        self.item = item
        try:
            self.start = int(start_after) if start_after is not None else 0
        except (TypeError, ValueError):
            self.start = 0

    def __call__(self, raw: dict[str, Any]) -> RecordList[T]:
        return parse_record_list(raw, self.kind, self.item, self.start)


def _lister(
    kind: str, item: Callable[[dict[str, Any], str], T], start_after: Any = None
) -> _Lister[T]:
    return _Lister(kind, item, start_after)


def _id_list(ids: Sequence[str] | str) -> list[str]:
    if isinstance(ids, str):
        return [ids]
    return [str(i) for i in ids]


def _import_row(row: Mapping[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = str(key)
        if name == "_toMatch":
            items = [value] if isinstance(value, str | int) else list(value)
            out[name] = [int(v) if str(v).strip().isdigit() else str(v) for v in items]
        else:
            out[name] = _wire.wire_value(value)
    return out


def _is_certificate_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(exc)


def _error_fields(response: httpx.Response) -> tuple[Any, Any]:
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None, None
    if isinstance(data, dict):
        return data.get("error"), data.get("error-code")
    return None, None


def _rewindable(dest: str | os.PathLike[str] | IO[bytes]) -> bool:
    return isinstance(dest, str | os.PathLike)


async def _write_stream(
    response: httpx.Response,
    dest: str | os.PathLike[str] | IO[bytes],
    total: int | None,
    progress: Callable[[int, int | None], object] | None,
) -> int:
    written = 0

    def report() -> None:
        if progress is not None:
            try:
                progress(written, total)
            except Exception:
                log.exception("download progress callback failed")

    if isinstance(dest, str | os.PathLike):
        final = Path(dest)
        part = final.with_name(final.name + ".part")
        try:
            with part.open("wb") as handle:
                async for chunk in response.aiter_bytes(256 * 1024):
                    handle.write(chunk)
                    written += len(chunk)
                    report()
            if total is not None and written != total:
                raise ConnectionFailedError("The download ended early.")
            os.replace(part, final)
        except BaseException:
            try:
                part.unlink()
            except OSError:
                pass
            raise
    else:
        async for chunk in response.aiter_bytes(256 * 1024):
            dest.write(chunk)
            written += len(chunk)
            report()
    if total is not None and written != total:
        raise ConnectionFailedError("The download ended early.")
    report()
    return written
