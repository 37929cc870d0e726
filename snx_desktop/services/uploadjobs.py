"""An upload job as the upload list shows it: its state, progress, speed and failure reason.

`UploadJob` is one file being attached to one contact (the view of one queued upload op), read
by the GUI and changed by `uploads.UploadManager`; `JobState` is where it stands;
`reason_from_text` sorts a failed upload op's sentence into a `FailReason`.
"""

from __future__ import annotations

import asyncio
import enum
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from snx_desktop.api.values import format_datetime

from .documents import FailReason, human_size, human_speed
from .types import ID_KEY

SPEED_WINDOW = 2.0  # seconds of samples the speed is measured over


class JobState(enum.StrEnum):
    WAITING = "waiting"  # journaled, waiting for a free upload slot
    SENDING = "sending"
    QUEUED = "queued"  # journaled, waiting for something else (the connection, a sign-in...)
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL_STATES = (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


@dataclass(eq=False)
class UploadJob:
    """One file being attached to one contact. Read by the GUI; changed by the manager."""

    job_id: int
    contact_id: str
    contact_name: str
    path: Path
    file_name: str
    size: int = 0
    state: JobState = JobState.WAITING
    sent: int = 0
    speed: float = 0.0  # bytes per second over the last seconds
    reason: FailReason | None = None
    error: str = ""  # a sentence for the user when failed (or a note when queued)
    document_id: str | None = None
    op_id: int | None = None  # the write-queue op that sends it
    origin: object | None = None
    started_at: float = 0.0
    finished_at: float = 0.0
    _samples: deque[tuple[float, int]] = field(default_factory=deque, repr=False)
    _task: asyncio.Task[None] | None = field(default=None, repr=False)  # journaling it
    _cancel_requested: bool = field(default=False, repr=False)
    _last_emit: float = field(default=0.0, repr=False)

    def measure(self, sent: int, total: int, now: float) -> None:
        """Bytes sent so far (of ``total``) at ``now``; the speed over the last seconds."""
        self.sent = sent
        if total:
            self.size = total
        samples = self._samples
        samples.append((now, sent))
        while len(samples) > 2 and now - samples[0][0] > SPEED_WINDOW:
            samples.popleft()
        t0, s0 = samples[0]
        if now - t0 > 0.05:
            self.speed = (sent - s0) / (now - t0)

    def record(self) -> dict[str, str]:
        """The uploaded document as the cache lists it under its contact."""
        doc_id = self.document_id or ""
        return {
            "document-id": doc_id,
            ID_KEY: doc_id,
            "contact-id": self.contact_id,
            "file-name": Path(self.file_name).name,
            "size": str(self.size),
            "created-date": format_datetime(datetime.now()),
            "url": "",
        }

    @property
    def finished(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def fraction(self) -> float:
        return min(1.0, self.sent / self.size) if self.size else 0.0

    @property
    def can_retry(self) -> bool:
        return self.state in (JobState.FAILED, JobState.CANCELLED)

    @property
    def can_cancel(self) -> bool:
        return self.state in (JobState.WAITING, JobState.SENDING, JobState.QUEUED)

    @property
    def status_text(self) -> str:
        """A short line for the upload list."""
        if self.state is JobState.WAITING:
            return "Waiting…"
        if self.state is JobState.SENDING:
            speed = human_speed(self.speed)
            done = f"{human_size(self.sent)} of {human_size(self.size)}"
            return f"{done} · {speed}" if speed else done
        if self.state is JobState.QUEUED:
            return self.error or "Will upload when the connection returns."
        if self.state is JobState.DONE:
            return f"Attached ({human_size(self.size)})."
        if self.state is JobState.CANCELLED:
            return "Cancelled."
        return self.error or "Failed."


def reason_from_text(text: str) -> FailReason:
    """The reason behind a failed upload op, read from its sentence."""
    low = text.lower()
    if "large" in low:
        return FailReason.TOO_LARGE
    if "moved or changed" in low:
        return FailReason.MISSING
    if "could not be read" in low:
        return FailReason.UNREADABLE
    if "session" in low or "sign in" in low:
        return FailReason.SESSION_EXPIRED
    if "not found" in low or "no longer" in low:
        return FailReason.NOT_FOUND
    if "cancel" in low:
        return FailReason.CANCELLED
    return FailReason.REFUSED
