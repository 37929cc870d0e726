"""A damaged store is rebuilt with the unsent changes that could be read from it: op ids,
temporary ids, dependencies and the id map stay as they were, staged upload files stay with
their ops, and the notice says how many changes were recovered and how many were lost (and
where the old file is). A crash half-way through the rebuild loses nothing either."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.damage import overwrite_pages
from support.disks import immutable_folder
from support.fields import C_NAME
from support.records import BASE_URL, EMAIL, contact

from snx_desktop.store import OpState, Store, StoreUnavailable, account_dir, new_temp_id


@dataclass(frozen=True)
class Made:
    path: Path
    ids: list[int]
    staged: Path
    landed_temp: str


def _store_with_ops(profile: Path, tmp_path: Path, ops: int) -> Made:
    """A closed store with a cache, ``ops`` queued changes (a create on a temporary id, notes
    that depend on it, a staged upload) and one temporary id already remapped."""
    with Store.open(BASE_URL, EMAIL, profile) as store:
        store.cache.put_records(
            "contact", {f"c{i}": contact(f"Person {i} " * 8) for i in range(800)}
        )
        done = store.outbox.append("create-contact", {"x": "y"}, description="landed")
        landed_temp = new_temp_id()
        store.outbox.mark_done(done.op_id, {landed_temp: "real-1"})
        temp = new_temp_id()
        first = store.outbox.append(
            "create-contact",
            {"contact-id": temp, "fields": {C_NAME: "Ann"}},
            description="New contact: Ann",
            target=("contact", temp),
            temp_ids=[temp],
        )
        ids = [first.op_id]
        for i in range(ops - 2):
            op = store.outbox.append(
                "create-note",
                {"contact-id": temp, "details": f"note {i} " + "x" * 200},
                description=f"note {i}",
                target=("note", new_temp_id()),
            )
            ids.append(op.op_id)
        source = tmp_path / "quote.pdf"
        source.write_bytes(b"%PDF quote")
        staged = store.outbox.stage_upload(source)
        upload = store.outbox.append(
            "add-doc-to-contact",
            {"file-name": "quote.pdf"},
            description="upload",
            attachment=staged,
        )
        ids.append(upload.op_id)
        path = store.path
    return Made(path, ids, staged, landed_temp)


def test_damaged_cache_pages_lose_no_unsent_change(profile: Path, tmp_path: Path) -> None:
    made = _store_with_ops(profile, tmp_path, ops=12)
    path, ids, staged = made.path, made.ids, made.staged
    overwrite_pages(path, lambda name, _t: name == "records", every=3)

    with Store.open(BASE_URL, EMAIL, profile) as store:
        notice = store.notice
        assert notice is not None
        assert notice.rebuilt
        assert notice.recovered_changes == 12
        assert notice.lost_changes == 0
        assert notice.message.startswith(
            "The offline store was damaged and has been rebuilt; 12 unsent changes were "
            "recovered and will be sent."
        )
        assert notice.moved_to is not None
        assert notice.moved_to.is_file()
        assert str(notice.moved_to) in notice.message
        ops = store.outbox.ops()
        assert [op.op_id for op in ops] == ids  # same ids, same order
        first = ops[0]
        assert first.temp_ids
        assert first.target_id == first.temp_ids[0]
        assert all(op.depends_on == [first.op_id] for op in ops[1:-1])
        assert store.outbox.next_ready() == first  # the notes still wait for the create
        assert all(op.state is OpState.QUEUED for op in ops)
        assert ops[-1].attachment == staged
        assert staged.read_bytes() == b"%PDF quote"  # the staged file stayed with its op
        assert store.cache.resolve_id(made.landed_temp) == "real-1"  # the id map came along
        later = store.outbox.append("create-note", {"details": "after"}, description="after")
        assert later.op_id > ids[-1]
        assert store.cache.count_records("contact") == 0  # the cache is fetched again
        assert store.integrity_check() == []


def test_changes_on_a_damaged_outbox_page_are_counted_as_lost(
    profile: Path, tmp_path: Path
) -> None:
    made = _store_with_ops(profile, tmp_path, ops=60)
    path, ids, staged = made.path, made.ids, made.staged
    pages = overwrite_pages(path, lambda name, kind: name == "outbox" and kind == "leaf", every=2)
    assert len(pages) >= 2

    with Store.open(BASE_URL, EMAIL, profile) as store:
        notice = store.notice
        assert notice is not None
        recovered = [op.op_id for op in store.outbox.ops()]
        assert 0 < len(recovered) < 60
        assert set(recovered) <= set(ids)
        lost = 60 - len(recovered)
        assert notice.recovered_changes == len(recovered)
        assert notice.lost_changes == lost  # exact: the outbox's index still lists them
        assert notice.unsent_changes == 60
        assert (
            f"{len(recovered)} unsent changes were recovered and will be sent, but {lost} "
            f"unsent changes could not be read: they were not sent and stay only in the old "
            f"file."
        ) in notice.message
        assert notice.moved_to is not None
        assert f"The old file was kept as {notice.moved_to}." in notice.message
        if ids[-1] not in recovered:  # the upload was lost: its file is kept beside the old one
            kept = list((store.dir / "corrupt").glob("outbox-*/*"))
            assert [p.read_bytes() for p in kept] == [b"%PDF quote"]
            assert "Files queued for upload were kept in" in notice.message
        else:
            assert staged.exists()


_CRASH_CHILD = """
import os, signal, sys
from pathlib import Path
import snx_desktop.store.rebuild as rebuild
from snx_desktop.store import Store

