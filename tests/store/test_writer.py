"""The store writer: one thread and one connection, jobs in order, each in one transaction;
search roles followed as they change; the disk's refusals raised as the store's own errors and
heard by the store; closing with the store (after the job it is running) or before a damaged
database is moved aside."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import pytest
from support.disks import lift_limit, limit_growth
from support.fields import C_CITY, C_COMPANY
from support.records import CONTACT_ROLES, GROUP_ROLES, contact

from snx_desktop.store import Store, StoreFull, StoreUnavailable
from snx_desktop.store.cache import Cache

CITY = C_CITY


def _put(cache: Cache, rid: str, record: dict[str, str]) -> int:
    return cache.put_records("contact", [(rid, record)])


def _hits(store: Store, text: str) -> set[str]:
    return {h.record_id for h in store.search.search("contact", text, limit=50).hits}


def _roles(cache: Cache) -> Any:
    return cache._search.roles("contact")


def test_writer_indexes_with_the_roles_set_last(store: Store) -> None:
    writer = store.writer
    assert writer.submit(_roles, write=False).result(10) == store.search.roles("contact")
    writer.submit(_put, "c1", {**contact("Ann Early"), CITY: "Lisbon"}).result(10)
    roles = {**CONTACT_ROLES, "company": [*CONTACT_ROLES["company"], CITY]}
    assert store.search.set_roles(roles, GROUP_ROLES)  # after the writer was made
    assert writer.submit(_roles, write=False).result(10) == store.search.roles("contact")
    writer.submit(_put, "c2", {**contact("Bob Late"), CITY: "Lisbon"}).result(10)
    refused = writer.submit(lambda c: c._search.set_roles(CONTACT_ROLES, GROUP_ROLES))
    with pytest.raises(RuntimeError):  # the roles are set on the store's search only
        refused.result(10)
    assert _hits(store, "lisbon") == {"c2"}  # c1 was indexed before the city had a role
    assert _hits(store, "ann") == {"c1"}


def test_jobs_run_in_order_in_one_thread_each_in_one_transaction(store: Store) -> None:
    writer = store.writer
    seen: list[tuple[str, int]] = []

    def put_then(cache: Cache, rid: str, fail: bool) -> str:
        seen.append((rid, threading.get_ident()))
        cache.put_records("contact", [(rid, contact(f"Person {rid}"))])
        cache.put_records("contact", [(f"{rid}-b", contact(f"Second {rid}"))])
        if fail:
            raise KeyError(rid)
        return rid

    futures = [writer.submit(put_then, f"c{i}", i == 3) for i in range(6)]
    assert [f.result(10) for f in futures[:3]] == ["c0", "c1", "c2"]
    with pytest.raises(KeyError):
        futures[3].result(10)
    assert [f.result(10) for f in futures[4:]] == ["c4", "c5"]
    assert [rid for rid, _ in seen] == [f"c{i}" for i in range(6)]  # in the order given
    threads = {t for _, t in seen}
    assert len(threads) == 1
    assert threads != {threading.get_ident()}
    # the failed job rolled back both of its writes, and only those
    cached = store.cache.get_records("contact", [f"c{i}{b}" for i in range(6) for b in ("", "-b")])
    assert sorted(cached) == sorted(f"c{i}{b}" for i in (0, 1, 2, 4, 5) for b in ("", "-b"))


@pytest.mark.asyncio
async def test_a_full_disk_raises_the_stores_error_and_the_store_hears_of_it(
    store: Store,
) -> None:
    writer = store.writer
    await writer.read(lambda c: limit_growth(c._db.conn))  # the writer's connection only
    pairs = [(f"c{i}", {**contact(f"Person {i}"), C_COMPANY: "x" * 2000}) for i in range(200)]
    with pytest.raises(StoreFull) as refused:
        await writer.put_page("contact", "", 0, 200, pairs)
    assert str(refused.value).startswith("The disk is full")
    assert isinstance(store.problem, StoreFull)  # heard as a write of the store's own
    assert store.cache.count_records("contact") == 0  # the page's transaction rolled back
    assert store.cache.get_list_page("contact", "", 0, 10) is None
    await writer.read(lambda c: lift_limit(c._db.conn))
    assert await writer.put_page("contact", "", 0, 200, pairs) == []
    assert store.cache.count_records("contact") == 200
    assert store.retry()  # the store's own check says the disk takes writes again
    assert store.problem is None


def test_writer_closes_with_the_store_after_its_running_job(store: Store) -> None:
    writer = store.writer
    other = sqlite3.connect(
        str(store.path), timeout=5, isolation_level=None, check_same_thread=False
    )
    other.execute("BEGIN IMMEDIATE")  # the writer's transaction waits for this one
    future = writer.submit(_put, "c1", contact("Ann Waiting"))
    queued = writer.submit(_put, "c3", contact("Cy Queued"))
    for _ in range(500):
        if writer.busy:
            break
        threading.Event().wait(0.01)
    assert writer.busy
    threading.Timer(0.3, lambda: other.execute("ROLLBACK")).start()
    store.close()  # waits for the writer's job, then closes it, then the store
    assert future.result(10) == 1  # the job finished before the writer closed
    with pytest.raises(StoreUnavailable):  # the one queued behind it did not run
        queued.result(10)
    assert writer.closed
    assert not writer.busy
    other.close()
    with pytest.raises(StoreUnavailable):
        writer.submit(_put, "c2", contact("Bob Late"))
    with pytest.raises(StoreUnavailable):
        store.writer  # noqa: B018  (a closed store makes no writer)
    again = Store.open(store.base_url, store.identity, store.dir.parent.parent)
    try:
        assert again.cache.get_record("contact", "c1") is not None
        assert again.cache.get_record("contact", "c3") is None
    finally:
        again.close()


def test_writer_closed_before_a_damaged_database_is_moved_aside(store: Store) -> None:
    writer = store.writer
    writer.submit(_put, "c1", contact("Ann Old")).result(10)
    store.replace_damaged(["damaged (a test)"])
    assert writer.closed
    assert store.cache.get_record("contact", "c1") is None  # a new, empty database
    fresh = store.writer
    assert fresh is not writer
    fresh.submit(_put, "c2", contact("Bob New")).result(10)
    assert store.cache.get_record("contact", "c2") is not None
    fresh.close()  # on its own: the store's close no longer needs to close it
    fresh.close()
    assert store.writer is not fresh  # a closed writer is replaced while the store is open
    store.close()
