"""WAL checkpoints run on the store's worker thread, never inside a commit; rebuild notices."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from support.fields import C_COMPANY
from support.records import BASE_URL, EMAIL, contact
from support.waiting import within_blocking

from snx_desktop.store import Store


def _wal(store: Store) -> Path:
    return store.path.with_name(store.path.name + "-wal")


def _write_pages(store: Store, start: int, n: int) -> None:
    # ~2 KB per record with its index rows: n records are about n/2 pages
    store.cache.put_records(
        "contact",
        {
            f"c{i}": {**contact(f"Person {i}"), C_COMPANY: "x" * 2000}
            for i in range(start, start + n)
        },
    )


def _wait_runs(store: Store, runs: int, timeout: float = 10.0) -> None:
    def ran() -> bool:
        stats = store.checkpoint_stats
        assert stats is not None
        return stats.runs >= runs

    if not within_blocking(ran, timeout, step=0.01):  # the store's worker thread runs them
        raise AssertionError(f"no checkpoint ran: {store.checkpoint_stats}")


def test_commits_do_not_checkpoint_and_the_worker_does(profile: Path) -> None:
    with Store.open(BASE_URL, EMAIL, profile, checkpoint_pages=50, checkpoint_idle_s=60) as store:
        assert store.pragma("wal_autocheckpoint") == 0
        autockpt = store.writer.submit(
            lambda c: c._db.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0], write=False
        )
        assert autockpt.result(10) == 0
        _write_pages(store, 0, 400)  # well over 50 pages: due without waiting for idleness
        _wait_runs(store, 1)
        assert store.wait_checkpointed()
        stats = store.checkpoint_stats
        assert stats is not None
        assert stats.frames_copied > 50
        assert stats.last_copied == stats.last_log_frames  # the whole WAL went back
        assert not stats.last_busy
        # the data is in the main database file: a fresh connection that ignores the WAL sees it
        conn = sqlite3.connect(f"file:{store.path}?mode=ro&immutable=1", uri=True)
        try:
            count = conn.execute("SELECT count(*) FROM records").fetchone()[0]
        finally:
            conn.close()
        assert count == 400


def test_an_idle_store_is_checkpointed(profile: Path) -> None:
    with Store.open(
        BASE_URL, EMAIL, profile, checkpoint_pages=1_000_000, checkpoint_idle_s=0.05
    ) as store:
        before = store.checkpoint_stats
        assert before is not None
        store.cache.put_record("contact", "c1", contact("Ann Lee"))
        _wait_runs(store, before.runs + 1)
        assert store.cache.get_record("contact", "c1") is not None


def test_the_wal_stays_bounded_and_close_truncates_it(profile: Path) -> None:
    store = Store.open(BASE_URL, EMAIL, profile, checkpoint_pages=100, checkpoint_idle_s=0.02)
    sizes = []
    for round_ in range(12):
        _write_pages(store, round_ * 200, 200)
        assert store.wait_checkpointed()
        sizes.append(_wal(store).stat().st_size)
    # each round reuses the WAL from its start once the previous one was copied back
    assert max(sizes) < 3 * sizes[0] + 1_000_000
    assert store.cache.count_records("contact") == 2400
    store.close()
    assert not _wal(store).exists() or _wal(store).stat().st_size == 0
    with Store.open(BASE_URL, EMAIL, profile, check="full") as again:
        assert again.notice is None
        assert again.cache.count_records("contact") == 2400


def test_inline_checkpoints_can_be_kept(profile: Path) -> None:
    with Store.open(BASE_URL, EMAIL, profile, background_checkpoint=False) as store:
        assert store.pragma("wal_autocheckpoint") == 1000
        assert store.checkpoint_stats is None
        store.request_checkpoint()  # no-op
        assert store.wait_checkpointed()


def _from_a_later_version(path: Path) -> None:
    """Mark the store file as written by a later version of the app (a schema it cannot read)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()


def test_notice_says_no_changes_were_lost_when_the_outbox_was_empty(profile: Path) -> None:
    with Store.open(BASE_URL, EMAIL, profile) as store:
        store.cache.put_record("contact", "c1", contact("Ann Lee"))
        path = store.path
    _from_a_later_version(path)
    with Store.open(BASE_URL, EMAIL, profile) as store:
        assert store.notice is not None
        assert store.notice.unsent_changes == 0
        assert "No changes were waiting to be sent" in store.notice.message
        assert "could not be read" not in store.notice.message


def test_notice_counts_unsent_changes_it_could_read(profile: Path) -> None:
    with Store.open(BASE_URL, EMAIL, profile) as store:
        store.outbox.append("create-note", {"details": "x"}, description="note")
        store.outbox.append("create-note", {"details": "y"}, description="note")
        path = store.path
    _from_a_later_version(path)
    with Store.open(BASE_URL, EMAIL, profile) as store:
        assert store.notice is not None
        assert store.notice.unsent_changes == 2
        assert "2 changes were waiting to be sent" in store.notice.message
        assert str(store.notice.moved_to) in store.notice.message


def test_notice_says_when_the_old_file_could_not_be_read(profile: Path) -> None:
    with Store.open(BASE_URL, EMAIL, profile) as store:
        path = store.path
    path.write_bytes(b"this is not a database at all" * 100)
    with Store.open(BASE_URL, EMAIL, profile) as store:
        assert store.notice is not None
        assert store.notice.unsent_changes is None
        assert "could not be read" in store.notice.message
