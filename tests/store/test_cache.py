"""The cache: catalog, records, list pages answered from the cache alone, children, fetched_at."""

from __future__ import annotations

import time

import pytest
from support.fields import C_COMPANY, C_NAME, C_TITLE
from support.records import contact

from snx_desktop.store import Store
from snx_desktop.store.cache import Cache


def test_catalog_round_trip(store: Store) -> None:
    assert store.cache.get_catalog("layouts") is None
    layouts = [{"layout-id": "L1", "field-ids": [C_NAME, C_COMPANY], "is-default": "true"}]
    store.cache.put_catalog("layouts", layouts, fetched_at=1000.0)
    store.cache.put_catalog("current_user_id", "u-1", fetched_at=1001.0)
    got = store.cache.get_catalog("layouts")
    assert got is not None
    assert got.value == layouts
    assert got.fetched_at == 1000.0
    assert got.age(now=1010.0) == 10.0
    user = store.cache.get_catalog("current_user_id")
    assert user is not None
    assert user.value == "u-1"


def test_records_round_trip_and_fetched_at(store: Store) -> None:
    before = time.time()
    store.cache.put_record("contact", "c1", contact("Ann Lee", "Acme"))
    got = store.cache.get_record("contact", "c1")
    assert got is not None
    assert got.value[C_NAME] == "Ann Lee"
    assert before <= got.fetched_at <= time.time()
    store.cache.put_record("activity", "a1", {"activity-id": "a1", "regarding": "Call"}, 50.0)
    act = store.cache.get_record("activity", "a1")
    assert act is not None
    assert act.fetched_at == 50.0
    assert store.cache.get_record("contact", "a1") is None  # kinds are separate
    assert store.cache.get_record("contact", "missing") is None
    with pytest.raises(ValueError):
        store.cache.put_record("spaceship", "x", {})


def test_merge_keeps_detail_fields(store: Store) -> None:
    store.cache.put_record("contact", "c1", {C_NAME: "Ann", C_TITLE: "CEO"}, 1.0)
    store.cache.put_record("contact", "c1", {C_NAME: "Ann B", C_COMPANY: "Acme"}, 2.0, merge=True)
    got = store.cache.get_record("contact", "c1")
    assert got is not None
    assert got.value == {C_NAME: "Ann B", C_TITLE: "CEO", C_COMPANY: "Acme"}
    assert got.fetched_at == 2.0
    store.cache.put_record("contact", "c1", {C_NAME: "Ann C"}, 3.0)
    replaced = store.cache.get_record("contact", "c1")
    assert replaced is not None
    assert replaced.value == {C_NAME: "Ann C"}


def test_bulk_chunked_upsert_yields_progress(store: Store) -> None:
    rows = ((f"c{i}", contact(f"Person {i}", "Acme")) for i in range(2500))
    progress = list(store.cache.put_records_chunked("contact", rows, chunk_size=1000))
    assert progress == [1000, 2000, 2500]
    assert store.cache.count_records("contact") == 2500
    got = store.cache.get_records("contact", ["c0", "c2499", "nope"])
    assert set(got) == {"c0", "c2499"}
    assert sum(len(chunk) for chunk in store.cache.iter_records("contact", chunk_size=700)) == 2500


def test_stopping_a_chunked_upsert_keeps_committed_chunks(store: Store) -> None:
    gen = store.cache.put_records_chunked(
        "contact", ((f"c{i}", contact(f"P {i}")) for i in range(5000)), chunk_size=1000
    )
    assert next(gen) == 1000
    assert next(gen) == 2000
    gen.close()
    assert store.cache.count_records("contact") == 2000


def test_find_records_by_key(store: Store) -> None:
    store.cache.put_records(
        "activity",
        {
            "a1": {"schedule-with": "c1", "regarding": "Call"},
            "a2": {"schedule-with": "c2", "regarding": "Meet"},
            "a3": {"schedule-with": "c1", "regarding": "Todo"},
        },
    )
    found = store.cache.find_records("activity", "schedule-with", "c1")
    assert [rid for rid, _ in found] == ["a1", "a3"]


