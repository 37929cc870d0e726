"""Opening an account's store: files and modes, pragmas, migrations, recovery from damage.

A database that is not a database, fails its integrity check, cannot be read, or was written
by a newer version of the app is moved aside into the account's ``corrupt`` folder and a new
one is built; ``Store.notice`` then tells the caller what happened. So is an empty (0-byte)
file: a store is never created as one, so its data was lost. Opening never crashes on
a bad file; it raises :class:`StoreUnavailable` only when no database can be created at all.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, TypeVar

from .cache import Cache
from .checkpoint import DEFAULT_IDLE_S, DEFAULT_PAGES, Checkpointer, CheckpointStats
from .db import Database, connect
from .documents import DEFAULT_CAP_BYTES, Documents
from .outbox import Outbox
from .paths import (
    CORRUPT_DIR,
    DB_FILE_NAME,
    DOCUMENTS_DIR,
    OUTBOX_DIR,
    account_dir,
    default_profile_dir,
    normalise_base_url,
)
from .schema import SCHEMA_VERSION, migrate
from .search import Search
from .types import OpenNotice, StoreUnavailable, private_dir, private_file

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
_BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED (another process holds the database)

Check = Literal["none", "quick", "full"]


class _Damaged(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def _sidecars(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _create_database(path: Path) -> None:
    """Create an empty WAL database at ``path`` (mode 0600) that is never 0 bytes long.

    It is made under a temporary name until SQLite has written its first page (a crash
    meanwhile leaves only that temporary file, made again on the next try), then linked into
    place. So an empty file at ``path`` is never a creation cut short: it is a store whose
    data was lost (a truncated file, a full disk, a backup or sync tool).
    """
    tmp = path.with_name(path.name + ".new")
    for side in _sidecars(tmp)[1:]:
        side.unlink(missing_ok=True)
    # 0600 before SQLite writes (-wal/-shm follow the file's mode); truncates a leftover
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    private_file(tmp)
    try:
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
    except sqlite3.Error as exc:
        raise _Damaged("unreadable", f"cannot create the database file: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)


def _primary_code(exc: sqlite3.Error) -> int:
    return int(getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


def _open_checked(
    path: Path, check: Check, wal_autocheckpoint: int | None = None
) -> sqlite3.Connection:
    """Connect, check and migrate; raise _Damaged when the file cannot serve as the store."""
    if path.exists():
        try:
            with open(path, "rb") as fh:
                header = fh.read(16)
        except OSError as exc:
            raise _Damaged("unreadable", f"cannot read the database file: {exc.strerror}") from exc
        if header and header != SQLITE_MAGIC:
            raise _Damaged("not-a-database", "the file is not an SQLite database")
        if not header:
            # never left by creating a store (see _create_database): its data was lost
            raise _Damaged("empty", "the database file is empty (0 bytes)")
    else:
        _create_database(path)
    private_file(path)
    conn: sqlite3.Connection | None = None
    try:
        conn = connect(path, wal_autocheckpoint=wal_autocheckpoint)
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise _Damaged("newer-schema", f"schema version {version} is newer than this app's")
        if check != "none" and version > 0:
            pragma = "quick_check" if check == "quick" else "integrity_check"
            rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
            if rows != ["ok"]:
                raise _Damaged("integrity", "; ".join(str(r) for r in rows[:5]))
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
        for p in _sidecars(path):
            private_file(p)
        return conn
    except _Damaged:
        if conn is not None:
            conn.close()
        raise
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        if _primary_code(exc) in _BUSY_CODES:
            raise StoreUnavailable(
                "The offline store is in use by another copy of the app."
            ) from exc
        raise _Damaged(
            "unreadable" if _primary_code(exc) in (3, 8, 10, 14) else "integrity", str(exc)
        ) from exc


_REASON_TEXT = {
    "not-a-database": "was not a database",
    "integrity": "was damaged",
    "unreadable": "could not be read",
    "newer-schema": "was written by a newer version of the app",
    "empty": "was found empty (0 bytes): its data was lost",
}


def _count_unsent(path: Path) -> int | None:
    """How many ops the outbox of a database about to be moved aside holds (None: unreadable)."""
    if not path.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return None
    try:
        has = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'outbox'"
        ).fetchone()[0]
        if not has:
            return 0
        return int(conn.execute("SELECT count(*) FROM outbox").fetchone()[0])
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _unsent_text(unsent: int | None, uploads_kept: Path | None) -> str:
    if unsent is None:
        text = "Changes that were waiting to be sent from it, if there were any, could not be read."
    elif unsent == 0:
        text = "No changes were waiting to be sent, so none were lost."
    else:
        plural = "s were" if unsent != 1 else " was"
        text = (
            f"{unsent} change{plural} waiting to be sent; "
            f"{'they were' if unsent != 1 else 'it was'} not sent and stay only in the old file."
        )
    if uploads_kept is not None:
        text += f" Files queued for upload were kept in {uploads_kept}."
    return text


def _move_aside(folder: Path, path: Path, reason: str) -> OpenNotice:
    # an empty file holds no outbox to count: whatever was queued in it is unknown
    unsent = _count_unsent(path) if reason not in ("not-a-database", "empty") else None
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    corrupt = private_dir(folder / CORRUPT_DIR)
    target = corrupt / f"store-{stamp}.sqlite3"
    n = 1
    while target.exists():
        n += 1
        target = corrupt / f"store-{stamp}-{n}.sqlite3"
    moved_to: Path | None = target
    for src in _sidecars(path):
        if not src.exists():
            continue
        dest = corrupt / (target.name + src.name[len(path.name) :])
        try:
            src.replace(dest)
            private_file(dest)
        except OSError:
            log.warning("could not move a damaged store file aside; deleting it", exc_info=True)
            try:
                src.unlink()
            except OSError as exc:
                raise StoreUnavailable(
                    "The offline store is damaged and cannot be replaced "
                    f"({exc.strerror}). Check the permissions of {folder}."
                ) from exc
            if src == path:
                moved_to = None
    # queued uploads belonged to ops in the old database: keep them beside it, never delete
    outbox = folder / OUTBOX_DIR
    uploads_kept: Path | None = None
    if outbox.exists() and any(outbox.iterdir()):
        uploads_kept = corrupt / f"outbox-{target.stem.removeprefix('store-')}"
        outbox.replace(uploads_kept)
    docs = folder / DOCUMENTS_DIR
    if docs.exists():
        shutil.rmtree(docs, ignore_errors=True)
    text = _REASON_TEXT.get(reason, "was damaged")
    kept = f" The old file was kept as {moved_to}." if moved_to is not None else ""
    if reason == "empty":
        uploads = (
            f" Files queued for upload were kept in {uploads_kept}."
            if uploads_kept is not None
            else ""
        )
        message = (
            f"The offline store {text} (a crash, a full disk, or a backup or sync tool can "
            "do this). A new store has been built and cached data will be fetched again, but "
            "changes that were waiting to be sent, if there were any, are lost: check your "
            f"recent changes and make them again.{uploads}{kept}"
        )
    else:
        message = (
            f"The offline store {text} and has been rebuilt; cached data will be fetched "
            f"again. {_unsent_text(unsent, uploads_kept)}{kept}"
        )
    return OpenNotice(message=message, moved_to=moved_to, reason=reason, unsent_changes=unsent)


def check_database(path: Path, full: bool = False) -> list[str]:
    """Problems SQLite finds in the database at ``path`` (empty when sound), on its own
    read-only connection, so it may run in any thread."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        pragma = "integrity_check" if full else "quick_check"
        rows = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
        return [] if rows == ["ok"] else rows
    except sqlite3.Error as exc:
        return [str(exc)]
    finally:
        conn.close()


