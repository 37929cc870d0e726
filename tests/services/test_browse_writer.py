"""Every fetched page (the first one, scrolled ones, a search's) is written by the store writer's
thread, never on the loop thread; a first page is shown from the answer while it is written
(reads of it meanwhile get it from memory), other pages are read back once committed. Pages land
in the cache (records, list positions, search index), a store closed or rebuilt while a page is
being written does not break the fetch, and the search roles in use are those set last."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import pytest
from support.fields import C_CITY, C_EMAIL, C_LAST, C_NAME, C_RECORD_ID, C_TITLE
from support.waiting import until

from snx_desktop.services import Change
from snx_desktop.services.browse import canonical_filter

from .conftest import OpenServices

pytestmark = pytest.mark.asyncio

CITY = C_CITY  # a contact field that holds no search role in the sandbox's schema


@contextmanager
def write_lock_held(path: object, seconds: float) -> Iterator[None]:
    """Another connection holds the database's write lock, released after ``seconds`` from
    another thread (the loop thread may be waiting for it meanwhile)."""
    conn = sqlite3.connect(str(path), timeout=5, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(seconds, lambda: conn.execute("ROLLBACK"))
    timer.start()
    try:
        yield
    finally:
        timer.join()
        conn.close()


async def test_first_pages_are_shown_while_written_off_the_loop_and_reads_wait_for_them(
    fresh_sandbox: object, open_services: OpenServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    from snx_desktop.store.cache import Cache

    svc = await open_services(fresh_sandbox)
    loop_thread = threading.get_ident()
    writers: list[int] = []
    original = Cache.put_list_page

    def spy(self: Cache, *args: Any, **kw: Any) -> Any:
        writers.append(threading.get_ident())
        return original(self, *args, **kw)

    monkeypatch.setattr(Cache, "put_list_page", spy)
    # a first page fetched for a service returns once it has committed
    groups = await svc.browse.fetch_page("group", "", 0, 20)
    listed_groups = svc.store.cache.get_list_page("group", "", 0, 20)
    assert listed_groups is not None
    assert listed_groups.ids == groups.ids
    writer = svc.browse.page_writer
    assert writer is not None
    with write_lock_held(svc.store.path, 0.5):
        # the first page is shown from the answer while its write waits for the lock
        page = await asyncio.wait_for(svc.browse.fetch_page("contact", "", 0, 20, shown=True), 10)
        await until(lambda: writer.busy, timeout=10)
        assert svc.store.cache.get_list_page("contact", "", 0, 20) is None  # not committed
        during = svc.browse.cached_page("contact", "", 0, 20)
        assert during is not None  # a read meanwhile sees the page as it will be stored
        assert during.records == page.records
    await svc.browse.wait_written()
    listed = svc.store.cache.get_list_page("contact", "", 0, 20)
    assert listed is not None
    assert listed.complete
    assert listed.ids == page.ids
    cached = svc.browse.cached_page("contact", "", 0, 20)
    assert cached is not None
    assert cached.records == page.records

    # a search's first page: also written in the writer's thread, then read back
    needle = page.records[0][C_LAST]
    found = await svc.browse.fetch_page("contact", needle, 0, 20, shown=True)
    assert page.records[0]["id"] in found.ids
    await svc.browse.wait_written()
    cached_search = svc.store.cache.get_list_page("contact", canonical_filter(needle), 0, 20)
    assert cached_search is not None
    assert cached_search.ids == found.ids
    assert len(writers) == 3  # the groups, the contacts, the search
    assert loop_thread not in writers


async def test_scrolled_pages_land_in_the_cache(
    fresh_sandbox: object, open_services: OpenServices
) -> None:
    svc = await open_services(fresh_sandbox)
    pages = [await svc.browse.fetch_page("contact", "", start, 20) for start in (0, 20, 40)]
    assert svc.browse.page_writer is not None  # the pages after the first went through it
    assert [len(p.records) for p in pages] == [20, 20, 20]
    assert all(not p.from_cache for p in pages)

    cache = svc.store.cache
    assert cache.cached_ranges("contact", "") == [(0, 60)]
    for page in pages:
        listed = cache.get_list_page("contact", "", page.start, 20)
        assert listed is not None
        assert listed.complete
        assert listed.ids == page.ids
        for record in page.records:
            assert listed.records[record["id"]].value[C_NAME] == record[C_NAME]
        cached = svc.browse.cached_page("contact", "", page.start, 20)
        assert cached is not None
        assert cached.records == page.records

    # the local search index holds the scrolled pages' records
    someone = pages[2].records[5]
    hits = svc.browse.search_local("contact", someone[C_EMAIL])
    assert someone["id"] in hits.ids
    assert someone["id"] in svc.browse.search_local("contact", someone[C_LAST], limit=60).ids

    # a scrolled page fetched again reports what the server changed
    target = pages[1].records[3]["id"]
    seen: list[Change] = []
    svc.changes.connect(seen.append)
    await svc.client.update_contact(
        match_by_field_data={C_RECORD_ID: target}, contact_field_data={C_TITLE: "Chief Scroller"}
    )
    again = await svc.browse.fetch_page("contact", "", 20, 20)
    assert again.records[3][C_TITLE] == "Chief Scroller"
    assert any(c.kind == "contact" and target in c.ids for c in seen)
    cached_again = cache.get_record("contact", target)
    assert cached_again is not None
    assert cached_again.value[C_TITLE] == "Chief Scroller"


@asynccontextmanager
async def third_page_in_flight(svc: Any) -> AsyncIterator[tuple[Any, asyncio.Future[Any]]]:
    """Two pages fetched, the third one's write held up in the page writer: (writer, task)."""
    await svc.browse.fetch_page("contact", "", 0, 20)
    await svc.browse.fetch_page("contact", "", 20, 20)
    writer = svc.browse.page_writer
    assert writer is not None
    with write_lock_held(svc.store.path, 0.5):
        # the writer's transaction for the next page waits for the lock held elsewhere
        task = asyncio.ensure_future(svc.browse.fetch_page("contact", "", 40, 20))
        await until(lambda: writer.busy or task.done(), timeout=10)
        assert writer.busy
        yield writer, task


