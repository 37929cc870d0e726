"""Serving the sandbox with uvicorn: in a background thread for tests and the demo mode,
or in the foreground for the ``snx-sandbox`` command."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import threading
import time
from typing import Any

import uvicorn
from starlette.applications import Starlette
from uvicorn.protocols.http.h11_impl import H11Protocol

from .app import TRANSPORT_KEY, SandboxState, create_app
from .config import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_DOCUMENT_BYTES,
    DEFAULT_TOKEN_IDLE_S,
    Faults,
    SandboxConfig,
)

log = logging.getLogger(__name__)


class _Protocol(H11Protocol):
    """uvicorn's h11 protocol that hands its transport to the app (to drop connections)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # small answers must not wait for the peer's delayed ACK (Nagle)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.app_state = {**self.app_state, TRANSPORT_KEY: transport}


def uvicorn_config(app: Starlette, log_level: str = "warning") -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_config=None,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        http=_Protocol,
        ws="none",
        loop="asyncio",
        timeout_graceful_shutdown=2,
        timeout_keep_alive=30,
    )


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def is_loopback_socket(sock: socket.socket) -> bool:
    """True when ``sock`` listens on a loopback address only (127.0.0.0/8, ::1)."""
    address = str(sock.getsockname()[0]).split("%", 1)[0]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def warn_if_exposed(sock: socket.socket) -> None:
    """A warning when the sandbox listens on more than loopback: its demo passwords and
    permanent tokens are public, so anyone who can reach the port can sign in."""
    if not is_loopback_socket(sock):
        host, port = sock.getsockname()[:2]
        log.warning(
            "the sandbox listens on %s port %s, not only on this computer: anyone who can reach"
            " it can sign in with the public demo passwords and read or change its data",
            host,
            port,
        )


def url_for(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class SandboxHandle:
    """A running sandbox: its URL, its faults, and how to stop it."""

    def __init__(
        self,
        app: Starlette,
        server: uvicorn.Server,
        thread: threading.Thread,
        sock: socket.socket,
        host: str,
    ) -> None:
        self.app = app
        self.state: SandboxState = app.state.sandbox
        self.config: SandboxConfig = self.state.config
        self.faults: Faults = self.state.faults
        self.host = host
        self.port: int = sock.getsockname()[1]
        self.base_url = url_for(host, self.port)
        self.api_url = self.base_url + "/api/call-v1"
        self._server = server
        self._thread = thread
        self._sock = sock
        self._stopped = False
        self._lock = threading.Lock()

    def expire_tokens(self) -> int:
        """Ends every temporary login token now; returns how many there were."""
        return self.state.expire_tokens()

    @property
    def requests(self) -> int:
        """HTTP requests received on /api/call-v1 so far (any method, faulted ones too)."""
        return self.state.requests

    @property
    def calls(self) -> dict[str, int]:
        """Calls run per function name, e.g. ``handle.calls.get("get-contact-info", 0)``."""
        return self.state.calls

    def reset_counters(self) -> None:
        """Set ``requests`` and ``calls`` back to zero (e.g. at the start of a test)."""
        self.state.reset_counters()

    def stop(self) -> None:
        """Stops serving (graceful, then forced) and closes storage; safe to call twice."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        self._server.should_exit = True
        self._thread.join(10)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(10)
        try:
            self._sock.close()
        except OSError:
            pass
        self.state.close()

    def __enter__(self) -> SandboxHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_in_thread(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    db: str = ":memory:",
    contacts: int = 5000,
    seed: int = 1,
    latency_ms: float = 0,
    token_idle_s: float = DEFAULT_TOKEN_IDLE_S,
    permanent_tokens: tuple[str, ...] | list[str] = (),
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    log_level: str = "warning",
    **faults: Any,
) -> SandboxHandle:
    """Starts a sandbox on ``host:port`` (0: a free port) in a daemon thread.

    Extra keyword arguments set start-up faults (``drop_rate``, ``error_rate``,
    ``garbage_rate``, ``stall_rate``, ``stall_s``). Returns once the server accepts
    connections.
    """
    config = SandboxConfig(
        db=db,
        contacts=contacts,
        seed=seed,
        latency_ms=latency_ms,
        token_idle_s=token_idle_s,
        permanent_tokens=tuple(permanent_tokens),
        max_document_bytes=max_document_bytes,
        max_body_bytes=max_body_bytes,
        **faults,
    )
    app = create_app(config)
    sock = bind_socket(host, port)
    warn_if_exposed(sock)
    server = uvicorn.Server(uvicorn_config(app, log_level))
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # reported to the starting thread
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"snx-sandbox-{sock.getsockname()[1]}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if failure or not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            app.state.sandbox.close()
            raise RuntimeError("the sandbox server did not start") from (
                failure[0] if failure else None
            )
        time.sleep(0.005)
    handle = SandboxHandle(app, server, thread, sock, host)
    log.debug("sandbox serving at %s", handle.base_url)
    return handle
