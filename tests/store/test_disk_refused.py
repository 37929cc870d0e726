"""A disk that refuses writes is not damage: the store stays where it is, says so with the count
of unsent changes, and goes on once the disk takes writes again.

SQLite itself answers "database or disk is full" here: ``PRAGMA max_page_count`` on the
store's connection stops the file from growing (a real SQLite error path, nothing mocked).
The same on a real full or read-only disk is in ``tests/robustness/test_disk_refused.py``.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from support.disks import lift_limit, limit_growth
from support.fields import C_NAME
from support.records import BASE_URL, EMAIL, contact

import snx_desktop.store.opening as opening
from snx_desktop.store import (
    SCHEMA_VERSION,
    Store,
    StoreFull,
    StoreUnavailable,
    account_dir,
)
from snx_desktop.store.schema import MIGRATIONS


def _fill_until_refused(store: Store) -> StoreFull:
    """Queue big changes until the disk refuses one; the error it raised."""
    for i in range(1000):
        try:
            store.outbox.append(
                "create-note", {"details": f"long note {i} " + "x" * 3000}, description="big"
            )
        except StoreFull as exc:
            return exc
    raise AssertionError("the page limit never refused a write")


def test_a_write_on_a_full_disk_is_refused_in_words_and_nothing_moves(store: Store) -> None:
    for i in range(5):
        store.outbox.append("create-note", {"details": f"note {i}"}, description=f"note {i}")
    heard: list[Any] = []
    store.subscribe_problem(heard.append)
    limit_growth(store._db.conn)

    refused = _fill_until_refused(store)

    queued = store.outbox.counts().total
    assert queued >= 5
    text = str(refused)
    assert text.startswith("The disk is full, so this change was not saved")
    assert f"{queued} unsent changes are kept safe" in text
    assert "free some space" in text
    assert refused.unsent == queued
    assert store.problem is not None
    assert [type(h) for h in heard] == [StoreFull]
    assert heard[0].summary == (
        f"The disk is full: {queued} unsent changes are kept safe; free some space."
    )
    # nothing damaged, nothing moved, every queued change still there and readable
    assert store.path.is_file()
    assert not (store.dir / "corrupt").exists()
    assert store.integrity_check() == []
    assert [op.description for op in store.outbox.ops()[:5]] == [f"note {i}" for i in range(5)]
    # a cache write is refused too, in words that are not about a change of the rep's
    with pytest.raises(StoreFull) as cache_refused:
        store.cache.put_records("contact", {f"c{i}": contact("P" * 4000) for i in range(50)})
    assert str(cache_refused.value).startswith("The disk is full:")

    lift_limit(store._db.conn)  # space returns
    assert store.retry()
    assert store.problem is None
    assert heard[-1] is None
    store.outbox.append("create-note", {"details": "after"}, description="after")
    assert store.outbox.counts().total == queued + 1


def _v2_store_with_queued_ops(profile: Path, ops: int) -> Path:
    """A store as the previous release left it (schema 2) with ``ops`` queued changes."""
    path = account_dir(BASE_URL, EMAIL, profile) / "store.sqlite3"
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN")
    for migration in MIGRATIONS[:2]:
        migration(conn)
    conn.execute("PRAGMA user_version = 2")
    for i in range(200):
        conn.execute(
            "INSERT INTO records(kind, id, data, fetched_at) VALUES ('contact', ?, ?, 1.0)",
            (f"c{i}", json.dumps({C_NAME: f"Person {i} " * 30})),
        )
    conn.execute(
        "INSERT INTO lists(list_id, kind, filter, total, fetched_at) "
        "VALUES (1, 'contact', '', 200, 1.0)"
    )
    conn.executemany(
        "INSERT INTO list_items VALUES (1, ?, ?, 1.0)", [(i, f"c{i}") for i in range(200)]
    )
    for i in range(ops):
        conn.execute(
            "INSERT INTO outbox(function, params, description, state, created_at, updated_at) "
            "VALUES ('create-note', ?, ?, 'queued', 1.0, 1.0)",
            (f'{{"details": "note {i}"}}', f"note {i}"),
        )
    conn.execute("COMMIT")
    conn.close()
    return path


def test_a_full_disk_while_the_store_is_updated_keeps_it_unchanged(
    profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _v2_store_with_queued_ops(profile, ops=6)
    before = path.read_bytes()
    real_connect = opening.connect

    def connect_on_a_full_disk(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)
        limit_growth(conn)
        return conn

    monkeypatch.setattr(opening, "connect", connect_on_a_full_disk)
    with pytest.raises(StoreUnavailable) as refused:
        Store.open(BASE_URL, EMAIL, profile)
    text = str(refused.value)
    assert text.startswith("The disk is full: 6 unsent changes are kept safe; free some space.")
    assert path.read_bytes() == before  # the update was rolled back, the file kept
    assert not (path.parent / "corrupt").exists()

    monkeypatch.setattr(opening, "connect", real_connect)  # space returns
    with Store.open(BASE_URL, EMAIL, profile) as store:
        assert store.notice is None
        assert store.schema_version == SCHEMA_VERSION
        assert [op.description for op in store.outbox.ops()] == [f"note {i}" for i in range(6)]
        assert store.cache.count_records("contact") == 200


def test_opening_a_healthy_store_writes_nothing(profile: Path) -> None:
    """So that a store opens on a disk without room for one more page: the account's rows are
    written only when they change."""
    with Store.open(BASE_URL, EMAIL, profile) as store:
        store.outbox.append("create-note", {"details": "x"}, description="x")
    with Store.open(BASE_URL, EMAIL, profile) as store:
        assert store._db.conn.total_changes == 0