class Store:
    """One account's offline store: cache, search index, outbox and document files."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        folder: Path,
        base_url: str,
        identity: str,
        notice: OpenNotice | None,
        document_cap_bytes: int,
        checkpointer: Checkpointer | None = None,
    ) -> None:
        self._db = Database(conn)
        self._checkpointer = checkpointer
        if checkpointer is not None:
            self._db.on_commit = checkpointer.nudge
        self.dir = folder
        self.path = folder / DB_FILE_NAME
        self.base_url = base_url
        self.identity = identity
        self.notice = notice
        self.search = Search(self._db)
        self.cache = Cache(self._db, self.search)
        self.outbox: Outbox
        self.documents = Documents(
            self._db,
            folder / DOCUMENTS_DIR,
            staged_bytes=lambda: self.outbox.staged_bytes(),
            cap_bytes=document_cap_bytes,
        )
        self.outbox = Outbox(self._db, self.cache, folder / OUTBOX_DIR, self.documents)
        self._closed = False

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        base_url: str,
        identity: str,
        profile_dir: Path | str | None = None,
        *,
        check: Check = "quick",
        document_cap_bytes: int = DEFAULT_CAP_BYTES,
        background_checkpoint: bool = True,
        checkpoint_pages: int = DEFAULT_PAGES,
        checkpoint_idle_s: float = DEFAULT_IDLE_S,
    ) -> Store:
        """Open (creating, migrating or rebuilding as needed) the store of one account.

        ``identity`` is the account's e-mail (or ``identity_from_token(...)``), never a secret.
        With ``background_checkpoint`` (the default) commits never checkpoint the WAL
        themselves: a worker thread does it (PASSIVE) after ``checkpoint_pages`` WAL pages or
        ``checkpoint_idle_s`` seconds without commits; False keeps SQLite's automatic
        checkpoint inside commits.
        """
        autockpt = 0 if background_checkpoint else None
        root = Path(profile_dir) if profile_dir is not None else default_profile_dir()
        folder = account_dir(base_url, identity, root)
        try:
            if not root.exists():
                private_dir(root)
            private_dir(folder.parent)
            private_dir(folder)
        except OSError as exc:
            raise StoreUnavailable(
                f"Cannot create the offline store folder {folder} ({exc.strerror})."
            ) from exc
        path = folder / DB_FILE_NAME
        notice: OpenNotice | None = None
        try:
            conn = _open_checked(path, check, autockpt)
        except _Damaged as damaged:
            log.warning("offline store unusable (%s: %s); rebuilding", damaged.reason, damaged)
            notice = _move_aside(folder, path, damaged.reason)
            try:
                conn = _open_checked(path, "none", autockpt)
            except (_Damaged, OSError) as exc:
                raise StoreUnavailable(f"Cannot rebuild the offline store in {folder}.") from exc
        except OSError as exc:
            raise StoreUnavailable(
                f"Cannot open the offline store in {folder} ({exc.strerror})."
            ) from exc
        checkpointer = (
            Checkpointer(path, pages=checkpoint_pages, idle_s=checkpoint_idle_s)
            if background_checkpoint
            else None
        )
        store = cls(conn, folder, base_url, identity, notice, document_cap_bytes, checkpointer)
        try:
            store._after_open()
        except sqlite3.DatabaseError as exc:
            if check != "none" or notice is not None:
                store.close()
                raise
            # not checked on opening, and damaged where the first reads went
            store.replace_damaged([str(exc)])
        except BaseException:
            store.close()
            raise
        return store

    def _after_open(self) -> None:
        with self._db.tx() as conn:
            conn.executemany(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [
                    ("base_url", normalise_base_url(self.base_url)),
                    ("identity", self.identity),
                ],
            )
        self.outbox.recover_after_restart()
        self.outbox.cleanup_orphans()
        self.documents.cleanup()
        self.documents.evict()

    # -- general -----------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self._db.conn.execute("PRAGMA user_version").fetchone()[0])

    @property
    def closed(self) -> bool:
        return self._closed

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several store calls into one atomic commit (nests as savepoints)."""
        with self._db.tx():
            yield

    def pragma(self, name: str) -> object:
        """The value of a read-only PRAGMA (for diagnostics and tests)."""
        if not name.replace("_", "").isalpha():
            raise ValueError(name)
        row = self._db.conn.execute(f"PRAGMA {name}").fetchone()
        return None if row is None else row[0]

    def integrity_check(self, full: bool = True) -> list[str]:
        """Problems SQLite finds in the database (empty when it is sound)."""
        pragma = "integrity_check" if full else "quick_check"
        rows = [str(r[0]) for r in self._db.conn.execute(f"PRAGMA {pragma}").fetchall()]
        fk = self._db.conn.execute("PRAGMA foreign_key_check").fetchall()
        problems = [] if rows == ["ok"] else rows
        problems += [f"foreign key violation in {r[0]} row {r[1]}" for r in fk]
        return problems

    def bulk_writer(self, *, close_with_store: bool = False) -> BulkWriter:
        """A second connection for long cache writes (priming, scrolled pages) off the
        event-loop thread. It indexes for search with this store's current field roles.

        With ``close_with_store`` the writer is closed (after the call it is running, see
        :meth:`BulkWriter.call`) when this store closes or moves a damaged database aside;
        later calls then raise :class:`StoreUnavailable`: make a new writer if the store is
        still open.
        """
        ckpt = self._checkpointer
        writer = BulkWriter(
            self.path,
            wal_autocheckpoint=None if ckpt is None else 0,
            on_commit=None if ckpt is None else ckpt.nudge,
            roles_from=self.search,
        )
        if close_with_store:
            writer.unhook = self._db.before_close(writer.close)
        return writer

    # -- WAL checkpoints --------------------------------------------------------------------------
    @property
    def checkpoint_stats(self) -> CheckpointStats | None:
        """What the background checkpointer did (None when it is off)."""
        return None if self._checkpointer is None else self._checkpointer.stats

    def request_checkpoint(self) -> None:
        """Ask the background checkpointer to run now (it never blocks the caller)."""
        if self._checkpointer is not None:
            self._checkpointer.request()

    def wait_checkpointed(self, timeout: float = 5.0) -> bool:
        """Block until no background checkpoint is owed (tests, benchmarks); True if none is."""
        return True if self._checkpointer is None else self._checkpointer.wait_idle(timeout)

    def integrity_check_detached(self, full: bool = False) -> list[str]:
        """Like :meth:`integrity_check`, on a connection of its own: safe in a worker thread.

        For a fast start, open with ``check="none"``, then
        ``await asyncio.to_thread(store.integrity_check_detached)``; if it reports problems,
        close the store and open it again with ``check="quick"`` (which rebuilds it).
        """
        return check_database(self.path, full=full)

    def replace_damaged(self, problems: list[str]) -> OpenNotice:
        """Move this database aside as damaged and go on with a new, empty one.

        For a store opened with ``check="none"`` whose detached check found ``problems``:
        the same as opening with a check would have done, in place, so that every holder of
        this store (and of its cache, search, outbox and documents) goes on with the new
        database. Call it from the thread that uses the store; ``notice`` tells what happened.
        """
        if self._closed:
            raise StoreUnavailable("The offline store is closed.")
        first = (problems[0] if problems else "").strip().splitlines()
        log.warning("offline store damaged (%s); rebuilding", first[-1][:200] if first else "?")
        ckpt = self._checkpointer
        if ckpt is not None:
            ckpt.stop()
            self._checkpointer = None
            self._db.on_commit = None
        self._db.close()
        notice = _move_aside(self.dir, self.path, "integrity")
        try:
            conn = _open_checked(self.path, "none", 0 if ckpt is not None else None)
        except (_Damaged, OSError) as exc:
            self._closed = True
            raise StoreUnavailable(f"Cannot rebuild the offline store in {self.dir}.") from exc
        self._db.reset(conn)
        if ckpt is not None:
            self._checkpointer = Checkpointer(self.path, pages=ckpt.pages, idle_s=ckpt.idle_s)
            self._db.on_commit = self._checkpointer.nudge
        # the parts read the database when made: read the new one (same objects, so that
        # whoever holds them goes on with the new database)
        Search.__init__(self.search, self._db)
        Cache.__init__(self.cache, self._db, self.search)
        self.notice = notice
        self._after_open()
        return notice

    def close(self) -> None:
        """Checkpoint the WAL and close; calling it again does nothing."""
        if self._closed:
            return
        self._closed = True
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
            self._db.on_commit = None
        try:
            self._db.conn.execute("PRAGMA optimize")
            self._db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            log.warning("store checkpoint on close failed", exc_info=True)
        self._db.close()

    def wipe(self) -> None:
        """Close the store and delete the account's database, documents and queued uploads."""
        self.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.dir.exists():
            raise StoreUnavailable(f"Could not delete all of {self.dir}.")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