def test_list_pages_answered_from_cache(store: Store) -> None:
    ids = [f"c{i}" for i in range(120)]
    store.cache.put_records("contact", {i: contact(f"Name {i}") for i in ids})
    assert store.cache.get_list_page("contact", "", 0, 50) is None
    store.cache.put_list_page("contact", "", 0, ids[0:50], total=120, fetched_at=10.0)
    store.cache.put_list_page("contact", "", 100, ids[100:120], total=120, fetched_at=20.0)

    page = store.cache.get_list_page("contact", "", 0, 50)
    assert page is not None
    assert page.complete
    assert page.ids == ids[:50]
    assert page.total == 120
    assert page.fetched_at == 10.0
    assert page.records["c7"].value[C_NAME] == "Name c7"

    gap = store.cache.get_list_page("contact", "", 40, 20)
    assert gap is not None
    assert not gap.complete
    assert gap.ids == ids[40:50] + [None] * 10

    tail = store.cache.get_list_page("contact", "", 100, 50)
    assert tail is not None
    assert tail.complete
    assert len(tail.ids) == 20  # clipped at the total
    assert tail.fetched_at == 20.0
    assert store.cache.cached_ranges("contact", "") == [(0, 50), (100, 120)]
    info = store.cache.list_info("contact", "")
    assert info is not None
    assert (info.total, info.cached_count, info.fetched_at) == (120, 70, 20.0)

    # filters are separate lists
    store.cache.put_list_page("contact", '{"filter-value":"name 1"}', 0, ["c1", "c10"], 2)
    assert store.cache.cached_ranges("contact", '{"filter-value":"name 1"}') == [(0, 2)]
    assert store.cache.cached_ranges("contact", "") == [(0, 50), (100, 120)]


def test_list_total_change_drops_stale_positions(store: Store) -> None:
    store.cache.put_list_page("group", "", 0, ["g1", "g2"], total=4)
    store.cache.put_list_page("group", "", 2, ["g3", "g4"], total=4)
    store.cache.put_list_page("group", "", 0, ["g0", "g1"], total=5)
    assert store.cache.cached_ranges("group", "") == [(0, 2)]
    page = store.cache.get_list_page("group", "", 0, 10)
    assert page is not None
    assert page.ids == ["g0", "g1", None, None, None]


def test_list_page_refetch_moves_ids(store: Store) -> None:
    store.cache.put_list_page("contact", "", 0, ["a", "b", "c"], total=6)
    store.cache.put_list_page("contact", "", 3, ["b", "d", "e"], total=6)
    page = store.cache.get_list_page("contact", "", 0, 6)
    assert page is not None
    assert page.ids == ["a", None, "c", "b", "d", "e"]  # an id is never listed twice


def test_list_insert_and_delete_shift_positions(store: Store) -> None:
    store.cache.put_records("contact", {i: contact(i) for i in "abcd"})
    store.cache.put_list_page("contact", "", 0, list("abcd"), total=4)
    assert store.cache.list_insert("contact", "", 1, "n")
    page = store.cache.get_list_page("contact", "", 0, 10)
    assert page is not None
    assert page.ids == ["a", "n", "b", "c", "d"]
    assert page.total == 5
    assert store.cache.delete_records("contact", ["b"]) == 1
    page = store.cache.get_list_page("contact", "", 0, 10)
    assert page is not None
    assert page.ids == ["a", "n", "c", "d"]
    assert page.total == 4
    assert not store.cache.list_insert("contact", "never-fetched", 0, "x")
    store.cache.clear_lists("contact")
    assert store.cache.get_list_page("contact", "", 0, 10) is None


