"""Cached lists against a plain Python model: pages, inserts, deletes, remaps, total changes."""

from __future__ import annotations

import random

import pytest
from support.records import contact

import snx_desktop.store.lists as lists_module
from snx_desktop.store import Store, new_temp_id


class Model:
    def __init__(self) -> None:
        self.slots: list[str | None] | None = None

    def put(self, start: int, ids: list[str], total: int) -> None:
        total = max(total, start + len(ids))
        if self.slots is None or len(self.slots) != total:
            self.slots = [None] * total
        end = start + len(ids)
        for i, x in enumerate(self.slots):
            if x in ids and not start <= i < end:
                self.slots[i] = None
        self.slots[start:end] = ids

    def ranges(self) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for i, x in enumerate(self.slots or []):
            if x is None:
                continue
            if out and out[-1][1] == i:
                out[-1] = (out[-1][0], i + 1)
            else:
                out.append((i, i + 1))
        return out


@pytest.mark.parametrize("seed", range(6))
def test_list_operations_match_a_model(
    store: Store, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    monkeypatch.setattr(lists_module, "CHUNK", 4)  # many chunks, many splits and merges
    rng = random.Random(seed)
    model = Model()
    counter = 0

    def fresh() -> str:
        nonlocal counter
        counter += 1
        return f"id{counter}"

    known: list[str] = []
    for step in range(150):
        op = rng.random()
        slots = model.slots
        if slots is None or op < 0.35:
            total = len(slots) if slots is not None and rng.random() < 0.8 else rng.randint(0, 60)
            if total == 0:
                continue
            start = rng.randrange(0, total)
            size = rng.randint(1, min(12, total - start))
            ids = [
                rng.choice(known) if known and rng.random() < 0.3 else fresh() for _ in range(size)
            ]
            ids = list(dict.fromkeys(ids))
            known += ids
            store.cache.put_list_page("contact", "", start, ids, total, fetched_at=float(step))
            model.put(start, ids, total)
        elif op < 0.6:
            new_id = fresh()
            pos = rng.randint(0, len(slots))
            assert store.cache.list_insert("contact", "", pos, new_id)
            slots.insert(pos, new_id)
            known.append(new_id)
        elif op < 0.8:
            present = [x for x in slots if x is not None]
            if not present:
                continue
            victim = rng.choice(present)
            store.cache.put_record("contact", victim, contact("X"))
            store.cache.delete_records("contact", [victim])
            model.slots = [x for x in slots if x != victim]
        else:
            present = [x for x in slots if x is not None]
            if not present:
                continue
            temp = new_temp_id()
            pos = rng.randint(0, len(slots))
            store.cache.list_insert("contact", "", pos, temp)
            slots.insert(pos, temp)
            real = rng.choice(present) if rng.random() < 0.3 else fresh()
            store.outbox.remap(temp, real)
            if real in slots:
                model.slots = [x for x in slots if x != temp]
            else:
                model.slots = [real if x == temp else x for x in slots]
        # compare everything the cache answers with the model
        assert model.slots is not None
        info = store.cache.list_info("contact", "")
        assert info is not None
        assert info.total == len(model.slots), step
        page = store.cache.get_list_page("contact", "", 0, len(model.slots) + 5)
        assert page is not None
        assert page.ids == model.slots, step
        assert store.cache.cached_ranges("contact", "") == model.ranges(), step
        assert info.cached_count == sum(1 for x in model.slots if x is not None)
        if model.slots:
            a = rng.randrange(0, len(model.slots))
            b = rng.randint(1, 10)
            sub = store.cache.get_list_page("contact", "", a, b)
            assert sub is not None
            assert sub.ids == model.slots[a : a + b]
    assert store.integrity_check() == []


def test_local_edits_on_a_big_list_touch_one_chunk(store: Store) -> None:
    ids = [f"c{i}" for i in range(20000)]
    for i in range(0, 20000, 1000):
        store.cache.put_list_page("contact", "", i, ids[i : i + 1000], 20000)
    conn = store._db.conn
    before = conn.total_changes
    store.cache.list_insert("contact", "", 0, "new-top")
    store.cache.list_insert("contact", "", 10000, "new-middle")
    store.cache.delete_records("contact", ["c5000"])
    changed = conn.total_changes - before
    assert changed < 3 * 1200  # a few chunks and their index rows, not 20,000 positions
    page = store.cache.get_list_page("contact", "", 9998, 4)
    assert page is not None
    assert page.ids == ["c9998", "new-middle", "c9999", "c10000"]
