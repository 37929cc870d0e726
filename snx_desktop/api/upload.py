"""Streamed request body for add-doc-to-contact.

The call's JSON is written as a prefix, the file as base64 produced chunk by chunk, and a
suffix, so memory stays flat whatever the file size. The exact length is known before the
first byte goes out (``4 * ceil(size / 3)`` for the base64 part), so the request carries a
Content-Length instead of being chunked.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Protocol, cast, runtime_checkable

__all__ = ["CHUNK_SIZE", "Base64CallBody", "BinarySource", "UploadSource", "base64_length"]

log = logging.getLogger("snx_desktop.api")

#: raw bytes read per step; a multiple of 3 so every chunk encodes without padding
CHUNK_SIZE = 3 * 64 * 1024

ProgressCallback = Callable[[int, int], object]


@runtime_checkable
class BinarySource(Protocol):
    """Anything with ``read(n) -> bytes`` (a file opened "rb", BytesIO, a raw stream).
    ``seekable``/``tell``/``seek`` are used when present."""

    def read(self, size: int = ..., /) -> bytes | None: ...


def base64_length(size: int) -> int:
    return 4 * ((size + 2) // 3)


class UploadSource:
    """A file to upload: a path (opened per attempt) or a binary stream (rewound per attempt).

    ``size`` is the number of bytes sent: the file's size, or what is left in the stream
    from its current position (a stream must be seekable unless ``size`` is given).
    """

    def __init__(self, source: str | os.PathLike[str] | BinarySource, size: int | None = None):
        self._path: Path | None = None
        self._stream: Any = None
        self._start = 0
        self.rewindable = True
        if isinstance(source, str | os.PathLike):
            self._path = Path(source)
            st = self._path.stat()  # OSError when missing or unreadable
            if not self._path.is_file():
                raise IsADirectoryError(f"Not a file: {self._path.name}")
            self.size = st.st_size if size is None else size
        else:
            if not isinstance(source, BinarySource):
                raise TypeError("source must be a path or a binary stream")
            stream = cast(Any, source)
            self._stream = stream
            seekable = False
            try:
                seekable = bool(stream.seekable())
            except (AttributeError, OSError, ValueError):
                seekable = False
            if seekable:
                self._start = stream.tell()
                end = stream.seek(0, os.SEEK_END)
                stream.seek(self._start)
                self.size = end - self._start if size is None else size
            elif size is not None:
                self.size = size
                self.rewindable = False
            else:
                raise ValueError("A stream that cannot seek needs size=")
        if self.size < 0:
            raise ValueError("size must not be negative")

    def open(self) -> BinarySource:
        """The stream positioned at the first byte to send (a new file for a path)."""
        if self._path is not None:
            return self._path.open("rb")
        assert self._stream is not None
        if self.rewindable:
            self._stream.seek(self._start)
        return cast(BinarySource, self._stream)

    def close(self, handle: BinarySource) -> None:
        if self._path is not None:
            cast(Any, handle).close()


class Base64CallBody:
    """An async byte stream: ``prefix + base64(file) + suffix``; ``length`` is exact."""

    def __init__(
        self,
        prefix: bytes,
        suffix: bytes,
        source: UploadSource,
        progress: ProgressCallback | None = None,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        if chunk_size <= 0 or chunk_size % 3:
            raise ValueError("chunk_size must be a positive multiple of 3")
        self._prefix = prefix
        self._suffix = suffix
        self._source = source
        self._progress = progress
        self._chunk = chunk_size
        self.total = source.size
        self.length = len(prefix) + base64_length(source.size) + len(suffix)
        #: file bytes handed to the transport so far
        self.sent = 0
        #: the whole body was handed to the transport
        self.finished = False
        self._used = False

    @classmethod
    def for_call(
        cls,
        function: str,
        parameters: dict[str, Any],
        request_id: str,
        source: UploadSource,
        progress: ProgressCallback | None = None,
        chunk_size: int = CHUNK_SIZE,
    ) -> Base64CallBody:
        """The one-call array ``[{"function", "parameters": {..., "base64-data": ...},
        "request-id"}]`` with the data last, so it can be streamed."""
        head = json.dumps(parameters, ensure_ascii=False, separators=(",", ":"))
        head = head[:-1] + ("," if parameters else "")
        prefix = (
            '[{"function":'
            + json.dumps(function)
            + ',"request-id":'
            + json.dumps(request_id)
            + ',"parameters":'
            + head
            + '"base64-data":"'
        ).encode("utf-8")
        suffix = b'"}}]'
        return cls(prefix, suffix, source, progress, chunk_size)

    def _report(self) -> None:
        if self._progress is None:
            return
        try:
            self._progress(self.sent, self.total)
        except Exception:
            log.exception("upload progress callback failed")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._used:
            raise RuntimeError("an upload body can be sent once")
        self._used = True
        handle = self._source.open()
        try:
            yield self._prefix
            self._report()
            remaining = self.total
            while remaining > 0:
                want = min(self._chunk, remaining)
                data = _read_exactly(handle, want)
                if len(data) != want:
                    raise OSError("The file became shorter while it was being uploaded.")
                remaining -= want
                encoded = base64.b64encode(data)
                del data
                self.sent += want
                yield encoded
                self._report()
            yield self._suffix
            self.finished = True
        finally:
            self._source.close(handle)


def _read_exactly(handle: BinarySource, n: int) -> bytes:
    data = handle.read(n)
    if data is None:
        data = b""
    if len(data) == n or not data:
        return data
    parts = [data]
    got = len(data)
    while got < n:
        more = handle.read(n - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)
