"""A full disk, a read-only disk or a folder the app may not write are not damage: the store
and its files stay where they are, nothing goes to ``corrupt/``, the rep is told in words with
the count of unsent changes, what is cached can still be browsed, a change made meanwhile is
refused with that message (not lost silently), and once the disk takes writes again the
queued changes are sent, each exactly once, to the real sandbox over HTTP.

Real disks: a small tmpfs filled up or remounted read-only (as root; skipped where mounting is
refused), a folder made immutable with ``chattr +i`` (root ignores file modes). Portable: the
page limit ``PRAGMA max_page_count`` makes SQLite itself answer "database or disk is full",
on a write through the queue and while opening updates a store left by the previous release.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from support.accounts import DEMO_EMAIL
from support.disks import fill, immutable_folder, lift_limit, limit_growth, remount, small_tmpfs
from support.fields import C_EMAIL, C_NAME
from support.network import go_offline, go_online
from support.signals import when
from support.storetrouble import (
    assert_on_server_once,
    open_app,
    queue_contacts,
    signed_in_window,
)
from support.writequeue import queue_sent

from snx_desktop.services.context import STORE_WRITABLE_MESSAGE
from snx_desktop.store import (
    StoreFull,
    StoreNoPermission,
    StoreReadOnly,
    StoreUnavailable,
    account_dir,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.qt_log_ignore("This plugin does not support")]


async def _queued_session(server: Any, profile: Path, tag: str, contacts: int) -> list[str]:
    """A first session: browse (fills the cache), then queue changes offline and quit."""
    svc = await open_app(server, profile)
    try:
        await svc.browse.fetch_page("contact", "", 0, 40)
        go_offline(svc)
        return await queue_contacts(svc, tag, contacts)
    finally:
        await svc.aclose()


def _store_files(server: Any, profile: Path) -> tuple[Path, int]:
    folder = account_dir(server.base_url, DEMO_EMAIL, profile)
    db = folder / "store.sqlite3"
    return db, db.stat().st_ino


def _assert_kept(db: Path, inode: int) -> None:
    assert db.is_file()
    assert db.stat().st_ino == inode  # the same file, never moved or rebuilt
    assert not (db.parent / "corrupt").exists()


async def _refused_write(svc: Any, expected: type[Exception]) -> str:
    with pytest.raises(expected) as refused:
        await svc.writes.create_contact(
            {C_NAME: "Never Saved", C_EMAIL: "never@store-trouble.example"}
        )
    return str(refused.value)


async def _assert_never_sent(svc: Any) -> None:
    found = await svc.client.get_contacts(filter_value="never@store-trouble.example")
    assert found.total == 0


async def test_full_disk_on_opening_and_writing_keeps_every_change(
    fresh_sandbox: Any, tmp_path: Path, user_messages: list[Any]
) -> None:
    with small_tmpfs(tmp_path / "disk", "16m") as disk:
        profile = disk / "profile"
        emails = await _queued_session(fresh_sandbox, profile, "full", 5)
        db, inode = _store_files(fresh_sandbox, profile)
        filler = fill(disk)

        # the app's own sign-in path opens the store on the full disk
        settings_file = tmp_path / "settings.ini"
        async with signed_in_window(fresh_sandbox, profile, settings_file) as app:
            svc = app.services
            svc.writes.retry_max = 0.3
            svc.store_retry_interval = 0.1
            notice = svc.store_notice
            assert notice is not None
            assert notice.message.startswith(
                "The disk is full: 10 unsent changes are kept safe; free some space."
            )
            assert notice.message in app.shown  # the window's message bar got it
            assert not notice.rebuilt
            assert svc.store_problem is not None
            _assert_kept(db, inode)
            # what is cached can still be browsed
            cached = svc.browse.cached_page("contact", "", 0, 20)
            assert cached is not None
            assert len(cached.records) == 20
            # a change made now is refused in words, not lost silently
            text = await _refused_write(svc, StoreFull)
            assert text == (
                "The disk is full, so this change was not saved: 10 unsent changes are kept "
                "safe; free some space and try again."
            )
            assert svc.writes.status.pending == 10
            _assert_kept(db, inode)

            filler.unlink()  # space returns
            await when(
                svc.store.subscribe_problem,
                lambda: svc.store_problem is None,
                timeout=20,
                what="the store to recover",
            )
            assert any(m.text == STORE_WRITABLE_MESSAGE for m in user_messages)
            await queue_sent(svc.writes, timeout=40, what="the queue")
            await assert_on_server_once(svc, "full", emails)
            await _assert_never_sent(svc)
            _assert_kept(db, inode)
            assert svc.store.integrity_check() == []


async def test_page_limit_refuses_a_write_through_the_queue_and_everything_lands_later(
    fresh_sandbox: Any, tmp_path: Path, user_messages: list[Any]
) -> None:
    svc = await open_app(fresh_sandbox, tmp_path / "profile")
    try:
        await svc.browse.fetch_page("contact", "", 0, 40)
        go_offline(svc)
        emails = await queue_contacts(svc, "limit", 3)
        db, inode = _store_files(fresh_sandbox, tmp_path / "profile")
        limit_growth(svc.store._db.conn)  # SQLite's own "database or disk is full" from here on

        refused: StoreFull | None = None
        refused_email = ""
        for i in range(500):
            email = f"limit-more-{i:03d}@store-trouble.example"
            try:
                await svc.writes.create_contact({C_NAME: f"More {i:03d}", C_EMAIL: email})
            except StoreFull as exc:
                refused, refused_email = exc, email
                break
            emails.append(email)
        assert refused is not None, "the page limit never refused a write"
        pending = svc.writes.status.pending
        assert pending == 3 + len(emails)  # 3 notes, and one op per contact
        assert str(refused) == (
            f"The disk is full, so this change was not saved: {pending} unsent changes are kept "
            "safe; free some space and try again."
        )
        warned = [m.text for m in user_messages if m.level.value == "warning"]
        assert f"The disk is full: {pending} unsent changes are kept safe; free some space." in (
            warned
        )
        _assert_kept(db, inode)
        assert svc.store.integrity_check() == []

        lift_limit(svc.store._db.conn)  # space returns
        await when(
            svc.store.subscribe_problem,
            lambda: svc.store_problem is None,
            timeout=20,
            what="the store to recover",
        )
        go_online(svc)
        await queue_sent(svc.writes, timeout=60, what="the queue")
        await assert_on_server_once(svc, "limit", emails[:3])
        for email in emails[3:]:
            assert (await svc.client.get_contacts(filter_value=email)).total == 1
        # the refused change was never journaled, so never sent
        assert (await svc.client.get_contacts(filter_value=refused_email)).total == 0
        _assert_kept(db, inode)
    finally:
        await svc.aclose()


async def test_read_only_disk_opens_for_browsing_and_says_so(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    with small_tmpfs(tmp_path / "disk", "16m") as disk:
        profile = disk / "profile"
        emails = await _queued_session(fresh_sandbox, profile, "readonly", 3)
        db, inode = _store_files(fresh_sandbox, profile)
        remount(disk, read_only=True)
        try:
            svc = await open_app(fresh_sandbox, profile)
            try:
                assert svc.store.read_only
                notice = svc.store_notice
                assert notice is not None
                assert notice.message.startswith(
                    "The disk that holds the offline store is read-only: 6 unsent changes are "
                    "kept safe; make the disk writable again. You can keep browsing what is cached"
                )
                cached = svc.browse.cached_page("contact", "", 0, 20)
                assert cached is not None
                assert len(cached.records) == 20
                page = await svc.browse.fetch_page("contact", "", 20, 20)  # shown, not kept
                assert len(page.records) == 20
                text = await _refused_write(svc, StoreReadOnly)
                assert text.startswith(
                    "The disk that holds the offline store is read-only, so this change was "
                    "not saved: 6 unsent changes are kept safe"
                )
                assert svc.writes.status.pending == 6

                remount(disk, read_only=False)  # the disk can be written again
                await when(
                    svc.store.subscribe_problem,
                    lambda: svc.store_problem is None,
                    timeout=20,
                    what="recovery",
                )
                assert not svc.store.read_only
                await queue_sent(svc.writes, timeout=40, what="the queue")
                await assert_on_server_once(svc, "readonly", emails)
                await _assert_never_sent(svc)
            finally:
                await svc.aclose()
        finally:
            remount(disk, read_only=False)
        _assert_kept(db, inode)


async def test_folder_without_write_permission_opens_for_browsing_and_says_so(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    emails = await _queued_session(fresh_sandbox, profile, "noperm", 2)
    db, inode = _store_files(fresh_sandbox, profile)
    with immutable_folder(db.parent):
        svc = await open_app(fresh_sandbox, profile)
        try:
            assert svc.store.read_only
            notice = svc.store_notice
            assert notice is not None
            assert notice.message.startswith(
                "The offline store's folder may not be written (no permission): 4 unsent "
                "changes are kept safe; check the permissions of the offline store's folder."
            )
            assert svc.browse.cached_page("contact", "", 0, 20) is not None
            text = await _refused_write(svc, StoreNoPermission)
            assert "so this change was not saved: 4 unsent changes are kept safe" in text
        except BaseException:
            await svc.aclose()
            raise
    try:
        # permission given back: the next write (or the periodic retry) opens it for writing
        await when(
            svc.store.subscribe_problem,
            lambda: svc.store_problem is None,
            timeout=20,
            what="recovery",
        )
        await queue_sent(svc.writes, timeout=40, what="the queue")
        await assert_on_server_once(svc, "noperm", emails)
        await _assert_never_sent(svc)
    finally:
        await svc.aclose()
    _assert_kept(db, inode)


def _as_left_by_the_previous_release(db: Path) -> None:
    """Turn the store back into schema 2 (list positions one row each, no phone-number index),
    compacted, as an earlier release left it: opening it runs the update to the current
    schema."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute("DROP TABLE phone_numbers")
        conn.execute("DROP INDEX records_with_temp_ids")
        conn.execute("DROP TABLE list_index")
        conn.execute("DROP TABLE list_chunks")
        conn.execute(
            "CREATE TABLE list_items(list_id INTEGER NOT NULL REFERENCES lists(list_id) "
            "ON DELETE CASCADE, position INTEGER NOT NULL, item_id TEXT NOT NULL, "
            "fetched_at REAL NOT NULL, PRIMARY KEY(list_id, position)) WITHOUT ROWID"
        )
        conn.execute("CREATE INDEX list_items_item ON list_items(item_id)")
        conn.execute("DELETE FROM lists")
        conn.execute("PRAGMA user_version = 2")
        conn.execute("COMMIT")
        conn.execute("VACUUM")  # no free page left for the update to reuse
    finally:
        conn.close()


