"""Document uploads as the rep sees them: one job per file, with progress, cancel and retry.

Every upload is a queued write: `UploadManager` checks a file, journals it as an
``add-doc-to-contact`` op (`WriteQueue.upload_document`) and shows that op file by file. It
sends nothing itself; the write queue's replay does, beside the ordered queue (see
``replay.py``), so a big file never holds the rep's notes and edits behind it.

* Every file is checked before anything is journaled (`documents.check_file`: a folder,
  missing, unreadable, empty, or over the client's limit, 50 MB by default like the server's
  documented limit). A refused file becomes a failed job with a sentence saying why.
* Online, the op names the rep's file and is sent at once, two uploads at a time (``concurrency``
  sets the queue's upload slots): base64 is produced chunk by chunk from the file, so memory does
  not grow with it, and no copy of the bytes goes into the store. Progress reports bytes, total
  and speed.
* When the upload cannot be sent now (offline, a contact created offline, a session to renew, or
  the connection dropped before the whole body went out) the queue keeps a copy of the file in
  the store and sends it when it can; the job stays in the list as "queued", with a note saying
  what it waits for. An expired session waits for the sign-in like every other queued write. A
  lost answer is reconciled by the queue (the contact's documents of that name and size), so the
  file is never stored twice and never left to a manual retry.
* Cancel aborts the request before the body is complete (the server stores nothing) and discards
  the op. Retry sends a failed op again (or, after a cancel, journals the file anew, checked
  again). Remove forgets a finished job. One file failing never stops the others.

The checks, safe file names and downloads live in `documents`, the job itself (state, progress,
speed) in `uploadjobs` (both re-exported here).

Pure asyncio: no Qt import. Events are the services' `Event` type, emitted on the loop thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from snx_desktop.store.types import StoreEnvironmentError

from .connectivity import ConnState
from .documents import (
    DEFAULT_MAX_BYTES,
    DocumentFiles,
    FailReason,
    FileCheck,
    check_file,
    human_size,
    safe_file_name,
)
from .events import Event
from .types import OpOutcome, OpStateChange, QueueStatus, WriteRefused, is_temp_id
from .uploadjobs import JobState, UploadJob, reason_from_text

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DocumentFiles",
    "FailReason",
    "FileCheck",
    "JobState",
    "UploadJob",
    "UploadManager",
    "check_file",
    "human_size",
    "safe_file_name",
]

if TYPE_CHECKING:
    from .connectivity import Connectivity
    from .queueview import UploadProgress
    from .writes import WriteQueue

log = logging.getLogger(__name__)

SIGN_IN_NOTE = "Waiting for you to sign in again."
LOST_NOTE = "Connection lost: will upload when it returns."
OFFLINE_NOTE = "Offline: will upload when the connection returns."
NEW_CONTACT_NOTE = "Waiting for the new contact to be saved."
CHECKING_NOTE = "The answer was lost; checking whether the file arrived before sending again."
AGAIN_NOTE = "Could not be sent yet: will try again shortly."


class UploadManager:
    """Per-file upload jobs, each the view of one queued upload op. See the module docstring."""

    def __init__(
        self,
        writes: WriteQueue,
        *,
        connectivity: Connectivity | None = None,
        store: Any = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        concurrency: int | None = None,
        progress_interval: float = 0.1,
    ) -> None:
        self.writes = writes
        self.connectivity = connectivity
        self.store = store
        self.max_bytes = int(max_bytes)
        self.progress_interval = progress_interval
        if concurrency is not None:
            writes.upload_slots = concurrency
        self._jobs: dict[int, UploadJob] = {}
        self._by_op: dict[int, UploadJob] = {}
        self._next_id = 1
        self._closed = False
        self._tasks: set[asyncio.Future[Any]] = set()
        self._waiters: dict[int, list[asyncio.Future[UploadJob]]] = {}
        #: a job was added (state WAITING, QUEUED or FAILED when refused before sending)
        self.added: Event[UploadJob] = Event("uploads.added")
        #: state or progress of a job changed (throttled to ``progress_interval`` per job)
        self.progress: Event[UploadJob] = Event("uploads.progress")
        #: a job reached done, failed or cancelled
        self.finished: Event[UploadJob] = Event("uploads.finished")
        #: a job was forgotten (`remove` / `clear_finished`)
        self.removed: Event[UploadJob] = Event("uploads.removed")
        self._disconnects: list[Callable[[], None]] = [
            writes.upload_progress.connect(self._op_progress),
            writes.ops_changed.connect(self._op_changed),
            writes.op_done.connect(self._op_done),
            writes.status_changed.connect(self._status_changed),
        ]
        if connectivity is not None:
            self._disconnects.append(connectivity.changed.connect(self._conn_changed))

    @classmethod
    def for_services(cls, services: Any, **options: Any) -> UploadManager:
        """A manager over an `AppServices` (write queue, connectivity, store)."""
        return cls(
            services.writes,
            connectivity=services.connectivity,
            store=services.store,
            **options,
        )

    # ------------------------------------------------------------------ reading
    @property
    def jobs(self) -> list[UploadJob]:
        return list(self._jobs.values())

    def job(self, job_id: int) -> UploadJob | None:
        return self._jobs.get(job_id)

    def active(self) -> list[UploadJob]:
        return [j for j in self._jobs.values() if not j.finished]

    def jobs_for(self, contact_id: str) -> list[UploadJob]:
        return [j for j in self._jobs.values() if j.contact_id == contact_id]

    def check(self, path: Path | str) -> FileCheck:
        return check_file(path, self.max_bytes)

    # ------------------------------------------------------------------ adding
    def add(
        self,
        contact_id: str,
        paths: Iterable[Path | str],
        *,
        contact_name: str = "",
        origin: object = None,
    ) -> list[UploadJob]:
        """One job per path; checked now, journaled and sent in the background. Refused files
        come back as failed jobs (nothing journaled for them); the others start."""
        if self._closed:
            raise RuntimeError("the upload manager is closed")
        if not contact_id:
            raise ValueError("a contact id is needed")
        jobs: list[UploadJob] = []
        for raw in paths:
            path = Path(raw)
            job = UploadJob(
                job_id=self._next_id,
                contact_id=contact_id,
                contact_name=contact_name,
                path=path,
                file_name=path.name or str(path),
                origin=origin,
            )
            self._next_id += 1
            self._jobs[job.job_id] = job
            jobs.append(job)
            checked = self.check(path)
            job.size = checked.size
            if not checked.ok:
                self._fail(job, checked.reason, checked.message, emit=False)
                log.info("upload of a file refused before sending: %s", checked.reason)
                self.added.emit(job)
                self.finished.emit(job)
                continue
            self.added.emit(job)
            self._start(job)
        return jobs

    def _start(self, job: UploadJob) -> None:
        job._cancel_requested = False
        job._task = asyncio.ensure_future(self._journal(job))

    async def _journal(self, job: UploadJob) -> None:
        """Journal the job's file as an upload op and follow that op."""
        job.contact_id = self._resolved_contact(job)
        try:
            change = await self.writes.upload_document(
                job.contact_id,
                job.path,
                file_name=job.file_name,
                origin=job.origin,
                keep_copy=False,
            )
        except WriteRefused as exc:
            self._fail(job, FailReason.REFUSED, str(exc))
            return
        except StoreEnvironmentError as exc:
            self._fail(job, FailReason.REFUSED, str(exc))
            return
        except OSError as exc:
            self._fail(job, FailReason.UNREADABLE, f"“{job.file_name}” could not be read: {exc}")
            return
        except Exception as exc:  # a bug, not an expected failure: still show it on the job
            log.exception("journaling an upload failed unexpectedly")
            self._fail(job, FailReason.REFUSED, f"The upload failed: {type(exc).__name__}.")
            return
        if change.op_id is None:
            return
        if job._cancel_requested:  # cancelled while it was being journaled
            self._background(self._discard_op(change.op_id))
            return
        job.op_id = change.op_id
        self._by_op[job.op_id] = job
        log.info("upload journaled as op %s", job.op_id)
        self._waiting(job)

    # ------------------------------------------------------------------ user actions
    def cancel(self, job_id: int) -> None:
        """Stop a job: an upload in flight is aborted (nothing stored), its op discarded."""
        job = self._jobs.get(job_id)
        if job is None or job.finished:
            return
        job._cancel_requested = True
        self._finish(job, JobState.CANCELLED, FailReason.CANCELLED, "Cancelled.")
        if job.op_id is not None:
            self._background(self._discard_op(job.op_id))

    def _background(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _discard_op(self, op_id: int) -> None:
        try:
            await self.writes.discard(op_id)
        except Exception:
            log.info("a queued upload could not be discarded", exc_info=True)

    def retry(self, job_id: int) -> None:
        """Send a failed job's op again; a cancelled one (its op was discarded) is checked and
        journaled anew."""
        job = self._jobs.get(job_id)
        if job is None or not job.can_retry:
            return
        failed = job.state is JobState.FAILED
        self._reset(job)
        if failed and job.op_id is not None and self.writes.get(job.op_id) is not None:
            self._waiting(job)
            self._background(self.writes.retry(job.op_id))
            return
        if job.op_id is not None:
            self._by_op.pop(job.op_id, None)
            job.op_id = None
        checked = self.check(job.path)
        job.size = checked.size
        if not checked.ok:
            self._fail(job, checked.reason, checked.message)
            return
        job.state = JobState.WAITING
        self._emit(job, force=True)
        self._start(job)

    def _reset(self, job: UploadJob) -> None:
        job.sent, job.speed, job.document_id = 0, 0.0, None
        job.reason, job.error, job.finished_at, job.started_at = None, "", 0.0, 0.0
        job._samples.clear()

    def remove(self, job_id: int) -> None:
        """Forget a finished job (the list's "clear")."""
        job = self._jobs.get(job_id)
        if job is None or not job.finished:
            return
        del self._jobs[job_id]
        if job.op_id is not None:
            self._by_op.pop(job.op_id, None)
        self.removed.emit(job)

    def clear_finished(self) -> None:
        for job in [j for j in self._jobs.values() if j.state is JobState.DONE]:
            self.remove(job.job_id)

    async def wait(self, job_id: int, timeout: float | None = None) -> UploadJob:
        """Wait until a job is done, failed or cancelled."""
        job = self._jobs[job_id]
        if job.finished:
            return job
        fut: asyncio.Future[UploadJob] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(job_id, []).append(fut)
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            lst = self._waiters.get(job_id, [])
            if fut in lst:
                lst.remove(fut)

    async def wait_all(self, jobs: Iterable[UploadJob], timeout: float | None = None) -> None:
        await asyncio.wait_for(
            asyncio.gather(*(self.wait(j.job_id) for j in jobs)), timeout=timeout
        )

    async def aclose(self) -> None:
        """Stop following the queue. Journaled uploads stay in the write queue (sent by it, or
        looked up before a resend when the app stops while sending); a file still being
        journaled is not."""
        self._closed = True
        for disconnect in self._disconnects:
            disconnect()
        self._disconnects.clear()
        tasks: list[asyncio.Future[Any]] = [
            j._task for j in self._jobs.values() if j._task is not None and not j._task.done()
        ]
        tasks += [t for t in self._tasks if not t.done()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        for futs in self._waiters.values():
            for fut in futs:
                fut.cancel()
        self._waiters.clear()

    # ------------------------------------------------------------------ following the ops
    def _online(self) -> bool:
        conn = self.connectivity
        return conn is None or conn.state is ConnState.ONLINE

    def _resolved_contact(self, job: UploadJob) -> str:
        if self.store is not None:
            with contextlib.suppress(Exception):
                return str(self.store.cache.resolve_id(job.contact_id))
        return job.contact_id

    def _note(self, job: UploadJob, unknown: bool = False) -> str:
        """What a waiting upload waits for; "" when it goes as soon as an upload slot is free."""
        if self.writes.paused:
            return SIGN_IN_NOTE
        if not self._online():
            return LOST_NOTE if job.started_at else OFFLINE_NOTE
        if is_temp_id(self._resolved_contact(job)):
            return NEW_CONTACT_NOTE
        if unknown:
            return CHECKING_NOTE
        return AGAIN_NOTE if job.started_at else ""

    def _waiting(self, job: UploadJob, unknown: bool = False) -> None:
        note = self._note(job, unknown)
        state = JobState.QUEUED if note else JobState.WAITING
        if (job.state, job.error) == (state, note):
            return
        job.state, job.error, job.speed = state, note, 0.0
        self._emit(job, force=True)

    def _op_changed(self, change: OpStateChange) -> None:
        job = self._by_op.get(change.op_id)
        if job is None or job.finished:
            return
        if change.state in ("queued", "sent-unknown"):
            self._waiting(job, unknown=change.state == "sent-unknown")

    def _refresh(self) -> None:
        for job in list(self._by_op.values()):
            if job.finished:
                continue
            if job.state is JobState.SENDING and self._online():
                continue
            if job.state is JobState.SENDING:
                job.sent = 0
            self._waiting(job, unknown=job.error == CHECKING_NOTE)

    def _status_changed(self, _status: QueueStatus) -> None:
        self._refresh()

    def _conn_changed(self, _state: ConnState) -> None:
        self._refresh()

    def _op_progress(self, progress: UploadProgress) -> None:
        job = self._by_op.get(progress.op_id)
        if job is None or job.finished:
            return
        if job.state is not JobState.SENDING:
            job.state = JobState.SENDING
            job.error = ""
            job.started_at = time.monotonic()
            job._samples.clear()
            job._samples.append((job.started_at, 0))
        job.measure(progress.sent, progress.total, time.monotonic())
        self._emit(job, force=progress.sent >= progress.total)

    def _op_done(self, outcome: OpOutcome) -> None:
        job = self._by_op.get(outcome.op_id)
        if job is None or job.finished:
            return
        job.contact_id = self._resolved_contact(job)  # a contact made offline has its real id
        if outcome.ok:
            job.document_id = str(outcome.result.get("document-id") or "") or None
            job.sent = job.size
            log.info("uploaded a document of %d bytes", job.size)
            self._finish(job, JobState.DONE)
        elif outcome.error == "discarded" or job._cancel_requested:
            self._finish(job, JobState.CANCELLED, FailReason.CANCELLED, "Cancelled.")
        else:
            self._fail(job, reason_from_text(outcome.error or ""), outcome.error or "Failed.")

    # ------------------------------------------------------------------ bookkeeping
    def _emit(self, job: UploadJob, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - job._last_emit < self.progress_interval:
            return
        job._last_emit = now
        self.progress.emit(job)

    def _fail(
        self, job: UploadJob, reason: FailReason | None, message: str, *, emit: bool = True
    ) -> None:
        job.state = JobState.FAILED
        job.reason = reason
        job.error = message
        job.speed = 0.0
        job.finished_at = time.monotonic()
        if emit:
            self._emit(job, force=True)
            self.finished.emit(job)
        self._wake(job)

    def _finish(
        self,
        job: UploadJob,
        state: JobState,
        reason: FailReason | None = None,
        message: str = "",
    ) -> None:
        if state is JobState.FAILED:
            self._fail(job, reason, message)
            return
        job.state, job.reason, job.error = state, reason, message
        job.speed = 0.0
        job.finished_at = time.monotonic()
        self._emit(job, force=True)
        self.finished.emit(job)
        self._wake(job)

    def _wake(self, job: UploadJob) -> None:
        for fut in self._waiters.pop(job.job_id, []):
            if not fut.done():
                fut.set_result(job)
