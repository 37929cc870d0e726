"""Writing fetched list pages into the offline store, off the event loop where it can be.

A list's first page is written on the loop in one transaction (:meth:`PageWrites.write_now`:
it is shown at once and nothing scrolls yet). A further page arrives while the user scrolls:
:meth:`PageWrites.write` sends it to the store's ``bulk_writer()`` (a second SQLite connection,
made on first use) in that writer's own thread, one transaction per page, so its commit and
search indexing do not stall scrolling; the loop reads it back once committed. The writer
closes with the store (after the page it is writing) and :meth:`PageWrites.aclose` closes it.
A store without one, or whose database was replaced meanwhile, is written on the loop, a few
records per step.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

from snx_desktop.store.types import StoreUnavailable

from .ids import Record

__all__ = ["PAGE_WRITE_CHUNK", "PageWrites", "write_page"]

log = logging.getLogger(__name__)

PAGE_WRITE_CHUNK = 25  # records written in one step when a scrolled page is written on the loop

Pairs = list[tuple[str, Record]]


def write_page(cache: Any, kind: str, key: str, start: int, total: int, pairs: Pairs) -> list[str]:
    """Write a page's records and list positions in one transaction (on the loop or in a
    bulk writer's thread); the ids of records that were cached with other values."""
    ids = [rid for rid, _ in pairs]
    with cache.transaction():
        old = cache.get_records(kind, ids)
        cache.put_records(kind, pairs, merge=True)
        cache.put_list_page(kind, key, start, ids, total)
    return _changed(old, pairs)


class PageWrites:
    """The pages of one store's lists, written as they are fetched."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self._writer: Any = None  # the store's bulk writer for scrolled pages
        self._writer_failed = False
        self._closed = False

    @property
    def writer(self) -> Any:
        """The second store connection scrolled pages are written through (None until the
        first such page, or when the store has none)."""
        return self._writer

    def write_now(self, kind: str, key: str, start: int, total: int, pairs: Pairs) -> list[str]:
        """Write a page on the loop, in one transaction; the ids the server changed."""
        return write_page(self._store.cache, kind, key, start, total, pairs)

    async def write(
        self,
        kind: str,
        key: str,
        start: int,
        total: int,
        pairs: Pairs,
        landed_late: Callable[[list[str]], None],
    ) -> list[str] | None:
        """Write a scrolled page off the loop; the ids the server changed, or None when the
        store closed meanwhile. Cancelled while the writer's thread is writing, the page
        still lands, and ``landed_late(changed)`` is called on the loop then."""
        writer = self._page_writer()
        if writer is not None:
            try:
                changed: list[str] | None = await self._on_writer(
                    writer, (kind, key, start, total, pairs), landed_late
                )
            except StoreUnavailable:
                changed = None  # closed (with the store) before it could write the page
            if self._store_closed():
                return None
            if changed is not None and not writer.closed:
                return changed
            # the store moved a damaged database aside (closing the writer): the page is
            # written again below, into the new one
            log.info("second store connection closed; writing this page on the loop")
        # on the loop: the records a few at a time, letting the loop paint between them
        cache = self._store.cache
        ids = [rid for rid, _ in pairs]
        old = cache.get_records(kind, ids)
        for i in range(0, len(pairs), PAGE_WRITE_CHUNK):
            cache.put_records(kind, pairs[i : i + PAGE_WRITE_CHUNK], merge=True)
            await asyncio.sleep(0)
            if self._store_closed():
                return None
        cache.put_list_page(kind, key, start, ids, total)
        return _changed(old, pairs)

    async def aclose(self) -> None:
        """Close the second store connection (after the write it is running, if any)."""
        self._closed = True
        writer, self._writer = self._writer, None
        if writer is not None:
            await asyncio.to_thread(writer.close)

    # -- internals ----------------------------------------------------------------------------
    def _store_closed(self) -> bool:
        return bool(getattr(self._store, "closed", False))

    def _page_writer(self) -> Any:
        """The second store connection (made on first use), or None when the store has none
        (or it cannot be made): then pages are written on the loop."""
        writer = self._writer
        if writer is not None and not writer.closed:
            return writer
        self._writer = None
        make = getattr(self._store, "bulk_writer", None)
        if make is None or self._closed or self._writer_failed or self._store_closed():
            return None
        try:
            self._writer = make(close_with_store=True)
        except Exception:
            self._writer_failed = True
            log.warning(
                "scrolled pages written on the loop thread: no second connection", exc_info=True
            )
        return self._writer

    async def _on_writer(
        self,
        writer: Any,
        page: tuple[str, str, int, int, Pairs],
        landed_late: Callable[[list[str]], None],
    ) -> list[str]:
        fut: asyncio.Future[list[str]] = asyncio.wrap_future(writer.submit(write_page, *page))
        try:
            return await asyncio.shield(fut)
        except asyncio.CancelledError:
            # the write goes on in its thread: once it has landed, the caller hears of it
            fut.add_done_callback(lambda f: self._late(f, landed_late))
            raise

    def _late(
        self, fut: asyncio.Future[list[str]], landed_late: Callable[[list[str]], None]
    ) -> None:
        if fut.cancelled() or fut.exception() is not None or self._store_closed():
            return
        try:
            landed_late(fut.result())
        except Exception:
            log.exception("re-applying queued writes to a page failed")


def _changed(old: Mapping[str, Any], pairs: Pairs) -> list[str]:
    return [rid for rid, rec in pairs if rid in old and _differs(old[rid].value, rec)]


def _differs(old: Mapping[str, Any], new: Mapping[str, str]) -> bool:
    return any(str(old.get(k, "")) != v for k, v in new.items())
