"""A second connection to an open store, for long cache writes off the event-loop thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from .cache import Cache
from .db import Database, connect
from .search import Search
from .types import StoreUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")


class BulkWriter:
    """A second connection to an open store, for cache writes from a worker thread.

    Use it from one thread at a time (e.g. ``await asyncio.to_thread(writer.call,
    put_page, ...)`` or ``writer.cache.put_records`` directly, one call after the other) while
    the event loop keeps reading through the store's own connection (WAL lets readers run
    during a write). Writes on the store's connection wait for the writer's current
    transaction to finish. It holds only ``cache`` and ``search``: the outbox stays with the
    store. Its search index uses the field roles of ``roles_from`` (the store's search) as
    they are when each write indexes, so roles set after the writer was made apply.
    """

    def __init__(
        self,
        path: Path,
        *,
        wal_autocheckpoint: int | None = None,
        on_commit: Callable[[], None] | None = None,
        roles_from: Search | None = None,
    ) -> None:
        self._db = Database(
            connect(path, check_same_thread=False, wal_autocheckpoint=wal_autocheckpoint),
            path.parent,
        )
        self._db.on_commit = on_commit
        self.search = Search(self._db, roles_from=roles_from)
        self.cache = Cache(self._db, self.search)
        self._lock = threading.Lock()
        self._closed = False
        self._thread: ThreadPoolExecutor | None = None
        #: how long :meth:`close` waits for the running call (seconds)
        self.close_wait_s = 30.0
        #: takes back the store's close hook (set by ``Store.bulk_writer``)
        self.unhook: Callable[[], None] | None = None

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def busy(self) -> bool:
        """True while a :meth:`call` runs."""
        return self._lock.locked()

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """:meth:`call` in this writer's own worker thread (made on first use; one thread, so
        its allocations stay in one malloc arena); ``asyncio.wrap_future`` awaits it. Submit
        from one thread (the event loop's)."""
        if self._closed:
            raise StoreUnavailable("The store's second connection is closed.")
        thread = self._thread
        if thread is None:
            thread = self._thread = ThreadPoolExecutor(1, thread_name_prefix="snx-store-writer")
        try:
            return thread.submit(self.call, fn, *args)
        except RuntimeError as exc:  # shut down by close() meanwhile
            raise StoreUnavailable("The store's second connection is closed.") from exc

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(self.cache, *args)``, holding the writer: :meth:`close` waits for it.

        Raises :class:`StoreUnavailable` once the writer is closed."""
        with self._lock:
            if self._closed:
                raise StoreUnavailable("The store's second connection is closed.")
            return fn(self.cache, *args)

    def close(self) -> None:
        """Close after the running :meth:`call` (if any); calling it again does nothing."""
        acquired = self._lock.acquire(timeout=self.close_wait_s)
        try:
            if self._closed:
                return
            if not acquired:
                log.warning("closing the store's second connection while a write still runs")
            self._closed = True
            unhook, self.unhook = self.unhook, None
            if unhook is not None:
                unhook()
            self._db.close()
            thread, self._thread = self._thread, None
            if thread is not None:
                thread.shutdown(wait=False)  # calls queued behind find the writer closed
        finally:
            if acquired:
                self._lock.release()

    def __enter__(self) -> BulkWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
