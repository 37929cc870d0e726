"""The transport of the call-v1 client: one ``httpx.AsyncClient``, calls batched into
requests, each request bounded in time and size, retries and one re-login.

Calls issued in the same event-loop turn are sent together as one POST (at most
``max_calls_per_request`` calls each). Connection failures before anything was sent are
retried for every call; after sending, only reads are retried (which function is a read, and
which needs a token, comes from :mod:`.functions`). ``INVALID_TOKEN`` sends the affected calls
through one sign-in with the app's credentials provider, then replays them once. How an
answer is read is in :mod:`.answers`; when to try again in :mod:`.retrypolicy`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import secrets
import ssl
import time
from collections.abc import Callable, Coroutine, Mapping
from types import TracebackType
from typing import Any, Self, TypeVar, cast

import httpx

from . import _wire, retrypolicy
from ._transfer import (
    DEADLINE_PER_TIMEOUT,
    DEFAULT_MAX_ANSWER_BYTES,
    DEFAULT_MAX_DOWNLOAD_BYTES,
    DEFAULT_MIN_TRANSFER_RATE,
    Deadline,
    SendTrace,
    read_answer,
)
from .batching import Batch, Leftover, PendingCall, UploadJob, current_batch
from .calls.base import CallsBase
from .errors import (
    AnswerTooLargeError,
    ConnectionFailedError,
    ProtocolError,
    SalesNexusError,
    SessionExpiredError,
    is_offline,
)
from .results import (
    Greeting,
)
from .sessions import CredentialsProvider, Sessions, TokenListener
from .tls import prewarm_ssl_context, ssl_context
from .upload import Base64CallBody, BinarySource, ProgressCallback, UploadSource

log = logging.getLogger("snx_desktop.api")

T = TypeVar("T")


class Transport(Sessions, CallsBase):
    """Batching, the exchange, retries and sessions of :class:`~.client.SalesNexusClient`."""

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
        proxy: str | None = None,
        allow_insecure_http: bool = False,
        user_agent: str | None = None,
        deadline: float | None = None,
        min_transfer_rate: float = DEFAULT_MIN_TRANSFER_RATE,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
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
        self._ssl: ssl.SSLContext | None = ssl_context(ca_bundle) if ca_bundle is not None else None
        # None: the system's proxy from the environment (HTTPS_PROXY, NO_PROXY, …), as httpx does
        self._proxy = proxy or None
        self._timeout = timeout
        if deadline is not None and not deadline > 0:
            raise ValueError("deadline must be more than 0 seconds")
        if not min_transfer_rate > 0:
            raise ValueError("min_transfer_rate must be more than 0")
        if max_answer_bytes < 1 or max_download_bytes < 1:
            raise ValueError("max_answer_bytes and max_download_bytes must be at least 1")
        self._deadline = deadline if deadline is not None else DEADLINE_PER_TIMEOUT * timeout
        self._min_rate = float(min_transfer_rate)
        self._max_answer = max_answer_bytes
        self._max_download = max_download_bytes
        # built on first use (`http`): the TLS context costs tens of ms, which a start-up
        # that shows the cache first need not wait for; the shared one is prepared meanwhile
        self._http_client: httpx.AsyncClient | None = None
        prewarm_ssl_context()
        self._queue: list[PendingCall] = []
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

    @property
    def http(self) -> httpx.AsyncClient:
        """The shared ``httpx.AsyncClient`` (for callers that need plain HTTP too); made on
        first use."""
        if self._http_client is None:
            self._http_client = httpx.AsyncClient(
                transport=self._transport,
                verify=self._ssl or ssl_context(None),
                # connecting (TLS handshake included) ends by its own timeout well within the
                # deadline: a handshake cut off by the deadline would leave its socket open
                timeout=httpx.Timeout(
                    self._timeout, connect=min(self._timeout, self._deadline / 2)
                ),
                headers=self._headers,
                follow_redirects=False,
                proxy=self._proxy,
            )
        return self._http_client

    async def __aenter__(self) -> Self:
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

    # --- generic call ----------------------------------------------------------------------------

    async def call(self, function: str, parameters: Mapping[str, Any] | None = None) -> Any:
        """Any call-v1 function by name; returns the raw ``result`` map. Values are sent as
        given after the usual conversion (numbers and booleans as strings)."""
        return await self._call(function, _wire.wire_value(dict(parameters or {})), _identity)

    def _new_call(
        self, function: str, params: dict[str, Any], parse: Callable[[dict[str, Any]], Any]
    ) -> PendingCall:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        rid = f"snx-{self._rid_prefix}-{next(self._rid_counter)}"
        return PendingCall(function, params, parse, future, rid)

    async def _call(
        self, function: str, params: dict[str, Any], parse: Callable[[dict[str, Any]], T]
    ) -> T:
        if self._closed:
            raise ConnectionFailedError("The client is closed.", function=function)
        call = self._new_call(function, params, parse)
        self._enqueue(call)
        return cast(T, await call.future)

    def _enqueue(self, call: PendingCall) -> None:
        batch = current_batch.get()
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

    def _dispatch(self, calls: list[PendingCall]) -> None:
        calls = [c for c in calls if not c.future.done()]
        for i in range(0, len(calls), self._max_calls):
            self._spawn(self._drive(calls[i : i + self._max_calls]))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- driving a group of calls to completion --------------------------------------------------

    async def _drive(self, calls: list[PendingCall], upload: UploadJob | None = None) -> None:
        """Send ``calls`` (one request), then retry / re-login what is left until every call
        is settled. Never raises for a call's failure: each future carries its own."""
        try:
            pending = calls
            while pending:
                left = await self._exchange(pending, upload)
                following: list[PendingCall] = []
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
                    again: list[PendingCall] = []
                    for call in left.retry:
                        if retrypolicy.should_retry(
                            attempts=call.attempts, retries=self._retries, closed=self._closed
                        ):
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
        return retrypolicy.retry_delay(
            attempt,
            retry_after,
            backoff=self._backoff,
            backoff_max=self._backoff_max,
            max_retry_after=self._max_retry_after,
        )

    async def _exchange(self, calls: list[PendingCall], upload: UploadJob | None) -> Leftover:
        left = Leftover(token_used=self._token)
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
        trace = SendTrace()
        deadline = Deadline(self._deadline, self._min_rate)
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
            content: Any = stream
            headers = {
                "Content-Type": "application/json",
                "Content-Length": str(stream.length),
            }
            deadline = Deadline(self._deadline, self._min_rate, known_bytes=stream.length)
        else:
            text = json.dumps(body_items, ensure_ascii=False, separators=(",", ":"))
            if log.isEnabledFor(logging.DEBUG):
                log.debug("POST %d call(s): %s", len(calls), _wire.short_json(body_items))
            content = text.encode("utf-8")
            headers = {"Content-Type": "application/json"}
        try:
            async with deadline:
                self.requests_sent += 1
                async with self.http.stream(
                    "POST",
                    self._url,
                    content=content,
                    headers=headers,
                    extensions={"trace": trace},
                ) as response:
                    self._note_online(True)
                    status = response.status_code
                    answer_headers = response.headers
                    body = await read_answer(response, self._max_answer, deadline)
        except TimeoutError:
            # the whole request took longer than its deadline (a server trickling its answer)
            sent_fully = (stream is None or stream.finished) and trace.may_have_reached
            log.info("request to %s passed its deadline", self._url.host)
            late = httpx.ReadTimeout("the request passed its deadline")
            self._transport_failed(calls, late, left, sent_fully=sent_fully)
            return left
        except AnswerTooLargeError as err:
            log.warning(
                "answer from %s refused: larger than %d bytes", self._url.host, self._max_answer
            )
            for call in calls:
                self._fail(call, err if call.read else self._unknown(err))
            return left
        except httpx.HTTPError as exc:
            sent_fully = stream is None or stream.finished
            self._transport_failed(calls, exc, left, sent_fully=sent_fully)
            return left
        except ConnectionError as exc:
            # a transport that reports a lost connection as the OS error itself (an in-process
            # ASGI transport that drops the connection): the same as the server closing it
            sent_fully = stream is None or stream.finished
            lost = httpx.RemoteProtocolError(f"connection lost: {type(exc).__name__}")
            self._transport_failed(calls, lost, left, sent_fully=sent_fully)
            return left
        except OSError as exc:
            if stream is None or stream.finished:
                self._unreadable(calls, exc, left)
                return left
            # reading the local file failed (it shrank, a disk error): the request was cut
            # short, so the server stored nothing; the caller gets the OSError itself
            log.info("upload stopped: the local file could not be read (%s)", type(exc).__name__)
            for call in calls:
                if not call.future.done():
                    call.future.set_exception(exc)
            return left
        except Exception as exc:
            # anything else while the request was out (MemoryError reading the answer, ...):
            # the calls may have run
            self._unreadable(calls, exc, left)
            return left
        elapsed = time.perf_counter() - started
        log.debug("answer HTTP %d, %d bytes in %.3fs", status, len(body), elapsed)
        try:
            self._settle_response(calls, status, answer_headers, body, left, token)
        except Exception as exc:
            # deep nesting (RecursionError), memory, a bug: whatever was not settled yet is of
            # unknown outcome if it is a write
            self._unreadable(calls, exc, left)
        return left

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

    async def _upload(
        self,
        function: str,
        params: dict[str, Any],
        parse: Callable[[dict[str, Any]], T],
        source: str | os.PathLike[str] | BinarySource,
        size: int | None,
        progress: ProgressCallback | None,
    ) -> T:
        """Send one call whose file goes base64-streamed in a request of its own."""
        if self._closed:
            raise ConnectionFailedError("The client is closed.", function=function)
        job = UploadJob(UploadSource(source, size), progress)
        call = self._new_call(function, params, parse)
        if not job.source.rewindable:
            call.attempts = self._retries  # a one-shot stream cannot be sent again
        await self._drive([call], upload=job)
        return cast(T, call.future.result())


def _identity(raw: dict[str, Any]) -> dict[str, Any]:
    return raw
