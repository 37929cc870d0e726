"""Variant servers for the tests: the sandbox's own ASGI app (``create_app(config)``) behind a
middleware that rewrites every call-v1 answer, served by uvicorn on 127.0.0.1 in a thread, over
real HTTP. They stand for a live server that reads the contract a little differently."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn

from snx_desktop.sandbox import SandboxConfig, create_app
from snx_desktop.sandbox.server import bind_socket, url_for, uvicorn_config
from support.waiting import within_blocking

Rewrite = Callable[[Any], Any]
ASGIApp = Callable[..., Any]

_WHOLE_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)")


def numbers_for_strings(answer: Any) -> Any:
    """Every string that holds a whole number becomes a JSON number (keys stay strings)."""
    if isinstance(answer, dict):
        return {k: numbers_for_strings(v) for k, v in answer.items()}
    if isinstance(answer, list):
        return [numbers_for_strings(v) for v in answer]
    if isinstance(answer, str) and _WHOLE_NUMBER.fullmatch(answer):
        return int(answer)
    return answer


def without_key(name: str) -> Rewrite:
    """A rewrite that leaves out every ``name`` key, at any depth."""

    def rewrite(answer: Any) -> Any:
        if isinstance(answer, dict):
            return {k: rewrite(v) for k, v in answer.items() if k != name}
        if isinstance(answer, list):
            return [rewrite(v) for v in answer]
        return answer

    return rewrite


def numbers_and_no_error_codes(answer: Any) -> Any:
    """Numeric strings as JSON numbers, and no ``error-code`` in error elements."""
    return without_key("error-code")(numbers_for_strings(answer))


class RewriteAnswers:
    """ASGI middleware: the JSON answers of ``/api/call-v1`` pass through ``rewrite``."""

    def __init__(self, app: ASGIApp, rewrite: Rewrite) -> None:
        self.app = app
        self.rewrite = rewrite

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].rstrip("/").endswith("/api/call-v1"):
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        body = bytearray()

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body"):
                return
            try:
                data = json.dumps(self.rewrite(json.loads(body)), indent=2).encode()
            except ValueError:
                data = bytes(body)  # not JSON: passed on as it is
            headers = [
                (k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"
            ]
            headers.append((b"content-length", str(len(data)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": data})

        await self.app(scope, receive, capture)


@dataclass
class VariantServer:
    """A running variant: its address and the sandbox state behind it."""

    base_url: str
    state: Any


@contextmanager
def serving(app: ASGIApp, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``app`` with uvicorn on ``host`` (a free port) in a thread; yields its URL."""
    sock = bind_socket(host, 0)
    server = uvicorn.Server(uvicorn_config(app))  # type: ignore[arg-type]
    thread = threading.Thread(
        target=lambda: server.run(sockets=[sock]), name="variant-server", daemon=True
    )
    thread.start()
    within_blocking(lambda: server.started or not thread.is_alive(), 30, step=0.005)
    if not server.started:
        sock.close()
        raise RuntimeError("the variant server did not start")
    try:
        yield url_for(host, sock.getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextmanager
def variant_sandbox(
    rewrite: Rewrite, *, contacts: int = 40, seed: int = 23
) -> Iterator[VariantServer]:
    """A sandbox whose answers pass through ``rewrite`` (see `RewriteAnswers`)."""
    app = create_app(SandboxConfig(contacts=contacts, seed=seed))
    try:
        with serving(RewriteAnswers(app, rewrite)) as url:
            yield VariantServer(url, app.state.sandbox)
    finally:
        app.state.sandbox.close()
