"""Browsing: pages of lists and record details, cache first, then the network.

`cached_page` / `cached_detail` answer synchronously from the store; `fetch_page` /
`load_detail` ask the server, write the answer into the store (keeping the optimistic effect
of queued writes on top) and say what changed on the hub. Offline, both answer from the cache,
fall back to the local search index for filtered lists, or raise `OfflineError` naming what is
missing. `load_detail` issues all its calls together so the client sends them as ONE request.

Fetched pages are written into the store by :class:`~snx_desktop.services.pagewrites.PageWrites`
(every page in the store writer's thread, see :mod:`snx_desktop.store.writer`) and read back
through the store's own connection once they have committed; a first page a list shows may be
answered from the server's answer while it is written, and reads of it meanwhile get it from
memory.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from snx_desktop.api.errors import NotFoundError
from snx_desktop.api.values import parse_datetime
from snx_desktop.store.types import StoreEnvironmentError

from . import _wire
from .connectivity import Connectivity
from .events import Event
from .ids import with_id as with_id
from .lazyclient import ClientSource, lazy_client
from .pagewrites import PageWrites
from .schema import SchemaService
from .types import (
    ID_KEY,
    Change,
    Detail,
    DetailKind,
    Kind,
    OfflineError,
    Page,
    Record,
    is_temp_id,
)

if TYPE_CHECKING:
    from snx_desktop.api.client import SalesNexusClient

log = logging.getLogger(__name__)

# list kind -> (client method, store record kind)
_LISTS: dict[str, tuple[str, str]] = {
    "contact": ("get_contacts", "contact"),
    "group": ("get_groups", "group"),
    "activity": ("get_activities", "activity"),
    "sale": ("get_sales", "sale"),
}
# A contact's activities are looked up per user inside the detail batch while the account has
# at most this many users; beyond it only the cache (and the signed-in user) is asked.
MAX_USERS_IN_DETAIL = 12
DETAIL_ACTIVITY_PAGE = 200


def canonical_filter(filter_value: str) -> str:
    """The cache key of a list filter (the server matches case-insensitively)."""
    return " ".join(filter_value.split()).lower()


def _sort_key_newest(rec: Mapping[str, str]) -> tuple[float, str]:
    dt = parse_datetime(rec.get("created-date", ""))
    return (dt.timestamp() if dt else 0.0, rec.get(ID_KEY, ""))


def _start_key(rec: Mapping[str, str]) -> tuple[float, str]:
    dt = parse_datetime(rec.get("start-time", ""))
    return (dt.timestamp() if dt else 0.0, rec.get(ID_KEY, ""))


class BrowseService:
    """Cache-first reads of lists and details."""

    def __init__(
        self,
        client: ClientSource,
        store: Any,
        schema: SchemaService,
        connectivity: Connectivity,
        hub: Event[Change],
        overlay: Callable[[str, Iterable[str]], None] | None = None,
        pending_ids: Callable[[str], set[str]] | None = None,
    ) -> None:
        self._clients = lazy_client(client)
        self._store = store
        self._schema = schema
        self._conn = connectivity
        self._hub = hub
        # set by the write queue: re-applies queued writes to records just fetched
        self.overlay = overlay
        self.pending_ids = pending_ids
        self._pages = PageWrites(store)

    @property
    def _client(self) -> SalesNexusClient:
        return self._clients.get()

    # ------------------------------------------------------------------ helpers
    def _pending(self, kind: str) -> set[str]:
        return self.pending_ids(kind) if self.pending_ids else set()

    def _reapply(self, kind: str, ids: Iterable[str]) -> None:
        if self.overlay is not None:
            self.overlay(kind, ids)

    async def _online_call(self, what: str, make: Callable[[], Awaitable[Any]]) -> Any:
        """Run a read if we may; offline errors flip the state and become `OfflineError`."""
        if not self._conn.is_online:
            raise OfflineError(what)
        try:
            result = await make()
        except Exception as exc:
            if _wire.is_offline_error(exc):
                self._conn.report_failure(str(exc))
                raise OfflineError(what) from exc
            raise
        self._conn.report_success()
        return result

    # ------------------------------------------------------------------ lists
    def cached_page(self, kind: Kind, filter_value: str, start: int, size: int) -> Page | None:
        """The page from the cache when every position of it is cached, else None."""
        key = canonical_filter(filter_value)
        if kind == "campaign":
            return self._campaign_page(key, start, size, from_cache=True)
        writing = self._pages.writing_first(kind, key) if start == 0 else None
        if writing is not None:  # being written: answered as the store will hold it
            recs, total, fetched_at = writing
            if size <= len(recs) or len(recs) >= total:
                return Page(kind, filter_value, 0, total, recs[:size], fetched_at, True)
            return None
        lp = self._store.cache.get_list_page(kind, key, start, size)
        if lp is None or not lp.complete:
            return None
        records = []
        for rid in lp.ids:
            assert rid is not None
            cached = lp.records.get(rid)
            records.append(with_id(kind, rid, cached.value) if cached else {ID_KEY: rid})
        return Page(kind, filter_value, start, lp.total, records, lp.fetched_at, True)

    async def fetch_page(
        self, kind: Kind, filter_value: str, start: int, size: int, *, shown: bool = False
    ) -> Page:
        """The page from the server (written to the cache); offline: from the cache.

        It returns once the page has committed. With ``shown`` (a list the rep is waiting for)
        a first page returns at once from the answer, while it is being written; reads of it
        through :meth:`cached_page` get it from memory until it has committed."""
        key = canonical_filter(filter_value)
        if kind == "campaign":
            fresh = await self._campaigns(refresh=True)
            page = self._campaign_page(key, start, size, from_cache=not fresh)
            if page is None:
                raise OfflineError("the campaign list")
            return page
        method, store_kind = _LISTS[kind]
        what = f"this page of the {kind} list" + (f" for {filter_value!r}" if key else "")
        try:
            res = await self._online_call(
                what,
                lambda: getattr(self._client, method)(
                    filter_value=filter_value, start_after=start, page_size=size
                ),
            )
        except OfflineError:
            return self._offline_page(kind, filter_value, start, size, what)
        records = _wire.records_of(store_kind, res.items)
        if shown and start == 0:
            early = self._show_while_written(store_kind, key, res.total, records)
            if early is not None:
                return Page(kind, filter_value, 0, res.total, early, time.time(), False)
        stored = await self._store_page(store_kind, key, start, res.total, records)
        page = self.cached_page(kind, filter_value, start, size) if stored else None
        if page is None:  # the server's answer is shorter than asked; build it directly
            page = Page(kind, filter_value, start, res.total, records, time.time(), False)
        return Page(kind, filter_value, start, page.total, page.records, page.fetched_at, False)

    def _show_while_written(
        self, kind: str, key: str, total: int, records: list[Record]
    ) -> list[Record] | None:
        """Start writing a first page and give its records as the store will hold them (the
        answer merged into what is cached), to be shown meanwhile; None when queued writes
        touch them (the caller then waits for the write and reads the page back)."""
        ids = [r[ID_KEY] for r in records]
        if self._pending(kind).intersection(ids):
            return None
        old = self._store.cache.get_records(kind, ids)
        shown = [
            with_id(kind, r[ID_KEY], {**old[r[ID_KEY]].value, **r} if r[ID_KEY] in old else r)
            for r in records
        ]
        write = asyncio.ensure_future(self._store_page(kind, key, 0, total, records))
        self._pages.track_first(kind, key, write, shown, total)
        return shown

    async def _store_page(
        self, kind: str, key: str, start: int, total: int, records: list[Record]
    ) -> bool:
        """Write a fetched page (records, list positions, search index) into the cache, keep
        queued writes on top and say what changed. False when the page could not land in
        the store (closed meanwhile, or its disk refuses writes): answer with the fetched
        records then."""
        pairs = _pairs(records)
        ids = [rid for rid, _ in pairs]
        try:
            # written in the store writer's thread (its commit and search indexing stalled
            # the loop for tens of milliseconds); read back only once it has committed
            got = await self._pages.write(
                kind, key, start, total, pairs, lambda late: self._after_write(kind, ids, late)
            )
            if got is None:
                return False
            changed = got
        except StoreEnvironmentError as exc:
            # the disk refuses (full, read-only): the page is shown, just not kept offline
            log.info("a fetched %s page was not cached: %s", kind, exc.detail or exc)
            return False
        self._after_write(kind, ids, changed)
        return True

    def _after_write(self, kind: str, ids: list[str], changed: list[str]) -> None:
        """After a page landed: re-apply queued writes to it, tell what the server changed."""
        pending = self._pending(kind)
        touched = [i for i in ids if i in pending]
        if touched:
            self._reapply(kind, touched)
        updated = tuple(i for i in changed if i not in pending)
        if updated:
            self._hub.emit(Change(kind, "updated", updated))

    @property
    def page_writer(self) -> Any:
        """The store writer the last page was written through (None before the first)."""
        return self._pages.writer

    async def wait_written(self) -> None:
        """Wait until the first pages shown while they are written have landed."""
        await self._pages.wait_written()

    async def aclose(self) -> None:
        """Let the first pages being written land (the store writer itself closes with the
        store, after the page it writes)."""
        await self._pages.wait_written()

    def _offline_page(
        self, kind: Kind, filter_value: str, start: int, size: int, what: str
    ) -> Page:
        page = self.cached_page(kind, filter_value, start, size)
        if page is not None:
            return page
        if canonical_filter(filter_value):
            # a filtered list never fetched: answer it from the local search index
            return self.search_local(kind, filter_value, limit=size, offset=start)
        raise OfflineError(what)

    # ------------------------------------------------------------------ search
    def search_local(self, kind: Kind, text: str, limit: int = 50, offset: int = 0) -> Page:
        """Search the cache (full-text for contacts and groups, a scan for the rest)."""
        if kind in ("contact", "group"):
            sp = self._store.search.search(kind, text, limit=limit, offset=offset)
            records = [with_id(kind, h.record_id, h.record) for h in sp.hits]
            fetched = min((h.fetched_at for h in sp.hits), default=None)
            return Page(kind, text, offset, sp.total, records, fetched, True)
        words = [w for w in text.lower().split() if w]
        hits: list[Record] = []
        if kind == "campaign":
            cached = self._store.cache.get_catalog("campaigns")
            pool: list[Record] = list(cached.value) if cached else []
            fetched_at = cached.fetched_at if cached else None
        else:
            pool = []
            fetched_at = None
            for chunk in self._store.cache.iter_records(_LISTS[kind][1]):
                for rid, c in chunk:
                    pool.append(with_id(kind, rid, c.value))
                    fetched_at = (
                        c.fetched_at if fetched_at is None else min(fetched_at, c.fetched_at)
                    )
        for rec in pool:
            blob = " ".join(str(v) for v in rec.values()).lower()
            if all(w in blob for w in words):
                hits.append(rec)
        if kind == "activity":
            hits.sort(key=_start_key)
        return Page(kind, text, offset, len(hits), hits[offset : offset + limit], fetched_at, True)

    # ------------------------------------------------------------------ campaigns
    # ------------------------------------------------------------------ names
    def display_name(self, record: Mapping[str, Any], table: str = "Contact") -> str:
        """A person's (or group's) name from its record: the name field, else first and
        last name, else the company (by the schema's field roles)."""
        schema = self._schema.current
        if schema is None:
            return ""

        def value(role: str) -> str:
            fid = schema.role(table, role)
            return str(record.get(fid, "") or "").strip() if fid else ""

        name = value("name")
        if not name:
            name = " ".join(p for p in (value("first-name"), value("last-name")) if p)
        return name or value("company")

    async def contact_names(self, ids: Iterable[str]) -> dict[str, str]:
        """Names of contacts by id: from the cache first, the rest in ONE batched request of
        get-contact-info calls (written to the cache). Offline: the cache only. Ids the
        server does not know (or whose record has no name) are absent from the answer."""
        wanted = [self._store.cache.resolve_id(i) for i in dict.fromkeys(ids) if i]
        names: dict[str, str] = {}
        missing: list[str] = []
        cached = self._store.cache.get_records("contact", wanted)
        for rid in wanted:
            hit = cached.get(rid)
            name = self.display_name(hit.value) if hit is not None else ""
            if name:
                names[rid] = name
            elif not is_temp_id(rid):
                missing.append(rid)
        if not missing or not self._conn.is_online:
            return names

        async def fetch() -> list[Any]:
            # issued in one loop turn: the client sends them as one request
            return await asyncio.gather(
                *(self._client.get_contact_info(rid) for rid in missing), return_exceptions=True
            )

        try:
            results = await self._online_call("contact names", fetch)
        except OfflineError:
            return names
        found: list[tuple[str, Record]] = []
        for rid, res in zip(missing, results, strict=True):
            if isinstance(res, BaseException):
                if _wire.is_offline_error(res):
                    self._conn.report_failure(str(res))
                else:
                    log.debug("contact name %s: %s", rid, res)
                continue
            rec = _wire.item_record("contact", res)
            found.append((rec[ID_KEY], rec))
            name = self.display_name(rec)
            if name:
                names[rid] = name
        if found:
            self._store.cache.put_records("contact", found, merge=True)
            self._reapply("contact", [rid for rid, _ in found])
        return names

    async def list_campaigns(self, *, refresh: bool = True) -> list[Record]:
        """All campaigns (the server's list, or the cached one offline)."""
        await self._campaigns(refresh=refresh)
        cached = self._store.cache.get_catalog("campaigns")
        if cached is None:
            raise OfflineError("the campaign list")
        return [dict(r) for r in cached.value]

    async def _campaigns(self, *, refresh: bool) -> bool:
        """Refresh the cached campaigns; True when they came from the server."""
        cached = self._store.cache.get_catalog("campaigns")
        if cached is not None and not refresh:
            return False
        try:
            res = await self._online_call("the campaign list", self._client.get_campaigns)
        except OfflineError:
            return False
        records = _wire.records_of("campaign", res.items)
        self._store.cache.put_catalog("campaigns", records)
        if cached is None or cached.value != records:
            self._hub.emit(Change("campaign", "updated", tuple(r[ID_KEY] for r in records)))
        return True

    def _campaign_page(self, key: str, start: int, size: int, *, from_cache: bool) -> Page | None:
        cached = self._store.cache.get_catalog("campaigns")
        if cached is None:
            return None
        recs = [dict(r) for r in cached.value]
        if key:
            recs = [r for r in recs if key in r.get("name", "").lower()]
        return Page(
            "campaign",
            key,
            start,
            len(recs),
            recs[start : start + size],
            cached.fetched_at,
            from_cache,
        )

    # ------------------------------------------------------------------ details
    def cached_detail(self, kind: DetailKind, record_id: str) -> Detail | None:
        cache = self._store.cache
        record_id = cache.resolve_id(record_id)
        store_kind = kind
        cached = cache.get_record(store_kind, record_id)
        if cached is None:
            return None
        fields = with_id(kind, record_id, cached.value)
        detail = Detail(kind, record_id, fields, fetched_at=cached.fetched_at, from_cache=True)
        detail.pending = record_id in self._pending(kind)
        if kind == "activity":
            return detail

        def children(child: str) -> list[Record] | None:
            got = cache.get_children(kind, record_id, child)
            if got is None:
                return None
            return [with_id(child, cid, rec) for cid, rec in got.value]

        notes = children("note")
        sales = children("sale")
        detail.notes = sorted(notes or [], key=_sort_key_newest, reverse=True)
        detail.sales = sales or []
        partial = notes is None or sales is None
        if kind == "contact":
            docs = children("document")
            detail.documents = docs or []
            partial = partial or docs is None
            acts: dict[str, Record] = {}
            for rid, c in cache.find_records("activity", "schedule-with", record_id):
                acts[rid] = with_id("activity", rid, c.value)
            for rec in children("activity") or []:
                acts.setdefault(rec[ID_KEY], rec)
            detail.activities = sorted(acts.values(), key=_start_key)
            complete = cache.get_catalog(f"activities-complete:{record_id}")
            detail.activities_complete = bool(complete and complete.value)
        else:
            acts_list = children("activity")
            members = children("contact")
            detail.activities = sorted(acts_list or [], key=_start_key)
            detail.members = members or []
            partial = partial or acts_list is None or members is None
            detail.activities_complete = acts_list is not None
        detail.partial = partial
        return detail

    async def load_detail(self, kind: DetailKind, record_id: str) -> Detail:
        """Fetch a record and all its tabs in ONE request; offline: the cached detail."""
        record_id = self._store.cache.resolve_id(record_id)
        what = f"this {kind}"
        if is_temp_id(record_id):
            cached = self.cached_detail(kind, record_id)
            if cached is None:
                raise OfflineError(what)
            return cached
        try:
            if kind == "contact":
                await self._online_call(what, lambda: self._fetch_contact(record_id))
            elif kind == "group":
                await self._online_call(what, lambda: self._fetch_group(record_id))
            else:
                await self._online_call(what, lambda: self._fetch_activity(record_id))
        except NotFoundError:
            if record_id not in self._pending(kind):
                self._store.cache.delete_records(kind, [record_id])
                self._hub.emit(Change(kind, "deleted", (record_id,)))
            raise
        except OfflineError:
            cached = self.cached_detail(kind, record_id)
            if cached is None:
                raise
            return cached
        detail = self.cached_detail(kind, record_id)
        assert detail is not None
        detail.from_cache = False
        return detail

    def _activity_users(self) -> tuple[list[str | None], bool]:
        schema = self._schema.current
        users = [u["user-id"] for u in schema.users] if schema else []
        if users and len(users) <= MAX_USERS_IN_DETAIL:
            return list(users), True
        return [None], False

    async def _fetch_contact(self, cid: str) -> None:
        c = self._client
        cached = self._store.cache.get_record("contact", cid)
        email_field = (
            self._schema.current.role("Contact", "email") if self._schema.current else None
        )
        needle = ""
        if cached is not None and email_field:
            needle = str(cached.value.get(email_field, "")).strip()
        users, all_users = self._activity_users() if needle else ([], False)
        calls: list[Awaitable[Any]] = [
            c.get_contact_info(cid),
            c.get_notes_for_contact(cid),
            c.get_sales_for_contact(cid),
            c.get_docs_for_contact(cid),
        ]
        calls += [
            c.get_activities(filter_value=needle, page_size=DETAIL_ACTIVITY_PAGE, user_id=u)
            for u in users
        ]
        results = await asyncio.gather(*calls, return_exceptions=True)
        info = results[0]
        if isinstance(info, BaseException):
            raise info
        cache = self._store.cache
        complete = all_users
        with self._store.transaction(durable=False):  # cache only
            cache.put_record("contact", cid, _wire.field_record(cid, info.field_data), merge=True)
            for child, res in zip(("note", "sale", "document"), results[1:4], strict=True):
                if isinstance(res, BaseException):
                    log.warning("contact %s: %s failed: %s", cid, child, res)
                    continue
                cache.put_children(
                    "contact", cid, child, _pairs(_wire.records_of(child, res.items))
                )
            for res in results[4:]:
                if isinstance(res, BaseException) or len(res.items) < res.total:
                    complete = False
                    continue
                acts = [
                    r
                    for r in _wire.records_of("activity", res.items)
                    if r.get("schedule-with") == cid
                ]
                cache.put_records("activity", _pairs(acts), merge=True)
            cache.put_catalog(f"activities-complete:{cid}", complete)
        self._reapply("contact", [cid])

    async def _fetch_group(self, gid: str) -> None:
        c = self._client
        results = await asyncio.gather(
            c.get_group_info(gid),
            c.get_notes_for_group(gid),
            c.get_sales_for_group(gid),
            c.get_activities_for_group(gid, page_size=1000),
            c.get_contacts_for_group(gid),
            return_exceptions=True,
        )
        info = results[0]
        if isinstance(info, BaseException):
            raise info
        cache = self._store.cache
        with self._store.transaction(durable=False):  # cache only
            cache.put_record("group", gid, _wire.field_record(gid, info.field_data), merge=True)
            for child, res in zip(
                ("note", "sale", "activity", "contact"), results[1:], strict=True
            ):
                if isinstance(res, BaseException):
                    log.warning("group %s: %s failed: %s", gid, child, res)
                    continue
                cache.put_children("group", gid, child, _pairs(_wire.records_of(child, res.items)))
        self._reapply("group", [gid])

    async def _fetch_activity(self, aid: str) -> None:
        act = await self._client.get_activity_info(aid)
        self._store.cache.put_record(
            "activity", aid, _wire.item_record("activity", act), merge=True
        )
        self._reapply("activity", [aid])


def _pairs(records: Iterable[Record]) -> list[tuple[str, Record]]:
    return [(r[ID_KEY], r) for r in records]