async def test_full_disk_while_an_old_store_is_updated_keeps_it_and_sends_later(
    fresh_sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import snx_desktop.store.opening as opening

    profile = tmp_path / "profile"
    emails = await _queued_session(fresh_sandbox, profile, "update", 3)
    db, _inode = _store_files(fresh_sandbox, profile)
    _as_left_by_the_previous_release(db)
    before = db.read_bytes()
    real_connect = opening.connect

    def connect_on_a_full_disk(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)
        limit_growth(conn)  # SQLite answers "database or disk is full" when the file grows
        return conn

    monkeypatch.setattr(opening, "connect", connect_on_a_full_disk)
    with pytest.raises(StoreUnavailable) as refused:
        await open_app(fresh_sandbox, profile)
    assert str(refused.value) == (
        "The disk is full: 6 unsent changes are kept safe; free some space. The offline store "
        "cannot be opened until then: sign in again afterwards."
    )
    assert db.read_bytes() == before  # the update was rolled back; nothing moved
    assert not (db.parent / "corrupt").exists()

    monkeypatch.setattr(opening, "connect", real_connect)  # space returns
    svc = await open_app(fresh_sandbox, profile)
    try:
        assert svc.store_notice is None
        await queue_sent(svc.writes, timeout=40, what="the queue")
        await assert_on_server_once(svc, "update", emails)
    finally:
        await svc.aclose()
