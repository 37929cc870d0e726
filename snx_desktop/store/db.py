"""The store's single SQLite connection: pragmas, nested transactions, after-commit hooks."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

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
    """Wraps the connection; ``tx()`` opens a transaction or, when nested, a savepoint."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._depth = 0
        self._after_commit: list[Callable[[], None]] = []
        self._before_close: list[Callable[[], None]] = []
        #: called after every outermost COMMIT (the background checkpointer's nudge)
        self.on_commit: Callable[[], None] | None = None

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A transaction (``BEGIN IMMEDIATE``), or a savepoint inside an open one."""
        if self._depth == 0:
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                self._depth = 0
                self._after_commit.clear()
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            self._depth = 0
            if self.on_commit is not None:
                self.on_commit()
            hooks, self._after_commit = self._after_commit, []
            for hook in dict.fromkeys(hooks):  # each hook once, in order
                try:
                    hook()
                except Exception:
                    log.exception("store listener failed")
        else:
            name = f"sp{self._depth}"
            self.conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield self.conn
            except BaseException:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
                raise
            else:
                self.conn.execute(f"RELEASE {name}")
            finally:
                self._depth -= 1

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
        """Go on with ``conn`` (a new database in place of a damaged one)."""
        self.conn = conn
        self._depth = 0
        self._after_commit.clear()

    def close(self) -> None:
        hooks, self._before_close = self._before_close, []
        for hook in hooks:
            try:
                hook()
            except Exception:
                log.exception("closing a second store connection failed")
        self.conn.close()
