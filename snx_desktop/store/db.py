"""The store's SQLite connection: pragmas, nested transactions (durable on request), after-commit
hooks, and writes the disk refused turned into the store's typed errors."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

from .errors import classify, count_unsent, environment_error, is_problem
from .types import Problem, StoreEnvironmentError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


def connect(
    path: Path | str, *, check_same_thread: bool = True, wal_autocheckpoint: int | None = None
) -> sqlite3.Connection:
    """Open ``path`` in autocommit mode (transactions are explicit) with the store's pragmas.

    ``wal_autocheckpoint=0`` turns SQLite's checkpoint inside commits off (the store's
    background checkpointer does it instead); None keeps SQLite's default (1000 pages)."""
    conn = sqlite3.connect(
        str(path),
        isolation_level=None,
        timeout=BUSY_TIMEOUT_MS / 1000,
        check_same_thread=check_same_thread,
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal" and str(path) != ":memory:":
            log.warning("SQLite refused WAL mode (got %s)", mode)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        if wal_autocheckpoint is not None:
            conn.execute(f"PRAGMA wal_autocheckpoint = {int(wal_autocheckpoint)}")
    except BaseException:
        conn.close()
        raise
    return conn


class Database:
    """Wraps the connection; ``tx()`` opens a transaction or, when nested, a savepoint.

    A transaction that fails because the disk refuses it (full, read-only, no permission,
    I/O error) raises the store's typed error (:class:`StoreEnvironmentError` and its
    subclasses) instead of the raw ``sqlite3`` one, after rolling back; anything else is
    raised as it came."""

    def __init__(self, conn: sqlite3.Connection, folder: Path | None = None) -> None:
        self.conn = conn
        #: the folder of the database file (to tell a full disk from a read-only one)
        self.folder = folder
        self._depth = 0
        self._durable = False
        self._sync_after = False
        self._after_commit: list[Callable[[], None]] = []
        self._before_close: list[Callable[[], None]] = []
        #: called after every outermost COMMIT (the background checkpointer's nudge)
        self.on_commit: Callable[[], None] | None = None
        #: called before every outermost transaction begins (the store retries a failed open)
        self.before_write: Callable[[], None] | None = None
        #: called with the typed error when the disk refused a transaction
        self.on_problem: Callable[[StoreEnvironmentError], None] | None = None
        #: why the connection is read-only, when it was opened so because the disk refused
        self.read_only_problem: Problem | None = None

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    @contextmanager
    def tx(self, *, durable: bool = False) -> Iterator[sqlite3.Connection]:
        """A transaction (``BEGIN IMMEDIATE``), or a savepoint inside an open one.

        ``durable`` commits with ``PRAGMA synchronous = FULL`` (the WAL is synced at the
        commit, so it survives a power loss), then goes back to NORMAL. Asked for in a
        savepoint of a transaction that was not begun durable (the setting cannot change in
        a transaction), the WAL file is synced after the outer commit instead."""
        if self._depth == 0:
            if self.before_write is not None:
                self.before_write()
            try:
                if durable:
                    self.conn.execute("PRAGMA synchronous = FULL")
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                self._restore_sync(durable)
                raise self._translate(exc, durable) from exc
            self._depth = 1
            self._durable = durable
            self._sync_after = False
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as exc:
                self._depth = 0
                self._after_commit.clear()
                self._rollback()
                self._restore_sync(durable)
                if isinstance(exc, sqlite3.Error):
                    translated = self._translate(exc, durable)
                    if translated is not exc:
                        raise translated from exc
                raise
            self._depth = 0
            self._restore_sync(durable)
            if self._sync_after:
                self._sync_wal()
            if self.on_commit is not None:
                self.on_commit()
            hooks, self._after_commit = self._after_commit, []
            for hook in dict.fromkeys(hooks):  # each hook once, in order
                try:
                    hook()
                except Exception:
                    log.exception("store listener failed")
        else:
            if durable and not self._durable:
                self._sync_after = True
            name = f"sp{self._depth}"
            self.conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield self.conn
            except BaseException:
                if self.conn.in_transaction:  # SQLite may have rolled back already (disk full)
                    try:
                        self.conn.execute(f"ROLLBACK TO {name}")
                        self.conn.execute(f"RELEASE {name}")
                    except sqlite3.Error:
                        log.debug("rolling back savepoint %s failed", name, exc_info=True)
                raise
            else:
                self.conn.execute(f"RELEASE {name}")
            finally:
                self._depth -= 1

    def _rollback(self) -> None:
        if not self.conn.in_transaction:
            return
        try:
            self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            log.warning("rolling back a failed store transaction failed", exc_info=True)

    def _restore_sync(self, durable: bool) -> None:
        if not durable:
            return
        try:
            self.conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error:
            log.debug("could not set synchronous back to NORMAL", exc_info=True)

    def _sync_wal(self) -> None:
        """Flush the WAL file to the disk (what a FULL commit would have done)."""
        row = self.conn.execute("PRAGMA database_list").fetchone()
        if row is None or not row[2]:
            return
        try:
            fd = os.open(f"{row[2]}-wal", os.O_RDWR)
        except OSError:
            return  # no WAL file: the commit went to the database file itself
        try:
            os.fsync(fd)
        except OSError:
            log.warning("could not flush the store's journal to the disk", exc_info=True)
        finally:
            os.close(fd)

    def _translate(self, exc: sqlite3.Error, change: bool) -> BaseException:
        """The typed error for a write the disk refused, else ``exc`` itself. ``change``: the
        transaction journaled a change of the rep's (a durable one), and its message says
        that this change was not saved."""
        kind = classify(exc, self.folder)
        if kind == "read-only" and self.read_only_problem is not None:
            kind = self.read_only_problem  # read-only because the disk refused the open
        if kind is None or not is_problem(kind):
            return exc
        problem = cast(Problem, kind)
        error = environment_error(problem, count_unsent(self.conn), write=change, detail=str(exc))
        log.warning("the disk refused a store write (%s): %s", problem, exc)
        if self.on_problem is not None:
            try:
                self.on_problem(error)
            except Exception:
                log.exception("store problem listener failed")
        return error

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` once the outermost transaction has committed (dropped on rollback)."""
        if self._depth == 0:
            hook()
        else:
            self._after_commit.append(hook)

    def before_close(self, hook: Callable[[], None]) -> Callable[[], None]:
        """Run ``hook`` when this connection is about to close (the store closes, or moves a
        damaged database aside): other connections to the file close first. Returns a
        function that takes the hook back."""
        self._before_close.append(hook)

        def forget() -> None:
            if hook in self._before_close:
                self._before_close.remove(hook)

        return forget

    def reset(self, conn: sqlite3.Connection) -> None:
        """Go on with ``conn`` (a new database in place of a damaged one, or a read-write
        connection in place of a read-only one)."""
        self.conn = conn
        self._depth = 0
        self._durable = False
        self._sync_after = False
        self.read_only_problem = None
        self._after_commit.clear()

    def close(self) -> None:
        hooks, self._before_close = self._before_close, []
        for hook in hooks:
            try:
                hook()
            except Exception:
                log.exception("closing a second store connection failed")
        self.conn.close()
