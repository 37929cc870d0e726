"""Hostile HTTP servers for the wire client's tests: real sockets on 127.0.0.1, raw HTTP/1.1.

``HostileServer(answer)`` serves every request with ``answer(request, reader, writer)``, an
async function that writes whatever it likes (a status line and headers, a body cut short, a
byte now and then, an endless body) and returns what it wants recorded; the connection is
closed after it. The server records each request (method, target, headers, body) in
``requests`` and what the answers returned in ``results``: ``send_slowly`` and
``send_endless`` return how far they got before the client went away (:class:`Sent`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

JSON_HEAD = "Content-Type: application/json\r\n"


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Sent:
    """What an answer got out before it stopped: bytes written, and whether the client
    closed the connection before the whole answer was written."""

    written: int = 0
    client_left: bool = False


Answer = Callable[[Request, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[Any]]


def head(status: int = 200, *lines: str) -> bytes:
    """A status line and headers; every answer closes its connection."""
    lines = (*lines, "Connection: close")
    return (f"HTTP/1.1 {status} X\r\n" + "".join(f"{line}\r\n" for line in lines) + "\r\n").encode()


class HostileServer:
    """``async with HostileServer(answer) as server: ... server.url``

    ``slow_read=(size, pause)`` reads request bodies ``size`` bytes at a time with a pause
    after each (a slow but steady upload link)."""

    def __init__(self, answer: Answer, slow_read: tuple[int, float] | None = None) -> None:
        self._answer = answer
        self._slow_read = slow_read
        self.requests: list[Request] = []
        self.results: list[Any] = []
        self._server: asyncio.Server | None = None
        self.url = ""

    async def __aenter__(self) -> HostileServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 5)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            raw = await reader.readuntil(b"\r\n\r\n")
            first, *lines = raw.decode("latin-1").split("\r\n")
            method, target, _ = first.split(" ", 2)
            headers = {}
            for line in lines:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            body = await self._read_body(reader, int(headers.get("content-length", "0")))
            request = Request(method, target, headers, body)
            self.requests.append(request)
            self.results.append(await self._answer(request, reader, writer))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _read_body(self, reader: asyncio.StreamReader, length: int) -> bytes:
        if self._slow_read is None:
            return await reader.readexactly(length)
        size, pause = self._slow_read
        parts: list[bytes] = []
        while length > 0:
            part = await reader.readexactly(min(size, length))
            parts.append(part)
            length -= len(part)
            await asyncio.sleep(pause)  # a slow but steady link: what this server is for
        return b"".join(parts)


class SilentServer:
    """Accepts connections and never says a word (not even a TLS handshake); counts the
    connections, each kept until the client closes it."""

    def __init__(self) -> None:
        self.connections = 0
        self.closed_by_client = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self.port = 0

    async def __aenter__(self) -> SilentServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 5)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        try:
            await _client_gone(reader)
            self.closed_by_client += 1
        finally:
            writer.close()


def whole(body: bytes, *lines: str, status: int = 200) -> Answer:
    """An answer of ``body`` with its length (``lines`` are more header lines)."""

    async def answer(req: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        w.write(head(status, JSON_HEAD.strip(), f"Content-Length: {len(body)}", *lines) + body)
        await w.drain()

    return answer


def cut_off(body: bytes, keep: int) -> Answer:
    """Promises ``body`` whole, sends its first ``keep`` bytes, then closes."""

    async def answer(req: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        w.write(head(200, JSON_HEAD.strip(), f"Content-Length: {len(body)}") + body[:keep])
        await w.drain()

    return answer


async def _client_gone(reader: asyncio.StreamReader) -> None:
    with contextlib.suppress(ConnectionError):
        while await reader.read(1024):
            pass


def send_slowly(body: bytes, interval: float) -> Answer:
    """Headers at once, then ``body`` one byte every ``interval`` seconds, stopping as soon
    as the client closes the connection."""

    async def answer(req: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> Sent:
        sent = Sent()
        gone = asyncio.ensure_future(_client_gone(r))
        try:
            w.write(head(200, JSON_HEAD.strip(), f"Content-Length: {len(body)}"))
            await w.drain()
            for i in range(len(body)):
                await asyncio.wait({gone}, timeout=interval)
                if gone.done():
                    sent.client_left = True
                    break
                w.write(body[i : i + 1])
                await w.drain()
                sent.written += 1
        except ConnectionError:
            sent.client_left = True
        finally:
            gone.cancel()
        return sent

    return answer


def send_endless(total: int, *, declare_length: bool, chunk: int = 64 * 1024) -> Answer:
    """A ``total``-byte body made up as it goes (one chunk reused, never held whole), with
    or without ``Content-Length``; stops when the client goes away."""
    piece = b" " * chunk

    async def answer(req: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> Sent:
        sent = Sent()
        lines = [JSON_HEAD.strip()]
        if declare_length:
            lines.append(f"Content-Length: {total}")
        try:
            w.write(head(200, *lines))
            await w.drain()
            while sent.written < total:
                n = min(chunk, total - sent.written)
                w.write(piece[:n])
                await w.drain()
                sent.written += n
        except ConnectionError:
            sent.client_left = True
        return sent

    return answer
