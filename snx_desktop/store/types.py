"""Plain data types and errors shared by the parts of the offline store."""

from __future__ import annotations

import errno
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

T = TypeVar("T")

Record = dict[str, Any]
"""A cached record: the API's map (field id -> value, or the contract's keys), values are str."""

RECORD_KINDS: tuple[str, ...] = ("contact", "group", "activity", "sale", "note", "document")
SEARCH_KINDS: tuple[str, ...] = ("contact", "group")

TEMP_PREFIX = "tmp-"
TEMP_ID_RE = re.compile(r"tmp-[0-9a-f]{32}")


def new_temp_id() -> str:
    """A temporary id for a record created offline; never a GUID, unique, safe to replace."""
    return TEMP_PREFIX + os.urandom(16).hex()


def is_temp_id(value: str) -> bool:
    """Whether ``value`` is a temporary id made by :func:`new_temp_id`."""
    return TEMP_ID_RE.fullmatch(value) is not None


@dataclass(frozen=True)
class Cached(Generic[T]):
    """A cached value and when it was fetched from the server (epoch seconds)."""

    value: T
    fetched_at: float

    def age(self, now: float | None = None) -> float:
        """Seconds since the value was fetched."""
        return (time.time() if now is None else now) - self.fetched_at


DAMAGE_REASONS = frozenset({"not-a-database", "integrity", "unreadable", "newer-schema", "empty"})
"""``OpenNotice.reason`` values of a database that was moved aside and rebuilt."""

Problem = Literal["full", "read-only", "permission", "io"]
"""Why the disk refuses the store's writes: full, read-only medium, no permission, I/O error."""


@dataclass(frozen=True)
class OpenNotice:
    """Tells the caller what went wrong when the store was opened: its database was damaged
    and rebuilt (``rebuilt``), or the disk refuses writes and the store was kept as it is."""

    message: str
    moved_to: Path | None
    reason: str
    #: ops the old database's outbox held (0: none were lost); None when it could not be read
    unsent_changes: int | None = None
    #: of those, ops carried into the rebuilt database (they are sent as usual)
    recovered_changes: int = 0
    #: ops of the old database that could not be read (None: unknown, part of it was unreadable)
    lost_changes: int | None = 0

    @property
    def rebuilt(self) -> bool:
        """True when the database was moved aside and a new one built in its place."""
        return self.reason in DAMAGE_REASONS


class StoreError(Exception):
    """Base of the store's errors; the message is fit for a person and holds no secrets."""


class StoreUnavailable(StoreError):
    """The store cannot be opened at all (folder not writable, database in use)."""


class StoreEnvironmentError(StoreError):
    """The disk refused a write (full, read-only, no permission, I/O error): nothing is
    damaged, nothing was moved, and the queued changes are kept. The write that raised this
    was not saved; the message says so in plain words, with the count of unsent changes."""

    problem: Problem = "io"

    def __init__(
        self, message: str, *, unsent: int | None = None, detail: str = "", summary: str = ""
    ) -> None:
        super().__init__(message)
        #: ops waiting in the outbox when the write was refused (None: not known)
        self.unsent = unsent
        #: SQLite's or the OS's own words (for the log)
        self.detail = detail
        #: the state of things for a status line, not about one change
        self.summary = summary or message


class StoreFull(StoreEnvironmentError):
    """The disk (or the user's quota) is full."""

    problem: Problem = "full"


class StoreReadOnly(StoreEnvironmentError):
    """The store's disk is mounted read-only."""

    problem: Problem = "read-only"


class StoreNoPermission(StoreEnvironmentError):
    """The store's folder or files may not be written by this user."""

    problem: Problem = "permission"


class StoreIOError(StoreEnvironmentError):
    """The disk reported a read or write error."""

    problem: Problem = "io"


class OutboxStateError(StoreError):
    """An outbox operation is not allowed in the op's current state, or the op is unknown."""


def check_kind(kind: str, allowed: tuple[str, ...] = RECORD_KINDS) -> None:
    """Refuse a record kind the store does not know."""
    if kind not in allowed:
        raise ValueError(f"unknown record kind {kind!r}; expected one of {', '.join(allowed)}")


def private_file(path: Path) -> None:
    """Restrict an existing file to its owner (mode 0600).

    On a read-only file system the mode cannot change (nor can anyone else write the file):
    that is left as it is, so that a store on such a disk can still be read."""
    try:
        os.chmod(path, 0o600)
    except FileNotFoundError:
        pass
    except OSError as exc:
        if exc.errno != errno.EROFS:
            raise


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and restrict it to its owner (mode 0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def sync_dir(path: Path) -> None:
    """Make the names of files just made in the folder ``path`` durable (POSIX; elsewhere
    a folder cannot be opened and there is nothing to do)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
