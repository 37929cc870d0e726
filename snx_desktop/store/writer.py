"""The store writer: one thread that owns the connection every fetched page is written through.

Pages of lists (the first one and the scrolled ones, searches, refreshes) and priming write the
cache through :class:`StoreWriter`, never on the event loop: ``await writer.put_page(...)``,
``await writer.put_records(...)`` or ``await writer.run(fn, ...)`` (``fn(cache, ...)``). One
thread, one SQLite connection (opened by that thread on its first job), jobs run in the order
they were given, each in one transaction (``read`` jobs in none). A caller that needs what a
job wrote awaits the job, then reads through the store's own connection (WAL lets the loop
read while the writer writes), so a read never overtakes the write it follows.

A write the disk refuses raises the store's typed error
(:class:`~snx_desktop.store.types.StoreEnvironmentError`, sorted by :mod:`.errors` as the
store's own writes are), and the store hears of it on the loop thread as it does of its own.
The writer is closed with the store, and before a damaged database is moved aside, after the
job it is running; jobs still waiting then raise :class:`StoreUnavailable`.

The outbox (the journal of the rep's unsent changes) is not written here: it stays on the
store's own connection on the loop thread, committed synchronously with ``synchronous=FULL``,
because a change must be journaled on the disk before the dialog that made it closes.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar, cast

from .cache import Cache
from .db import Database, connect
from .errors import classify, environment_error, is_problem
from .search import Search
from .types import Problem, Record, StoreEnvironmentError, StoreUnavailable

__all__ = ["StoreWriter", "changed_ids", "write_page"]

log = logging.getLogger(__name__)

T = TypeVar("T")

Pairs = list[tuple[str, Record]]

_CLOSED = "The offline store is closed."


def write_page(
    cache: Cache, kind: str, key: str, start: int, total: int, pairs: Pairs
) -> list[str]:
    """Write a page's records and list positions (in the writer's transaction); the ids of
    the records that were cached with other values."""
    ids = [rid for rid, _ in pairs]
    old = cache.get_records(kind, ids)
    cache.put_records(kind, pairs, merge=True)
    cache.put_list_page(kind, key, start, ids, total)
    return changed_ids(old, pairs)


def changed_ids(old: Mapping[str, Any], pairs: Pairs) -> list[str]:
    """The ids of ``pairs`` cached in ``old`` with other values."""
    return [rid for rid, rec in pairs if rid in old and _differs(old[rid].value, rec)]


def _differs(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    return any(str(old.get(k, "")) != v for k, v in new.items())


class _Job:
    __slots__ = ("args", "fn", "future", "write")

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], write: bool) -> None:
        self.fn = fn
        self.args = args
        self.write = write
        self.future: Future[Any] = Future()


class StoreWriter:
    """One thread and its connection, writing the cache job after job (see the module)."""

    def __init__(
        self,
        path: Path,
        *,
        wal_autocheckpoint: int | None = None,
        on_commit: Callable[[], None] | None = None,
        roles_from: Search | None = None,
        before_job: Callable[[], None] | None = None,
        on_problem: Callable[[StoreEnvironmentError], None] | None = None,
    ) -> None:
        self.path = path
        self._autockpt = wal_autocheckpoint
        self._on_commit = on_commit
        self._roles_from = roles_from
        #: called on the loop before each job is queued (the store retries a refused open
        #: there, and raises its problem while it is open read-only)
        self.before_job = before_job
        #: told on the loop of a write the disk refused (the store's problem)
        self.on_problem = on_problem
        self._db: Database | None = None
        self._cache: Cache | None = None
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._running = threading.Lock()  # held while a job runs
        self._closed = False
        self._closing = False
        #: how long :meth:`close` waits for the running job (seconds)
        self.close_wait_s = 30.0
        #: takes back the store's close hook (set by ``Store.writer``)
        self.unhook: Callable[[], None] | None = None

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def busy(self) -> bool:
        """True while a job runs."""
        return self._running.locked()

    # -- the awaitable facade (call from the event loop) --------------------------------------
    async def put_page(
        self, kind: str, key: str, start: int, total: int, pairs: Pairs
    ) -> list[str]:
        """Write one page of a list (records, list positions, search index) in one
        transaction; the ids of the records the server changed."""
        return await self.run(write_page, kind, key, start, total, pairs)

    async def put_records(self, kind: str, pairs: Pairs, *, merge: bool = True) -> int:
        """Upsert records in one transaction; how many were written."""
        return await self.run(_put_records, kind, pairs, merge)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(cache, *args)`` in the writer's thread, in one transaction; its result.

        Cancelled while it is queued or running, the job still runs to its end (see
        :meth:`submit` to hear of it)."""
        return await self._await(self.submit(fn, *args))

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(cache, *args)`` in the writer's thread, in no transaction (reads that must see
        the jobs before them, without holding the database's write lock)."""
        return await self._await(self.submit(fn, *args, write=False))

    async def _await(self, fut: Future[T]) -> T:
        try:
            return await asyncio.shield(asyncio.wrap_future(fut))
        except StoreEnvironmentError as exc:
            if self.on_problem is not None:
                try:
                    self.on_problem(exc)
                except Exception:
                    log.exception("store problem listener failed")
            raise

    # -- jobs ----------------------------------------------------------------------------------
    def submit(self, fn: Callable[..., T], *args: Any, write: bool = True) -> Future[T]:
        """Queue ``fn(cache, *args)`` (in one transaction unless ``write`` is False); its
        future. Raises :class:`StoreUnavailable` once the writer is closed, and what
        ``before_job`` raises (the store's problem while it is open read-only)."""
        if self._closed:
            raise StoreUnavailable(_CLOSED)
        if self.before_job is not None:
            self.before_job()
        job = _Job(fn, args, write)
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._serve, name="snx-store-writer", daemon=True
            )
            self._thread.start()
        self._jobs.put(job)
        return cast("Future[T]", job.future)

    def _serve(self) -> None:
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    break
                if not job.future.set_running_or_notify_cancel():
                    continue
                error: BaseException | None = None
                result: Any = None
                with self._running:
                    if self._closing:
                        error = StoreUnavailable(_CLOSED)
                    else:
                        try:
                            result = self._run(job)
                        except BaseException as exc:
                            error = exc
                # told once the writer is no longer busy with it
                if error is not None:
                    job.future.set_exception(error)
                else:
                    job.future.set_result(result)
        finally:
            self._close_connection()
            while True:  # given while it closed: never left waiting
                try:
                    left = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if left is not None and left.future.set_running_or_notify_cancel():
                    left.future.set_exception(StoreUnavailable(_CLOSED))

    def _run(self, job: _Job) -> Any:
        cache = self._connection()
        if not job.write:
            return job.fn(cache, *job.args)
        with cache.transaction():
            return job.fn(cache, *job.args)

    def _connection(self) -> Cache:
        if self._cache is not None:
            return self._cache
        try:
            conn = connect(self.path, check_same_thread=False, wal_autocheckpoint=self._autockpt)
        except sqlite3.Error as exc:
            kind = classify(exc, self.path.parent)
            if kind is None or not is_problem(kind):
                raise
            raise environment_error(cast(Problem, kind), None, detail=str(exc)) from exc
        db = Database(conn, self.path.parent)
        db.on_commit = self._on_commit
        search = Search(db, roles_from=self._roles_from)
        self._db = db
        self._cache = Cache(db, search)
        return self._cache

    def _close_connection(self) -> None:
        db, self._db, self._cache = self._db, None, None
        if db is not None:
            try:
                db.close()
            except sqlite3.Error:
                log.warning("closing the store writer's connection failed", exc_info=True)

    # -- closing -------------------------------------------------------------------------------
    def close(self) -> None:
        """Close after the running job (if any): jobs still queued raise
        :class:`StoreUnavailable`; calling it again does nothing."""
        self._closing = True  # no job starts from here on
        acquired = self._running.acquire(timeout=self.close_wait_s)
        try:
            if self._closed:
                return
            if not acquired:
                log.warning("closing the store writer while a write still runs")
            self._closed = True
            unhook, self.unhook = self.unhook, None
            if unhook is not None:
                unhook()
        finally:
            if acquired:
                self._running.release()
        thread = self._thread
        if thread is None:
            return
        self._jobs.put(None)
        if thread is not threading.current_thread():
            thread.join(self.close_wait_s if acquired else 0.1)

    def __enter__(self) -> StoreWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _put_records(cache: Cache, kind: str, pairs: Pairs, merge: bool) -> int:
    return cache.put_records(kind, pairs, merge=merge)
