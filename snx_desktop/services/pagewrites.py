"""Writing fetched list pages into the offline store, through the store writer's thread.

Every page of a list (the first one, scrolled ones, searches, refreshes) is written by the
store's :class:`~snx_desktop.store.writer.StoreWriter`, one transaction per page, so that its
commit and search indexing never stall the event loop. :meth:`PageWrites.write` returns once
the page has committed: the caller reads it back through the store's own connection after
that, never before. A store closed meanwhile gives None (the caller shows the fetched records);
a damaged database moved aside while the page was written gets the page again, in the new one.

A first page the rep is waiting for is shown from the answer in memory while it is written
(:meth:`PageWrites.track_first`); until it has committed, :meth:`PageWrites.writing_first`
answers reads of that page from memory, so a read never sees the store without it, and
:meth:`PageWrites.wait_written` waits for every such write (before the store closes).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from snx_desktop.store.types import StoreUnavailable

from .ids import Record

__all__ = ["PageWrites"]

log = logging.getLogger(__name__)

Pairs = list[tuple[str, Record]]

_ATTEMPTS = 3  # a page is written again at most this often after its database was replaced


class PageWrites:
    """The pages of one store's lists, written as they are fetched."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self._writer: Any = None  # the store writer the last page went through
        # first pages being written, by (kind, filter): (the write, records, total, fetched at)
        self._first: dict[tuple[str, str], tuple[asyncio.Future[bool], list[Record], int, float]]
        self._first = {}

    def track_first(
        self, kind: str, key: str, write: asyncio.Future[bool], records: list[Record], total: int
    ) -> None:
        """``write`` writes the first page of ``(kind, key)``, shown meanwhile as ``records``:
        :meth:`writing_first` answers with them until it is done."""
        entry = (write, records, total, time.time())
        self._first[(kind, key)] = entry

        def done(fut: asyncio.Future[bool]) -> None:
            if self._first.get((kind, key)) is entry:
                del self._first[(kind, key)]
            if not fut.cancelled() and fut.exception() is not None:
                log.error("writing a first page failed", exc_info=fut.exception())

        write.add_done_callback(done)

    def writing_first(self, kind: str, key: str) -> tuple[list[Record], int, float] | None:
        """The first page of ``(kind, key)`` while it is being written: (records, total,
        fetched at); None when no such write is under way."""
        entry = self._first.get((kind, key))
        return None if entry is None else entry[1:]

    async def wait_written(self) -> None:
        """Wait until the first pages being written have landed (or failed)."""
        while self._first:
            writes = [entry[0] for entry in self._first.values()]
            await asyncio.gather(*writes, return_exceptions=True)

    @property
    def writer(self) -> Any:
        """The store writer the last page was written through (None before the first)."""
        return self._writer

    async def write(
        self,
        kind: str,
        key: str,
        start: int,
        total: int,
        pairs: Pairs,
        landed_late: Callable[[list[str]], None],
    ) -> list[str] | None:
        """Write a page and wait until it committed; the ids the server changed, or None when
        the store closed meanwhile. Cancelled while the page is written, the page still lands,
        and ``landed_late(changed)`` is called on the loop then. The store's typed errors
        (the disk refuses) are raised as they came."""
        for _ in range(_ATTEMPTS):
            if self._store_closed():
                return None
            try:
                writer = self._writer = self._store.writer
                changed: list[str] | None = await self._on_writer(
                    writer, (kind, key, start, total, pairs), landed_late
                )
            except StoreUnavailable:
                changed = None  # closed (with the store) before it could write the page
                writer = self._writer
            if self._store_closed():
                return None
            if changed is not None and writer is not None and not writer.closed:
                return changed
            # the store moved a damaged database aside (closing its writer): the page is
            # written again, into the new one
            log.info("the store writer closed under a page; writing it again")
        return None

    # -- internals ----------------------------------------------------------------------------
    def _store_closed(self) -> bool:
        return bool(getattr(self._store, "closed", False))

    async def _on_writer(
        self,
        writer: Any,
        page: tuple[str, str, int, int, Pairs],
        landed_late: Callable[[list[str]], None],
    ) -> list[str]:
        task = asyncio.ensure_future(writer.put_page(*page))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            # the write goes on in the writer's thread: once it has landed, the caller hears
            task.add_done_callback(lambda t: self._late(t, landed_late))
            raise

    def _late(
        self, task: asyncio.Future[list[str]], landed_late: Callable[[list[str]], None]
    ) -> None:
        if task.cancelled() or task.exception() is not None or self._store_closed():
            return
        try:
            landed_late(task.result())
        except Exception:
            log.exception("re-applying queued writes to a page failed")
