"""The sandbox's ASGI application: ``POST /api/call-v1``, document downloads, fault
injection and a loopback-only admin endpoint."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import mimetypes
import random
import re
import sys
import threading
from collections import Counter
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from . import errors as E
from .config import Faults, SandboxConfig
from .demo import populate
from .engine import Engine
from .storage import Database

log = logging.getLogger(__name__)

TRANSPORT_KEY = "snx.transport"
_ADMIN_BODY_LIMIT = 64 * 1024
_GUID = re.compile(r"^[0-9a-fA-F-]{36}$")
_GARBAGE = b'<html><body>502 Bad Gateway\x00\xff\xfe garbage {"result": </body'


def pretty_json(value: Any, ensure_ascii: bool = False) -> str:
    """The same text as ``json.dumps(value, indent=2)``, about twice as fast for answers made
    of dicts, lists and strings (the standard encoder drops to pure Python when indenting)."""
    enc = encode_basestring_ascii if ensure_ascii else encode_basestring
    parts: list[str] = []
    add = parts.append

    def walk(item: Any, pad: str) -> None:
        if isinstance(item, str):
            add(enc(item))
        elif isinstance(item, dict):
            if not item:
                add("{}")
                return
            inner = pad + "  "
            sep = "{\n" + inner
            for key, sub in item.items():
                if not isinstance(key, str):
                    raise TypeError("non-string key")
                add(sep)
                add(enc(key))
                add(": ")
                walk(sub, inner)
                sep = ",\n" + inner
            add("\n" + pad + "}")
        elif isinstance(item, list | tuple):
            if not item:
                add("[]")
                return
            inner = pad + "  "
            sep = "[\n" + inner
            for sub in item:
                add(sep)
                walk(sub, inner)
                sep = ",\n" + inner
            add("\n" + pad + "]")
        else:
            add(json.dumps(item, ensure_ascii=ensure_ascii, allow_nan=False))

    walk(value, "")
    return "".join(parts)


def _dump(value: Any) -> bytes:
    try:
        try:
            return pretty_json(value).encode("utf-8")
        except TypeError:
            return json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates echoed back in a request-id
        return json.dumps(value, indent=2, ensure_ascii=True, allow_nan=False).encode("ascii")


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float written as text (JSON has no such number)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def dump_json(value: Any) -> bytes:
    """The live service's layout: indented, ``": "`` between key and value; always valid
    JSON (never a bare ``NaN`` or ``Infinity``)."""
    try:
        return _dump(value)
    except ValueError:  # a float that is not finite
        return _dump(_finite(value))


class _NotJson(ValueError):
    """Text Python's JSON reader would take but JSON has no value for."""


def _no_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotJson(f"the number {text[:30]} is too large")
    return value


def _bounded_int(text: str) -> int:
    limit = sys.get_int_max_str_digits() or 4300
    if len(text) > limit:
        raise _NotJson(f"a number has more than {limit} digits")
    return int(text)


def load_json(body: bytes) -> Any:
    """A request body as JSON, refusing ``NaN``, ``Infinity``, ``-Infinity`` and numbers too
    large to keep (``1e999``, thousands of digits): ``ValueError`` for those as for bad text."""
    return json.loads(
        body, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_bounded_int
    )


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        dump_json(value), status, headers=headers, media_type="application/json; charset=utf-8"
    )


def error_response(status: int, code: str, message: str) -> Response:
    return json_response({"error": message, "error-code": code}, status)


class SandboxState:
    """Everything one sandbox instance owns: storage, call engine, faults."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.db = Database(config.db)
        if self.db.meta("demo") is None:
            populate(self.db, config.contacts, config.seed)
        self.engine = Engine(self.db, config)
        self.faults = Faults(
            latency_ms=config.latency_ms,
            drop_rate=config.drop_rate,
            error_rate=config.error_rate,
            garbage_rate=config.garbage_rate,
            garbage_after_rate=config.garbage_after_rate,
            stall_rate=config.stall_rate,
            stall_s=config.stall_s,
        )
        self.rng = random.Random(config.seed)
        self._count_lock = threading.Lock()
        self._requests = 0
        self._calls: Counter[str] = Counter()

    # -- request counters (for tests: how many HTTP requests a client really made) ---------------
    def count_request(self, functions: list[str] | None = None) -> None:
        with self._count_lock:
            if functions is None:
                self._requests += 1
            else:
                self._calls.update(functions)

    @property
    def requests(self) -> int:
        """HTTP requests to /api/call-v1 so far (any method; faulted ones too)."""
        with self._count_lock:
            return self._requests

    @property
    def calls(self) -> dict[str, int]:
        """Calls per function name in the batches that were run (a request faulted before
        it ran, e.g. dropped or answered with an error, adds none)."""
        with self._count_lock:
            return dict(self._calls)

    def reset_counters(self) -> None:
        with self._count_lock:
            self._requests = 0
            self._calls.clear()

    def expire_tokens(self) -> int:
        return self.engine.sessions.expire_all()

    def close(self) -> None:
        self.db.close()


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The whole body, or None when it is over ``limit`` (the rest is read and dropped so that
    the client gets to see the answer)."""
    declared = request.headers.get("content-length", "")
    too_large = declared.isdigit() and int(declared) > limit
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        if too_large:
            continue
        total += len(chunk)
        if total > limit:
            too_large = True
            chunks.clear()
            continue
        chunks.append(chunk)
    return None if too_large else b"".join(chunks)


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


