"""The replay engine behind the write queue: sends the journaled ops to the server, in order.

`Replay` runs one loop task that sends one op at a time while online (and while a schema is
loaded); an op is removed from the outbox only after the server answered. Temporary ids are
remapped by the store when the real id is known. Failures are sorted by meaning (see
`_wire.classify`): offline and transient ones wait and retry with backoff; an expired session
pauses the replay until `resume()`; a refusal stays as a failed op with its error; an unknown
outcome is reconciled by a look-up before any resend. Every step of an op is found through the
op table (`ops.OP_TABLE`, wrapped by `ops.Catalogue`): wire function → the class of that kind.
Updates are checked against the server's current values first (by the op's ``send``) and held
as conflicts when the server moved.

Before a create is first sent (while it is still queued, so that stopping there never makes its
outcome unknown), the replay runs that create's look-up read and commits the ids it found into
the op; only then is the op marked sending and the create sent. A later look-up after a lost
answer skips those ids: they were someone else's records (see ``lookalikes.py``). When that
read fails, the op waits like any failed send, and nothing is sent.

Document uploads go in a side lane (``store.outbox.SIDE_LANE``): up to ``upload_slots`` (two)
are sent at once beside the ordered queue, so a big file never holds the rep's notes and edits
behind it. An upload still waits for the create of a contact made offline (its temporary id),
and the same steps apply to it (look-up first, reconcile after a lost answer, pause on an
expired session). An upload that has to wait after an attempt is set aside by its kind (its file
is copied into the store).

`writes.WriteQueue` owns one `Replay` and drives it (start, wake, cancel, flush, resume, close);
the engine reports back through the callbacks it was given, never by importing the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from typing import Any

from snx_desktop.store.outbox import Op, OpState
from snx_desktop.store.types import OutboxStateError, StoreEnvironmentError

from . import _wire
from .connectivity import Connectivity
from .events import Event
from .lookalikes import remember_existing
from .ops import Catalogue, ConflictFound, OpRefused, Sent
from .schema import SchemaService
from .types import Change, OpOutcome

log = logging.getLogger(__name__)

RETRY_BASE = 0.5
RETRY_MAX = 30.0
UPLOAD_SLOTS = 2
"""Uploads sent at once: a small file is not stuck behind a big one, while more parallel
requests would only split the same uplink between more files (none finishing sooner)."""


class Replay:
    """The loop that sends a store's queued ops. See the module docstring.

    What it reports to its owner, through the callbacks given at construction:

    * ``finish(outcome)``: an op landed, failed for good or was cancelled;
    * ``landed(op_id)``: an op landed and is about to leave the outbox (called before it does);
    * ``held_note(op_id)``: a sentence to add to a failure, naming the writes held behind it;
    * ``progress(op_id, sent, total)``: bytes of an upload sent so far;
    * ``paused()``: the session expired and the replay paused (``paused`` is already true).
    """

    def __init__(
        self,
        store: Any,
        ops: Catalogue,
        schema: SchemaService,
        connectivity: Connectivity,
        hub: Event[Change],
        *,
        finish: Callable[[OpOutcome], None],
        landed: Callable[[int], None],
        held_note: Callable[[int], str],
        progress: Callable[[int, int, int], None],
        paused: Callable[[], None],
    ) -> None:
        self._store = store
        self._ops = ops
        self._schema = schema
        self._conn = connectivity
        self._hub = hub
        self._finish = finish
        self._landed = landed
        self._held_note = held_note
        self._progress = progress
        self._on_paused = paused
        #: backoff before retrying after a transient failure (seconds; doubles, capped, jitter)
        self.retry_base = RETRY_BASE
        self.retry_max = RETRY_MAX
        self._paused = False
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        #: the op being sent (or looked up) right now → its request task, in either lane
        self._running: dict[int, asyncio.Task[Any]] = {}
        self._cancelled_ops: set[int] = set()
        self._failures = 0
        # ops left "sending" because the store refused to record what became of them
        self._unrecorded: set[int] = set()
        #: uploads sent at once beside the ordered queue
        self.upload_slots = UPLOAD_SLOTS
        self._lane: dict[int, asyncio.Task[None]] = {}
        self._lane_after: dict[int, float] = {}  # an upload's next try, after a failure
        self._ordered_waits = False  # the ordered loop has nothing to send now
        self._disconnect_conn = connectivity.changed.connect(lambda _s: self.wake())

    @property
    def paused(self) -> bool:
        """The session expired: nothing is sent until `resume()`."""
        return self._paused

    def is_sending(self, op_id: int) -> bool:
        """The op is being sent (or looked up) right now."""
        return op_id in self._running

    # ================================================================== driving
    def wake(self, *, new_work: bool = False) -> None:
        """Look at the outbox again now; ``new_work``: an op was queued or requeued, so the
        replay is no longer idle."""
        self._wake.set()
        if new_work:
            self._idle.clear()
        self._lane_after.clear()  # like the ordered queue's backoff, a wake ends it
        self._fill_lane()

    def resume(self) -> bool:
        """Unpause after a new sign-in; returns whether it was paused. Does not wake the loop."""
        if not self._paused:
            return False
        self._paused = False
        return True

    async def cancel(self, op_id: int) -> None:
        """Stop the op being sent right now (an upload); it stays, failed ("Cancelled."), for
        retry or discard. A waiting op is not affected."""
        task = self._running.get(op_id)
        if task is not None:
            self._cancelled_ops.add(op_id)
            task.cancel()
            for _ in range(500):
                if op_id not in self._running:
                    break
                await asyncio.sleep(0.01)

    async def flush(self, timeout: float) -> None:
        """Send what can be sent within ``timeout`` seconds."""
        self._wake.set()
        self._conn.probe_now()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if self._store.outbox.next_ready() is None and not self._running and not self._lane:
                break
            if self._paused or not self._conn.may_send:
                break
            if not self._conn.is_online:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._conn.wait_online(), deadline - loop.time())
                continue
            self._idle.clear()
            self._lane_after.clear()
            self._wake.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), max(0.01, deadline - loop.time()))

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="snx-write-replay")

    async def aclose(self) -> None:
        """Stop the loop (an op being sent is marked unknown, to be looked up before a resend)
        and stop listening to connectivity."""
        task, self._task = self._task, None
        tasks = [t for t in (task, *self._lane.values()) if t is not None]
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self._disconnect_conn()

    # ================================================================== the loop
    async def _run(self) -> None:
        while True:
            self._wake.clear()
            op = None
            # while the store refuses writes, nothing new is sent
            settled = self._settle_unrecorded()
            if settled and self.can_send_now():
                self._fill_lane()
                op = self._store.outbox.next_ready("ordered")
            self._ordered_waits = op is None
            if op is None:
                if not self._lane:
                    self._idle.set()
                if self._unrecorded:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._sleep_or_wake(), self._backoff())
                else:
                    await self._wake.wait()
                continue
            delay = await self._attempt(op)
            if delay:
                self._ordered_waits = True
                if not self._lane:
                    self._idle.set()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._sleep_or_wake(), delay)

    def can_send_now(self) -> bool:
        """Online, signed in and with a schema: what is ready may go now."""
        return not self._paused and self._conn.is_online and self._schema.current is not None

    async def _attempt(self, op: Op) -> float:
        """Send (or reconcile) one op, whatever goes wrong; the delay before the next try."""
        try:
            delay = await self._process(op)
        except asyncio.CancelledError:
            raise
        except StoreEnvironmentError as exc:
            # the disk refuses writes: the op's new state could not be recorded. Nothing is
            # marked failed (that too is a write, and a landed op marked failed could be sent
            # again by hand); an op left "sending" is made "unknown" once the store takes
            # writes, so it is looked up before it goes again
            log.warning("op %s waits: the offline store refuses writes (%s)", op.op_id, exc)
            self._running.pop(op.op_id, None)
            with contextlib.suppress(Exception):
                now = self._store.outbox.get(op.op_id)
                if now is not None and now.state is OpState.SENDING:
                    self._unrecorded.add(op.op_id)
            delay = self._backoff()
        except Exception as exc:
            # a bug must not stop the replay for good: park the op, with the error, and go on
            log.exception("replaying op %s failed unexpectedly", op.op_id)
            with contextlib.suppress(Exception):
                self._store.outbox.mark_failed(
                    op.op_id, f"Internal error: {type(exc).__name__}", "INTERNAL"
                )
            self._running.pop(op.op_id, None)
            delay = self._backoff()
        return delay

    # ================================================================== the upload lane
    def _fill_lane(self) -> None:
        """Start the uploads that may go now, up to ``upload_slots`` at once."""
        if self._task is None or self._unrecorded or not self.can_send_now():
            return
        now = asyncio.get_running_loop().time()
        while len(self._lane) < max(1, self.upload_slots):
            later = {op_id for op_id, at in self._lane_after.items() if at > now}
            op = self._store.outbox.next_ready("side", skip=set(self._lane) | later)
            if op is None:
                return
            self._lane_after.pop(op.op_id, None)
            self._idle.clear()
            self._lane[op.op_id] = asyncio.create_task(
                self._lane_run(op), name=f"snx-upload-{op.op_id}"
            )

    async def _lane_run(self, op: Op) -> None:
        """Send one upload beside the ordered queue; set it aside when it has to wait."""
        try:
            delay = await self._attempt(op)
            if self._unrecorded:
                self._wake.set()  # the ordered loop records it once the store takes writes
            now = self._store.outbox.get(op.op_id)
            if now is not None and now.state in (OpState.QUEUED, OpState.UNKNOWN):
                await self._ops.set_aside(now)
            if delay:
                loop = asyncio.get_running_loop()
                self._lane_after[op.op_id] = loop.time() + delay
                loop.call_later(delay, self._fill_lane)
        except StoreEnvironmentError as exc:
            log.warning("upload op %s waits: the offline store refuses writes (%s)", op.op_id, exc)
        finally:
            self._lane.pop(op.op_id, None)
        self._fill_lane()
        if not self._lane and self._ordered_waits:
            self._idle.set()

    def _settle_unrecorded(self) -> bool:
        """Record ops left "sending" by a refused store write as "unknown" (looked up before
        they go again); False while the store still refuses."""
        for op_id in sorted(self._unrecorded):
            try:
                self._store.outbox.mark_unknown(op_id, "The answer could not be recorded.")
            except StoreEnvironmentError:
                return False
            except OutboxStateError:
                pass  # no longer sending (discarded meanwhile)
            self._unrecorded.discard(op_id)
        return True

    async def _record_landed(self, op: Op, sent: Sent) -> None:
        """Commit a landed op as done, with its id map. While the disk refuses the write the
        same commit is tried again (the op stays "sending": were the app stopped meanwhile,
        the next start looks it up before sending it again); it is never marked failed."""
        attempt = 0
        while True:
            try:
                with self._store.transaction():
                    self._store.outbox.mark_done(op.op_id, sent.id_map or None, sent.document_id)
                    for fn in sent.after:
                        fn()
                return
            except StoreEnvironmentError as exc:
                attempt += 1
                log.warning(
                    "op %s landed; the offline store cannot record it yet (%s), trying again",
                    op.op_id,
                    exc,
                )
                await asyncio.sleep(
                    min(self.retry_max, self.retry_base * 2 ** min(attempt - 1, 10))
                )

    async def _sleep_or_wake(self) -> None:
        # a retry waits its backoff, but the user's "retry now" (connectivity change) ends it
        self._wake.clear()
        await self._wake.wait()

    def _backoff(self) -> float:
        self._failures += 1
        return min(
            self.retry_max, self.retry_base * 2 ** min(self._failures - 1, 10)
        ) * random.uniform(0.5, 1.0)

    async def _process(self, op: Op) -> float:
        """Send (or reconcile) one op; returns a delay before the next attempt (0 = none)."""
        outbox = self._store.outbox
        was_unknown = op.state is OpState.UNKNOWN
        # An unknown op may have landed: a look-up read now could list its own record, so it
        # keeps what was read before its first send and is reconciled instead.
        if not was_unknown and self._ops.looks_before_send(op):
            looked, delay = await self._look_first(op)
            if looked is None:
                return delay
            op = looked
        op = outbox.mark_sending(op.op_id)

        def progress(sent: int, total: int) -> None:
            self._progress(op.op_id, sent, total)

        async def attempt() -> Sent:
            if was_unknown:
                found = await self._ops.reconcile(op)
                if found is not None:
                    return found
            return await self._ops.send(op, progress)

        task = asyncio.create_task(attempt(), name=f"snx-op-{op.op_id}")
        self._running[op.op_id] = task
        try:
            sent = await task
        except asyncio.CancelledError:
            if op.op_id in self._cancelled_ops:
                self._cancelled_ops.discard(op.op_id)
                # cancelled by the user: it stays, failed, for retry or discard
                outbox.mark_failed(op.op_id, "Cancelled.", "CANCELLED")
                self._finish(OpOutcome(op.op_id, op.function, False, error="Cancelled."))
                return 0.0
            # the app is closing: the request may have gone out; look before resending
            with contextlib.suppress(Exception):
                outbox.mark_unknown(op.op_id, "Stopped while sending.")
            raise
        except ConflictFound as conflict:
            outbox.mark_conflict(op.op_id, conflict.conflicts)
            log.info("op %s held as a conflict on %s", op.op_id, sorted(conflict.conflicts))
            if op.target_kind and op.target_id:
                self._hub.emit(
                    Change(
                        op.target_kind,
                        "conflict",
                        (op.target_id,),
                        tuple(conflict.conflicts),
                        op_id=op.op_id,
                    )
                )
            self._conn.report_success()
            return 0.0
        except OpRefused as refused:
            outbox.mark_failed(op.op_id, str(refused), refused.code)
            error = str(refused) + self._held_note(op.op_id)
            self._finish(OpOutcome(op.op_id, op.function, False, error=error))
            return 0.0
        except Exception as exc:
            return self._failed(op, exc, was_unknown)
        finally:
            self._running.pop(op.op_id, None)
        self._failures = 0
        self._conn.report_success()
        self._landed(op.op_id)
        await self._record_landed(op, sent)
        log.info("op %s %s landed", op.op_id, op.function)
        for ch in sent.changes:
            self._hub.emit(ch)
        self._finish(OpOutcome(op.op_id, op.function, True, sent.result))
        return 0.0

    async def _look_first(self, op: Op) -> tuple[Op | None, float]:
        """Run a queued create's look-up read and commit the ids it found into the op, before
        the op is marked sending. Returns the updated op, or None (with the delay before the
        next attempt) when nothing is to be sent now: the read failed, the op was refused,
        cancelled, or taken back meanwhile."""
        outbox = self._store.outbox
        task = asyncio.create_task(self._ops.look_before_send(op), name=f"snx-look-{op.op_id}")
        self._running[op.op_id] = task
        try:
            found: list[str] | None = await task
        except asyncio.CancelledError:
            if op.op_id in self._cancelled_ops:
                self._cancelled_ops.discard(op.op_id)
                outbox.mark_failed(op.op_id, "Cancelled.", "CANCELLED")
                self._finish(OpOutcome(op.op_id, op.function, False, error="Cancelled."))
                return None, 0.0
            raise  # the app is closing: nothing was sent, the op stays queued
        except OpRefused as refused:
            outbox.mark_failed(op.op_id, str(refused), refused.code)
            error = str(refused) + self._held_note(op.op_id)
            self._finish(OpOutcome(op.op_id, op.function, False, error=error))
            return None, 0.0
        except Exception as exc:
            return None, self._failed(op, exc, was_unknown=False, sent=False)
        finally:
            self._running.pop(op.op_id, None)
        fresh = outbox.get(op.op_id)
        if fresh is None or fresh.state is not OpState.QUEUED:
            log.info("op %s was taken back while it was being looked up", op.op_id)
            return None, 0.0
        if found is None:
            return fresh, 0.0
        try:
            # committed before the create goes out: a later look-up skips these ids
            return outbox.update(op.op_id, params=remember_existing(fresh.params, found)), 0.0
        except OutboxStateError:
            return None, 0.0

    def _failed(self, op: Op, exc: Exception, was_unknown: bool, *, sent: bool = True) -> float:
        """Sort a failed attempt; ``sent``: the op itself went out (else only its look-up read
        did, so the op cannot have been applied and never becomes unknown)."""
        outbox = self._store.outbox

        def back_to_wait() -> None:
            # an op whose earlier send may have landed stays "unknown": look before resending
            if was_unknown:
                outbox.mark_unknown(op.op_id, op.error or "")
            else:
                outbox.requeue(op.op_id)

        if isinstance(exc, StoreEnvironmentError):
            raise exc  # the op's state cannot be written now: the loop waits for the store
        kind = _wire.classify(exc)
        if kind == "unknown" and not sent:
            kind = "offline" if _wire.is_offline_error(exc) else "transient"
        msg = str(exc)
        code = getattr(exc, "code", None)
        log.info("op %s %s: %s (%s)", op.op_id, op.function, type(exc).__name__, kind)
        if kind == "offline":
            back_to_wait()
            self._conn.report_failure(msg)
            return 0.0
        if kind == "unknown":
            outbox.mark_unknown(op.op_id, msg)
            if _wire.is_offline_error(exc):
                self._conn.report_failure(msg)
                return 0.0
            return self._backoff()
        if kind == "transient":
            back_to_wait()
            return self._backoff()
        if kind == "expired":
            back_to_wait()
            if not self._paused:
                self._paused = True
                self._on_paused()
            return 0.0
        # permanent
        if op.function in ("delete-contacts", "delete-groups") and code == "NOT_FOUND":
            self._landed(op.op_id)
            with self._store.transaction():
                outbox.mark_done(op.op_id)
            self._finish(OpOutcome(op.op_id, op.function, True, {"deleted-count": 0}))
            return 0.0
        outbox.mark_failed(op.op_id, msg, code)
        self._conn.report_success()
        self._finish(OpOutcome(op.op_id, op.function, False, error=msg + self._held_note(op.op_id)))
        return 0.0
