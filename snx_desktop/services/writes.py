"""The durable write queue: every write the API has, journaled, shown at once, replayed in order.

`WriteQueue` is what the GUI calls. A write method checks its input, journals the op in the
store's outbox (committed before it returns), applies its effect to the cache so the GUI shows
it at once, emits a `Change` on the hub and wakes the replay. The queue also shows what waits
(`pending`, `get`, `conflicts`, `status` and its events), takes the user's actions on it (retry,
discard, undo, cancel, resolve a conflict, resume after a sign-in) and lets callers wait for an
op's outcome or flush the queue.

Sending is done by the replay engine in `replay.py` (`Replay`), which the queue owns and
drives: it sends one op at a time while online (and document uploads beside them, two at a
time), retries, reconciles unknown outcomes, holds conflicts, and pauses on an expired session,
at which point the queue asks for a sign-in. Every document upload is such an op; the upload
list (`uploads.UploadManager`) shows them file by file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from snx_desktop.store.outbox import Op, OpState

from .conflicts import Choice
from .conflicts import resolve as resolve_fields
from .connectivity import Connectivity
from .events import Event
from .lazyclient import ClientSource
from .opfollow import follow_op
from .ops import Catalogue, Entry, OpKind
from .ops.activities import (
    CompleteActivity,
    CreateActivity,
    CreateActivityForGroup,
    UpdateActivity,
)
from .ops.children import CreateNote, CreateNoteForGroup, CreateSalesOpp
from .ops.documents import AddDocToContact
from .ops.records import (
    AddContactsToGroup,
    AddToCampaign,
    CreateContact,
    CreateGroup,
    DeleteContacts,
    DeleteGroups,
    ImportContacts,
    UpdateContact,
    UpdateGroup,
)
from .queueview import UploadProgress as UploadProgress
from .queueview import blockers, held_note, state_changes, view
from .replay import RETRY_BASE as RETRY_BASE
from .replay import RETRY_MAX as RETRY_MAX
from .replay import Replay
from .schema import SchemaService
from .types import (
    Change,
    Conflict,
    OpOutcome,
    OpStateChange,
    PendingOp,
    QueueStatus,
    WriteRefused,
)

log = logging.getLogger(__name__)

K = TypeVar("K", bound=OpKind)

RECENT_OUTCOMES = 2000


class WriteQueue:
    """Queued writes, shown and managed, sent by the `Replay` it drives (module docstring)."""

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
        self.ops = Catalogue(client, store, schema)
        self.status_changed: Event[QueueStatus] = Event("writes.status_changed")
        self.sign_in_needed: Event[None] = Event("writes.sign_in_needed")
        self.op_done: Event[OpOutcome] = Event("writes.op_done")
        self.upload_progress: Event[UploadProgress] = Event("writes.upload_progress")
        #: any op changed state: queued, sending, sent-unknown, failed, conflict, done
        self.ops_changed: Event[OpStateChange] = Event("writes.ops_changed")
        #: waits for the list pages shown while they are written (set by the services)
        self.pages_shown: Callable[[], Awaitable[None]] | None = None
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
    def upload_slots(self) -> int:
        """Document uploads sent at once, beside the ordered queue."""
        return self._replay.upload_slots

    @upload_slots.setter
    def upload_slots(self, value: int) -> None:
        self._replay.upload_slots = max(1, int(value))

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
        changes = state_changes(old, new, self._landed)
        for change in changes:
            self.ops_changed.emit(change)

    def follow(
        self,
        op_id: int,
        on_state: Callable[[OpStateChange], object] | None = None,
        on_progress: Callable[[UploadProgress], object] | None = None,
    ) -> Callable[[], None]:
        """Follow one op (e.g. an upload job) until it is done (:func:`follow_op`)."""
        return follow_op(self.ops_changed, self.upload_progress, op_id, on_state, on_progress)

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
        stuck = blockers(ops)
        return [view(op, stuck.get(op.op_id)) for op in ops]

    def get(self, op_id: int) -> PendingOp | None:
        ops = self._store.outbox.ops()
        stuck = blockers(ops)
        return next((view(op, stuck.get(op_id)) for op in ops if op.op_id == op_id), None)

    def _held_note(self, op_id: int) -> str:
        """A sentence for a write that failed for good, naming the later writes held behind it."""
        return held_note(self._store.outbox.ops(), op_id)

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

    def conflicts(self) -> list[Conflict]:
        out = []
        for op in self._store.outbox.ops([OpState.CONFLICT]):
            v = view(op)
            if v.conflict is not None:
                out.append(v.conflict)
        return out

    # ================================================================== journaling
    def _journal(self, entry: Entry) -> Change:
        with self._store.transaction():
            op = self._store.outbox.append(
                entry.function,
                entry.params,
                description=entry.description,
                target=entry.target,
                base=entry.base,
                temp_ids=entry.temp_ids,
                attachment=entry.attachment,
            )
            self.ops.apply(op)
        log.info("queued op %s %s", op.op_id, entry.function)
        change = entry.change
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

    def _kind(self, cls: type[K]) -> K:
        return self.ops.kind(cls)

    # ------------------------------------------------------------------ contacts
    async def create_contact(self, fields: Mapping[str, str], *, origin: object = None) -> Change:
        return self._journal(self._kind(CreateContact).entry(fields, origin))

    async def update_contact(
        self, contact_id: str, changes: Mapping[str, str], *, origin: object = None
    ) -> Change:
        await self._seen("contact", contact_id)
        return self._journal(self._kind(UpdateContact).entry(contact_id, changes, origin))

    async def update_group(
        self, group_id: str, changes: Mapping[str, str], *, origin: object = None
    ) -> Change:
        await self._seen("group", group_id)
        return self._journal(self._kind(UpdateGroup).entry(group_id, changes, origin))

    async def _seen(self, kind: str, rid: str) -> None:
        """An update is checked against the copy the rep saw: a record shown from a page that
        is still being written is waited for, so the update keeps its base (without one a
        colleague's change of the same field would be overwritten unseen)."""
        if self.pages_shown is not None and self._store.cache.get_record(kind, rid) is None:
            await self.pages_shown()

    async def delete_contacts(self, ids: Sequence[str], *, origin: object = None) -> Change:
        return self._journal(self._kind(DeleteContacts).entry(ids, origin))

    async def delete_groups(self, ids: Sequence[str], *, origin: object = None) -> Change:
        return self._journal(self._kind(DeleteGroups).entry(ids, origin))

    async def import_contacts(
        self,
        rows: Sequence[Mapping[str, Any]],
        *,
        create_if_not_updated: bool,
        match_nulls: bool = True,
        origin: object = None,
    ) -> Change:
        entry = self._kind(ImportContacts).entry(rows, create_if_not_updated, match_nulls, origin)
        return self._journal(entry)

    # ------------------------------------------------------------------ groups
    async def create_group(self, fields: Mapping[str, str], *, origin: object = None) -> Change:
        return self._journal(self._kind(CreateGroup).entry(fields, origin))

    async def add_contacts_to_group(
        self, group_id: str, contact_ids: Sequence[str], *, origin: object = None
    ) -> Change:
        return self._journal(self._kind(AddContactsToGroup).entry(group_id, contact_ids, origin))

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
        entry = self._kind(CreateNote).entry(
            "contact", contact_id, details, str(type), user_id, origin
        )
        return self._journal(entry)

    async def create_group_note(
        self,
        group_id: str,
        details: str,
        *,
        type: str | int = "1",
        user_id: str | None = None,
        origin: object = None,
    ) -> Change:
        entry = self._kind(CreateNoteForGroup).entry(
            "group", group_id, details, str(type), user_id, origin
        )
        return self._journal(entry)

    # ------------------------------------------------------------------ activities
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
        kind = self._kind(CreateActivity)
        fields = kind.fields(
            type=type,
            regarding=regarding,
            start_time=start_time,
            end_time=end_time,
            details=details,
            color=color,
            timeless=timeless,
            schedule_for=schedule_for,
            schedule_with=self._store.cache.resolve_id(contact_id),
        )
        return self._journal(kind.entry(fields, None, origin))

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
        kind = self._kind(CreateActivityForGroup)
        fields = kind.fields(
            type=type,
            regarding=regarding,
            start_time=start_time,
            end_time=end_time,
            details=details,
            color=color,
            timeless=timeless,
            schedule_for=schedule_for,
            schedule_with=self._store.cache.resolve_id(contact_id) if contact_id else "",
        )
        return self._journal(kind.entry(fields, gid, origin))

    async def update_activity(
        self, activity_id: str, changes: Mapping[str, Any], *, origin: object = None
    ) -> Change:
        await self._seen("activity", activity_id)
        return self._journal(self._kind(UpdateActivity).entry(activity_id, changes, origin))

    async def complete_activity(
        self,
        activity_id: str,
        result: str,
        *,
        changes: Mapping[str, Any] | None = None,
        origin: object = None,
    ) -> Change:
        entry = self._kind(CompleteActivity).entry(activity_id, result, changes, origin)
        return self._journal(entry)

    # ------------------------------------------------------------------ sales, campaigns
    async def create_sale(self, fields: Mapping[str, Any], *, origin: object = None) -> Change:
        return self._journal(self._kind(CreateSalesOpp).entry(fields, origin))

    async def add_to_campaign(
        self, campaign_id: str, contact_ids: Sequence[str], *, origin: object = None
    ) -> Change:
        return self._journal(self._kind(AddToCampaign).entry(campaign_id, contact_ids, origin))

    # ------------------------------------------------------------------ documents
    async def upload_document(
        self,
        contact_id: str,
        path: Path | str,
        *,
        file_name: str | None = None,
        origin: object = None,
        keep_copy: bool = True,
    ) -> Change:
        """Queue a file for a contact. ``keep_copy``: stage a copy in the store now; else the
        op names the rep's file while it can be sent at once (`AddDocToContact.prepare`)."""
        kind = self._kind(AddDocToContact)
        copy = keep_copy or not self._replay.can_send_now()
        entry = await kind.prepare(contact_id, Path(path), file_name, origin, copy=copy)
        try:
            return self._journal(entry)
        except BaseException:
            if entry.attachment is not None:
                entry.attachment.unlink(missing_ok=True)
            raise

    # ================================================================== user actions
    async def retry(self, op_id: int) -> None:
        self._store.outbox.requeue(op_id)
        self._replay.wake(new_work=True)

    async def discard(self, op_id: int) -> list[Change]:
        """Drop an op (and the later ops that need what it creates); revert their cache effect."""
        if self._replay.is_sending(op_id):
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
            if not self.ops.reapplies(op):
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

    def wake(self) -> None:
        """Look at the queue again now (the store takes writes again, say) instead of waiting
        for the replay's backoff."""
        self._replay.wake()

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
