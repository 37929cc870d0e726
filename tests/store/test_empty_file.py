"""An empty (0-byte) store file: data lost, moved aside with a notice; never made by creation.

A store is created under a temporary name and linked into place once SQLite wrote its first
page, so a crash while creating it leaves no empty file behind; an empty file where the
store is expected therefore means its data was lost, and the user is told.
"""

from __future__ import annotations

import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from support.records import BASE_URL, EMAIL, contact

from snx_desktop.store import Store, account_dir


def _filled(profile: Path) -> Path:
    """A store with cached records and two queued changes, closed; returns its path."""
    with Store.open(BASE_URL, EMAIL, profile) as store:
        store.cache.put_records("contact", {f"c{i}": contact(f"Person {i}") for i in range(50)})
        store.outbox.append("create-note", {"details": "one"}, description="note 1")
        store.outbox.append("create-note", {"details": "two"}, description="note 2")
        return store.path


def _assert_quiet_reopen(profile: Path) -> None:
    with Store.open(BASE_URL, EMAIL, profile, check="full") as store:
        assert store.notice is None
        assert store.cache.count_records("contact") == 1


def test_an_emptied_store_is_moved_aside_and_the_user_told(profile: Path) -> None:
    path = _filled(profile)
    path.write_bytes(b"")
    assert not path.with_name(path.name + "-wal").exists()  # closed cleanly: nothing beside it

    with Store.open(BASE_URL, EMAIL, profile) as store:
        notice = store.notice
        assert notice is not None, "an empty store file was opened as a new store silently"
        assert notice.reason == "empty"
        assert "empty" in notice.message
        assert "lost" in notice.message
        assert notice.unsent_changes is None  # unknown: not "none were lost"
        assert "none were lost" not in notice.message
        assert notice.moved_to is not None
        assert notice.moved_to.parent == store.dir / "corrupt"
        assert notice.moved_to.stat().st_size == 0
        assert str(notice.moved_to) in notice.message
        # a working, empty store in its place
        assert store.path.stat().st_size > 0
        assert store.outbox.counts().total == 0
        assert store.integrity_check() == []
        store.cache.put_record("contact", "n1", contact("New Person"))
    _assert_quiet_reopen(profile)


@pytest.mark.parametrize("check", ["none", "quick"])
def test_an_empty_file_beside_a_wal_keeps_the_wal_for_recovery(profile: Path, check: str) -> None:
    store = Store.open(BASE_URL, EMAIL, profile, background_checkpoint=True)
    store.cache.put_records("contact", {f"c{i}": contact(f"Person {i}") for i in range(200)})
    wal = store.path.with_name(store.path.name + "-wal")
    assert wal.stat().st_size > 0  # commits stay in the WAL until the checkpointer runs
    saved = wal.read_bytes()
    path = store.path
    store.close()
    path.write_bytes(b"")
    wal.write_bytes(saved)

    with Store.open(BASE_URL, EMAIL, profile, check=check) as store:  # type: ignore[arg-type]
        notice = store.notice
        assert notice is not None
        assert notice.reason == "empty"
        assert notice.moved_to is not None
        kept_wal = notice.moved_to.with_name(notice.moved_to.name + "-wal")
        assert kept_wal.read_bytes() == saved  # not reset by the new store
        assert stat.S_IMODE(kept_wal.stat().st_mode) == 0o600
        assert store.cache.count_records("contact") == 0
        store.cache.put_record("contact", "n1", contact("New Person"))
    _assert_quiet_reopen(profile)


def test_queued_upload_files_are_kept_when_an_empty_store_is_replaced(
    profile: Path, tmp_path: Path
) -> None:
    with Store.open(BASE_URL, EMAIL, profile) as store:
        src = tmp_path / "offer.pdf"
        src.write_bytes(b"%PDF-1.4 offer")
        staged = store.outbox.stage_upload(src)
        store.outbox.append(
            "add-doc-to-contact", {"file-name": "offer.pdf"}, description="offer", attachment=staged
        )
        path = store.path
    path.write_bytes(b"")
    with Store.open(BASE_URL, EMAIL, profile) as store:
        assert store.notice is not None
        assert store.notice.reason == "empty"
        kept = list((store.dir / "corrupt").glob("outbox-*/*"))
        assert [p.read_bytes() for p in kept] == [b"%PDF-1.4 offer"]
        assert str(kept[0].parent) in store.notice.message


def test_a_new_store_is_never_an_empty_file(profile: Path) -> None:
    with Store.open(BASE_URL, EMAIL, profile) as store:
        assert store.notice is None
        assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
        assert sorted(p.name for p in store.dir.iterdir() if ".new" in p.name) == []
        assert store.pragma("journal_mode") == "wal"


_CRASH_CHILD = """
import os, signal, sqlite3, sys
from pathlib import Path
from snx_desktop.store import Store
import snx_desktop.store.opening as store_module

where = sys.argv[2]

def die(*_args, **_kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if where == "before-first-page":
    store_module.sqlite3 = type("S", (), {"connect": staticmethod(die), "Error": sqlite3.Error})
elif where == "before-link":
    store_module.os.link = die
Store.open(sys.argv[3], sys.argv[4], Path(sys.argv[1]))
"""


@pytest.mark.parametrize("where", ["before-first-page", "before-link"])
def test_a_crash_while_creating_the_store_is_not_taken_for_lost_data(
    profile: Path, where: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _CRASH_CHILD, str(profile), where, BASE_URL, EMAIL],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    folder = account_dir(BASE_URL, EMAIL, profile)
    assert not (folder / "store.sqlite3").exists()  # only the temporary file was left
    assert (folder / "store.sqlite3.new").exists()
    with Store.open(BASE_URL, EMAIL, profile) as store:
        assert store.notice is None
        assert store.integrity_check() == []
        store.cache.put_record("contact", "n1", contact("New Person"))
        assert not (folder / "store.sqlite3.new").exists()
    _assert_quiet_reopen(profile)
