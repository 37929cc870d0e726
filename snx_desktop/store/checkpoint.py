"""WAL checkpoints off the event-loop thread.

SQLite's automatic checkpoint runs inside the commit that crosses the threshold, so with a
large WAL one ordinary commit on the GUI thread could take tens to hundreds of milliseconds.
The store therefore turns it off (``PRAGMA wal_autocheckpoint=0`` on every connection) and a
:class:`Checkpointer` thread with a connection of its own copies the WAL back into the database
with ``PRAGMA wal_checkpoint(PASSIVE)``: once commits have been idle for ``idle_s``, or after
``pages`` WAL pages were written (checked when a commit nudges it). PASSIVE never waits for
readers or writers, so commits on the loop thread go on while it runs; a checkpoint it could
not finish is simply tried again later. ``Store.close`` stops the thread and truncates the WAL.

Crash safety is SQLite's own: a committed transaction is in the WAL (synchronous NORMAL) and
a checkpoint interrupted by a crash is redone from the WAL on the next open.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .db import BUSY_TIMEOUT_MS

log = logging.getLogger(__name__)

# WAL pages (4 KiB each, ~40 MB) after which a checkpoint runs even while commits go on. Most
# checkpoints run in idle moments: one that overlaps the loop thread's commits (a list being
# scrolled and cached) made single commits wait up to ~200 ms for its disk writes.
DEFAULT_PAGES = 10_000
DEFAULT_IDLE_S = 1.0


@dataclass(frozen=True)
class CheckpointStats:
    """What the background checkpoints did so far (for diagnostics and tests)."""

    runs: int = 0  # checkpoints run
    frames_copied: int = 0  # WAL frames copied into the database, all runs
    last_log_frames: int = 0  # frames in the WAL at the last run
    last_copied: int = 0  # frames copied back by the last run (== last_log_frames: complete)
    last_busy: bool = False  # the last run could not take the checkpoint lock
    last_ms: float = 0.0  # duration of the last run
    errors: int = 0


class Checkpointer:
    """A daemon thread that checkpoints the WAL of ``path`` (see the module docstring)."""

    def __init__(
        self,
        path: Path,
        *,
        pages: int = DEFAULT_PAGES,
        idle_s: float = DEFAULT_IDLE_S,
    ) -> None:
        self._path = path
        self._wal = path.with_name(path.name + "-wal")
        self.pages = max(1, pages)
        self.idle_s = max(0.01, idle_s)
        self._cond = threading.Condition()
        self._stop = False
        self._urgent = False
        self._dirty = False  # commits since the last checkpoint
        self._running = False  # a checkpoint is running now
        self._last_commit = 0.0
        self._stats = CheckpointStats()
        self._page_size = 4096
        self._thread = threading.Thread(target=self._run, name="snx-store-checkpoint", daemon=True)
        self._thread.start()

    @property
    def stats(self) -> CheckpointStats:
        with self._cond:
            return self._stats

    def nudge(self) -> None:
        """A commit happened (any thread); cheap."""
        with self._cond:
            self._dirty = True
            self._last_commit = time.monotonic()
            self._cond.notify()

    def request(self) -> None:
        """Checkpoint as soon as possible (e.g. before a long idle period)."""
        with self._cond:
            self._dirty = True
            self._urgent = True
            self._cond.notify()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no checkpoint is owed or running (tests, benches); True when so."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while (self._dirty or self._running) and not self._stop:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
            return not (self._dirty or self._running)

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join(30)

    # -- thread ---------------------------------------------------------------------------------
    def _wal_pages(self) -> int:
        try:
            size = self._wal.stat().st_size
        except OSError:
            return 0
        return max(0, size - 32) // (self._page_size + 24)

    def _due(self, now: float) -> float | None:
        """None when a checkpoint should run now, else how long to wait (under the lock)."""
        if self._urgent:
            return None
        if not self._dirty:
            return 3600.0
        idle_for = now - self._last_commit
        if idle_for >= self.idle_s:
            return None
        if self._wal_pages() >= self.pages:
            return None
        return self.idle_s - idle_for

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(
                str(self._path),
                isolation_level=None,
                timeout=BUSY_TIMEOUT_MS / 1000,
                check_same_thread=True,
            )
        except sqlite3.Error:
            log.warning("background checkpoints are off: cannot open the store", exc_info=True)
            return
        try:
            conn.execute("PRAGMA wal_autocheckpoint = 0")
            self._page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
            while True:
                with self._cond:
                    while not self._stop:
                        wait = self._due(time.monotonic())
                        if wait is None:
                            break
                        self._cond.wait(wait)
                    if self._stop:
                        return
                    self._dirty = False
                    self._urgent = False
                    self._running = True
                try:
                    self._checkpoint(conn)
                finally:
                    with self._cond:
                        self._running = False
                        self._cond.notify_all()
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        t0 = time.perf_counter()
        try:
            busy, log_frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:
            log.debug("background checkpoint failed", exc_info=True)
            with self._cond:
                s = self._stats
                self._stats = CheckpointStats(**{**s.__dict__, "errors": s.errors + 1})
                self._dirty = True
                self._cond.notify_all()
            return
        ms = (time.perf_counter() - t0) * 1000.0
        with self._cond:
            s = self._stats
            self._stats = CheckpointStats(
                runs=s.runs + 1,
                frames_copied=s.frames_copied + max(0, int(copied)),
                last_log_frames=int(log_frames),
                last_copied=int(copied),
                last_busy=bool(busy),
                last_ms=ms,
                errors=s.errors,
            )
            if int(log_frames) > int(copied) >= 0 and not self._dirty:
                # readers held back part of the WAL: try again after the next idle period
                self._dirty = True
                self._last_commit = time.monotonic()
            self._cond.notify_all()
        log.debug("checkpoint: %s/%s frames in %.1f ms", copied, log_frames, ms)