class DroppedConnection(ConnectionResetError):
    """A drop fault where there is no connection to drop: the app runs in-process (e.g.
    behind ``httpx.ASGITransport``), so it raises this out of the app instead. httpx passes
    it to the caller as is; the wire client treats it like a connection the server closed."""


async def _drop(scope: Scope) -> None:
    """Close the connection without an answer (in-process: raise `DroppedConnection`)."""
    transport = scope.get("state", {}).get(TRANSPORT_KEY)
    if transport is None:
        log.debug("drop fault in-process: raising DroppedConnection")
        raise DroppedConnection("connection dropped by fault injection")
    transport.abort()
    for _ in range(3):
        await asyncio.sleep(0)


_DEEP_NESTING = b"[" * 100_000 + b"]" * 100_000


async def _send_garbage_after(
    kind: str, answer: bytes, scope: Scope, receive: Receive, send: Send
) -> None:
    """An undecodable body in place of ``answer``, whose calls were run (the kinds are
    ``config.GARBAGE_AFTER_KINDS``)."""
    half = len(answer) // 2
    if kind == "cut-off":
        # the promised length, half the bytes, then the connection is gone
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", str(len(answer)).encode("ascii")),
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer[:half], "more_body": True})
        transport = scope.get("state", {}).get(TRANSPORT_KEY)
        for _ in range(200):  # let the half reach the socket before the connection is cut
            if transport is None or not transport.get_write_buffer_size():
                break
            await asyncio.sleep(0.01)
        await _drop(scope)
        return
    if kind == "deep-nesting":
        body = _DEEP_NESTING
    elif kind == "bad-utf8":
        body = answer[:half] + b"\xff\xfe" + answer[half:]
    else:
        body = _GARBAGE
    await Response(body, 200, media_type="application/json")(scope, receive, send)


