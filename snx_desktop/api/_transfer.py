"""Bounds on one HTTP exchange of the client: time, size, and what reached the server.

* :class:`Deadline`: the longest a request may take as a whole (connecting, sending, the
  last byte of the answer), not only between two reads: a base allowance plus time for the
  bytes moved at the slowest rate still accepted, so a server trickling a byte a second is
  cut off while a big transfer making progress is not.
* :func:`read_answer`: a call-v1 answer read as a stream, refused past a size cap (early when
  ``Content-Length`` already says so), so memory stays bounded whatever the server sends.
* :func:`save_download`: a document streamed to a file or stream with its own cap; a file
  is written beside the target and renamed only when complete, deleted on any failure.
* :class:`SendTrace`: whether any byte of a request went out (httpx's ``trace`` extension),
  which decides whether a write cut short may have reached the server.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx

from .errors import AnswerTooLargeError, ConnectionFailedError

__all__ = [
    "DEADLINE_PER_TIMEOUT",
    "DEFAULT_MAX_ANSWER_BYTES",
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "DEFAULT_MIN_TRANSFER_RATE",
    "Deadline",
    "SendTrace",
    "declared_length",
    "read_answer",
    "save_download",
    "size_text",
]

log = logging.getLogger("snx_desktop.api")

#: the largest call-v1 answer read (a page of records is far smaller)
DEFAULT_MAX_ANSWER_BYTES = 64 * 1024 * 1024
#: the largest document downloaded
DEFAULT_MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024
#: bytes per second a transfer is given time for beyond the base deadline (256 kbit/s)
DEFAULT_MIN_TRANSFER_RATE = 32 * 1024
#: the base deadline of a request, in read timeouts, when none is given
DEADLINE_PER_TIMEOUT = 4

_DOWNLOAD_CHUNK = 256 * 1024


def size_text(n: int) -> str:
    """``64 MB``, ``512 KB``, ``900 bytes``: a size for a message."""
    mb = 1024 * 1024
    if n >= mb:
        return f"{n / mb:.0f} MB" if n % mb == 0 or n >= 10 * mb else f"{n / mb:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


class Deadline:
    """An overall time limit for one request, used as ``async with deadline: ...``.

    It ends ``seconds`` plus ``(known_bytes + moved) / min_rate`` after it was entered, where
    ``known_bytes`` is a size known in advance (an upload's body) and ``moved`` what
    :meth:`moved` was told so far. When it passes, the block is cancelled and leaves with
    ``TimeoutError``; :attr:`expired` says it was this deadline.
    """

    def __init__(self, seconds: float, min_rate: float, known_bytes: int = 0) -> None:
        self._seconds = seconds
        self._rate = min_rate
        self._known = known_bytes
        self._start = 0.0
        self._timeout: asyncio.Timeout | None = None

    def _when(self, moved: int) -> float:
        return self._start + self._seconds + (self._known + moved) / self._rate

    async def __aenter__(self) -> Deadline:
        self._start = asyncio.get_running_loop().time()
        self._timeout = asyncio.timeout_at(self._when(0))
        await self._timeout.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._timeout is not None
        await self._timeout.__aexit__(exc_type, exc, tb)

    def moved(self, total: int) -> None:
        """``total`` bytes have been transferred so far: allow time for them."""
        if self._timeout is None or self._timeout.expired():
            return
        when = self._when(total)
        current = self._timeout.when()
        if current is None or when > current:
            self._timeout.reschedule(when)

    @property
    def expired(self) -> bool:
        return self._timeout is not None and self._timeout.expired()


class SendTrace:
    """httpx ``trace`` callback noting whether the request began to go out.

    Transports that report nothing (test transports) count as having sent it."""

    def __init__(self) -> None:
        self._events = False
        self._sending = False

    async def __call__(self, name: str, info: dict[str, Any]) -> None:
        self._events = True
        if ".send_request_" in name:
            self._sending = True

    @property
    def may_have_reached(self) -> bool:
        """False only when the connection was being made and no request byte was sent."""
        return self._sending or not self._events


def declared_length(response: httpx.Response) -> int | None:
    text = response.headers.get("content-length", "").strip()
    return int(text) if text.isdigit() else None


def _too_large(what: str, limit: int) -> AnswerTooLargeError:
    return AnswerTooLargeError(
        f"{what} is larger than {size_text(limit)}, the most this application accepts; "
        "it was not read."
    )


async def read_answer(response: httpx.Response, limit: int, deadline: Deadline) -> bytearray:
    """The whole (decoded) body of ``response``, read as a stream; ``AnswerTooLargeError``
    past ``limit`` bytes, before reading anything when ``Content-Length`` says so."""
    what = "The server's answer"
    declared = declared_length(response)
    if declared is not None and declared > limit and not response.headers.get("content-encoding"):
        raise _too_large(what, limit)
    body = bytearray()
    async for chunk in response.aiter_bytes():
        if len(body) + len(chunk) > limit:
            raise _too_large(what, limit)
        body += chunk
        deadline.moved(len(body))
    return body


async def save_download(
    response: httpx.Response,
    dest: str | os.PathLike[str] | IO[bytes],
    progress: Callable[[int, int | None], object] | None,
    limit: int,
    deadline: Deadline,
) -> int:
    """Stream a document to ``dest``; the bytes written. A path is written as ``<name>.part``
    and renamed at the end; on any failure (the cap, a cut, the deadline) it is deleted."""
    total = declared_length(response)
    encoded = bool(response.headers.get("content-encoding"))
    what = "The document"
    if total is not None and total > limit and not encoded:
        raise _too_large(what, limit)
    if encoded:
        total = None  # the length on the wire, not of the document
    written = 0

    def report() -> None:
        if progress is not None:
            try:
                progress(written, total)
            except Exception:
                log.exception("download progress callback failed")

    async def copy(write: Callable[[bytes], object]) -> None:
        nonlocal written
        async for chunk in response.aiter_bytes(_DOWNLOAD_CHUNK):
            if written + len(chunk) > limit:
                raise _too_large(what, limit)
            write(chunk)
            written += len(chunk)
            deadline.moved(written)
            report()
        if total is not None and written != total:
            raise ConnectionFailedError("The download ended early.")

    if isinstance(dest, str | os.PathLike):
        final = Path(dest)
        part = final.with_name(final.name + ".part")
        try:
            with part.open("wb") as handle:
                await copy(handle.write)
            os.replace(part, final)
        except BaseException:
            try:
                part.unlink()
            except OSError:
                pass
            raise
    else:
        await copy(dest.write)
    report()
    return written
