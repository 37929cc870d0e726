"""Opening an account's database file: creating it, checking it, and telling damage apart from a
disk that refuses.

:func:`open_checked` connects read-write, checks and migrates. It raises :class:`Damaged` only
for a file that is not a database, is malformed (SQLite's NOTADB and CORRUPT), fails its
integrity check, is empty (0 bytes) or was written by a newer version of the app: only those
may be moved aside. A full disk, a read-only medium, a missing permission or an I/O error
raise :class:`Refused` and leave every file where it is; :func:`open_read_only` then gives a
connection to browse what the file holds. A database busy in another process raises
:class:`StoreUnavailable`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from typing import Literal, NoReturn, cast
from urllib.request import pathname2url

from .db import BUSY_TIMEOUT_MS, connect
from .errors import classify, is_problem
from .schema import SCHEMA_VERSION, migrate
from .types import Problem, StoreUnavailable, private_file

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
REBUILD_SUFFIX = ".rebuild"

Check = Literal["none", "quick", "full"]


class Damaged(Exception):
    """The database file cannot serve as the store: it is to be moved aside and rebuilt."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class Refused(Exception):
    """The disk refuses (full, read-only, no permission, I/O error); nothing is damaged."""

    def __init__(self, problem: Problem, detail: str) -> None:
        super().__init__(detail)
        self.problem = problem


def sidecars(path: Path) -> list[Path]:
    """The database file and its WAL and shared-memory files."""
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def raise_for(exc: BaseException, folder: Path, *, unreadable: str = "integrity") -> NoReturn:
    """Raise what ``exc`` (met while opening) means: Damaged, Refused or StoreUnavailable."""
    kind = classify(exc, folder)
    if kind == "busy":
        raise StoreUnavailable("The offline store is in use by another copy of the app.") from exc
    if kind == "damaged":
        raise Damaged(unreadable, str(exc)) from exc
    if is_problem(kind):
        raise Refused(cast(Problem, kind), str(exc)) from exc
    raise StoreUnavailable(f"The offline store could not be opened ({exc}).") from exc


def create_database(path: Path) -> None:
    """Create an empty WAL database at ``path`` (mode 0600) that is never 0 bytes long.

    It is made under a temporary name until SQLite has written its first page (a crash
    meanwhile leaves only that temporary file, made again on the next try), then linked into
    place. So an empty file at ``path`` is never a creation cut short: it is a store whose
    data was lost (a truncated file, a full disk, a backup or sync tool).
    """
    tmp = path.with_name(path.name + ".new")
    try:
        for side in sidecars(tmp)[1:]:
            side.unlink(missing_ok=True)
        # 0600 before SQLite writes (-wal/-shm follow the file's mode); truncates a leftover
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        private_file(tmp)
        conn = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")  # writes page 1: a valid, empty database
        finally:
            conn.close()
        try:
            os.link(tmp, path)  # atomic, and never over a store another copy just made
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(tmp, path)
    except (sqlite3.Error, OSError) as exc:
        raise_for(exc, path.parent, unreadable="unreadable")
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            log.debug("could not remove %s", tmp, exc_info=True)


def adopt_rebuilt(path: Path) -> None:
    """Finish a rebuild cut short: a rebuilt database left beside a store that was already
    moved aside takes its place (it holds the unsent changes carried over); one left beside
    a store still in place was not finished, and is removed (the rebuild runs again)."""
    rebuilt = path.with_name(path.name + REBUILD_SUFFIX)
    if not rebuilt.exists():
        return
    if path.exists():
        for side in sidecars(rebuilt):
            side.unlink(missing_ok=True)
        return
    log.warning("finishing an interrupted rebuild of the offline store")
    for side in sidecars(path)[1:]:
        side.unlink(missing_ok=True)
    os.replace(rebuilt, path)


