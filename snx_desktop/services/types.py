"""Plain data types shared by the services and handed to the GUI.

Records travel as ``dict[str, str]``: contacts, groups and sales are maps of field id to value,
activities, notes and documents keep the contract's keys; every record also carries its own id
under `ID_KEY`. Records created while offline have temporary ids (`new_temp_id`) until the server
answers, at which point a ``Change(action="remapped")`` says which real id replaced them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from snx_desktop.store.outbox import FieldConflict as FieldConflict
from snx_desktop.store.types import TEMP_PREFIX as TEMP_PREFIX
from snx_desktop.store.types import is_temp_id as is_temp_id
from snx_desktop.store.types import new_temp_id as new_temp_id

from .ids import ID_KEY as ID_KEY
from .ids import Record as Record

Kind = Literal["contact", "group", "activity", "sale", "campaign"]
KINDS: tuple[Kind, ...] = ("contact", "group", "activity", "sale", "campaign")
DetailKind = Literal["contact", "group", "activity"]

PENDING_KEY = "_pending"


class ServiceError(Exception):
    """Base of the errors the services raise on purpose (messages are fit for a person)."""


class OfflineError(ServiceError):
    """The network is not reachable (or the user works offline) and the cache lacks the data."""

    def __init__(self, what: str) -> None:
        super().__init__(f"Offline, and {what} is not in the local cache yet.")
        self.what = what


class WriteRefused(ServiceError):
    """A write was refused before it was queued (bad input, ambiguous target).

    ``field`` names the field the refusal is about (a field id), when there is one, so that
    a form can show the message beside it."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Page:
    kind: Kind
    filter: str
    start: int
    total: int
    records: list[Record]
    fetched_at: float | None
    from_cache: bool

    @property
    def ids(self) -> list[str]:
        return [r.get(ID_KEY, "") for r in self.records]


@dataclass
class Detail:
    kind: DetailKind
    id: str
    fields: Record
    notes: list[Record] = field(default_factory=list)
    activities: list[Record] = field(default_factory=list)
    activities_complete: bool = True
    sales: list[Record] = field(default_factory=list)
    documents: list[Record] = field(default_factory=list)
    members: list[Record] = field(default_factory=list)
    fetched_at: float | None = None
    from_cache: bool = False
    pending: bool = False
    partial: bool = False  # some tab was never fetched (offline, never opened online)


@dataclass(frozen=True)
class Change:
    """What a write (or a revalidation) changed, so panes refresh only that."""

    kind: str
    action: str
    ids: tuple[str, ...]
    fields: tuple[str, ...] = ()
    parent: tuple[str, str] | None = None
    id_map: dict[str, str] = field(default_factory=dict)
    op_id: int | None = None
    origin: object | None = None


# "blocked": waiting, but behind an earlier failed or conflicting write on the same record
OpStateName = Literal["waiting", "blocked", "sending", "failed", "conflict"]

# what an op went to: the outbox's states, plus "done" when it left the outbox
OpEventState = Literal["queued", "sending", "sent-unknown", "failed", "conflict", "done"]


@dataclass(frozen=True)
class OpStateChange:
    """One op changed state (``WriteQueue.ops_changed``).

    ``state``: queued (new, or back to waiting), sending, sent-unknown (sent, outcome being
    looked up), failed, conflict, or done (left the outbox: ``ok`` True when it landed, False
    when it was discarded or undone). ``previous`` is None for a new op. ``view`` names
    the same state as `PendingOp.state` ("waiting", "sending", ...; None once done)."""

    op_id: int
    op: str
    state: OpEventState
    previous: OpEventState | None
    error: str | None = None
    target: tuple[str, str] | None = None
    ok: bool | None = None

    @property
    def view(self) -> OpStateName | None:
        return {
            "queued": "waiting",
            "sending": "sending",
            "sent-unknown": "sending",
            "failed": "failed",
            "conflict": "conflict",
        }.get(self.state)  # type: ignore[return-value]


@dataclass(frozen=True)
class Conflict:
    op_id: int
    target: tuple[str, str]
    fields: dict[str, FieldConflict]


@dataclass(frozen=True)
class PendingOp:
    op_id: int
    op: str
    target: tuple[str, str] | None
    summary: str
    changes: dict[str, tuple[str, str]]
    state: OpStateName
    error: str | None
    created_at: float
    conflict: Conflict | None = None


@dataclass(frozen=True)
class QueueStatus:
    pending: int = 0
    failed: int = 0
    conflicts: int = 0
    paused: bool = False


@dataclass(frozen=True)
class OpOutcome:
    op_id: int
    op: str
    ok: bool
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    stage: str


@dataclass(frozen=True)
class SignOutResult:
    sent: int
    left: list[PendingOp]
    wiped: bool
