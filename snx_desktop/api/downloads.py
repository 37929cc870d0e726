"""Downloading a document: streamed to a path or a stream, bounded in size and time, the
token in a header and only to the API's own origin, one re-login when the server refuses."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from typing import IO

import httpx

from . import _wire
from ._transfer import (
    Deadline,
    save_download,
)
from .errors import (
    ConnectionFailedError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    RequestTimeoutError,
    SalesNexusError,
    ServerError,
    SessionExpiredError,
)
from .transport import Transport

log = logging.getLogger("snx_desktop.api")


class DocumentDownloads(Transport):
    """:meth:`download_document` on top of the transport."""

    async def download_document(
        self,
        url: str,
        dest: str | os.PathLike[str] | IO[bytes],
        progress: Callable[[int, int | None], object] | None = None,
    ) -> int:
        """Stream a document's ``url`` to ``dest`` (path or binary stream); bytes written.

        The login token goes in an ``Authorization: Bearer`` header, never in the address,
        and only to the API's own origin (scheme, host and port). A document larger than
        ``max_download_bytes`` raises :class:`AnswerTooLargeError`; a path is written only
        when the whole document arrived (nothing is left behind on a failure)."""
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
            refused = False
            try:
                async with (
                    Deadline(self._deadline, self._min_rate) as deadline,
                    self.http.stream("GET", target, headers=headers) as response,
                ):
                    status = response.status_code
                    if same_origin:
                        self._note_online(True)
                    if status in (401, 403) and same_origin and not relogged:
                        refused = True
                    else:
                        _check_download_status(status)
                        return await save_download(
                            response, dest, progress, self._max_download, deadline
                        )
            except (httpx.HTTPError, TimeoutError) as exc:
                if same_origin:
                    self._note_online(False)
                err: SalesNexusError = (
                    RequestTimeoutError(f"The download from {target.host} timed out.")
                    if isinstance(exc, httpx.TimeoutException | TimeoutError)
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
            if refused:
                relogged = True
                try:
                    await self._relogin(token)
                except SessionExpiredError as exc:
                    raise self._download_error(exc) from exc.__cause__

    @staticmethod
    def _download_error(exc: SessionExpiredError) -> SessionExpiredError:
        return SessionExpiredError(exc.message, code=exc.code, function="download")


def _rewindable(dest: str | os.PathLike[str] | IO[bytes]) -> bool:
    return isinstance(dest, str | os.PathLike)


def _check_download_status(status: int) -> None:
    """Raise the error a download answered with ``status`` means (nothing for success)."""
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
    if status == 401:
        raise SessionExpiredError(http_status=status, code="INVALID_TOKEN")
    if status == 403:
        raise PermissionDeniedError(http_status=status, code="PERMISSION_DENIED")
    if status >= 300:
        raise ProtocolError(f"The server refused the download (HTTP {status}).", http_status=status)
