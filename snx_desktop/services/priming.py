"""Priming the working set: everything a rep needs offline, fetched into the store.

One job at a time pages through all contacts and groups and the signed-in user's activities
(the API cannot filter activities by date, so the whole list is cached), then fetches the notes
and sales of every contact and group (and the members of every group), many records per HTTP
request; contacts the user has activities with in the date window come first. Progress is
reported as (done, total, stage) and the job can be cancelled; what was fetched stays. A later
run is incremental: a list whose total and first page are unchanged and that was fetched
recently is not paged again, and the details of a record fetched within ``max_age`` are
skipped.

The loop thread never does the bulk work: pages and details are written (and the freshness
checks read) by the store writer's thread (:mod:`snx_desktop.store.writer`), one page or one
batch of details per job and transaction, and the reads in jobs of at most ``READ_CHUNK``
records, so that a page the rep scrolls to, queued behind them, waits for one short job at
most, and browsing and the loop's own commits go on meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from snx_desktop.api.values import parse_datetime

from . import _wire
from .connectivity import Connectivity
from .events import Event
from .lazyclient import ClientSource, lazy_client
from .schema import SchemaService
from .types import ID_KEY, Change, OfflineError, Progress, Record

if TYPE_CHECKING:
    from snx_desktop.api.client import SalesNexusClient

log = logging.getLogger(__name__)

T = TypeVar("T")

READ_CHUNK = 1000  # records read by one job of the store writer
# records per list request: reading a page's answer is one step of the loop thread, a few
# milliseconds for 100 records (five times that for 500)
PAGE_SIZE = 100


@dataclass(frozen=True)
class PrimingResult:
    contacts: int = 0
    groups: int = 0
    activities: int = 0
    details_fetched: int = 0
    details_skipped: int = 0
    lists_skipped: int = 0
    cancelled: bool = False
    error: str | None = None


class PrimingJob:
    """A running priming job: `progress`, `cancel()`, `await wait()`."""

    def __init__(self, progress: Event[Progress]) -> None:
        self.progress = progress
        self.task: asyncio.Task[PrimingResult] | None = None

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    @property
    def done(self) -> bool:
        return self.task is not None and self.task.done()

    async def wait(self) -> PrimingResult:
        assert self.task is not None
        return await asyncio.shield(self.task)


class _Counter:
    def __init__(self, emit: Callable[[Progress], None]) -> None:
        self.done = 0
        self.total = 0
        self.stage = ""
        self._emit = emit

    def add_total(self, n: int) -> None:
        self.total += n
        self.report()

    def step(self, n: int = 1) -> None:
        self.done += n
        self.report()

    def set_stage(self, stage: str) -> None:
        self.stage = stage
        self.report()

    def report(self) -> None:
        self._emit(Progress(self.done, max(self.total, self.done), self.stage))


class PrimingService:
    """Starts priming jobs; `progress` relays the progress of whichever job runs."""

    def __init__(
        self,
        client: ClientSource,
        store: Any,
        schema: SchemaService,
        connectivity: Connectivity,
        hub: Event[Change],
    ) -> None:
        self._clients = lazy_client(client)
        self._store = store
        self._schema = schema
        self._conn = connectivity
        self._hub = hub
        self.progress: Event[Progress] = Event("priming.progress")
        self.finished: Event[PrimingResult] = Event("priming.finished")
        self.job: PrimingJob | None = None
        # set by the write queue: re-applies queued writes to records just overwritten
        self.overlay: Callable[[str, Any], None] | None = None

    @property
    def _client(self) -> SalesNexusClient:
        return self._clients.get()

    def start(
        self,
        *,
        days_back: int = 30,
        days_ahead: int = 60,
        page_size: int = PAGE_SIZE,
        details_per_request: int = 20,
        max_age: float = 12 * 3600.0,
        details: bool = True,
    ) -> PrimingJob:
        """Start a job (or return the one running)."""
        if self.job is not None and not self.job.done:
            return self.job
        job = PrimingJob(self.progress)
        run = _Run(self, days_back, days_ahead, page_size, details_per_request, max_age, details)
        job.task = asyncio.create_task(run.run(), name="snx-priming")
        job.task.add_done_callback(self._done)
        self.job = job
        return job

    def _done(self, task: asyncio.Task[PrimingResult]) -> None:
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            self.finished.emit(task.result())

    async def aclose(self) -> None:
        if self.job is not None and self.job.task is not None:
            self.job.task.cancel()
            with contextlib.suppress(BaseException):
                await self.job.task


def _cached_ids(cache: Any, kind: str, start: int) -> list[str]:
    page = cache.get_list_page(kind, "", start, READ_CHUNK)
    return [i for i in page.ids if i] if page is not None else []


class _Run:
    def __init__(
        self,
        svc: PrimingService,
        days_back: int,
        days_ahead: int,
        page_size: int,
        per_request: int,
        max_age: float,
        details: bool,
    ) -> None:
        self.svc = svc
        self.client = svc._client
        self.store = svc._store
        self.cache = svc._store.cache
        self.window = (
            datetime.now() - timedelta(days=days_back),
            datetime.now() + timedelta(days=days_ahead),
        )
        self.page_size = page_size
        self.per_request = max(1, per_request)
        self.max_age = max_age
        self.details = details
        self.counter = _Counter(svc.progress.emit)
        self.result: dict[str, Any] = {}

    async def _call(self, make: Callable[[], Awaitable[Any]]) -> Any:
        if not self.svc._conn.is_online:
            raise OfflineError("the working set")
        try:
            out = await make()
        except Exception as exc:
            if _wire.is_offline_error(exc):
                self.svc._conn.report_failure(str(exc))
                raise OfflineError("the working set") from exc
            raise
        self.svc._conn.report_success()
        return out

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(cache, *args)`` in the store writer's thread, in one transaction. A cancelled
        caller still waits for the job to end (it commits or rolls back) before going on."""
        return await self._job(self.store.writer.run(fn, *args))

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(cache, *args)`` in the store writer's thread, after the writes before it."""
        return await self._job(self.store.writer.read(fn, *args))

    async def _job(self, job: Awaitable[T]) -> T:
        task = asyncio.ensure_future(job)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            with contextlib.suppress(BaseException):
                await task
            raise

    async def run(self) -> PrimingResult:
        return await self._run()

    async def _run(self) -> PrimingResult:
        r = self.result
        try:
            self.counter.set_stage("schema")
            if self.svc._schema.current is None:
                await self._call(lambda: self.svc._schema.load())
            me = self.svc._schema.current.me if self.svc._schema.current else None
            contact_ids = await self._list("contact", "get_contacts", {})
            r["contacts"] = len(contact_ids)
            group_ids = await self._list("group", "get_groups", {})
            r["groups"] = len(group_ids)
            act_ids = await self._list("activity", "get_activities", {"user_id": me})
            r["activities"] = len(act_ids)
            if self.details:
                # contacts with the user's activities in the window come first, so that a job
                # cut short has primed the ones the rep will meet soonest
                soon: dict[str, None] = {}
                for i in range(0, len(act_ids), READ_CHUNK):
                    soon.update(await self.read(self._soon_contacts, act_ids[i : i + READ_CHUNK]))
                known = set(contact_ids)
                order = [i for i in soon if i in known]
                order += [i for i in contact_ids if i not in soon]
                await self._details("contact", order)
                await self._details("group", group_ids)
            self.counter.set_stage("done")
            await self.write(lambda c: c.put_catalog("primed_at", time.time()))
            return self._result()
        except asyncio.CancelledError:
            # the job's own task is cancelled only through cancel(): end it with a result
            self.counter.set_stage("cancelled")
            return self._result(cancelled=True)
        except Exception as exc:
            log.warning("priming stopped: %s", exc)
            self.counter.set_stage("failed")
            return self._result(error=str(exc))

    def _result(self, *, cancelled: bool = False, error: str | None = None) -> PrimingResult:
        r = self.result
        return PrimingResult(
            r.get("contacts", 0),
            r.get("groups", 0),
            r.get("activities", 0),
            r.get("details_fetched", 0),
            r.get("details_skipped", 0),
            r.get("lists_skipped", 0),
            cancelled,
            error,
        )

    # ------------------------------------------------------------------ lists
    async def _list(self, kind: str, method: str, extra: dict[str, Any]) -> list[str]:
        """Page through a whole list into the cache; returns the ids in order."""
        self.counter.set_stage({"activity": "activities"}.get(kind, f"{kind}s"))
        fn = getattr(self.client, method)
        extra = {k: v for k, v in extra.items() if v}
        first = await self._call(lambda: fn(start_after=0, page_size=self.page_size, **extra))
        pages = max(1, math.ceil(first.total / self.page_size))
        self.counter.add_total(pages)
        info = self.cache.list_info(kind, "")
        cached_first = self.cache.get_list_page(kind, "", 0, len(first.ids))
        if (
            info is not None
            and info.total == first.total
            and info.cached_count >= first.total
            and info.fetched_at > time.time() - self.max_age
            and cached_first is not None
            and [i for i in cached_first.ids] == first.ids
        ):
            # unchanged since a recent run: keep the cached pages
            await self._store_page(kind, 0, first)
            self.counter.step(pages)
            self.result["lists_skipped"] = self.result.get("lists_skipped", 0) + 1
            cached: list[str] = []
            for chunk_start in range(0, first.total, READ_CHUNK):
                cached += await self.read(_cached_ids, kind, chunk_start)
            return cached
        ids = list(first.ids)
        await self._store_page(kind, 0, first)
        self.counter.step()
        start = len(first.items)

        def fetch(after: int) -> asyncio.Task[Any]:
            return asyncio.ensure_future(
                self._call(lambda: fn(start_after=after, page_size=self.page_size, **extra))
            )

        # the next page is on its way while one is written
        ahead = fetch(start) if start < first.total and first.items else None
        try:
            while ahead is not None:
                page = await ahead
                ahead = None
                if not page.items:
                    break
                following = start + len(page.items)
                if following < first.total:
                    ahead = fetch(following)
                await self._store_page(kind, start, page)
                ids += page.ids
                if self.svc.overlay is not None:
                    self.svc.overlay(kind, page.ids)
                start = following
                self.counter.step()
        finally:
            if ahead is not None:
                ahead.cancel()
        return ids

    async def _store_page(self, kind: str, start: int, page: Any) -> None:
        items = page.items
        total = page.total

        def write(cache: Any) -> None:
            # the wire items become records here too, not on the loop thread
            pairs = [(r[ID_KEY], r) for r in _wire.records_of(kind, items)]
            cache.put_records(kind, pairs, merge=True)
            cache.put_list_page(kind, "", start, [p[0] for p in pairs], total)

        await self.write(write)

    def _soon_contacts(self, cache: Any, act_ids: list[str]) -> dict[str, None]:
        """Contacts the user has activities with in the date window (in activity order)."""
        soon: dict[str, None] = {}
        for chunk in cache.get_records("activity", act_ids).values():
            if self.in_window(chunk.value) and chunk.value.get("schedule-with"):
                soon[str(chunk.value["schedule-with"])] = None
        return soon

    def in_window(self, rec: Record) -> bool:
        start = parse_datetime(rec.get("start-time", ""))
        return start is not None and self.window[0] <= start <= self.window[1]

    # ------------------------------------------------------------------ details
    def _stale(self, cache: Any, kind: str, ids: list[str]) -> list[str]:
        """The ids whose details were not fetched within ``max_age`` (read by the writer)."""
        cutoff = time.time() - self.max_age
        children = ("note", "sale") + (("contact",) if kind == "group" else ())
        out = []
        for rid in ids:
            for child in children:
                got = cache.get_children(kind, rid, child)
                if got is None or got.fetched_at < cutoff:
                    out.append(rid)
                    break
        return out

    async def _details(self, kind: str, ids: list[str]) -> None:
        todo: list[str] = []
        for i in range(0, len(ids), READ_CHUNK // 5):  # three reads per record
            todo += await self.read(self._stale, kind, ids[i : i + READ_CHUNK // 5])
        skipped = len(ids) - len(todo)
        self.result["details_skipped"] = self.result.get("details_skipped", 0) + skipped
        self.counter.set_stage(f"{kind} details")
        batches = [todo[i : i + self.per_request] for i in range(0, len(todo), self.per_request)]
        self.counter.add_total(len(batches))
        for batch in batches:
            await self._detail_batch(kind, batch)
            self.result["details_fetched"] = self.result.get("details_fetched", 0) + len(batch)
            self.counter.step()

    async def _detail_batch(self, kind: str, ids: list[str]) -> None:
        c = self.client
        calls: list[Awaitable[Any]] = []
        children = ("note", "sale") if kind == "contact" else ("note", "sale", "contact")
        for rid in ids:
            if kind == "contact":
                calls += [c.get_notes_for_contact(rid), c.get_sales_for_contact(rid)]
            else:
                calls += [
                    c.get_notes_for_group(rid),
                    c.get_sales_for_group(rid),
                    c.get_contacts_for_group(rid),
                ]

        async def gather() -> list[Any]:
            return await asyncio.gather(*calls, return_exceptions=True)

        results = await self._call(gather)
        offline = [r for r in results if isinstance(r, Exception) and _wire.is_offline_error(r)]
        if offline:
            self.svc._conn.report_failure(str(offline[0]))
            raise OfflineError("the working set")
        n = len(children)
        sets: list[tuple[str, str, list[tuple[str, Record]]]] = []
        for i, rid in enumerate(ids):
            for j, child in enumerate(children):
                res = results[i * n + j]
                if isinstance(res, BaseException):
                    log.debug("priming %s %s %s: %s", kind, rid, child, res)
                    continue
                recs = _wire.records_of(child, res.items)
                sets.append((rid, child, [(x[ID_KEY], x) for x in recs]))

        def write(cache: Any) -> None:
            for rid, child, pairs in sets:
                cache.put_children(kind, rid, child, pairs)

        await self.write(write)
        if self.svc.overlay is not None:
            self.svc.overlay(kind, ids)
        await asyncio.sleep(0)
