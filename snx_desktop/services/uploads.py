"""Document uploads and downloads for contacts: per-file jobs with progress, cancel and retry.

`UploadManager` turns "attach these files to this contact" into one `UploadJob` per file:

* Every file is checked before anything is sent (a folder, missing, unreadable, empty, or over
  the client's limit, 50 MB by default like the server's documented limit). A refused file
  becomes a failed job with a sentence saying why; nothing goes over the wire for it.
* Online, each file is streamed through ``client.add_doc_to_contact`` (base64 produced chunk
  by chunk, so memory does not grow with the file). Progress reports bytes, total and speed;
  a job can be cancelled (its task is cancelled, the request is aborted before the body is
  complete, so the server stores nothing) and retried. One file failing never stops the
  others.
* Offline (the connectivity state is not online), for a contact created offline (temporary
  id), or when the connection drops before the whole body went out, the file is handed to
  `WriteQueue.upload_document`: copied into the store and uploaded when the connection
  returns. The job stays in the list as "queued" and follows the queued op to its end.

Two uploads run at a time by default (``concurrency``): a small file is not stuck behind a
big one, while more parallel requests would only split the same uplink between more files
(none finishing sooner) and hold more files and sockets open.

The checks, safe file names and downloads live in `documents`, the job itself (state,
progress, speed) in `uploadjobs` (both re-exported here), and what a failed request means for
its job in `uploadfailures`.

Pure asyncio: no Qt import. Events are the services' `Event` type, emitted on the loop thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from .lazyclient import ClientSource, lazy_client
from .types import Change, OpOutcome, WriteRefused, is_temp_id
from .uploadfailures import send_failure
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
    from snx_desktop.api.client import SalesNexusClient

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 2


class UploadManager:
    """Per-file upload jobs over the wire client, with the write queue for offline work."""

    def __init__(
        self,
        client: ClientSource,
        *,
        writes: Any = None,
        connectivity: Any = None,
        store: Any = None,
        hub: Event[Change] | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress_interval: float = 0.1,
    ) -> None:
        self._clients = lazy_client(client)
        self.writes = writes
        self.connectivity = connectivity
        self.store = store
        self.hub = hub
        self.max_bytes = int(max_bytes)
        self.progress_interval = progress_interval
        self._slots = asyncio.Semaphore(max(1, int(concurrency)))
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
        self._disconnects: list[Any] = []
        if writes is not None:
            self._disconnects.append(writes.upload_progress.connect(self._op_progress))
            self._disconnects.append(writes.op_done.connect(self._op_done))
        if connectivity is not None:
            self._disconnects.append(connectivity.changed.connect(self._conn_changed))

    @classmethod
    def for_services(cls, services: Any, **options: Any) -> UploadManager:
        """A manager over an `AppServices` (client, write queue, connectivity, store, hub)."""
        return cls(
            services.lazy_client,
            writes=services.writes,
            connectivity=services.connectivity,
            store=services.store,
            hub=services.changes,
            **options,
        )

    @property
    def client(self) -> SalesNexusClient:
        return self._clients.get()

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
        """One job per path; checked now, sent in the background. Refused files come back as
        failed jobs (nothing sent for them); the others start."""
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
        job._task = asyncio.ensure_future(self._run(job))

    # ------------------------------------------------------------------ user actions
    def cancel(self, job_id: int) -> None:
        """Stop a job: an upload in flight is aborted (nothing stored), a queued one removed."""
        job = self._jobs.get(job_id)
        if job is None or job.finished:
            return
        job._cancel_requested = True
        if job.op_id is not None and job.state in (JobState.QUEUED, JobState.SENDING):
            op_id = job.op_id
            self._finish(job, JobState.CANCELLED, FailReason.CANCELLED, "Cancelled.")
            if self.writes is not None:
                self._background(self._discard_op(op_id))
            return
        if job._task is not None and not job._task.done():
            job._task.cancel()

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
        """Send a failed or cancelled job again (checked again first)."""
        job = self._jobs.get(job_id)
        if job is None or not job.can_retry:
            return
        if job.op_id is not None and self.writes is not None:
            op = self.writes.get(job.op_id)
            if op is not None:
                job.state, job.reason, job.error = JobState.QUEUED, None, ""
                self._emit(job, force=True)
                self._background(self.writes.retry(job.op_id))
                return
            self._by_op.pop(job.op_id, None)
            job.op_id = None
        checked = self.check(job.path)
        job.size = checked.size
        job.sent, job.speed, job.document_id = 0, 0.0, None
        job._samples.clear()
        if not checked.ok:
            self._fail(job, checked.reason, checked.message)
            return
        job.state, job.reason, job.error, job.finished_at = JobState.WAITING, None, "", 0.0
        self._emit(job, force=True)
        self._start(job)

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
        """Cancel every upload in flight (queued ones stay in the write queue)."""
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

    # ------------------------------------------------------------------ running a job
    def _online(self) -> bool:
        conn = self.connectivity
        return conn is None or conn.state is ConnState.ONLINE

    def _resolved_contact(self, job: UploadJob) -> str:
        if self.store is not None:
            with contextlib.suppress(Exception):
                return str(self.store.cache.resolve_id(job.contact_id))
        return job.contact_id

    async def _run(self, job: UploadJob) -> None:
        try:
            async with self._slots:
                if job._cancel_requested:
                    raise asyncio.CancelledError
                job.contact_id = self._resolved_contact(job)
                if is_temp_id(job.contact_id) or not self._online():
                    await self._enqueue(job, offline=not self._online())
                    return
                if job._unknown and await self._landed(job):
                    return
                await self._send(job)
        except asyncio.CancelledError:
            if job._cancel_requested:
                if not job.finished:
                    self._finish(job, JobState.CANCELLED, FailReason.CANCELLED, "Cancelled.")
                return
            raise
        except Exception as exc:  # a bug, not an expected failure: still show it on the job
            log.exception("upload job failed unexpectedly")
            self._fail(job, FailReason.REFUSED, f"The upload failed: {type(exc).__name__}.")

    async def _send(self, job: UploadJob) -> None:
        job.state, job.sent, job.speed = JobState.SENDING, 0, 0.0
        job.started_at = time.monotonic()
        job._samples.clear()
        job._samples.append((job.started_at, 0))
        self._emit(job, force=True)

        def progress(sent: int, total: int) -> None:
            self._progress(job, sent, total)

        try:
            if job._existing is None:
                job._existing = await self._same_documents(job)
            created = await self.client.add_doc_to_contact(
                job.contact_id, job.file_name, job.path, progress=progress
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            failure = send_failure(exc, job.file_name, job.size, can_queue=self.writes is not None)
            if failure is None:
                raise
            if failure.offline is not None:
                self._report_offline(failure.offline)
            if failure.queue:
                await self._enqueue(job, offline=True, lost=True)
                return
            if failure.unknown:
                job._unknown = True
            self._fail(job, failure.reason, failure.message)
            return
        if self.connectivity is not None:
            self.connectivity.report_success()
        job.sent = job.size
        job.document_id = created.id
        self._remember(job)
        log.info("uploaded a document of %d bytes", job.size)
        self._finish(job, JobState.DONE)

    def _progress(self, job: UploadJob, sent: int, total: int) -> None:
        job.measure(sent, total, time.monotonic())
        self._emit(job, force=sent >= total)

    async def _same_documents(self, job: UploadJob) -> set[str]:
        """Ids of the contact's documents that look like this file (name and size) right now."""
        docs = await self.client.get_docs_for_contact(job.contact_id)
        name = Path(job.file_name).name
        return {
            d.document_id for d in docs.items if d.file_name == name and int(d.size) == job.size
        }

    async def _landed(self, job: UploadJob) -> bool:
        """After an unknown outcome: is the document on the server already?

        Documents that looked the same before the first send (`UploadJob._existing`) and the
        ones the cache knew are someone else's, never taken for ours."""
        try:
            same = await self._same_documents(job)
        except Exception:
            log.info("could not check the contact's documents before a resend", exc_info=True)
            return False
        skip = self._known_documents(job.contact_id) | (job._existing or set())
        job._unknown = False
        new = sorted(same - skip)
        if not new:
            return False
        job.document_id = new[0]
        job.sent = job.size
        self._remember(job)
        self._finish(job, JobState.DONE)
        return True

    def _known_documents(self, contact_id: str) -> set[str]:
        if self.store is None:
            return set()
        with contextlib.suppress(Exception):
            cached = self.store.cache.get_children("contact", contact_id, "document")
            if cached is not None:
                return {rid for rid, _ in cached.value}
        return set()

    async def _enqueue(self, job: UploadJob, *, offline: bool, lost: bool = False) -> None:
        if self.writes is None:
            self._fail(
                job,
                FailReason.OFFLINE,
                "Offline: the file can be attached when the connection returns.",
            )
            return
        try:
            change = await self.writes.upload_document(
                job.contact_id, job.path, file_name=job.file_name, origin=job.origin
            )
        except WriteRefused as exc:
            self._fail(job, FailReason.REFUSED, str(exc))
            return
        except OSError as exc:
            self._fail(job, FailReason.UNREADABLE, f"“{job.file_name}” could not be copied: {exc}")
            return
        job.op_id = change.op_id
        if job.op_id is not None:
            self._by_op[job.op_id] = job
        job.state, job.sent, job.speed = JobState.QUEUED, 0, 0.0
        if lost:
            job.error = "Connection lost: will upload when it returns."
        elif offline:
            job.error = "Offline: will upload when the connection returns."
        else:
            job.error = "Waiting for the new contact to be saved."
        log.info("upload handed to the write queue as op %s", job.op_id)
        self._emit(job, force=True)

    # ------------------------------------------------------------------ write-queue events
    def _op_progress(self, progress: Any) -> None:
        job = self._by_op.get(progress.op_id)
        if job is None or job.finished:
            return
        if job.state is not JobState.SENDING:
            job.state = JobState.SENDING
            job.error = ""
            job.started_at = time.monotonic()
            job._samples.clear()
            job._samples.append((job.started_at, 0))
        self._progress(job, progress.sent, progress.total)

    def _op_done(self, outcome: OpOutcome) -> None:
        job = self._by_op.get(outcome.op_id)
        if job is None or job.finished:
            return
        job.contact_id = self._resolved_contact(job)  # a contact made offline has its real id
        if outcome.ok:
            job.document_id = str(outcome.result.get("document-id") or "") or None
            job.sent = job.size
            self._finish(job, JobState.DONE)
        elif outcome.error == "discarded" or job._cancel_requested:
            self._finish(job, JobState.CANCELLED, FailReason.CANCELLED, "Cancelled.")
        else:
            self._fail(job, reason_from_text(outcome.error or ""), outcome.error or "Failed.")

    def _conn_changed(self, state: ConnState) -> None:
        if state is ConnState.ONLINE:
            return
        for job in self._by_op.values():
            if job.state is JobState.SENDING:
                job.state, job.sent, job.speed = JobState.QUEUED, 0, 0.0
                job.error = "Connection lost: will upload when it returns."
                self._emit(job, force=True)

    # ------------------------------------------------------------------ bookkeeping
    def _report_offline(self, reason: str) -> None:
        if self.connectivity is not None:
            self.connectivity.report_failure(reason)

    def _remember(self, job: UploadJob) -> None:
        """Show the new document on the contact at once (cache + a Change on the hub)."""
        doc_id = job.document_id
        if not doc_id:
            return
        if self.store is not None:
            try:
                self.store.cache.add_child(
                    "contact", job.contact_id, "document", doc_id, job.record(), first=False
                )
            except Exception:
                log.warning("could not add the uploaded document to the cache", exc_info=True)
        if self.hub is not None:
            self.hub.emit(
                Change(
                    "document",
                    "created",
                    (doc_id,),
                    parent=("contact", job.contact_id),
                    origin=job.origin,
                )
            )

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
