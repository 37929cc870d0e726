"""Real disks that refuse: a small tmpfs filled up or remounted read-only, a folder made
immutable, and SQLite's own page limit (``PRAGMA max_page_count``) on a connection.

Mounting needs root and a kernel that allows it here; :func:`small_tmpfs` skips the test with
the reason when it cannot mount. ``chattr`` needs a file system that supports it.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

FILLER = "filler.bin"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, check=False, timeout=30)


@contextmanager
def small_tmpfs(mount_point: Path, size: str = "8m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``mount_point`` for the duration; skips if refused."""
    mount_point.mkdir(parents=True, exist_ok=True)
    done = _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(mount_point))
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mount_point
    finally:
        gc.collect()  # connections dropped by the test close their files
        if _run("umount", str(mount_point)).returncode != 0:
            _run("umount", "-l", str(mount_point))


def fill(mount_point: Path, leave: int = 0) -> Path:
    """Fill the file system of ``mount_point`` until ``leave`` bytes are free."""
    st = os.statvfs(mount_point)
    free = st.f_bavail * st.f_frsize
    filler = mount_point / FILLER
    with open(filler, "ab") as out:
        out.write(b"\0" * max(0, free - leave))
    return filler


def free_bytes(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def remount(mount_point: Path, *, read_only: bool) -> None:
    """Remount a tmpfs read-only or read-write (root ignores file modes; this it cannot)."""
    gc.collect()
    mode = "ro" if read_only else "rw"
    done = _run("mount", "-o", f"remount,{mode}", str(mount_point))
    if done.returncode != 0:
        pytest.skip(f"cannot remount {mount_point} {mode}: {done.stderr.strip()}")


@contextmanager
def immutable_folder(folder: Path) -> Iterator[None]:
    """``chattr +i`` on ``folder``: nothing may be created in it, even by root."""
    done = _run("chattr", "+i", str(folder))
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not possible here: {done.stderr.strip()}")
    try:
        yield
    finally:
        _run("chattr", "-i", str(folder))


def limit_growth(conn: sqlite3.Connection) -> int:
    """Let the database on ``conn`` grow by no page: SQLite then answers a write that needs a
    new page with SQLITE_FULL ("database or disk is full"). Returns the limit set."""
    pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    return int(conn.execute(f"PRAGMA max_page_count = {pages}").fetchone()[0])


def lift_limit(conn: sqlite3.Connection) -> None:
    """Space returns: the page limit goes back to SQLite's default."""
    conn.execute("PRAGMA max_page_count = 4294967294")
