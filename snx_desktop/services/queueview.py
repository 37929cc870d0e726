"""How the write queue shows what waits: pending ops, what holds them, and their state changes.

Pure functions over the outbox's ops (no store, no loop): `view` turns an op into the
`PendingOp` the GUI lists, `blockers` finds the failed write a waiting op is held behind,
`held_note` words that for a failure, and `state_changes` compares two snapshots of the
outbox's states into the `OpStateChange` events the queue emits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from snx_desktop.api.values import as_text
from snx_desktop.store.outbox import Op, OpState

from .types import Conflict, OpEventState, OpStateChange, OpStateName, PendingOp


@dataclass(frozen=True)
class UploadProgress:
    """Bytes of the file sent so far by the upload op ``op_id``."""

    op_id: int
    sent: int
    total: int


_STATE_NAMES: dict[OpState, OpStateName] = {
    OpState.QUEUED: "waiting",
    OpState.SENDING: "sending",
    OpState.UNKNOWN: "sending",
    OpState.FAILED: "failed",
    OpState.CONFLICT: "conflict",
}


def _event_state(state: OpState) -> OpEventState:
    return state.value


def blockers(ops: Sequence[Op]) -> dict[int, Op]:
    """For each waiting op held (directly or through other waiting ops) behind a write that
    failed for good or is in conflict: that write. Ops are in journal order, so an op's
    dependencies come before it."""
    by_id = {op.op_id: op for op in ops}
    out: dict[int, Op] = {}
    for op in ops:
        if op.state not in (OpState.QUEUED, OpState.UNKNOWN):
            continue
        for dep_id in op.depends_on:
            dep = by_id.get(dep_id)
            if dep is None:
                continue
            if dep.state in (OpState.FAILED, OpState.CONFLICT):
                out[op.op_id] = dep
                break
            if dep_id in out:
                out[op.op_id] = out[dep_id]
                break
    return out


def held_note(ops: Sequence[Op], op_id: int) -> str:
    """A sentence for a write that failed for good, naming the later writes held behind it."""
    held = sum(1 for blocker in blockers(ops).values() if blocker.op_id == op_id)
    if not held:
        return ""
    return (
        f" ({held} later change{'s' if held != 1 else ''} to this record "
        f"wait{'s' if held == 1 else ''} for it: retry or discard it.)"
    )


def view(op: Op, blocked_by: Op | None = None) -> PendingOp:
    """``op`` as the GUI lists it (``blocked_by``: the failed write it is held behind)."""
    changes: dict[str, tuple[str, str]] = {}
    for k, v in (op.params.get("changes") or {}).items():
        changes[k] = (op.base.get(k, ""), as_text(v))
    conflict = None
    if op.state is OpState.CONFLICT and op.target_kind and op.target_id:
        conflict = Conflict(op.op_id, (op.target_kind, op.target_id), dict(op.conflicts))
    target = (op.target_kind, op.target_id) if op.target_kind and op.target_id else None
    return PendingOp(
        op_id=op.op_id,
        op=op.function,
        target=target,
        summary=op.description,
        changes=changes,
        state="blocked" if blocked_by is not None else _STATE_NAMES[op.state],
        error=(
            f"Waits for an earlier change that could not be sent: {blocked_by.description}"
            if blocked_by is not None
            else op.error
        ),
        created_at=op.created_at,
        conflict=conflict,
    )


def state_changes(
    old: Mapping[int, Any], new: Mapping[int, Any], landed: set[int]
) -> list[OpStateChange]:
    """What changed between two snapshots of the outbox's op states, in op order. An op gone
    from ``new`` is done: landed when its id is in ``landed`` (taken out of it), else
    discarded."""
    changes: list[OpStateChange] = []
    for op_id, brief in new.items():
        before = old.get(op_id)
        if before is not None and before.state == brief.state and before.error == brief.error:
            continue
        target = (
            (brief.target_kind, brief.target_id) if brief.target_kind and brief.target_id else None
        )
        changes.append(
            OpStateChange(
                op_id,
                brief.function,
                _event_state(brief.state),
                None if before is None else _event_state(before.state),
                brief.error,
                target,
            )
        )
    for op_id, brief in old.items():
        if op_id in new:
            continue
        target = (
            (brief.target_kind, brief.target_id) if brief.target_kind and brief.target_id else None
        )
        ok = op_id in landed
        landed.discard(op_id)
        changes.append(
            OpStateChange(
                op_id,
                brief.function,
                "done",
                _event_state(brief.state),
                None if ok else "Discarded.",
                target,
                ok,
            )
        )
    changes.sort(key=lambda c: c.op_id)
    return changes
