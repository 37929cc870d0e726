"""The durable write queue: every write the API has, journaled, shown at once, replayed in order.

`WriteQueue` is what the GUI calls. A write method checks its input, journals the op in the
store's outbox (committed before it returns), applies its effect to the cache so the GUI shows
it at once, emits a `Change` on the hub and wakes the replay. The queue also shows what waits
(`pending`, `get`, `conflicts`, `status` and its events), takes the user's actions on it (retry,
discard, undo, cancel, resolve a conflict, resume after a sign-in) and lets callers wait for an
op's outcome or flush the queue.

Sending is done by the replay engine in `replay.py` (`Replay`), which the queue owns and
drives: it sends one op at a time while online, retries, reconciles unknown outcomes, holds
conflicts, and pauses on an expired session, at which point the queue asks for a sign-in.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from snx_desktop.api.values import as_text
from snx_desktop.store.outbox import Op, OpState

from .conflicts import Choice, norm
from .conflicts import resolve as resolve_fields
from .connectivity import Connectivity
from .events import Event
from .lazyclient import ClientSource
from .ops import ACTIVITY_KEYS, Operations, describe_fields, known_children
from .replay import RETRY_BASE as RETRY_BASE
from .replay import RETRY_MAX as RETRY_MAX
from .replay import Replay
from .schema import SchemaService
from .types import (
    Change,
    Conflict,
    OpEventState,
    OpOutcome,
    OpStateChange,
    OpStateName,
    PendingOp,
    QueueStatus,
    WriteRefused,
    is_temp_id,
    new_temp_id,
)

log = logging.getLogger(__name__)

ACTIVITY_TYPES = ("call", "meeting", "todo")
RECENT_OUTCOMES = 2000


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


def _state_name(state: OpState) -> OpStateName:
    return _STATE_NAMES[state]


def _event_state(state: OpState) -> OpEventState:
    return state.value


def _blockers(ops: Sequence[Op]) -> dict[int, Op]:
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


class WriteQueue:
    """Queued writes, shown and managed; their sending is done by a `Replay` it drives.
    See the module docstring."""

    def __init__(
        self,
        client: ClientSource,
        store: Any,
        schema: SchemaService,
        connectivity: Connectivity,
        hub: Event[Change],
    ) -> None:
        self._store = store
        self._schema = schema
        self._hub = hub
        self.ops = Operations(client, store, schema)
        self.status_changed: Event[QueueStatus] = Event("writes.status_changed")
        self.sign_in_needed: Event[None] = Event("writes.sign_in_needed")
        self.op_done: Event[OpOutcome] = Event("writes.op_done")
        self.upload_progress: Event[UploadProgress] = Event("writes.upload_progress")
        #: any op changed state: queued, sending, sent-unknown, failed, conflict, done
        self.ops_changed: Event[OpStateChange] = Event("writes.ops_changed")
        self._op_states: dict[int, Any] = {}
        self._landed: set[int] = set()
        self._replay = Replay(
            store,
            self.ops,
            schema,
            connectivity,
            hub,
            finish=self._finish,
            landed=self._landed.add,
            held_note=self._held_note,
            progress=self._upload_progressed,
            paused=self._replay_paused,
        )
        self._waiters: dict[int, list[asyncio.Future[OpOutcome]]] = {}
        self._outcomes: dict[int, OpOutcome] = {}
        self._status = QueueStatus()
        self._unsubscribe = store.outbox.subscribe(self._outbox_changed)
        self._op_states = self._read_states()
        self._outbox_changed()

    # ================================================================== status
    @property
    def status(self) -> QueueStatus:
        return self._status

    @property
    def paused(self) -> bool:
        return self._replay.paused

    @property
    def retry_base(self) -> float:
        """Backoff before retrying after a transient failure (seconds; doubles, capped, jitter)."""
        return self._replay.retry_base

    @retry_base.setter
    def retry_base(self, value: float) -> None:
        self._replay.retry_base = value

    @property
    def retry_max(self) -> float:
        """The longest backoff (seconds)."""
        return self._replay.retry_max

    @retry_max.setter
    def retry_max(self, value: float) -> None:
        self._replay.retry_max = value

    def _read_states(self) -> dict[int, Any]:
        states = getattr(self._store.outbox, "states", None)
        return states() if states is not None else {}

    def _emit_op_changes(self) -> None:
        old = self._op_states
        new = self._read_states()
        self._op_states = new
        changes: list[OpStateChange] = []
        for op_id, brief in new.items():
            before = old.get(op_id)
            if before is not None and before.state == brief.state and before.error == brief.error:
                continue
            target = (
                (brief.target_kind, brief.target_id)
                if brief.target_kind and brief.target_id
                else None
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
                (brief.target_kind, brief.target_id)
                if brief.target_kind and brief.target_id
                else None
            )
            ok = op_id in self._landed
            self._landed.discard(op_id)
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
        for change in changes:
            self.ops_changed.emit(change)

    def follow(
        self,
        op_id: int,
        on_state: Callable[[OpStateChange], object] | None = None,
        on_progress: Callable[[UploadProgress], object] | None = None,
    ) -> Callable[[], None]:
        """Follow one op (e.g. an upload job): its state changes and its upload progress,
        until it is done. Returns a function that stops following earlier."""
        disconnects: list[Callable[[], None]] = []

        def stop() -> None:
            while disconnects:
                disconnects.pop()()

        def state(change: OpStateChange) -> None:
            if change.op_id != op_id:
                return
            if on_state is not None:
                on_state(change)
            if change.state == "done":
                stop()

        def progress(p: UploadProgress) -> None:
            if p.op_id == op_id and on_progress is not None:
                on_progress(p)

        disconnects.append(self.ops_changed.connect(state))
        if on_progress is not None:
            disconnects.append(self.upload_progress.connect(progress))
        return stop

    def _outbox_changed(self) -> None:
        self._emit_op_changes()
        c = self._store.outbox.counts()
        status = QueueStatus(
            pending=c.total, failed=c.failed, conflicts=c.conflict, paused=self._replay.paused
        )
        if status != self._status:
            self._status = status
            self.status_changed.emit(status)

    def pending(self) -> list[PendingOp]:
        ops = self._store.outbox.ops()
        stuck = _blockers(ops)
        return [self._view(op, stuck.get(op.op_id)) for op in ops]

    def get(self, op_id: int) -> PendingOp | None:
        ops = self._store.outbox.ops()
        stuck = _blockers(ops)
        return next((self._view(op, stuck.get(op_id)) for op in ops if op.op_id == op_id), None)

    def _held_note(self, op_id: int) -> str:
        """A sentence for a write that failed for good, naming the later writes held behind it."""
        held = sum(
            1 for blocker in _blockers(self._store.outbox.ops()).values() if blocker.op_id == op_id
        )
        if not held:
            return ""
        return (
            f" ({held} later change{'s' if held != 1 else ''} to this record "
            f"wait{'s' if held == 1 else ''} for it: retry or discard it.)"
        )

    def pending_ids(self, kind: str | None = None) -> set[str]:
        """Record ids with unsent changes (of one kind, or of all kinds)."""
        out: set[str] = set()
        for op in self._store.outbox.ops():
            for k, rid in self._targets(op):
                if kind is None or k == kind:
                    out.add(rid)
        return out

    def _targets(self, op: Op) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if op.target_kind and op.target_id:
            out.append((op.target_kind, op.target_id))
        parent = self.ops.parent_of(op) if self._schema.current else None
        if parent and parent[1]:
            out.append(parent)
        for key, kind in (("contact-ids", "contact"), ("group-ids", "group")):
            for rid in op.params.get(key, []) or []:
                out.append((kind, rid))
        return out

    def _view(self, op: Op, blocked_by: Op | None = None) -> PendingOp:
        changes: dict[str, tuple[str, str]] = {}
        for k, v in (op.params.get("changes") or {}).items():
            changes[k] = (op.base.get(k, ""), as_text(v))
        conflict = None
        if op.state is OpState.CONFLICT and op.target_kind and op.target_id:
            conflict = Conflict(
                op.op_id,
                (op.target_kind, op.target_id),
                dict(op.conflicts),
            )
        target = (op.target_kind, op.target_id) if op.target_kind and op.target_id else None
        return PendingOp(
            op_id=op.op_id,
            op=op.function,
            target=target,
            summary=op.description,
            changes=changes,
            state="blocked" if blocked_by is not None else _state_name(op.state),
            error=(
                f"Waits for an earlier change that could not be sent: {blocked_by.description}"
                if blocked_by is not None
                else op.error
            ),
            created_at=op.created_at,
            conflict=conflict,
        )

    def conflicts(self) -> list[Conflict]:
        out = []
        for op in self._store.outbox.ops([OpState.CONFLICT]):
            v = self._view(op)
            if v.conflict is not None:
                out.append(v.conflict)
        return out

    # ================================================================== journaling
    def _journal(
        self,
        function: str,
        params: dict[str, Any],
        *,
        description: str,
        change: Change,
        target: tuple[str, str] | None = None,
        base: Mapping[str, str] | None = None,
        temp_ids: Sequence[str] = (),
        attachment: Path | None = None,
    ) -> Change:
        with self._store.transaction():
            op = self._store.outbox.append(
                function,
                params,
                description=description,
                target=target,
                base=base,
                temp_ids=temp_ids,
                attachment=attachment,
            )
            self.ops.apply(op)
        log.info("queued op %s %s", op.op_id, function)
        out = Change(
            change.kind,
            change.action,
            change.ids,
            change.fields,
            change.parent,
            change.id_map,
            op.op_id,
            change.origin,
        )
        self._hub.emit(out)
        self._replay.wake(new_work=True)
        return out

    def _base(self, kind: str, rid: str, fields: Sequence[str]) -> dict[str, str]:
        cached = self._store.cache.get_record(kind, rid)
        if cached is None or is_temp_id(rid):
            return {}
        return {f: as_text(cached.value.get(f, "")) for f in fields}

    def _label(self, kind: str, rid: str) -> str:
        cached = self._store.cache.get_record(kind, rid)
        schema = self._schema.current
        if cached is not None and schema is not None:
            table = {"contact": "Contact", "group": "Group"}.get(kind, "")
            for role in ("name", "company", "email"):
                fid = schema.role(table, role)
                if fid and norm(cached.value.get(fid)):
                    return norm(cached.value.get(fid))
            if kind == "activity":
                return norm(cached.value.get("regarding")) or "activity"
        return kind

    def _check_writable(self, table: str, fields: Mapping[str, str]) -> None:
        schema = self._schema.current
        if schema is None:
            return
        for fid in fields:
            info = schema.fields.get(fid)
            if info is None:
                raise WriteRefused(f"Unknown field {fid}.")
            if info.table != table:
                raise WriteRefused(f"Field {info.label} does not belong to {table}.")
            if info.read_only:
                raise WriteRefused(f"The field {info.label} cannot be changed.")

    # ------------------------------------------------------------------ contacts
    async def create_contact(self, fields: Mapping[str, str], *, origin: object = None) -> Change:
        values = {str(k): as_text(v) for k, v in fields.items()}
        self._check_writable("Contact", values)
        if not any(norm(v) for v in values.values()):
            raise WriteRefused("A new contact needs at least one value.")
        tmp = new_temp_id()
        desc = "New contact: " + describe_fields(self._schema.current, "Contact", values)
        return self._journal(
            "create-contact",
            {"contact-id": tmp, "fields": values},
            description=desc,
            change=Change("contact", "created", (tmp,), tuple(values), origin=origin),
            target=("contact", tmp),
            temp_ids=[tmp],
        )

    async def update_contact(
        self, contact_id: str, changes: Mapping[str, str], *, origin: object = None
    ) -> Change:
        return self._update("contact", "Contact", contact_id, changes, origin)

    async def update_group(
        self, group_id: str, changes: Mapping[str, str], *, origin: object = None
    ) -> Change:
        return self._update("group", "Group", group_id, changes, origin)

    def _update(
        self, kind: str, table: str, rid: str, changes: Mapping[str, str], origin: object
    ) -> Change:
        rid = self._store.cache.resolve_id(rid)
        values = {str(k): as_text(v) for k, v in changes.items()}
        if not values:
            raise WriteRefused("Nothing to change.")
        self._check_writable(table, values)
        base = self._base(kind, rid, list(values))
        old_new = ", ".join(
            f"{self._schema.current.label(k) if self._schema.current else k}: "
            f"{base.get(k, '')!r} → {v!r}"
            for k, v in list(values.items())[:3]
        )
        return self._journal(
            f"update-{kind}",
            {f"{kind}-id": rid, "changes": values},
            description=f"Edit {kind} {self._label(kind, rid)}: {old_new}",
            change=Change(kind, "updated", (rid,), tuple(values), origin=origin),
            target=(kind, rid),
            base=base,
        )

    async def delete_contacts(self, ids: Sequence[str], *, origin: object = None) -> Change:
        return self._delete("contact", ids, origin)

    async def delete_groups(self, ids: Sequence[str], *, origin: object = None) -> Change:
        return self._delete("group", ids, origin)

    def _delete(self, kind: str, ids: Sequence[str], origin: object) -> Change:
        clean = [self._store.cache.resolve_id(i) for i in dict.fromkeys(ids) if i]
        if not clean:
            raise WriteRefused(f"No {kind} to delete.")
        names = ", ".join(self._label(kind, i) for i in clean[:3])
        more = "" if len(clean) <= 3 else f" and {len(clean) - 3} more"
        return self._journal(
            f"delete-{kind}s",
            {f"{kind}-ids": clean},
            description=f"Delete {kind}{'s' if len(clean) > 1 else ''} {names}{more}",
            change=Change(kind, "deleted", tuple(clean), origin=origin),
            target=(kind, clean[0]) if len(clean) == 1 else None,
        )

    async def import_contacts(
        self,
        rows: Sequence[Mapping[str, Any]],
        *,
        create_if_not_updated: bool,
        match_nulls: bool = True,
        origin: object = None,
    ) -> Change:
        clean: list[dict[str, Any]] = []
        for row in rows:
            r: dict[str, Any] = {}
            for k, v in row.items():
                if k == "_toMatch":
                    r[k] = [int(x) if str(x).isdigit() else str(x) for x in (v or [])]
                else:
                    r[str(k)] = as_text(v)
            clean.append(r)
        if not clean:
            raise WriteRefused("No rows to import.")
        return self._journal(
            "import-contacts",
            {
                "rows": clean,
                "create-if-not-updated": bool(create_if_not_updated),
                "match-nulls": bool(match_nulls),
            },
            description=f"Import {len(clean)} contact row{'s' if len(clean) != 1 else ''}",
            change=Change("contact", "importing", (), origin=origin),
        )

    # ------------------------------------------------------------------ groups
    async def create_group(self, fields: Mapping[str, str], *, origin: object = None) -> Change:
        values = {str(k): as_text(v) for k, v in fields.items()}
        self._check_writable("Group", values)
        schema = self._schema.current
        name_field = schema.role("Group", "name") if schema else None
        if name_field and not norm(values.get(name_field)):
            raise WriteRefused("A new group needs a name.", field=name_field)
        if name_field:
            name = norm(values.get(name_field))
            if self._cached_group_named(name_field, name):
                raise WriteRefused(f"A group named “{name}” already exists.", field=name_field)
        tmp = new_temp_id()
        return self._journal(
            "create-group",
            {"group-id": tmp, "fields": values},
            description="New group: " + describe_fields(schema, "Group", values),
            change=Change("group", "created", (tmp,), tuple(values), origin=origin),
            target=("group", tmp),
            temp_ids=[tmp],
        )

    def _cached_group_named(self, name_field: str, name: str) -> bool:
        """A cached group (fetched, or created offline and still queued) has this name; the
        server compares names case-insensitively, so this does too."""
        wanted = name.casefold()
        for chunk in self._store.cache.iter_records("group", chunk_size=1000):
            for _rid, cached in chunk:
                if norm(cached.value.get(name_field)).casefold() == wanted:
                    return True
        return False

    async def add_contacts_to_group(
        self, group_id: str, contact_ids: Sequence[str], *, origin: object = None
    ) -> Change:
        gid = self._store.cache.resolve_id(group_id)
        cids = [self._store.cache.resolve_id(c) for c in dict.fromkeys(contact_ids) if c]
        if not cids:
            raise WriteRefused("No contacts to add.")
        return self._journal(
            "add-contacts-to-group",
            {"group-id": gid, "contact-ids": cids},
            description=f"Add {len(cids)} contact{'s' if len(cids) > 1 else ''} to group "
            f"{self._label('group', gid)}",
            change=Change("membership", "added", tuple(cids), parent=("group", gid), origin=origin),
            target=("group", gid),
        )

    # ------------------------------------------------------------------ notes
    async def create_note(
        self,
        contact_id: str,
        details: str,
        *,
        type: str | int = "1",
        user_id: str | None = None,
        origin: object = None,
    ) -> Change:
        return self._note("contact", contact_id, details, str(type), user_id, origin)

    async def create_group_note(
        self,
        group_id: str,
        details: str,
        *,
        type: str | int = "1",
        user_id: str | None = None,
        origin: object = None,
    ) -> Change:
        return self._note("group", group_id, details, str(type), user_id, origin)

    def _note(
        self, kind: str, pid: str, details: str, ntype: str, user_id: str | None, origin: object
    ) -> Change:
        pid = self._store.cache.resolve_id(pid)
        if not details.strip():
            raise WriteRefused("A note needs some text.")
        if ntype not in ("1", "2", "3", "4", "5"):
            raise WriteRefused("Unknown note type.")
        tmp = new_temp_id()
        known = known_children(
            self._store.cache,
            (kind, pid),
            "note",
            lambda r: norm(r.get("details")) == norm(details),
        )
        params: dict[str, Any] = {
            "note-id": tmp,
            f"{kind}-id": pid,
            "details": details,
            "type": ntype,
            "known": known,
        }
        if user_id:
            params["user-id"] = user_id
        short = details.strip().splitlines()[0][:60]
        return self._journal(
            "create-note" if kind == "contact" else "create-note-for-group",
            params,
            description=f"Note on {kind} {self._label(kind, pid)}: {short}",
            change=Change("note", "created", (tmp,), parent=(kind, pid), origin=origin),
            target=(kind, pid),
            temp_ids=[tmp],
        )

    # ------------------------------------------------------------------ activities
    def _activity_fields(
        self,
        *,
        type: str,
        regarding: str,
        start_time: str,
        end_time: str,
        details: str,
        color: str,
        timeless: bool,
        schedule_for: str | None,
        schedule_with: str,
    ) -> dict[str, str]:
        atype = type.strip().lower()
        if atype not in ACTIVITY_TYPES:
            raise WriteRefused("The activity type must be call, meeting or todo.")
        if not regarding.strip():
            raise WriteRefused("An activity needs a subject (regarding).")
        col = color.strip().lstrip("#")
        if col and (len(col) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in col)):
            raise WriteRefused("The colour must be six hexadecimal digits (RRGGBB).")
        out = {
            "type": atype,
            "regarding": regarding,
            "details": details,
            "start-time": start_time,
            "end-time": end_time,
            "timeless": "true" if timeless else "false",
        }
        if col:
            out["color"] = col.upper()
        if schedule_with:
            out["schedule-with"] = schedule_with
        me = self._schema.current.me if self._schema.current else None
        if schedule_for or me:
            out["schedule-for"] = schedule_for or me or ""
        return out

    async def create_activity(
        self,
        contact_id: str,
        *,
        type: str,
        regarding: str,
        start_time: str = "",
        end_time: str = "",
        details: str = "",
        color: str = "",
        timeless: bool = False,
        schedule_for: str | None = None,
        origin: object = None,
    ) -> Change:
        cid = self._store.cache.resolve_id(contact_id)
        fields = self._activity_fields(
            type=type,
            regarding=regarding,
            start_time=start_time,
            end_time=end_time,
            details=details,
            color=color,
            timeless=timeless,
            schedule_for=schedule_for,
            schedule_with=cid,
        )
        return self._activity_create("create-activity", fields, None, origin)

    async def create_group_activity(
        self,
        group_id: str,
        *,
        type: str,
        regarding: str,
        contact_id: str = "",
        start_time: str = "",
        end_time: str = "",
        details: str = "",
        color: str = "",
        timeless: bool = False,
        schedule_for: str | None = None,
        origin: object = None,
    ) -> Change:
        gid = self._store.cache.resolve_id(group_id)
        cid = self._store.cache.resolve_id(contact_id) if contact_id else ""
        fields = self._activity_fields(
            type=type,
            regarding=regarding,
            start_time=start_time,
            end_time=end_time,
            details=details,
            color=color,
            timeless=timeless,
            schedule_for=schedule_for,
            schedule_with=cid,
        )
        return self._activity_create("create-activity-for-group", fields, gid, origin)

    def _activity_create(
        self, function: str, fields: dict[str, str], gid: str | None, origin: object
    ) -> Change:
        tmp = new_temp_id()
        cid = fields.get("schedule-with", "")
        parent = ("group", gid) if gid else (("contact", cid) if cid else None)
        known = (
            known_children(
                self._store.cache,
                parent,
                "activity",
                lambda r: norm(r.get("regarding")) == norm(fields["regarding"]),
            )
            if parent
            else []
        )
        params: dict[str, Any] = {"activity-id": tmp, "fields": fields, "known": known}
        if gid:
            params["group-id"] = gid
        where = f" with {self._label('contact', cid)}" if cid else ""
        if gid:
            where += f" for group {self._label('group', gid)}"
        return self._journal(
            function,
            params,
            description=f"New {fields['type']}{where}: {fields['regarding'][:60]}",
            change=Change("activity", "created", (tmp,), parent=parent, origin=origin),
            target=("activity", tmp),
            temp_ids=[tmp],
        )

    async def update_activity(
        self, activity_id: str, changes: Mapping[str, Any], *, origin: object = None
    ) -> Change:
        aid = self._store.cache.resolve_id(activity_id)
        values = self._activity_changes(changes)
        if not values:
            raise WriteRefused("Nothing to change.")
        base = self._base("activity", aid, list(values))
        return self._journal(
            "update-activity",
            {"activity-id": aid, "changes": values},
            description=f"Edit activity {self._label('activity', aid)}",
            change=Change("activity", "updated", (aid,), tuple(values), origin=origin),
            target=("activity", aid),
            base=base,
        )

    def _activity_changes(self, changes: Mapping[str, Any]) -> dict[str, str]:
        allowed = {*ACTIVITY_KEYS, "group-id"}
        values: dict[str, str] = {}
        for k, v in changes.items():
            key = str(k).replace("_", "-")
            if key not in allowed:
                raise WriteRefused(f"An activity has no field {k!r}.")
            if key == "timeless":
                values[key] = "true" if v in (True, "true", "1", 1) else "false"
            else:
                values[key] = as_text(v)
        if "type" in values and values["type"].strip().lower() not in ACTIVITY_TYPES:
            raise WriteRefused("The activity type must be call, meeting or todo.")
        if "color" in values:
            col = values["color"].strip().lstrip("#")
            if len(col) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in col):
                raise WriteRefused("The colour must be six hexadecimal digits (RRGGBB).")
            values["color"] = col.upper()
        return values

    async def complete_activity(
        self,
        activity_id: str,
        result: str,
        *,
        changes: Mapping[str, Any] | None = None,
        origin: object = None,
    ) -> Change:
        aid = self._store.cache.resolve_id(activity_id)
        values = self._activity_changes(changes or {})
        base = self._base("activity", aid, [*values, "completed", "result"])
        return self._journal(
            "complete-activity",
            {"activity-id": aid, "result": result, "changes": values},
            description=f"Complete activity {self._label('activity', aid)}: {result[:60]}",
            change=Change("activity", "completed", (aid,), origin=origin),
            target=("activity", aid),
            base=base,
        )

    # ------------------------------------------------------------------ sales, campaigns
    async def create_sale(self, fields: Mapping[str, Any], *, origin: object = None) -> Change:
        values = {str(k): as_text(v) for k, v in fields.items()}
        self._check_writable("Sales", values)
        schema = self._schema.current
        cfid = schema.role("Sales", "contact-id") if schema else None
        if cfid and values.get(cfid):
            values[cfid] = self._store.cache.resolve_id(values[cfid])
        tmp = new_temp_id()
        cid = values.get(cfid, "") if cfid else ""
        parent = ("contact", cid) if cid else None
        known = (
            known_children(
                self._store.cache,
                parent,
                "sale",
                lambda r: all(norm(r.get(k)) == norm(v) for k, v in values.items()),
            )
            if parent
            else []
        )
        return self._journal(
            "create-sales-opp",
            {"sales-id": tmp, "fields": values, "known": known},
            description="New sales opportunity: " + describe_fields(schema, "Sales", values),
            change=Change("sale", "created", (tmp,), tuple(values), parent=parent, origin=origin),
            target=("sale", tmp),
            temp_ids=[tmp],
        )

    async def add_to_campaign(
        self, campaign_id: str, contact_ids: Sequence[str], *, origin: object = None
    ) -> Change:
        cids = [self._store.cache.resolve_id(c) for c in dict.fromkeys(contact_ids) if c]
        if not cids:
            raise WriteRefused("No contacts to add.")
        return self._journal(
            "add-to-campaign",
            {"campaign-id": campaign_id, "contact-ids": cids},
            description=f"Add {len(cids)} contact{'s' if len(cids) > 1 else ''} to a campaign",
            change=Change("campaign", "added", (campaign_id,), origin=origin),
            target=("campaign", campaign_id),
        )

    # ------------------------------------------------------------------ documents
    async def upload_document(
        self,
        contact_id: str,
        path: Path | str,
        *,
        file_name: str | None = None,
        origin: object = None,
    ) -> Change:
        src = Path(path)
        if src.is_dir():
            raise WriteRefused(f"“{src.name}” is a folder, not a file.")
        try:
            size = src.stat().st_size
        except OSError as exc:
            raise WriteRefused(f"Cannot read “{src.name}”: {exc.strerror or exc}.") from None
        if size == 0:
            raise WriteRefused(f"“{src.name}” is empty.")
        cid = self._store.cache.resolve_id(contact_id)
        staged = await asyncio.to_thread(self._store.outbox.stage_upload, src)
        name = file_name or src.name
        tmp = new_temp_id()
        known = known_children(
            self._store.cache,
            ("contact", cid),
            "document",
            lambda r: r.get("file-name") == name and str(r.get("size")) == str(size),
        )
        try:
            return self._journal(
                "add-doc-to-contact",
                {
                    "document-id": tmp,
                    "contact-id": cid,
                    "file-name": name,
                    "size": size,
                    "known": known,
                },
                description=f"Upload {name} to {self._label('contact', cid)}",
                change=Change(
                    "document", "created", (tmp,), parent=("contact", cid), origin=origin
                ),
                target=("contact", cid),
                temp_ids=[tmp],
                attachment=staged,
            )
        except BaseException:
            staged.unlink(missing_ok=True)
            raise

    # ================================================================== user actions
    async def retry(self, op_id: int) -> None:
        self._store.outbox.requeue(op_id)
        self._replay.wake(new_work=True)

    async def discard(self, op_id: int) -> list[Change]:
        """Drop an op (and the later ops that need what it creates); revert their cache effect."""
        if self._replay.current_op == op_id:
            await self.cancel(op_id)
        removed = self._store.outbox.discard(op_id, cascade=True)
        return self._after_removed(removed)

    async def undo(self, op_id: int) -> list[Change]:
        """Take back an op that has not been sent yet."""
        removed = self._store.outbox.undo(op_id)
        return self._after_removed(removed)

    def _after_removed(self, removed: list[Op]) -> list[Change]:
        changes: list[Change] = []
        for op in reversed(removed):
            try:
                changes += self.ops.revert(op)
            except Exception:
                log.exception("could not revert op %s in the cache", op.op_id)
            self._finish(OpOutcome(op.op_id, op.function, False, error="discarded"))
        for ch in changes:
            self._hub.emit(ch)
        self._replay.wake()
        return changes

    async def cancel(self, op_id: int) -> None:
        """Stop the op being sent right now (an upload); it stays, failed ("Cancelled."), for
        retry or discard. A waiting op is not affected: discard or undo it instead."""
        await self._replay.cancel(op_id)

    async def resolve(self, op_id: int, choices: Mapping[str, Choice]) -> None:
        """Resolve a conflict per field: "mine" sends my value, "theirs" keeps the server's."""
        op = self._store.outbox.get(op_id)
        if op is None or op.state is not OpState.CONFLICT:
            raise WriteRefused("This change is no longer in conflict.")
        mine: dict[str, str] = dict(op.params.get("changes") or {})
        conflicts = dict(op.conflicts)
        theirs = {k: c.theirs for k, c in conflicts.items()}
        changes, new_base = resolve_fields(mine, theirs, conflicts, choices)
        base = {**op.base, **new_base}
        kind = op.target_kind or ""
        rid = op.target_id or ""
        # fields resolved as theirs: the cache shows the server's value
        kept_theirs = {k: theirs[k] for k in conflicts if choices.get(k) == "theirs"}
        if kept_theirs and kind and rid:
            self._store.cache.put_record(kind, rid, kept_theirs, merge=True)
        if not changes and op.function != "complete-activity":
            self._landed.add(op_id)  # resolved by keeping the server's values: nothing to send
            self._store.outbox.discard(op_id, cascade=False)
            self._finish(OpOutcome(op_id, op.function, True, {"resolved": "theirs"}))
            self._hub.emit(Change(kind, "updated", (rid,), tuple(kept_theirs), op_id=op_id))
            return
        params = {**op.params, "changes": changes}
        with self._store.transaction():
            self._store.outbox.update(op_id, params=params, base=base)
            self._store.outbox.requeue(op_id)
        if kind and rid:
            self._hub.emit(Change(kind, "updated", (rid,), tuple(conflicts), op_id=op_id))
        self._replay.wake(new_work=True)

    def resume(self) -> None:
        """Carry on after a new sign-in (the queue paused on an expired session)."""
        if self._replay.resume():
            self._outbox_changed_force()
        self._replay.wake()

    def _outbox_changed_force(self) -> None:
        self._status = QueueStatus(-1)
        self._outbox_changed()

    def reapply(self, kind: str, ids: Any) -> None:
        """Re-apply queued ops to records a refresh just overwrote."""
        wanted = {(kind, i) for i in ids}
        for op in self._store.outbox.ops():
            if op.function in (
                "create-contact",
                "create-group",
                "delete-contacts",
                "delete-groups",
                "import-contacts",
            ):
                continue
            if any(t in wanted for t in self._targets(op)):
                try:
                    self.ops.apply(op)
                except Exception:
                    log.exception("could not re-apply op %s", op.op_id)

    # ================================================================== waiting
    async def wait(self, op_id: int, timeout: float | None = None) -> OpOutcome:
        """The outcome of an op (when it landed, failed for good or was discarded)."""
        if op_id in self._outcomes:
            return self._outcomes[op_id]
        op = self._store.outbox.get(op_id)
        if op is None:
            return OpOutcome(op_id, "", True)
        if op.state is OpState.FAILED:
            return OpOutcome(op_id, op.function, False, error=op.error)
        fut: asyncio.Future[OpOutcome] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(op_id, []).append(fut)
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            waiters = self._waiters.get(op_id, [])
            if fut in waiters:
                waiters.remove(fut)

    def _finish(self, outcome: OpOutcome) -> None:
        self._outcomes[outcome.op_id] = outcome
        if len(self._outcomes) > RECENT_OUTCOMES:
            for k in list(self._outcomes)[: len(self._outcomes) - RECENT_OUTCOMES]:
                del self._outcomes[k]
        for fut in self._waiters.pop(outcome.op_id, []):
            if not fut.done():
                fut.set_result(outcome)
        self.op_done.emit(outcome)

    async def flush(self, timeout: float) -> list[PendingOp]:
        """Send what can be sent within ``timeout`` seconds; returns what is left."""
        await self._replay.flush(timeout)
        return self.pending()

    # ================================================================== replay
    def start(self) -> None:
        self._replay.start()

    async def aclose(self) -> None:
        await self._replay.aclose()
        self._unsubscribe()
        for futs in self._waiters.values():
            for fut in futs:
                fut.cancel()
        self._waiters.clear()

    def _upload_progressed(self, op_id: int, sent: int, total: int) -> None:
        self.upload_progress.emit(UploadProgress(op_id, sent, total))

    def _replay_paused(self) -> None:
        """The session expired and the replay paused: show it and ask for a sign-in."""
        self._outbox_changed_force()
        self.sign_in_needed.emit(None)
