"""Store integrity: a damaged or unreadable offline cache is moved aside and rebuilt, the user
is told (the store's notice, through the app's message path), and the app never crashes at
start, including the real entry point (``python -m snx_desktop --smoke-test``).

(WAL, foreign keys and a clean ``PRAGMA integrity_check`` after the soak and after the crash
test are asserted in ``test_soak.py`` and ``test_offline_crash.py``.)
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.storetrouble import signed_in_window

from snx_desktop.store import Store

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _damage(db: Path, how: str) -> None:
    for side in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        side.unlink(missing_ok=True)
    if how == "garbage":
        size = db.stat().st_size
        db.write_bytes(os.urandom(size))
    elif how == "header":
        with open(db, "r+b") as f:
            f.write(b"\x00garbage" * 12)
    elif how == "pages":
        size = db.stat().st_size
        page = 4096
        with open(db, "r+b") as f:
            for offset in range(2 * page, size - page, 3 * page):
                f.seek(offset + 100)
                f.write(os.urandom(page - 200))
    elif how == "truncated":
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 3])
    elif how == "empty":
        db.write_bytes(b"")
    elif how == "folder":
        db.unlink()
        db.mkdir()
        (db / "x").write_text("not a database")
    else:
        raise AssertionError(how)


async def _filled_profile(server: Any, profile: Path) -> Path:
    """Sign in, cache some pages and details, queue a write; returns the store's path."""
    from snx_desktop.services import AppServices

    svc = await AppServices.open(
        server.base_url,
        account=DEMO_EMAIL,
        password=DEMO_PASSWORD,
        profile_dir=profile,
        probe_interval=(0.05, 0.5),
    )
    try:
        page = await svc.browse.fetch_page("contact", "", 0, 60)
        for cid in page.ids[:10]:
            await svc.browse.load_detail("contact", cid)
        await svc.browse.fetch_page("group", "", 0, 20)
        path = Path(svc.store.path)
    finally:
        await svc.aclose()
    return path


@pytest.mark.asyncio
@pytest.mark.parametrize("how", ["garbage", "header", "pages", "truncated", "folder"])
async def test_damaged_cache_is_moved_aside_rebuilt_and_the_user_told(
    fresh_sandbox: Any, tmp_path: Path, how: str, user_messages: list[Any]
) -> None:
    profile = tmp_path / "profile"
    db = await _filled_profile(fresh_sandbox, profile)
    _damage(db, how)

    # the app's own sign-in path opens the store
    async with signed_in_window(fresh_sandbox, profile) as app:
        svc = app.services
        notice = svc.store_notice
        assert notice is not None, "the damage went unnoticed"
        assert notice.message
        assert notice.message in app.shown  # the window's message bar got it
        assert any(m.text == notice.message for m in user_messages)
        assert notice.moved_to is not None
        assert notice.moved_to.exists()
        assert notice.moved_to.parent.name == "corrupt"
        corrupt = notice.moved_to.parent
        assert corrupt.stat().st_mode & 0o777 == 0o700
        for path in corrupt.rglob("*"):
            if path.is_file() and how != "folder":  # the old cache stays as private as it was
                assert path.stat().st_mode & 0o777 == 0o600, (path, oct(path.stat().st_mode))
        # the rebuilt store works and is sound
        store = svc.store
        assert store.integrity_check(full=True) == []
        assert str(store.pragma("journal_mode")) == "wal"
        assert str(store.pragma("foreign_keys")) == "1"
        page = await svc.browse.fetch_page("contact", "", 0, 20)
        assert len(page.ids) == 20
        assert store.cache.count_records("contact") >= 20
    # and the next start is quiet
    again = Store.open(fresh_sandbox.base_url, DEMO_EMAIL, profile)
    try:
        assert again.notice is None
    finally:
        again.close()


def test_store_opens_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    store = Store.open("http://127.0.0.1:1", "someone@example.com", tmp_path)
    try:
        assert str(store.pragma("journal_mode")) == "wal"
        assert str(store.pragma("foreign_keys")) == "1"
        assert store.integrity_check(full=True) == []
        path = store.path
    finally:
        store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persistent


def _smoke(profile: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "snx_desktop", "--smoke-test", "--profile", str(profile)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.mark.timeout(200)
@pytest.mark.parametrize("how", ["garbage", "folder"])
def test_real_entry_point_starts_on_a_corrupt_profile(tmp_path: Path, how: str) -> None:
    profile = tmp_path / "profile"
    first = _smoke(profile)
    assert first.returncode == 0, first.stderr[-3000:]
    dbs = list(profile.rglob("store.sqlite3"))
    assert dbs, "the smoke test made no store"
    for db in dbs:
        _damage(db, how)
    (profile / "settings.ini").write_bytes(os.urandom(2000))  # settings damaged too
    second = _smoke(profile)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Traceback" not in second.stderr
    assert list(profile.rglob("corrupt/*")), "the damaged store was not moved aside"
    for db in profile.rglob("store.sqlite3"):
        assert db.is_file()
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
