"""A paged table model on ``canFetchMore``/``fetchMore`` over a Qt-free page source.

The source (the services' browse use-case, through an adapter) answers two questions:
``cached_page(index)`` (what the offline store holds now, or None) and
``fetch_page(index)`` (the page from the network, or from the cache when offline). The model

* shows a cached page at once (fetch state ``STALE``) and replaces it when the network
  answers; with nothing cached it shows one placeholder row (``LOADING``) meanwhile;
* fetches each page once per generation (never the same page twice);
* drops pages that arrive after :meth:`reset` (a generation counter), and cancels the
  in-flight task on reset;
* turns a failed page into a placeholder row (``FAILED``) with the reason; :meth:`retry`
  tries again.

The pages and their source are in :mod:`snx_desktop.models.pages`, what each cell answers a
view in :mod:`snx_desktop.models.cellanswers` and :mod:`snx_desktop.models.cells`, the rows
updated in place in :mod:`snx_desktop.models.liverows`; sorting is client-side within the
loaded rows, through :class:`~snx_desktop.models.sortproxy.LoadedRowsSortProxy`.

A source's cached first page is shown in the same step as the source is set (no frame
without rows), and :meth:`PagedTableModel.show_cached` shows a page before any source exists:
the rows read from the store at start, before the services are loaded. asyncio is imported
where it is used, as this module is part of that first paint.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Signal,
)

from snx_desktop.models.cellanswers import CellAnswers
from snx_desktop.models.pages import Lookup, Page, PageSource, Record, default_record_id
from snx_desktop.models.roles import FetchState
from snx_desktop.models.schema import Column, Lookups

if TYPE_CHECKING:
    import asyncio

__all__ = ["Lookup", "Page", "PageSource", "PagedTableModel", "Record"]

log = logging.getLogger(__name__)

_Index = QModelIndex | QPersistentModelIndex

MAX_RESIDENT = 3000  # records kept in memory when rows can be read again through a lookup
LOOKUP_BATCH = 100  # rows read together when a row that is not resident is painted


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop, or None (also when asyncio was never imported: then no loop
    can be running, and the first paint need not load it)."""
    aio = sys.modules.get("asyncio")
    if aio is None:
        return None
    try:
        loop: asyncio.AbstractEventLoop = aio.get_running_loop()
    except RuntimeError:
        return None
    return loop


