"""A company network on 127.0.0.1 for tests: a private CA (made with ``trustme``), a TLS
front end whose certificate that CA signed (it relays each connection to a plain server, e.g.
a sandbox), and an HTTP proxy (``CONNECT`` tunnels and plain forwarding) that records every
request it carries. All of them are real servers on the running event loop."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import trustme


@dataclass
class PrivateCA:
    """A CA no system trusts; ``pem`` is its certificate as a file."""

    ca: trustme.CA
    pem: Path

    def server_context(self, host: str = "127.0.0.1") -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert(host).configure_cert(ctx)
        return ctx


def private_ca(folder: Path) -> PrivateCA:
    ca = trustme.CA(organization_name="Example Corp private CA")
    pem = folder / "company-ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    return PrivateCA(ca, pem)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _join(
    a: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    b: tuple[asyncio.StreamReader, asyncio.StreamWriter],
) -> None:
    await asyncio.gather(_pipe(a[0], b[1]), _pipe(b[0], a[1]))


@contextlib.asynccontextmanager
async def tls_front(target_url: str, ctx: ssl.SSLContext) -> AsyncIterator[str]:
    """An ``https://127.0.0.1:PORT`` URL whose connections (TLS with ``ctx``) are relayed to
    the plain server at ``target_url``."""
    target = urlsplit(target_url)

    async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream = await asyncio.open_connection(target.hostname, target.port)
        except OSError:
            writer.close()
            return
        await _join((reader, writer), upstream)

    server = await asyncio.start_server(relay, "127.0.0.1", 0, ssl=ctx)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"https://127.0.0.1:{port}"
    finally:
        server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 5)


@dataclass
class Proxy:
    """An HTTP proxy on 127.0.0.1: ``url``; ``seen`` is the first line of every request it
    carried (``CONNECT host:port HTTP/1.1``, ``POST http://host:port/path HTTP/1.1``)."""

    url: str = ""
    seen: list[str] = field(default_factory=list)


@contextlib.asynccontextmanager
async def http_proxy() -> AsyncIterator[Proxy]:
    proxy = Proxy()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        first, _, rest = head.partition(b"\r\n")
        method, target, version = first.decode("latin-1").split(" ", 2)
        proxy.seen.append(first.decode("latin-1"))
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            upstream = await asyncio.open_connection(host, int(port))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await _join((reader, writer), upstream)
            return
        parts = urlsplit(target)
        upstream = await asyncio.open_connection(parts.hostname, parts.port or 80)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        # one request per connection: the answer ends the connection
        headers = [
            line
            for line in rest.split(b"\r\n")
            if line and not line.lower().startswith((b"connection:", b"proxy-"))
        ]
        upstream[1].write(
            f"{method} {path} {version}\r\n".encode("latin-1")
            + b"\r\n".join([*headers, b"Connection: close"])
            + b"\r\n\r\n"
        )
        await _join((reader, writer), upstream)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    proxy.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield proxy
    finally:
        server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 5)