def test_children_round_trip(store: Store) -> None:
    assert store.cache.get_children("contact", "c1", "note") is None
    notes = [
        ("n2", {"note-id": "n2", "details": "second"}),
        ("n1", {"note-id": "n1", "details": "first"}),
    ]
    store.cache.put_children("contact", "c1", "note", notes, fetched_at=30.0)
    got = store.cache.get_children("contact", "c1", "note")
    assert got is not None
    assert got.fetched_at == 30.0
    assert [cid for cid, _ in got.value] == ["n2", "n1"]
    note = store.cache.get_record("note", "n1")
    assert note is not None
    assert note.value["details"] == "first"

    store.cache.add_child("contact", "c1", "note", "n3", {"note-id": "n3", "details": "new"})
    got = store.cache.get_children("contact", "c1", "note")
    assert got is not None
    assert [cid for cid, _ in got.value] == ["n3", "n2", "n1"]
    assert got.fetched_at == 30.0
    store.cache.remove_child("contact", "c1", "note", "n2")
    got = store.cache.get_children("contact", "c1", "note")
    assert got is not None
    assert [cid for cid, _ in got.value] == ["n3", "n1"]

    # a set made locally reads as never fetched
    store.cache.add_child("group", "g1", "contact", "c1", contact("Ann"))
    members = store.cache.get_children("group", "g1", "contact")
    assert members is not None
    assert members.fetched_at == 0
    assert [cid for cid, _ in members.value] == ["c1"]

    # an empty set is cached too (the record has no sales)
    store.cache.put_children("contact", "c1", "sale", [], fetched_at=31.0)
    sales = store.cache.get_children("contact", "c1", "sale")
    assert sales is not None
    assert sales.value == []


def test_deleting_a_record_drops_its_links(store: Store) -> None:
    store.cache.put_record("contact", "c1", contact("Ann Lee"))
    store.cache.put_children("contact", "c1", "note", {"n1": {"details": "x"}})
    store.cache.put_children("group", "g1", "contact", {"c1": contact("Ann Lee")})
    store.cache.delete_records("contact", ["c1"])
    assert store.cache.get_record("contact", "c1") is None
    assert store.cache.get_children("contact", "c1", "note") is None
    members = store.cache.get_children("group", "g1", "contact")
    assert members is not None
    assert members.value == []
    assert store.search.search("contact", "ann").total == 0


def test_transaction_groups_calls_atomically(store: Store) -> None:
    def failing_outer() -> None:
        with store.transaction():
            store.cache.put_record("contact", "c1", contact("Ann"))
            store.outbox.append("create-contact", {}, description="x")
            raise RuntimeError("boom")

    def failing_inner() -> None:
        with store.transaction():
            store.cache.put_record("contact", "c2", contact("Bob"))
            raise KeyError("inner")

    with pytest.raises(RuntimeError):
        failing_outer()
    assert store.cache.get_record("contact", "c1") is None
    assert store.outbox.counts().total == 0
    with store.transaction():
        store.cache.put_record("contact", "c1", contact("Ann"))
        with pytest.raises(KeyError):
            failing_inner()
    assert store.cache.get_record("contact", "c1") is not None
    assert store.cache.get_record("contact", "c2") is None


def test_store_writer_primes_from_its_thread(store: Store) -> None:
    def prime(cache: Cache) -> None:
        rows = ((f"c{i}", contact(f"Worker {i}", "Acme")) for i in range(3000))
        for _ in cache.put_records_chunked("contact", rows, chunk_size=500):
            pass
        cache.put_list_page("contact", "", 0, [f"c{i}" for i in range(50)], 3000)

    job = store.writer.submit(prime)
    seen = 0
    while not job.done():  # the loop thread keeps reading meanwhile
        seen = max(seen, store.cache.count_records("contact"))
        store.search.search("contact", "worker")
    job.result(10)
    assert store.cache.count_records("contact") == 3000
    assert store.search.search("contact", "worker 2999").hits[0].record_id == "c2999"
    page = store.cache.get_list_page("contact", "", 0, 50)
    assert page is not None
    assert page.complete