class PagedTableModel(CellAnswers):
    """A list of records loaded page by page as the view scrolls."""

    pageLoaded = Signal(int, bool)  # page index, from the network
    loadFailed = Signal(str)  # a sentence for the user
    totalChanged = Signal(int)
    dataAgeChanged = Signal(float)  # epoch seconds of the oldest page shown (0 = unknown)
    idle = Signal()

    def __init__(
        self,
        columns: Sequence[Column] = (),
        source: PageSource | None = None,
        *,
        record_id: Callable[[Record], str] = default_record_id,
        is_pending: Callable[[str], bool] | None = None,
        lookups: Lookups | None = None,
        error_text: Callable[[BaseException], str] | None = None,
        lookup: Lookup | None = None,
        max_resident: int = MAX_RESIDENT,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._lookup = lookup
        self._max_resident = max_resident
        self._columns: list[Column] = list(columns)
        self._source = source
        self._record_id = record_id
        self._is_pending = is_pending
        self.lookups = lookups or Lookups()
        self._error_text = error_text or (lambda exc: str(exc) or type(exc).__name__)
        self._pages: list[list[str]] = []  # the ids of each page
        self._stale: list[bool] = []
        self._ages: list[float | None] = []
        self._rows: list[Record | None] = []  # None: not resident, read again through lookup
        self._ids: list[str] = []
        self._resident: OrderedDict[int, None] = OrderedDict()
        self._row_stale: list[bool] = []
        self._total: int | None = None
        self._placeholder: FetchState | None = None
        self._error = ""
        self._generation = 0
        self._requested: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._fetching = False
        self.requests = 0  # network page requests made (for tests and benchmarks)

    # -- configuration -------------------------------------------------------------------
    @property
    def columns(self) -> list[Column]:
        return list(self._columns)

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def total(self) -> int | None:
        return self._total

    @property
    def loaded_count(self) -> int:
        return len(self._rows)

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.beginResetModel()
        self._columns = list(columns)
        self.endResetModel()

    def set_source(self, source: PageSource | None) -> None:
        """Show another list (or another filter); everything in flight is dropped."""
        self._source = source
        self.reset()

    def reset(self) -> None:
        """Forget all rows, cancel in-flight work; the view then fetches page 0 again."""
        self._generation += 1
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()
        self.beginResetModel()
        self._pages = []
        self._stale = []
        self._ages = []
        self._rows = []
        self._ids = []
        self._resident.clear()
        self._row_stale = []
        self._total = None
        self._placeholder = None
        self._error = ""
        self._requested = set()
        self._fetching = False
        self.endResetModel()
        if self._source is not None:
            # the cached first page now, in the same step as the reset: a view never paints
            # the list empty in between (a source that reads its cache asynchronously is
            # asked in the page's task instead)
            primed = self._cached_first_page(self._source)
            if primed is not None:
                self._append_page(primed, stale=True)
                self.pageLoaded.emit(0, False)
            # Do not rely on a view to ask for the first page: views ask only when their
            # geometry changes, which a reset of a shown view does not always cause.
            loop = _running_loop()
            if loop is None:
                return
            generation = self._generation
            if primed is not None:
                self._start_load(0, primed)
            else:
                loop.call_soon(self._first_page, generation)

    def show_cached(self, page: Page) -> None:
        """Show ``page`` (the list's first page, from the store) while there is no source.

        For the first paint at start: the source set later answers the same page from its
        cache in the same step, so the rows stay on screen while it takes over.
        """
        self._source = None
        self.reset()
        if page.records:
            self._append_page(page, stale=True)
            self.pageLoaded.emit(0, False)

    def _cached_first_page(self, source: PageSource) -> Page | None:
        try:
            cached = source.cached_page(0)
        except Exception:
            log.exception("reading the cached first page failed")
            return None
        if isinstance(cached, Awaitable):
            close = getattr(cached, "close", None)
            if close is not None:
                close()  # an unawaited coroutine; its task reads the cache again
            return None
        return cached if cached is not None and cached.records else None

    def _first_page(self, generation: int) -> None:
        if generation == self._generation and not self._pages:
            self.fetchMore(QModelIndex())

    def retry(self) -> None:
        """After a failed page, allow fetching it again."""
        if self._placeholder is FetchState.FAILED:
            failed = len(self._pages)
            self._requested.discard(failed)
            self._set_placeholder(None)
            self._error = ""
            self.fetchMore(QModelIndex())

    async def wait_idle(self) -> None:
        """Wait until no page is in flight."""
        import asyncio

        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def load_next(self) -> bool:
        """Fetch the next page (as a scrolling view would) and wait for it; False at the end."""
        await self.wait_idle()
        if not self.canFetchMore(QModelIndex()):
            return False
        self.fetchMore(QModelIndex())
        await self.wait_idle()
        return True

    # -- record access -------------------------------------------------------------------
    def set_lookup(self, lookup: Lookup | None) -> None:
        """Read rows that are not resident through ``lookup`` (ids -> records, no network)."""
        self._lookup = lookup

    @property
    def resident_count(self) -> int:
        return sum(1 for r in self._rows if r is not None)

    def record(self, row: int) -> Record | None:
        if 0 <= row < len(self._rows):
            return self._resolve(row)
        return None

    def record_at(self, row: int) -> Record:
        return self._resolve(row)

    def record_id(self, row: int) -> str:
        return self._ids[row] if 0 <= row < len(self._ids) else ""

    def row_of(self, record_id: str) -> int:
        try:
            return self._ids.index(record_id)
        except ValueError:
            return -1

    def records(self) -> list[Record]:
        return [self._resolve(row) for row in range(len(self._rows))]

    def _resolve(self, row: int) -> Record:
        """The record of ``row``; one not resident is read (with its neighbours) by lookup."""
        record = self._rows[row]
        if record is None:
            half = min(LOOKUP_BATCH, self._max_resident) // 2
            lo, hi = max(0, row - half), min(len(self._rows), row + half + 1)
            wanted = [i for i in range(lo, hi) if self._rows[i] is None]
            found: Mapping[str, Record] = {}
            if self._lookup is not None:
                try:
                    found = self._lookup([self._ids[i] for i in wanted])
                except Exception:
                    log.exception("reading rows from the cache failed")
            for i in wanted:
                rid = self._ids[i]
                self._rows[i] = found.get(rid) or {"id": rid}
                self._touch(i, evict=False)
            self._evict(keep=row)
            record = self._rows[row]
            assert record is not None
        else:
            self._touch(row, evict=False)
        return record

    def _touch(self, row: int, *, evict: bool = True) -> None:
        if self._lookup is None:
            return
        self._resident[row] = None
        self._resident.move_to_end(row)
        if evict:
            self._evict(keep=row)

    def _evict(self, keep: int) -> None:
        """Drop the least recently used records over the limit (they stay as ids)."""
        if self._lookup is None:
            return
        while len(self._resident) > self._max_resident:
            row, _ = self._resident.popitem(last=False)
            if row == keep:
                self._resident[row] = None
                continue
            if 0 <= row < len(self._rows):
                self._rows[row] = None

    def oldest_age(self) -> float:
        ages = [a for a in self._ages if a]
        return min(ages) if ages else 0.0

    # -- Qt model API --------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(self._rows) + (1 if self._placeholder is not None else 0)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(self._columns)

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self._source is None:
            return False
        if self._fetching or self._placeholder is FetchState.FAILED:
            return False
        if len(self._pages) in self._requested:
            return False
        if self._total is None:
            return not self._pages or len(self._pages[-1]) > 0
        return len(self._rows) < self._total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        if _running_loop() is None:  # no loop yet (model checks at start-up): fetched later
            log.debug("fetchMore without a running event loop ignored")
            return
        self._start_load(len(self._pages), None)

    def _start_load(self, index: int, primed: Page | None) -> None:
        """Load page ``index`` in a task; ``primed``: its cached copy, already shown."""
        loop = _running_loop()
        assert loop is not None
        self._requested.add(index)
        self._fetching = True
        task = loop.create_task(self._load(index, self._generation, primed))
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("page task failed", exc_info=task.exception())
        if not self._tasks:
            self.idle.emit()

    # -- loading -------------------------------------------------------------------------
    async def _load(self, index: int, generation: int, primed: Page | None = None) -> None:
        import asyncio

        source = self._source
        assert source is not None
        cached: Page | None = primed
        if primed is None:
            try:
                found = source.cached_page(index)
                cached = await found if isinstance(found, Awaitable) else found
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reading the cached page %s failed", index)
                cached = None
            if generation != self._generation:
                return
            if cached is not None and cached.records:
                self._append_page(cached, stale=True)
                self.pageLoaded.emit(index, False)
            else:
                self._set_placeholder(FetchState.LOADING)
        try:
            self.requests += 1
            page = await source.fetch_page(index)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if generation != self._generation:
                return
            self._fetching = False
            text = self._error_text(exc)
            if cached is not None and cached.records:
                log.info("page %s kept from the cache: %s", index, text)
            else:
                self._error = text
                self._set_placeholder(FetchState.FAILED)
            self.loadFailed.emit(text)
            return
        if generation != self._generation:
            log.debug("dropping page %s of an old generation", index)
            return
        self._fetching = False
        self._set_placeholder(None)
        if cached is not None and cached.records:
            self._replace_page(index, page)
        else:
            self._append_page(page, stale=page.from_cache)
        self.pageLoaded.emit(index, not page.from_cache)

    def _set_placeholder(self, state: FetchState | None) -> None:
        if state is self._placeholder:
            return
        row = len(self._rows)
        if self._placeholder is None and state is not None:
            self.beginInsertRows(QModelIndex(), row, row)
            self._placeholder = state
            self.endInsertRows()
        elif self._placeholder is not None and state is None:
            self.beginRemoveRows(QModelIndex(), row, row)
            self._placeholder = None
            self.endRemoveRows()
        else:
            self._placeholder = state
            if self._columns:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._columns) - 1))

    def _set_total(self, total: int) -> None:
        if total != self._total:
            self._total = total
            self.totalChanged.emit(total)

    def _emit_age(self) -> None:
        self.dataAgeChanged.emit(self.oldest_age())

    def _append_page(self, page: Page, *, stale: bool) -> None:
        records = list(page.records)
        self._set_total(max(page.total, len(self._rows) + len(records)))
        if not records:
            self._pages.append([])
            self._stale.append(stale)
            self._ages.append(page.fetched_at or time.time())
            return
        first = len(self._rows)
        ids = [self._record_id(r) for r in records]
        self.beginInsertRows(QModelIndex(), first, first + len(records) - 1)
        self._pages.append(ids)
        self._stale.append(stale)
        self._ages.append(page.fetched_at or (None if stale else time.time()))
        self._rows.extend(records)
        self._ids.extend(ids)
        self._row_stale.extend([stale] * len(records))
        self.endInsertRows()
        for row in range(first, first + len(records)):
            self._touch(row)
        self._emit_age()

    def _replace_page(self, index: int, page: Page) -> None:
        if index >= len(self._pages):
            self._append_page(page, stale=page.from_cache)
            return
        new: list[Record | None] = list(page.records)
        new_ids = [self._record_id(r) for r in page.records]
        start = sum(len(p) for p in self._pages[:index])
        old_len = len(self._pages[index])
        stale = page.from_cache
        if len(new) == old_len:
            self._pages[index] = new_ids
            self._rows[start : start + old_len] = new
            self._ids[start : start + old_len] = new_ids
            self._row_stale[start : start + old_len] = [stale] * old_len
            for row in range(start, start + old_len):
                self._touch(row)
            if old_len and self._columns:
                self.dataChanged.emit(
                    self.index(start, 0), self.index(start + old_len - 1, len(self._columns) - 1)
                )
        else:
            # rows shift: forget which are resident (older ones are read again when needed)
            if self._lookup is not None:
                self._resident.clear()
                self._rows = [None] * len(self._rows)
            if old_len:
                self.beginRemoveRows(QModelIndex(), start, start + old_len - 1)
                del self._rows[start : start + old_len]
                del self._ids[start : start + old_len]
                del self._row_stale[start : start + old_len]
                self._pages[index] = []
                self.endRemoveRows()
            if new:
                self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
                self._rows[start:start] = new
                self._ids[start:start] = new_ids
                self._row_stale[start:start] = [stale] * len(new)
                self._pages[index] = new_ids
                self.endInsertRows()
                for row in range(start, start + len(new)):
                    self._touch(row)
        self._stale[index] = stale
        self._ages[index] = page.fetched_at or time.time()
        self._set_total(max(page.total, len(self._rows)))
        self._emit_age()