real = rebuild.os.replace

def replace(src, dst, *args, **kwargs):
    if str(src).endswith(".rebuild"):  # the old files are aside, the new one not yet in place
        os.kill(os.getpid(), signal.SIGKILL)
    return real(src, dst, *args, **kwargs)

rebuild.os.replace = replace
Store.open(sys.argv[2], sys.argv[3], Path(sys.argv[1]))
"""


def test_a_crash_during_the_rebuild_loses_no_unsent_change(profile: Path, tmp_path: Path) -> None:
    made = _store_with_ops(profile, tmp_path, ops=8)
    path, ids = made.path, made.ids
    overwrite_pages(path, lambda name, _t: name == "records", every=3)
    result = subprocess.run(
        [sys.executable, "-c", _CRASH_CHILD, str(profile), BASE_URL, EMAIL],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode < 0, result.stderr
    folder = account_dir(BASE_URL, EMAIL, profile)
    assert not path.exists()  # killed between moving the old file aside and the new one in
    assert (folder / "store.sqlite3.rebuild").exists()

    with Store.open(BASE_URL, EMAIL, profile) as store:
        assert [op.op_id for op in store.outbox.ops()] == ids
        assert store.integrity_check() == []
    assert not (folder / "store.sqlite3.rebuild").exists()


def test_a_damaged_store_the_disk_will_not_rebuild_stays_as_it_is(
    profile: Path, tmp_path: Path
) -> None:
    made = _store_with_ops(profile, tmp_path, ops=6)
    overwrite_pages(made.path, lambda name, _t: name == "records", every=3)
    before = made.path.read_bytes()
    # another connection keeps the WAL files there, as a crash would have left them
    holder = sqlite3.connect(made.path)
    holder.execute("PRAGMA journal_mode").fetchone()
    try:
        with immutable_folder(made.path.parent), pytest.raises(StoreUnavailable) as refused:
            Store.open(BASE_URL, EMAIL, profile)
    finally:
        holder.close()
    assert str(refused.value) == (
        "The offline store is damaged, and it cannot be rebuilt now because the offline "
        "store's folder may not be written (no permission): it cannot be opened until then, "
        "and its unsent changes stay in it; check the permissions of the offline store's "
        "folder, then start the app again."
    )
    assert made.path.read_bytes() == before  # nothing moved, nothing written
    assert not (made.path.parent / "corrupt").exists()

    with Store.open(BASE_URL, EMAIL, profile) as store:  # permission given back
        assert store.notice is not None
        assert store.notice.recovered_changes == 6
        assert [op.op_id for op in store.outbox.ops()] == made.ids