T = TypeVar("T")


class BulkWriter:
    """A second connection to an open store, for cache writes from a worker thread.

    Use it from one thread at a time (e.g. ``await asyncio.to_thread(writer.call,
    put_page, ...)`` or ``writer.cache.put_records`` directly, one call after the other) while
    the event loop keeps reading through the store's own connection (WAL lets readers run
    during a write). Writes on the store's connection wait for the writer's current
    transaction to finish. It holds only ``cache`` and ``search``: the outbox stays with the
    store. Its search index uses the field roles of ``roles_from`` (the store's search) as
    they are when each write indexes, so roles set after the writer was made apply.
    """

    def __init__(
        self,
        path: Path,
        *,
        wal_autocheckpoint: int | None = None,
        on_commit: Callable[[], None] | None = None,
        roles_from: Search | None = None,
    ) -> None:
        self._db = Database(
            connect(path, check_same_thread=False, wal_autocheckpoint=wal_autocheckpoint)
        )
        self._db.on_commit = on_commit
        self.search = Search(self._db, roles_from=roles_from)
        self.cache = Cache(self._db, self.search)
        self._lock = threading.Lock()
        self._closed = False
        self._thread: ThreadPoolExecutor | None = None
        #: how long :meth:`close` waits for the running call (seconds)
        self.close_wait_s = 30.0
        #: takes back the store's close hook (set by ``Store.bulk_writer``)
        self.unhook: Callable[[], None] | None = None

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def busy(self) -> bool:
        """True while a :meth:`call` runs."""
        return self._lock.locked()

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """:meth:`call` in this writer's own worker thread (made on first use; one thread, so
        its allocations stay in one malloc arena); ``asyncio.wrap_future`` awaits it. Submit
        from one thread (the event loop's)."""
        if self._closed:
            raise StoreUnavailable("The store's second connection is closed.")
        thread = self._thread
        if thread is None:
            thread = self._thread = ThreadPoolExecutor(1, thread_name_prefix="snx-store-writer")
        try:
            return thread.submit(self.call, fn, *args)
        except RuntimeError as exc:  # shut down by close() meanwhile
            raise StoreUnavailable("The store's second connection is closed.") from exc

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(self.cache, *args)``, holding the writer: :meth:`close` waits for it.

        Raises :class:`StoreUnavailable` once the writer is closed."""
        with self._lock:
            if self._closed:
                raise StoreUnavailable("The store's second connection is closed.")
            return fn(self.cache, *args)

    def close(self) -> None:
        """Close after the running :meth:`call` (if any); calling it again does nothing."""
        acquired = self._lock.acquire(timeout=self.close_wait_s)
        try:
            if self._closed:
                return
            if not acquired:
                log.warning("closing the store's second connection while a write still runs")
            self._closed = True
            unhook, self.unhook = self.unhook, None
            if unhook is not None:
                unhook()
            self._db.close()
            thread, self._thread = self._thread, None
            if thread is not None:
                thread.shutdown(wait=False)  # calls queued behind find the writer closed
        finally:
            if acquired:
                self._lock.release()

    def __enter__(self) -> BulkWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
