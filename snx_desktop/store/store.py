"""Opening an account's store, and keeping it usable when its database is damaged or the disk
refuses writes.

Damage (a file that is not a database, is malformed, fails its integrity check, is empty, or
was written by a newer version of the app) is the only reason a database is moved aside into
the account's ``corrupt`` folder; the new one built in its place holds the unsent changes that
could be read from the old one (:mod:`.rebuild`), and ``Store.notice`` tells how many were
recovered or lost. A full disk, a read-only medium, a missing permission or an I/O error never
move anything: the store opens as it is (read-only when it cannot be opened for writing),
``Store.notice`` / ``Store.problem`` say what is wrong in plain words, every write raises a
:class:`~snx_desktop.store.types.StoreEnvironmentError` telling that it was not saved, and
:meth:`Store.retry` (also tried before each write) goes on once the disk takes writes again.
Opening raises :class:`StoreUnavailable` only when no database can be opened at all.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .cache import Cache
from .checkpoint import DEFAULT_IDLE_S, DEFAULT_PAGES, Checkpointer, CheckpointStats
from .db import Database
from .documents import DEFAULT_CAP_BYTES, Documents
from .errors import (
    cannot_rebuild_message,
    classify,
    count_unsent,
    environment_error,
    open_message,
)
from .opening import (
    Check,
    Damaged,
    Refused,
    check_database,
    open_checked,
    open_read_only,
    wal_has_frames,
)
from .outbox import Outbox
from .paths import (
    DB_FILE_NAME,
    DOCUMENTS_DIR,
    OUTBOX_DIR,
    account_dir,
    default_profile_dir,
    normalise_base_url,
)
from .rebuild import rebuild
from .schema import SCHEMA_VERSION
from .search import Search
from .types import (
    OpenNotice,
    Problem,
    StoreEnvironmentError,
    StoreUnavailable,
    private_dir,
)
from .writer import StoreWriter

__all__ = ["Check", "Store", "StoreWriter", "check_database"]

log = logging.getLogger(__name__)

ProblemListener = Callable[[StoreEnvironmentError | None], None]

_PROBLEM_REASONS: dict[Problem, str] = {
    "full": "disk-full",
    "read-only": "read-only",
    "permission": "no-permission",
    "io": "disk-error",
}


def _open_read_only(path: Path, refused: Refused) -> tuple[sqlite3.Connection, OpenNotice]:
    """The store opened read-only because the disk refused a read-write open, with the
    notice that says so; StoreUnavailable when even that is impossible."""
    problem = refused.problem
    try:
        conn, immutable = open_read_only(path)
    except sqlite3.Error as exc:
        raise StoreUnavailable(open_message(problem, None, browsing=False)) from exc
    # an immutable connection sees the database file alone: changes still in the WAL
    # are not counted (they are kept all the same)
    unsent = None if immutable and wal_has_frames(path) else count_unsent(conn)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error:
        version = -1
    if version != SCHEMA_VERSION:
        # an older store whose update cannot be written now: nothing this app can show
        conn.close()
        raise StoreUnavailable(open_message(problem, unsent, browsing=False))
    log.warning("offline store opened read-only: the disk refuses writes (%s)", refused)
    notice = OpenNotice(
        message=open_message(problem, unsent, browsing=True),
        moved_to=None,
        reason=_PROBLEM_REASONS[problem],
        unsent_changes=unsent,
    )
    return conn, notice


def _rebuild(folder: Path, path: Path, reason: str) -> OpenNotice:
    try:
        return rebuild(folder, path, reason)
    except Refused as refused:
        raise StoreUnavailable(cannot_rebuild_message(refused.problem, in_use=False)) from refused


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
        checkpoint: tuple[int, float] | None = None,
        *,
        read_only_problem: Problem | None = None,
    ) -> None:
        self._db = Database(conn, folder)
        self._db.read_only_problem = read_only_problem
        self._db.before_write = self._before_write
        self._db.on_problem = self._set_problem
        self._db.on_commit = self._committed
        #: (pages, idle seconds) of the background checkpointer; None: SQLite's own
        self._checkpoint = checkpoint
        self._checkpointer: Checkpointer | None = None
        if read_only_problem is None:
            self._start_checkpointer()
        self.dir = folder
        self.path = folder / DB_FILE_NAME
        self.base_url = base_url
        self.identity = identity
        self.notice = notice
        #: set while the disk refuses the store's writes (its message is for the rep)
        self.problem: StoreEnvironmentError | None = None
        self._problem_listeners: list[ProblemListener] = []
        self._opened = False  # the writes of opening (see _after_open) are done
        self._retrying = False
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
        self._writer: StoreWriter | None = None
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

        When the disk refuses writes the store still opens (read-only if need be) with a
        ``notice`` saying so and ``problem`` set; see :meth:`retry`.
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
            if not folder.is_dir():
                raise StoreUnavailable(
                    f"Cannot create the offline store folder {folder} ({exc.strerror})."
                ) from exc
            log.info("the offline store folder's mode cannot be set: %s", exc)
        path = folder / DB_FILE_NAME
        notice: OpenNotice | None = None
        read_only: Problem | None = None
        try:
            conn = open_checked(path, check, autockpt)
        except Damaged as damaged:
            log.warning("offline store unusable (%s: %s); rebuilding", damaged.reason, damaged)
            notice = _rebuild(folder, path, damaged.reason)
            try:
                conn = open_checked(path, "none", autockpt)
            except (Damaged, Refused, OSError) as exc:
                raise StoreUnavailable(f"Cannot rebuild the offline store in {folder}.") from exc
        except Refused as refused:
            conn, notice = _open_read_only(path, refused)
            read_only = refused.problem
        except OSError as exc:
            raise StoreUnavailable(
                f"Cannot open the offline store in {folder} ({exc.strerror})."
            ) from exc
        checkpoint = (checkpoint_pages, checkpoint_idle_s) if background_checkpoint else None
        store = cls(
            conn,
            folder,
            base_url,
            identity,
            notice,
            document_cap_bytes,
            checkpoint,
            read_only_problem=read_only,
        )
        if read_only is not None:
            # what opening writes waits for a connection that can write (see retry)
            store.problem = environment_error(read_only, notice.unsent_changes if notice else None)
            return store
        try:
            store._after_open()
        except StoreEnvironmentError as exc:
            # the disk refuses the writes of opening: the store stays as it is, readable
            log.warning("offline store opened, but the disk refuses writes: %s", exc.detail)
            store.problem = environment_error(exc.problem, exc.unsent)
            if notice is None:
                store.notice = OpenNotice(
                    message=open_message(exc.problem, exc.unsent, browsing=True),
                    moved_to=None,
                    reason=_PROBLEM_REASONS[exc.problem],
                    unsent_changes=exc.unsent,
                )
        except sqlite3.DatabaseError as exc:
            if classify(exc, folder) != "damaged" or check != "none" or notice is not None:
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
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value "
                "WHERE value IS NOT excluded.value",
                [
                    ("base_url", normalise_base_url(self.base_url)),
                    ("identity", self.identity),
                ],
            )
        self.outbox.recover_after_restart()
        self.outbox.cleanup_orphans()
        self.documents.cleanup()
        self.documents.evict()
        # the schema is read right after opening: damage there is found here, with the rest,
        # both in the table and in its index (what a read by name goes through)
        conn = self._db.conn
        for (name,) in conn.execute("SELECT name FROM catalog").fetchall():
            conn.execute(
                "SELECT length(value), fetched_at FROM catalog WHERE name = ?", (name,)
            ).fetchone()
        self._opened = True

    def _start_checkpointer(self) -> None:
        if self._checkpoint is None or self._checkpointer is not None:
            return
        pages, idle_s = self._checkpoint
        self._checkpointer = Checkpointer(self._db_path(), pages=pages, idle_s=idle_s)

    def _db_path(self) -> Path:
        folder = self._db.folder
        assert folder is not None
        return folder / DB_FILE_NAME

    # -- when the disk refuses ---------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        """True while the store is open read-only (the disk refused a read-write open)."""
        return self._db.read_only_problem is not None

    def subscribe_problem(self, callback: ProblemListener) -> Callable[[], None]:
        """Call ``callback(problem)`` when the disk starts refusing the store's writes (the
        error, whose message is for the rep) and ``callback(None)`` once it takes them again.
        Called in the thread that wrote; returns an unsubscribe."""
        self._problem_listeners.append(callback)

        def unsubscribe() -> None:
            if callback in self._problem_listeners:
                self._problem_listeners.remove(callback)

        return unsubscribe

    def _set_problem(self, problem: StoreEnvironmentError | None) -> None:
        before = self.problem
        self.problem = problem
        if (before is None) == (problem is None) and (
            before is None or problem is None or before.problem == problem.problem
        ):
            return
        for callback in list(self._problem_listeners):
            try:
                callback(problem)
            except Exception:
                log.exception("store problem listener failed")

    def _before_write(self) -> None:
        # a write is about to begin: first finish what the disk refused on opening
        if self.problem is not None and (self.read_only or not self._opened):
            self.retry()

    def _committed(self) -> None:
        # a commit that fits does not mean the disk has room again (a small one may fit
        # where the next change does not): only retry() says the problem is over
        if self._checkpointer is not None:
            self._checkpointer.nudge()

    def retry(self) -> bool:
        """Try again what the disk refused: open read-write (when the store is open
        read-only), finish opening, or, when only writes failed, write a little to see if
        there is room again. True when the store takes writes again (``problem`` is then
        None and the listeners hear of it); False while the disk still refuses."""
        if self._closed:
            return False
        if self.problem is None:
            return True
        if self._retrying:
            return False
        self._retrying = True
        try:
            if self.read_only and not self._reopen_writable():
                return False
            if not self._opened:
                self._after_open()
            else:
                self._probe_write()
        except StoreEnvironmentError as exc:
            log.info("the disk still refuses the store's writes: %s", exc.detail)
            return False
        finally:
            self._retrying = False
        self._set_problem(None)
        return True

    def _reopen_writable(self) -> bool:
        try:
            conn = open_checked(self.path, "none", None if self._checkpoint is None else 0)
        except Refused as refused:
            log.info("the store still cannot be opened for writing: %s", refused)
            return False
        except (Damaged, StoreUnavailable) as exc:
            log.warning("the store cannot be opened for writing: %s", exc)
            return False
        old = self._db.conn
        self._db.reset(conn)
        old.close()
        # the cache's list positions hold the connection they were made with
        Cache.__init__(self.cache, self._db, self.search)
        self._start_checkpointer()
        log.info("the offline store is open for writing again")
        return True

    def _probe_write(self) -> None:
        with self._db.tx() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('write-probe', zeroblob(16384))"
            )
        with self._db.tx() as conn:
            conn.execute("DELETE FROM meta WHERE key = 'write-probe'")

    # -- general -----------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self._db.conn.execute("PRAGMA user_version").fetchone()[0])

    @property
    def closed(self) -> bool:
        return self._closed

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[None]:
        """Group several store calls into one atomic commit (nests as savepoints).

        ``durable`` (the default: a group holds outbox changes) commits with the WAL synced
        to the disk, so the commit survives a power loss; cache-only groups may pass False."""
        with self._db.tx(durable=durable):
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

    @property
    def writer(self) -> StoreWriter:
        """The store writer: the one thread that writes fetched pages into the cache (see
        :mod:`.writer`), made on first use. It indexes for search with this store's current
        field roles, and is closed with this store, or before a damaged database is moved
        aside (after the job it is running): a new one, on the new database, is made then.
        While the store is open read-only its jobs raise the store's ``problem``."""
        if self._closed:
            raise StoreUnavailable("The offline store is closed.")
        writer = self._writer
        if writer is None or writer.closed:
            writer = self._writer = StoreWriter(
                self.path,
                wal_autocheckpoint=None if self._checkpoint is None else 0,
                on_commit=self._committed,
                roles_from=self.search,
                before_job=self._before_writer_job,
                on_problem=self._set_problem,
            )
            writer.unhook = self._db.before_close(writer.close)
        return writer

    def _before_writer_job(self) -> None:
        # as before the store's own writes: first finish what the disk refused on opening
        self._before_write()
        if self.problem is not None and self.read_only:
            raise self.problem

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
        call :meth:`replace_damaged`. Only damage is reported: a check the disk does not let
        run reports nothing.
        """
        return check_database(self.path, full=full)

    def _stop_checkpointer(self) -> None:
        ckpt, self._checkpointer = self._checkpointer, None
        if ckpt is not None:
            ckpt.stop()

    def replace_damaged(self, problems: list[str]) -> OpenNotice:
        """Move this database aside as damaged and go on with a new one holding the unsent
        changes that could be read from it.

        For a store opened with ``check="none"`` whose detached check found ``problems``:
        the same as opening with a check would have done, in place, so that every holder of
        this store (and of its cache, search, outbox and documents) goes on with the new
        database. Call it from the thread that uses the store; ``notice`` tells what happened.
        When the disk will not take a new database, the damaged one stays in use and the
        notice says so.
        """
        if self._closed:
            raise StoreUnavailable("The offline store is closed.")
        first = (problems[0] if problems else "").strip().splitlines()
        log.warning("offline store damaged (%s); rebuilding", first[-1][:200] if first else "?")
        self._stop_checkpointer()
        self._db.close()
        autockpt = None if self._checkpoint is None else 0
        try:
            notice = rebuild(self.dir, self.path, "integrity")
        except Refused as refused:
            notice = self._keep_damaged(refused)
        try:
            conn = open_checked(self.path, "none", autockpt)
        except (Damaged, Refused, OSError) as exc:
            self._closed = True
            raise StoreUnavailable(f"Cannot rebuild the offline store in {self.dir}.") from exc
        self._db.reset(conn)
        self._start_checkpointer()
        # the parts read the database when made: read the new one (same objects, so that
        # whoever holds them goes on with the new database)
        Search.__init__(self.search, self._db)
        Cache.__init__(self.cache, self._db, self.search)
        self.notice = notice
        self._opened = False
        try:
            self._after_open()
        except StoreEnvironmentError as exc:  # see retry()
            log.warning("the rebuilt store cannot be written yet: %s", exc.detail)
        return notice

    def _keep_damaged(self, refused: Refused) -> OpenNotice:
        log.warning("the damaged store cannot be rebuilt now: %s", refused)
        return OpenNotice(
            message=cannot_rebuild_message(refused.problem, in_use=True),
            moved_to=None,
            reason="damaged-kept",
        )

    def close(self) -> None:
        """Checkpoint the WAL and close; calling it again does nothing."""
        if self._closed:
            return
        self._closed = True
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()  # after the job it is running, before the last checkpoint
        self._stop_checkpointer()
        self._db.on_commit = None
        if not self.read_only:
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