class CallEndpoint:
    """``POST /api/call-v1`` as a plain ASGI app (so a fault can end the connection)."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.state.count_request()
        try:
            await self._serve(scope, receive, send)
        except ClientDisconnect:
            # the client went away (cancelled an upload, closed the connection): nothing to
            # answer and nothing was run
            log.debug("client disconnected before the request was read")
        except OSError as exc:
            if isinstance(exc, DroppedConnection):
                raise
            if isinstance(exc, ConnectionError):
                log.debug("client connection lost: %s", exc)
                return
            raise

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.method != "POST":
            response = error_response(
                405, E.INVALID_REQUEST, "Send a POST request with a JSON array of calls."
            )
            await response(scope, receive, send)
            return
        state, faults = self.state, self.state.faults
        if faults.latency_ms > 0:
            await asyncio.sleep(faults.latency_ms / 1000)
        body = await _read_body(request, state.config.max_body_bytes)
        rng = state.rng
        if faults.stall_rate > 0 and rng.random() < faults.stall_rate:
            await asyncio.sleep(faults.stall_s)
        if faults.drop_rate > 0 and rng.random() < faults.drop_rate:
            await _drop(scope)
            return
        if faults.error_rate > 0 and rng.random() < faults.error_rate:
            response = error_response(500, E.SERVER_ERROR, "Internal server error (injected).")
            await response(scope, receive, send)
            return
        if faults.garbage_rate > 0 and rng.random() < faults.garbage_rate:
            await Response(_GARBAGE, 200, media_type="application/json")(scope, receive, send)
            return
        response = await self._answer(request, body)
        if faults.drop_after_rate > 0 and rng.random() < faults.drop_after_rate:
            await _drop(scope)
            return
        if (
            faults.garbage_after_rate > 0
            and response.status_code == 200
            and rng.random() < faults.garbage_after_rate
        ):
            kind = faults.next_garbage_after()
            await _send_garbage_after(kind, bytes(response.body), scope, receive, send)
            return
        await response(scope, receive, send)

    async def _answer(self, request: Request, body: bytes | None) -> Response:
        limit = self.state.config.max_body_bytes
        if body is None:
            return error_response(
                413, E.PAYLOAD_TOO_LARGE, f"The request body is larger than {limit} bytes."
            )
        try:
            calls = load_json(body)
        except _NotJson as exc:
            return error_response(400, E.INVALID_REQUEST, f"The body is not valid JSON: {exc}.")
        except (ValueError, RecursionError):
            return error_response(400, E.INVALID_REQUEST, "The body is not valid JSON.")
        if not isinstance(calls, list):
            return error_response(400, E.INVALID_REQUEST, "The body must be a JSON array of calls.")
        if not calls:
            return json_response([])
        self.state.count_request(
            [
                c["function"] if isinstance(c, dict) and isinstance(c.get("function"), str) else ""
                for c in calls
            ]
        )
        answers = await anyio.to_thread.run_sync(
            self.state.engine.run_batch, calls, _base_url(request)
        )
        return json_response(answers)


def _token_of(request: Request) -> str:
    """The login token of a download: from the ``Authorization: Bearer`` header only (an
    address with a token in it ends up in logs and browser histories)."""
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return ""


def _token_in_address(request: Request) -> bool:
    return any(key.strip().lower() == "login-token" for key in request.query_params)


def _content_disposition(file_name: str) -> str:
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in file_name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def _is_loopback(request: Request) -> bool:
    if request.client is None:
        return True
    host = request.client.host
    return host in ("::1", "localhost", "testclient") or host.startswith("127.")


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """The sandbox as a Starlette app; ``app.state.sandbox`` is its ``SandboxState``."""
    state = SandboxState(config or SandboxConfig())

    async def download(request: Request) -> Response:
        if _token_in_address(request):
            return json_response(
                {
                    "error": "A login token in the address is refused: send it in an"
                    " 'Authorization: Bearer' header.",
                    "error-code": E.INVALID_TOKEN,
                },
                401,
                {"WWW-Authenticate": "Bearer"},
            )
        token = _token_of(request)
        if not token:
            return json_response(
                {"error": "A login token is required.", "error-code": E.INVALID_TOKEN},
                401,
                {"WWW-Authenticate": "Bearer"},
            )
        if state.engine.sessions.peek(token) is None:
            return json_response(
                {
                    "error": "The login token is unknown or has expired.",
                    "error-code": E.INVALID_TOKEN,
                },
                401,
                {"WWW-Authenticate": "Bearer"},
            )
        doc_id = request.path_params["document_id"].lower()
        row = None
        if _GUID.match(doc_id):
            row = state.db.one("SELECT file_name, content FROM documents WHERE id = ?", (doc_id,))
        if row is None:
            return error_response(404, E.NOT_FOUND, "No such document.")
        media_type = mimetypes.guess_type(row["file_name"])[0] or "application/octet-stream"
        return Response(
            bytes(row["content"]),
            200,
            media_type=media_type,
            headers={"Content-Disposition": _content_disposition(row["file_name"])},
        )

    async def health(request: Request) -> Response:
        contacts = await anyio.to_thread.run_sync(state.db.scalar, "SELECT count(*) FROM contacts")
        return json_response({"status": "ok", "contacts": str(contacts)})

    async def admin_faults(request: Request) -> Response:
        if not _is_loopback(request):
            return error_response(403, E.PERMISSION_DENIED, "The admin endpoint is loopback only.")
        if request.method == "GET":
            return json_response(state.faults.as_dict())
        body = await _read_body(request, _ADMIN_BODY_LIMIT)
        if body is None:
            return error_response(413, E.PAYLOAD_TOO_LARGE, "Body too large.")
        try:
            values = load_json(body or b"{}")
        except (ValueError, RecursionError):
            return error_response(400, E.INVALID_REQUEST, "The body is not valid JSON.")
        if not isinstance(values, dict):
            return error_response(400, E.INVALID_REQUEST, "Send a JSON object.")
        values = dict(values)
        expire = values.pop("expire-tokens", values.pop("expire_tokens", False))
        reset = values.pop("reset", False)
        try:
            if reset is True:
                state.faults.reset()
            state.faults.update(values)
        except ValueError as exc:
            return error_response(400, E.INVALID_PARAMETER, str(exc))
        answer: dict[str, Any] = dict(state.faults.as_dict())
        if expire is True:
            answer["expired-tokens"] = state.expire_tokens()
        return json_response(answer)

    routes = [
        Route("/api/call-v1", CallEndpoint(state), methods=["GET", "POST"]),
        Route("/documents/{document_id}", download, methods=["GET"]),
        Route("/_sandbox/health", health, methods=["GET"]),
        Route("/_sandbox/faults", admin_faults, methods=["GET", "POST"]),
    ]
    app = Starlette(routes=routes)
    # a path with a trailing slash (e.g. a document id ending in "/") is simply not found,
    # never redirected
    app.router.redirect_slashes = False
    app.state.sandbox = state
    return app
