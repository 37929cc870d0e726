"""What a journaled write is: an op, its state, its conflicts, and how a row of the outbox
table reads as one. The journal itself (appending, state changes, temporary-id remaps) is
:mod:`snx_desktop.store.outbox`.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

__all__ = [
    "COLUMNS",
    "SECRET_KEYS",
    "FieldConflict",
    "Op",
    "OpBrief",
    "OpState",
    "OutboxCounts",
    "dumps",
    "op_from_row",
    "refuse_secrets",
]

SECRET_KEYS = frozenset({"login-token", "password", "base64-data"})
"""Parameter names that carry secrets or document bytes: never journaled."""


class OpState(StrEnum):
    """Where a queued write stands. A write that completed is removed (there is no done row)."""

    QUEUED = "queued"
    SENDING = "sending"
    UNKNOWN = "sent-unknown"
    FAILED = "failed"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class FieldConflict:
    """One conflicting field: the value the edit started from, the server's, and the user's."""

    base: str
    theirs: str
    mine: str


@dataclass(frozen=True)
class Op:
    """One journaled write."""

    op_id: int
    function: str
    params: dict[str, Any]
    description: str
    target_kind: str | None
    target_id: str | None
    base: dict[str, str]
    temp_ids: list[str]
    depends_on: list[int]
    state: OpState
    error: str | None
    error_code: str | None
    conflicts: dict[str, FieldConflict]
    attachment: Path | None
    attempts: int
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class OutboxCounts:
    """How many ops are in each state; ``total`` is every op still in the outbox."""

    queued: int = 0
    sending: int = 0
    unknown: int = 0
    failed: int = 0
    conflict: int = 0
    total: int = field(default=0)


@dataclass(frozen=True)
class OpBrief:
    """An op's state without its params (see ``Outbox.states``)."""

    op_id: int
    function: str
    state: OpState
    error: str | None
    target_kind: str | None
    target_id: str | None


COLUMNS = (
    "op_id, function, params, description, target_kind, target_id, base, temp_ids, depends_on, "
    "state, error, error_code, conflicts, attachment, attempts, created_at, updated_at"
)


def op_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Op:
    """The op of an outbox row selected with :data:`COLUMNS`."""
    conflicts = {
        k: FieldConflict(str(v.get("base", "")), str(v.get("theirs", "")), str(v.get("mine", "")))
        for k, v in json.loads(row[12]).items()
    }
    return Op(
        op_id=row[0],
        function=row[1],
        params=json.loads(row[2]),
        description=row[3],
        target_kind=row[4],
        target_id=row[5],
        base=json.loads(row[6]),
        temp_ids=json.loads(row[7]),
        depends_on=json.loads(row[8]),
        state=OpState(row[9]),
        error=row[10],
        error_code=row[11],
        conflicts=conflicts,
        attachment=Path(row[13]) if row[13] else None,
        attempts=row[14],
        created_at=row[15],
        updated_at=row[16],
    )


def _secret_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {k for k in value if isinstance(k, str) and k.lower() in SECRET_KEYS}
        for v in value.values():
            found |= _secret_keys(v)
        return found
    if isinstance(value, list | tuple):
        return set().union(*(_secret_keys(v) for v in value)) if value else set()
    return set()


def refuse_secrets(params: Any) -> None:
    """Raise ``ValueError`` if ``params`` carry a secret or document bytes anywhere."""
    found = _secret_keys(params)
    if found:
        raise ValueError(
            f"refusing to journal {', '.join(sorted(found))}: secrets and document bytes "
            "never go into the store (stage the file and pass it as the attachment)"
        )


def dumps(value: Any) -> str:
    """The compact, key-sorted JSON a column of the outbox table holds."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True)
