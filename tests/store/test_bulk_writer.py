"""The store's second connection: search roles followed as they change, calls in its own
thread, and closing with the store (after the call it is running) or on its own."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import pytest
from support.fields import C_CITY
from support.records import CONTACT_ROLES, GROUP_ROLES, contact

from snx_desktop.store import Store, StoreUnavailable
from snx_desktop.store.cache import Cache

CITY = C_CITY


def _put(cache: Cache, rid: str, record: dict[str, str]) -> int:
    return cache.put_records("contact", [(rid, record)])


def _hits(store: Store, text: str) -> set[str]:
    return {h.record_id for h in store.search.search("contact", text, limit=50).hits}


def test_writer_indexes_with_the_roles_set_last(store: Store) -> None:
    with store.bulk_writer() as writer:
        assert writer.search.roles("contact") == store.search.roles("contact")
        writer.call(_put, "c1", {**contact("Ann Early"), CITY: "Lisbon"})
        roles = {**CONTACT_ROLES, "company": [*CONTACT_ROLES["company"], CITY]}
        assert store.search.set_roles(roles, GROUP_ROLES)  # after the writer was made
        assert writer.search.roles("contact") == store.search.roles("contact")
        writer.submit(_put, "c2", {**contact("Bob Late"), CITY: "Lisbon"}).result(10)
        with pytest.raises(RuntimeError):  # the roles are set on the store's search only
            writer.search.set_roles(CONTACT_ROLES, GROUP_ROLES)
    assert _hits(store, "lisbon") == {"c2"}  # c1 was indexed before the city had a role
    assert _hits(store, "ann") == {"c1"}


def test_writer_closes_with_the_store_after_its_running_call(store: Store) -> None:
    writer = store.bulk_writer(close_with_store=True)
    other = sqlite3.connect(
        str(store.path), timeout=5, isolation_level=None, check_same_thread=False
    )
    other.execute("BEGIN IMMEDIATE")  # the writer's transaction waits for this one
    future = writer.submit(_put, "c1", contact("Ann Waiting"))
    for _ in range(500):
        if writer.busy:
            break
        threading.Event().wait(0.01)
    assert writer.busy
    threading.Timer(0.3, lambda: other.execute("ROLLBACK")).start()
    store.close()  # waits for the writer's call, then closes it, then the store
    assert future.result(10) == 1  # the call finished before the writer closed
    assert writer.closed
    assert not writer.busy
    other.close()
    with pytest.raises(StoreUnavailable):
        writer.call(_put, "c2", contact("Bob Late"))
    with pytest.raises(StoreUnavailable):
        writer.submit(_put, "c2", contact("Bob Late"))
    again = Store.open(store.base_url, store.identity, store.dir.parent.parent)
    try:
        assert again.cache.get_record("contact", "c1") is not None
    finally:
        again.close()


def test_writer_closed_before_a_damaged_database_is_moved_aside(store: Store) -> None:
    writer = store.bulk_writer(close_with_store=True)
    writer.call(_put, "c1", contact("Ann Old"))
    store.replace_damaged(["damaged (a test)"])
    assert writer.closed
    assert store.cache.get_record("contact", "c1") is None  # a new, empty database
    fresh = store.bulk_writer(close_with_store=True)
    fresh.call(_put, "c2", contact("Bob New"))
    assert store.cache.get_record("contact", "c2") is not None
    fresh.close()  # on its own: the store's close no longer needs to close it
    fresh.close()
    store.close()


def test_plain_writer_is_left_to_its_owner(store: Store) -> None:
    writer = store.bulk_writer()
    results: list[Any] = []
    thread = threading.Thread(target=lambda: results.append(writer.call(_put, "c1", contact("A"))))
    thread.start()
    thread.join()
    assert results == [1]
    writer.close()
    assert writer.closed