async def test_services_closed_while_a_page_is_written(
    fresh_sandbox: object, open_services: OpenServices
) -> None:
    svc = await open_services(fresh_sandbox)
    async with third_page_in_flight(svc) as (writer, task):
        await svc.aclose()  # closes the store: the writer is closed first, after its page
    assert svc.store.closed
    assert writer.closed
    page = await asyncio.wait_for(task, 10)
    assert len(page.records) == 20
    assert page.start == 40
    assert not page.from_cache


async def test_store_rebuilt_while_a_page_is_written(
    fresh_sandbox: object, open_services: OpenServices
) -> None:
    svc = await open_services(fresh_sandbox)
    async with third_page_in_flight(svc) as (writer, task):
        svc.store.replace_damaged(["damaged (a test)"])
    assert writer.closed
    assert not svc.store.closed
    page = await asyncio.wait_for(task, 10)
    assert len(page.records) == 20
    # the page landed in the new database, not in the one moved aside
    listed = svc.store.cache.get_list_page("contact", "", 40, 20)
    assert listed is not None
    assert listed.complete
    assert listed.ids == page.ids
    # the next scrolled page goes through a new writer on the new database
    again = await svc.browse.fetch_page("contact", "", 20, 20)
    assert svc.browse.page_writer is not None
    assert svc.browse.page_writer is not writer
    assert not svc.browse.page_writer.closed
    cached = svc.browse.cached_page("contact", "", 20, 20)
    assert cached is not None
    assert cached.ids == again.ids


async def test_roles_set_after_the_writer_was_made_are_used(
    fresh_sandbox: object, open_services: OpenServices
) -> None:
    svc = await open_services(fresh_sandbox)
    await svc.browse.fetch_page("contact", "", 0, 20)
    before = await svc.browse.fetch_page("contact", "", 20, 20)
    assert svc.browse.page_writer is not None
    search = svc.store.search
    roles = search.roles("contact")
    assert roles, "the schema set the search roles"
    assert CITY not in {f for ids in roles.values() for f in ids}

    # the city becomes part of the company column, after the writer was made
    with_city = dict(roles)
    with_city["company"] = [*roles.get("company", []), CITY]
    assert search.set_roles(with_city, search.roles("group"))
    after = await svc.browse.fetch_page("contact", "", 40, 20)

    def found(record: dict[str, str]) -> bool:
        hits = search.search("contact", record[CITY], limit=100)
        return record["id"] in {h.record_id for h in hits.hits}

    # indexed with the new roles: found by its city
    late = next(r for r in after.records if r.get(CITY))
    assert found(late)
    # written before the change (and not reindexed since): not found by its city
    early = next(r for r in before.records if r.get(CITY))
    assert not found(early)


async def test_an_edit_of_a_record_shown_while_its_page_is_written_keeps_its_base(
    fresh_sandbox: Any, open_services: OpenServices
) -> None:
    """The rep edits a contact of a first page that is on screen but not yet in the store: the
    edit waits for the page, so it is checked against what the rep saw, and a colleague's
    change of the same field becomes a conflict instead of being overwritten unseen."""
    from support.accounts import DEMO_EMAIL, DEMO_PASSWORD

    from snx_desktop.api import SalesNexusClient

    svc = await open_services(fresh_sandbox)
    with write_lock_held(svc.store.path, 0.5):
        page = await asyncio.wait_for(svc.browse.fetch_page("contact", "", 0, 20, shown=True), 10)
        rid = page.ids[3]
        assert svc.store.cache.get_record("contact", rid) is None  # on screen, not stored yet
        svc.connectivity.set_work_offline(True)
        await svc.writes.update_contact(rid, {C_TITLE: "Title The Rep Typed"})
    (op,) = svc.store.outbox.ops()
    assert op.base == {C_TITLE: page.records[3].get(C_TITLE, "")}
    colleague = SalesNexusClient(fresh_sandbox.base_url)
    try:
        await colleague.login(DEMO_EMAIL, DEMO_PASSWORD)
        await colleague.update_contact(
            match_by_field_data={C_RECORD_ID: rid}, contact_field_data={C_TITLE: "Their Title"}
        )
        svc.connectivity.set_work_offline(False)
        await until(lambda: svc.writes.status.conflicts == 1, timeout=20)
        assert (await colleague.get_contact_info(rid)).field_data[C_TITLE] == "Their Title"
    finally:
        await colleague.aclose()
