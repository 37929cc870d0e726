"""Plain data types and errors shared by the parts of the offline store."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

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


@dataclass(frozen=True)
class OpenNotice:
    """Tells the caller that the store could not use its database and rebuilt it."""

    message: str
    moved_to: Path | None
    reason: str
    #: ops the old database's outbox held (0: none were lost); None when it could not be read
    unsent_changes: int | None = None


class StoreError(Exception):
    """Base of the store's errors; the message is fit for a person and holds no secrets."""


class StoreUnavailable(StoreError):
    """The store cannot be opened at all (folder not writable, database in use)."""


class OutboxStateError(StoreError):
    """An outbox operation is not allowed in the op's current state, or the op is unknown."""


def check_kind(kind: str, allowed: tuple[str, ...] = RECORD_KINDS) -> None:
    """Refuse a record kind the store does not know."""
    if kind not in allowed:
        raise ValueError(f"unknown record kind {kind!r}; expected one of {', '.join(allowed)}")


def private_file(path: Path) -> None:
    """Restrict an existing file to its owner (mode 0600)."""
    try:
        os.chmod(path, 0o600)
    except FileNotFoundError:
        pass


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and restrict it to its owner (mode 0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path