def open_checked(
    path: Path, check: Check, wal_autocheckpoint: int | None = None
) -> sqlite3.Connection:
    """Connect read-write, check and migrate; raise Damaged, Refused or StoreUnavailable."""
    folder = path.parent
    try:
        adopt_rebuilt(path)
        exists = path.exists()
        if exists:
            with open(path, "rb") as fh:
                header = fh.read(16)
    except OSError as exc:
        raise_for(exc, folder, unreadable="unreadable")
    if exists:
        if header and header != SQLITE_MAGIC:
            raise Damaged("not-a-database", "the file is not an SQLite database")
        if not header:
            # never left by creating a store (see create_database): its data was lost
            raise Damaged("empty", "the database file is empty (0 bytes)")
    else:
        create_database(path)
    try:
        private_file(path)
    except OSError as exc:
        raise_for(exc, folder)
    conn: sqlite3.Connection | None = None
    try:
        conn = connect(path, wal_autocheckpoint=wal_autocheckpoint)
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise Damaged("newer-schema", f"schema version {version} is newer than this app's")
        if check != "none" and version > 0:
            pragma = "quick_check" if check == "quick" else "integrity_check"
            rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
            if rows != ["ok"]:
                raise Damaged("integrity", "; ".join(str(r) for r in rows[:5]))
        conn.execute("BEGIN IMMEDIATE")
        try:
            old = migrate(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if old != SCHEMA_VERSION:
            log.info("store schema migrated from version %d to %d", old, SCHEMA_VERSION)
        for p in sidecars(path):
            private_file(p)
        return conn
    except Damaged:
        if conn is not None:
            conn.close()
        raise
    except (sqlite3.Error, OSError) as exc:
        if conn is not None:
            conn.close()
        raise_for(exc, folder)


def read_only_url(path: Path, *, immutable: bool = False) -> str:
    """An SQLite URI that opens ``path`` read-only (``immutable``: without locks or WAL)."""
    return f"file:{pathname2url(str(path))}?mode=ro" + ("&immutable=1" if immutable else "")


def open_read_only(path: Path) -> tuple[sqlite3.Connection, bool]:
    """A read-only connection to browse a store the disk will not let us write.

    Tried first as an ordinary read-only connection (it sees the WAL); where SQLite cannot
    even make its shared-memory file (a full or read-only disk), as an immutable one, which
    reads the database file alone. Returns the connection and whether it is immutable."""
    last: sqlite3.Error | None = None
    for immutable in (False, True):
        try:
            conn = sqlite3.connect(
                read_only_url(path, immutable=immutable),
                uri=True,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
        except sqlite3.Error as exc:
            last = exc
            continue
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn, immutable
        except sqlite3.Error as exc:
            conn.close()
            last = exc
    assert last is not None
    raise last


def wal_has_frames(path: Path) -> bool:
    """Whether the WAL file beside ``path`` holds commits not yet in the database file."""
    try:
        return path.with_name(path.name + "-wal").stat().st_size > 32  # more than its header
    except OSError:
        return False


def check_database(path: Path, full: bool = False) -> list[str]:
    """Problems SQLite finds in the database at ``path`` (empty when sound), on its own
    read-only connection, so it may run in any thread.

    Only damage is reported: a check the disk would not let run (full, I/O error) or that
    another process blocked is logged and reports nothing, since it found no damage."""
    try:
        conn = sqlite3.connect(read_only_url(path), uri=True, timeout=5)
    except sqlite3.Error as exc:
        return _check_failed(exc, path)
    try:
        pragma = "integrity_check" if full else "quick_check"
        rows = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
        return [] if rows == ["ok"] else rows
    except sqlite3.Error as exc:
        return _check_failed(exc, path)
    finally:
        conn.close()


def _check_failed(exc: sqlite3.Error, path: Path) -> list[str]:
    if classify(exc, path.parent) == "damaged":
        return [str(exc)]
    log.warning("the store's integrity check could not run: %s", exc)
    return []
