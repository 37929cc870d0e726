"""The app's log file: a rotating log, and native crashes, in the log folder.

Every build writes it, the windowed one too (which has no ``sys.stderr``): the log folder is
platformdirs ``user_log_dir("snx-desktop")``, or ``logs/`` inside the ``--profile`` folder when
one is given (tests and portable installs keep everything there). ``snx-desktop.log`` rotates
at 2 MB and keeps four old files; ``crash.log`` receives what :mod:`faulthandler` writes when
the process dies in native code (Qt, SQLite), which ``logging`` cannot. Both files are 0600 in
a 0700 folder. Help ▸ Open log folder opens :func:`active` ``.folder``; Help ▸ Copy
diagnostics quotes its last lines (:meth:`LogFile.tail`). No Qt here.
"""

from __future__ import annotations

import faulthandler
import io
import logging
import os
import sys
import time
from collections import deque
from pathlib import Path
from typing import IO

__all__ = [
    "BACKUP_COUNT",
    "CRASH_FILE_NAME",
    "LOG_FILE_NAME",
    "LOG_FORMAT",
    "MAX_BYTES",
    "LogFile",
    "active",
    "console_handler",
    "log_folder",
]

log = logging.getLogger(__name__)

LOG_FILE_NAME = "snx-desktop.log"
CRASH_FILE_NAME = "crash.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 4
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_active: LogFile | None = None


def log_folder(profile: Path | None) -> Path:
    """Where the log files are: ``logs/`` in the profile folder, else the user's log folder."""
    if profile is not None:
        return profile / "logs"
    import platformdirs  # only here: a start with a profile folder need not load it

    from snx_desktop.store.paths import APP_DIR_NAME

    return Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False))


def active() -> LogFile | None:
    """The log file this process writes, once :meth:`LogFile.open` made it."""
    return _active


class _PrivateRotatingHandler(logging.FileHandler):
    """A log file that rotates at ``max_bytes`` keeping ``backups`` old files, each 0600.

    Written on :class:`logging.FileHandler` (``logging.handlers`` costs the start-up some
    12 ms of imports before the first window): before a record would take the file past
    ``max_bytes``, ``name.1`` … become ``name.2`` …, the file becomes ``name.1`` and a new
    one is started."""

    def __init__(self, path: Path, *, max_bytes: int, backups: int) -> None:
        self.max_bytes = max_bytes
        self.backups = backups
        super().__init__(path, mode="a", encoding="utf-8", errors="backslashreplace")

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.max_bytes > 0 and self.stream is not None:
                size = self.stream.tell() + len(self.format(record)) + 1
                if size > self.max_bytes and self.stream.tell() > 0:
                    self._rotate()
            super().emit(record)
        except Exception:
            self.handleError(record)

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        base = self.baseFilename
        for n in range(self.backups - 1, 0, -1):
            if os.path.exists(f"{base}.{n}"):
                os.replace(f"{base}.{n}", f"{base}.{n + 1}")
        if self.backups > 0:
            os.replace(base, f"{base}.1")
        else:
            os.remove(base)
        self.stream = self._open()


class LogFile:
    """The open log file (and crash file) of this process; :meth:`close` undoes
    :meth:`open`."""

    def __init__(
        self, folder: Path, handler: logging.Handler, crash_file: IO[bytes] | None
    ) -> None:
        self.folder = folder
        self.path = folder / LOG_FILE_NAME
        self.crash_path = folder / CRASH_FILE_NAME
        self._handler = handler
        self._crash_file = crash_file

    @classmethod
    def open(
        cls,
        folder: Path,
        *,
        level: int = logging.INFO,
        crashes: bool = True,
        max_bytes: int = MAX_BYTES,
        backups: int = BACKUP_COUNT,
    ) -> LogFile:
        """Start writing the log (records of ``level`` and up, from every logger) to
        ``folder``, and with ``crashes`` native crashes to its crash file; raises ``OSError``
        when the folder cannot be made or written."""
        global _active
        from snx_desktop.store.types import private_dir

        private_dir(folder)
        handler = _PrivateRotatingHandler(
            folder / LOG_FILE_NAME, max_bytes=max_bytes, backups=backups
        )
        handler.setLevel(level)
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root = logging.getLogger()
        root.addHandler(handler)
        if root.level == logging.NOTSET or root.level > level:
            root.setLevel(level)  # the console's handler keeps its own, higher, level
        crash_file = _open_crash_file(folder / CRASH_FILE_NAME) if crashes else None
        opened = cls(folder, handler, crash_file)
        _active = opened
        return opened

    def tail(self, lines: int = 200) -> list[str]:
        """The last ``lines`` lines written (from the rotated file too, when the current one
        has fewer)."""
        self._handler.flush()
        kept: deque[str] = deque(maxlen=lines)
        rotated = self.path.with_name(f"{LOG_FILE_NAME}.1")
        for path in (rotated, self.path):
            try:
                with path.open(encoding="utf-8", errors="replace") as fh:
                    kept.extend(line.rstrip("\n") for line in fh)
            except OSError:
                continue
        return list(kept)

    def close(self) -> None:
        """Stop writing the log and the crash file. Calling it again does nothing."""
        global _active
        root = logging.getLogger()
        if self._handler in root.handlers:
            root.removeHandler(self._handler)
            self._handler.close()
        if self._crash_file is not None:
            faulthandler.disable()
            self._crash_file.close()
            self._crash_file = None
        if _active is self:
            _active = None


def _open_crash_file(path: Path) -> IO[bytes] | None:
    """Open the crash file for :mod:`faulthandler` (it writes to the file descriptor, at the
    moment of the crash); a line tells which start a crash report belongs to."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        crash_file = os.fdopen(fd, "ab", buffering=0)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        crash_file.write(f"--- started {stamp}, process {os.getpid()}\n".encode())
        faulthandler.enable(crash_file, all_threads=True)
    except (OSError, ValueError, RuntimeError):
        log.warning("native crashes are not written to %s", path, exc_info=True)
        return None
    return crash_file


def console_handler(level: int) -> logging.Handler:
    """The handler of the console (standard error) at ``level``; a handler that drops
    everything when there is no console (the windowed build: ``sys.stderr`` is None)."""
    if sys.stderr is None:
        return logging.NullHandler()
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    return handler
