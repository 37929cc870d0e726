"""What an SQLite or OS error on the store means: damage, a busy database, or the disk refusing.

Only damage (SQLite says the file is not a database or is malformed) may move a database
aside. A full disk, a read-only medium, a missing permission or an I/O error leave every file
where it is: :func:`classify` tells them apart, :func:`environment_error` turns them into the
store's typed errors (:class:`~snx_desktop.store.types.StoreFull` and its siblings), whose
message tells the rep in plain words what happened and how many unsent changes are kept.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Literal, cast

from .types import (
    Problem,
    StoreEnvironmentError,
    StoreFull,
    StoreIOError,
    StoreNoPermission,
    StoreReadOnly,
)

log = logging.getLogger(__name__)

Kind = Literal["damaged", "busy", "full", "read-only", "permission", "io"]

# SQLite's primary result codes (the low byte of an extended code)
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_AUTH = 23
SQLITE_NOTADB = 26

_SQLITE_KINDS: dict[int, Kind] = {
    SQLITE_CORRUPT: "damaged",
    SQLITE_NOTADB: "damaged",
    SQLITE_BUSY: "busy",
    SQLITE_LOCKED: "busy",
    SQLITE_FULL: "full",
    SQLITE_READONLY: "read-only",
    SQLITE_PERM: "permission",
    SQLITE_CANTOPEN: "permission",
    SQLITE_AUTH: "permission",
    SQLITE_IOERR: "io",
}

_ERRNO_NAMES: tuple[tuple[str, Kind], ...] = (
    ("ENOSPC", "full"),
    ("EDQUOT", "full"),  # the user's quota (not on every platform)
    ("EFBIG", "full"),
    ("EROFS", "read-only"),
    ("EACCES", "permission"),
    ("EPERM", "permission"),
)
_ERRNO_KINDS: dict[int, Kind] = {
    code: kind for name, kind in _ERRNO_NAMES if (code := getattr(errno, name, None)) is not None
}

#: below this much free space an I/O error or a file SQLite cannot make is a full disk
LOW_SPACE_BYTES = 1 << 20

_ERRORS: dict[Problem, type[StoreEnvironmentError]] = {
    "full": StoreFull,
    "read-only": StoreReadOnly,
    "permission": StoreNoPermission,
    "io": StoreIOError,
}

_WHAT: dict[Problem, str] = {
    "full": "The disk is full",
    "read-only": "The disk that holds the offline store is read-only",
    "permission": "The offline store's folder may not be written (no permission)",
    "io": "The disk reported a read or write error",
}

_REMEDY: dict[Problem, str] = {
    "full": "free some space",
    "read-only": "make the disk writable again",
    "permission": "check the permissions of the offline store's folder",
    "io": "check the disk",
}


def primary_code(exc: sqlite3.Error) -> int:
    """SQLite's primary result code of ``exc`` (0 when it carries none)."""
    return int(getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


def classify(exc: BaseException, folder: Path | None = None) -> Kind | None:
    """What ``exc`` means for the store; None for anything else (a bug, not the disk).

    ``folder`` (the store's folder) sharpens the answer: an error on a file system mounted
    read-only is "read-only", and an I/O error or a file that cannot be made while almost no
    space is left is "full" (SQLite reports a shared-memory file it cannot grow as an I/O
    error)."""
    kind: Kind | None
    if isinstance(exc, sqlite3.Error):
        kind = _SQLITE_KINDS.get(primary_code(exc))
    elif isinstance(exc, IsADirectoryError):
        kind = "damaged"  # a folder where the database file should be
    elif isinstance(exc, OSError):
        kind = _ERRNO_KINDS.get(exc.errno or 0, "io")
    else:
        kind = None
    if kind in ("permission", "io", "read-only") and folder is not None:
        kind = _refine(kind, folder)
    return kind


def _refine(kind: Kind, folder: Path) -> Kind:
    probe = folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    try:
        if os.statvfs(probe).f_flag & os.ST_RDONLY:
            return "read-only"
    except (OSError, AttributeError):  # no statvfs (Windows)
        pass
    if kind in ("io", "permission"):
        try:
            if shutil.disk_usage(probe).free < LOW_SPACE_BYTES:
                return "full"
        except OSError:
            pass
    return kind


def is_problem(kind: Kind | None) -> bool:
    """Whether ``kind`` is the disk refusing (full, read-only, permission, I/O)."""
    return kind in _ERRORS


def _count_text(unsent: int | None) -> str:
    if unsent is None:
        return "your unsent changes are kept safe"
    if unsent == 0:
        return "no changes are waiting to be sent"
    if unsent == 1:
        return "1 unsent change is kept safe"
    return f"{unsent} unsent changes are kept safe"


def problem_message(problem: Problem, unsent: int | None, *, write: bool = False) -> str:
    """The rep-facing sentence for ``problem``: ``write`` for a change that was refused."""
    what, remedy, count = _WHAT[problem], _REMEDY[problem], _count_text(unsent)
    if write:
        return f"{what}, so this change was not saved: {count}; {remedy} and try again."
    return f"{what}: {count}; {remedy}."


_RESUME: dict[Problem, str] = {
    "full": "once there is space again",
    "read-only": "once the disk can be written again",
    "permission": "once the folder can be written again",
    "io": "once the disk works again",
}


def problem_reason(problem: Problem) -> str:
    """``problem`` as the end of a sentence ("... because the disk is full")."""
    what = _WHAT[problem]
    return what[0].lower() + what[1:]


def open_message(problem: Problem, unsent: int | None, *, browsing: bool) -> str:
    """What the rep is told when the store is opened on a disk that refuses writes:
    ``browsing`` when the store opened (read-only if need be), else it could not open."""
    head = problem_message(problem, unsent)
    if browsing:
        return (
            f"{head} You can keep browsing what is cached; saving and sending start again "
            f"by themselves {_RESUME[problem]}."
        )
    return f"{head} The offline store cannot be opened until then: sign in again afterwards."


def cannot_rebuild_message(problem: Problem, *, in_use: bool) -> str:
    """What the rep is told when a damaged store cannot be rebuilt because the disk refuses:
    ``in_use`` when the damaged store stays open as it is, else it could not open."""
    stays = "it stays in use as it is" if in_use else "it cannot be opened until then"
    return (
        f"The offline store is damaged, and it cannot be rebuilt now because "
        f"{problem_reason(problem)}: {stays}, and its unsent changes stay in it; "
        f"{_REMEDY[problem]}, then start the app again."
    )


def environment_error(
    problem: Problem, unsent: int | None, *, write: bool = False, detail: str = ""
) -> StoreEnvironmentError:
    """The typed store error for ``problem`` with its rep-facing message."""
    return _ERRORS[problem](
        problem_message(problem, unsent, write=write),
        unsent=unsent,
        detail=detail,
        summary=problem_message(problem, unsent),
    )


def count_unsent(conn: sqlite3.Connection) -> int | None:
    """How many ops the outbox on ``conn`` holds (None when that cannot be read)."""
    try:
        return int(conn.execute("SELECT count(*) FROM outbox").fetchone()[0])
    except sqlite3.Error:
        return None


def refused_write(exc: OSError, dest: Path) -> StoreEnvironmentError | None:
    """The typed error when writing the file ``dest`` failed because of the disk (full,
    read-only, no permission, I/O); None for other errors, and for errors about other files
    (e.g. the rep's own file that was being copied)."""
    if exc.filename is not None and Path(exc.filename) not in (dest, dest.parent):
        return None
    kind = classify(exc, dest.parent)
    if kind is None or not is_problem(kind):
        return None
    return environment_error(cast(Problem, kind), None, write=True, detail=str(exc))
