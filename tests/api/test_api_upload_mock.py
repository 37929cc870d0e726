"""The streamed add-doc-to-contact body: exact length, base64 by chunks, progress, cancel,
and what a dropped upload means (transports that read the body as a server would)."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.scripted import TOKEN, fail, ok

from snx_desktop.api import (
    ConnectionFailedError,
    OutcomeUnknownError,
    SalesNexusClient,
    SessionExpiredError,
)
from snx_desktop.api.upload import CHUNK_SIZE, Base64CallBody, UploadSource, base64_length

pytestmark = pytest.mark.asyncio

CID = "0b4f3a4e-7d55-4c7e-8f0e-3f1a2b3c4d5e"


class StreamingServer(httpx.AsyncBaseTransport):
    """Reads the request body chunk by chunk like a server; can drop or refuse."""

    def __init__(self, *, delay: float = 0.0, drop_at: int | None = None) -> None:
        self.delay = delay
        self.drop_at = drop_at  # drop the connection after this many body bytes (first try)
        self.bodies: list[bytes] = []
        self.headers: list[httpx.Headers] = []
        self.max_chunk = 0
        self.refuse_token: str | None = None
        self.drop_after_body = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.headers.append(request.headers)
        parts: list[bytes] = []
        got = 0
        first = len(self.bodies) == 0
        async for chunk in request.stream:  # type: ignore[union-attr]
            self.max_chunk = max(self.max_chunk, len(chunk))
            parts.append(chunk)
            got += len(chunk)
            if self.delay:
                await asyncio.sleep(self.delay)  # a slow server: the behaviour under test
            if first and self.drop_at is not None and got >= self.drop_at:
                self.bodies.append(b"")
                raise httpx.WriteError("connection reset while sending")
        body = b"".join(parts)
        self.bodies.append(body)
        if self.drop_after_body and first:
            raise httpx.ReadError("connection reset after sending")
        call = json.loads(body)[0]
        if self.refuse_token and call["parameters"]["login-token"] == self.refuse_token:
            return httpx.Response(200, json=[fail(call, "token expired", "INVALID_TOKEN")])
        return httpx.Response(200, json=[ok(call, **{"document-id": "D-1"})])

    def uploaded(self, index: int = -1) -> bytes:
        call = json.loads(self.bodies[index])[0]
        return base64.b64decode(call["parameters"]["base64-data"], validate=True)


def make_client(transport: httpx.AsyncBaseTransport, **kw: Any) -> SalesNexusClient:
    kw.setdefault("token", TOKEN)
    return SalesNexusClient("http://127.0.0.1:9", transport=transport, backoff=0.0, **kw)


@pytest.mark.parametrize("size", [0, 1, 2, 3, CHUNK_SIZE - 1, CHUNK_SIZE, 2 * CHUNK_SIZE + 5])
async def test_body_is_exact_and_decodes(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    server = StreamingServer()
    seen: list[tuple[int, int]] = []
    async with make_client(server) as client:
        doc = await client.add_doc_to_contact(
            CID, 'name "quoted" ü.pdf', path, progress=lambda s, t: seen.append((s, t))
        )
    assert doc.id == "d-1"
    body = server.bodies[0]
    headers = server.headers[0]
    assert int(headers["content-length"]) == len(body)
    assert "transfer-encoding" not in headers
    call = json.loads(body)[0]
    assert call["function"] == "add-doc-to-contact"
    assert call["parameters"]["login-token"] == TOKEN
    assert call["parameters"]["contact-id"] == CID
    assert call["parameters"]["file-name"] == 'name "quoted" ü.pdf'
    assert server.uploaded() == data
    assert seen[-1] == (size, size)
    assert [s for s, _ in seen] == sorted(s for s, _ in seen)
    assert server.max_chunk <= base64_length(CHUNK_SIZE)


async def test_binary_stream_from_current_position() -> None:
    data = os.urandom(100_000)
    stream = io.BytesIO(b"HEADER" + data)
    stream.seek(6)
    server = StreamingServer()
    async with make_client(server) as client:
        await client.add_doc_to_contact(CID, "s.bin", stream)
    assert server.uploaded() == data


async def test_unseekable_stream_needs_size() -> None:
    class OneWay(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, buf: Any) -> int:
            chunk = self._inner.read(min(len(buf), 1000))  # short reads on purpose
            buf[: len(chunk)] = chunk
            return len(chunk)

    data = os.urandom(50_000)
    server = StreamingServer()
    async with make_client(server) as client:
        with pytest.raises(ValueError, match="size="):
            await client.add_doc_to_contact(CID, "s.bin", OneWay(data))
        await client.add_doc_to_contact(CID, "s.bin", OneWay(data), size=len(data))
    assert server.uploaded() == data


async def test_missing_file_and_folder(tmp_path: Path) -> None:
    async with make_client(StreamingServer()) as client:
        with pytest.raises(FileNotFoundError):
            await client.add_doc_to_contact(CID, "x", tmp_path / "nope.bin")
        with pytest.raises(IsADirectoryError):
            await client.add_doc_to_contact(CID, "x", tmp_path)


async def test_upload_is_never_batched(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"abc" * 1000)
    requests: list[list[str]] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls = json.loads(request.content)
        requests.append([c["function"] for c in calls])
        return httpx.Response(
            200, json=[ok(c, **{"document-id": "D", "message": "hi"}) for c in calls]
        )

    async with make_client(httpx.MockTransport(handler)) as client:
        await asyncio.gather(
            client.greet(), client.add_doc_to_contact(CID, "f", path), client.greet()
        )
    assert sorted(requests) == [["add-doc-to-contact"], ["greet", "greet"]]


async def test_cancel_stops_the_upload_promptly(tmp_path: Path) -> None:
    size = 40 * CHUNK_SIZE
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(size))
    server = StreamingServer(delay=0.01)
    progressed = asyncio.Event()
    sent: list[int] = []

    def progress(s: int, t: int) -> None:
        sent.append(s)
        if s >= 2 * CHUNK_SIZE:
            progressed.set()

    async with make_client(server) as client:
        task = asyncio.ensure_future(client.add_doc_to_contact(CID, "big", path, progress=progress))
        await asyncio.wait_for(progressed.wait(), 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        at_cancel = max(sent)
        await asyncio.sleep(0.05)  # time for reads that must not come: no event to await
        assert max(sent) == at_cancel  # nothing more was read after the cancel
    assert at_cancel < size
    assert server.bodies == []  # the server never got a whole request


async def test_drop_while_sending_is_safe_to_resend(tmp_path: Path) -> None:
    data = os.urandom(5 * CHUNK_SIZE)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    server = StreamingServer(drop_at=2 * CHUNK_SIZE)
    async with make_client(server, retries=1) as client:
        doc = await client.add_doc_to_contact(CID, "f", path)
    assert doc.id == "d-1"
    assert len(server.bodies) == 2
    assert server.uploaded() == data

    server = StreamingServer(drop_at=2 * CHUNK_SIZE)
    async with make_client(server, retries=0) as client:
        with pytest.raises(ConnectionFailedError):
            await client.add_doc_to_contact(CID, "f", path)


async def test_drop_after_whole_body_is_outcome_unknown(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 1000)
    server = StreamingServer()
    server.drop_after_body = True
    async with make_client(server, retries=3) as client:
        with pytest.raises(OutcomeUnknownError) as info:
            await client.add_doc_to_contact(CID, "f", path)
    assert info.value.function == "add-doc-to-contact"
    assert len(server.bodies) == 1


async def test_upload_relogin_resends_file(tmp_path: Path) -> None:
    data = os.urandom(3 * CHUNK_SIZE + 1)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    server = StreamingServer()
    server.refuse_token = TOKEN

    async def login_handler(request: httpx.Request) -> httpx.Response:
        calls = json.loads(request.content)
        if calls[0]["function"] == "get-login-token":
            return httpx.Response(200, json=[ok(calls[0], **{"login-token": "new-token"})])
        raise AssertionError("unexpected")

    class Router(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if (
                request.headers.get("content-length", "0")
                and int(request.headers["content-length"]) < 300
            ):
                await request.aread()
                return await login_handler(request)
            return await server.handle_async_request(request)

    async def credentials() -> tuple[str, str]:
        return (DEMO_EMAIL, DEMO_PASSWORD)

    async with make_client(Router(), credentials=credentials) as client:
        doc = await client.add_doc_to_contact(CID, "f", path)
        assert client.token == "new-token"
    assert doc.id == "d-1"
    assert len(server.bodies) == 2
    assert server.uploaded() == data

    server = StreamingServer()
    server.refuse_token = TOKEN
    async with make_client(server) as client:
        with pytest.raises(SessionExpiredError):
            await client.add_doc_to_contact(CID, "f", path)


async def test_body_object_length_and_single_use(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"hello world")
    body = Base64CallBody.for_call(
        "add-doc-to-contact", {"contact-id": "c"}, "r1", UploadSource(path), chunk_size=3
    )
    out = b"".join([chunk async for chunk in body])
    assert len(out) == body.length
    assert (
        json.loads(out)[0]["parameters"]["base64-data"] == base64.b64encode(b"hello world").decode()
    )
    assert body.finished
    with pytest.raises(RuntimeError):
        _ = [chunk async for chunk in body]
    with pytest.raises(ValueError):
        Base64CallBody(b"", b"", UploadSource(path), chunk_size=4)


async def test_file_shorter_than_promised_raises_oserror() -> None:
    server = StreamingServer()
    async with make_client(server) as client:
        with pytest.raises(OSError, match="shorter"):
            await client.add_doc_to_contact(CID, "x", io.BytesIO(b"abc"), size=CHUNK_SIZE * 2)
        # the client is still fine afterwards
        doc = await client.add_doc_to_contact(CID, "y", io.BytesIO(b"abc"))
    assert doc.id == "d-1"
    assert server.uploaded() == b"abc"


async def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    import tracemalloc

    class Discard(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.received = 0

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            async for chunk in request.stream:  # type: ignore[union-attr]
                self.received += len(chunk)
            answer = [{"result": {"success": "true", "document-id": "d"}}]
            return httpx.Response(200, json=answer)

    size = 24 * 1024 * 1024
    path = tmp_path / "big.bin"
    with path.open("wb") as handle:
        for _ in range(size // (1024 * 1024)):
            handle.write(os.urandom(1024 * 1024))
    transport = Discard()
    async with make_client(transport) as client:
        tracemalloc.start()
        try:
            await client.add_doc_to_contact(CID, "big", path)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert transport.received > size * 4 // 3
    assert peak < 4 * 1024 * 1024  # a few chunks, never the file
