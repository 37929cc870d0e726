"""The upload list: one row per file with a progress bar, speed, cancel, and why it failed.

`UploadListWidget` follows an `UploadManager` through its events (added / progress / finished
/ removed, all on the loop thread = the GUI thread) and keeps one `UploadRow` per job. A row
shows the file and the contact, a progress bar, the speed or the state, a Cancel button while
the job runs, and the error with Retry when it failed. "Clear" forgets finished uploads; with
``done_row_ms`` a file that arrived is forgotten by itself after that long (failed ones stay,
with their reason and Retry).
"""

from __future__ import annotations

import logging
from functools import partial

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from snx_desktop.services.uploads import JobState, UploadJob, UploadManager, human_size

__all__ = ["UploadListWidget", "UploadRow"]

log = logging.getLogger(__name__)


class UploadRow(QFrame):
    """One upload job."""

    def __init__(self, job: UploadJob, manager: UploadManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.job = job
        self.manager = manager
        self.setObjectName(f"upload-{job.job_id}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 4, 8, 4)
        outer.setSpacing(2)
        top = QHBoxLayout()
        top.setSpacing(6)
        self.name = QLabel(self)
        self.name.setObjectName("uploadName")
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        self.name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        top.addWidget(self.name, 1)
        self.cancel_button = QToolButton(self)
        self.cancel_button.setObjectName("cancelUpload")
        self.cancel_button.setText("Cancel")
        self.cancel_button.setAccessibleName(f"Cancel the upload of {job.file_name}")
        self.cancel_button.clicked.connect(lambda: self.manager.cancel(self.job.job_id))
        top.addWidget(self.cancel_button)
        self.retry_button = QToolButton(self)
        self.retry_button.setObjectName("retryUpload")
        self.retry_button.setText("Retry")
        self.retry_button.setAccessibleName(f"Retry the upload of {job.file_name}")
        self.retry_button.clicked.connect(lambda: self.manager.retry(self.job.job_id))
        top.addWidget(self.retry_button)
        self.dismiss_button = QToolButton(self)
        self.dismiss_button.setObjectName("dismissUpload")
        self.dismiss_button.setText("✕")
        self.dismiss_button.setAccessibleName(f"Remove {job.file_name} from the list")
        self.dismiss_button.clicked.connect(lambda: self.manager.remove(self.job.job_id))
        top.addWidget(self.dismiss_button)
        outer.addLayout(top)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("uploadProgress")
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.bar.setAccessibleName(f"Progress of {job.file_name}")
        outer.addWidget(self.bar)
        self.status = QLabel(self)
        self.status.setObjectName("uploadStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        outer.addWidget(self.status)
        self.refresh()

    def refresh(self) -> None:
        job = self.job
        who = f" → {job.contact_name}" if job.contact_name else ""
        size = f" ({human_size(job.size)})" if job.size else ""
        self.name.setText(f"{job.file_name}{size}{who}")
        self.name.setToolTip(str(job.path))
        self.bar.setValue(int(job.fraction * 1000) if job.state is not JobState.DONE else 1000)
        self.bar.setVisible(job.state in (JobState.SENDING, JobState.WAITING, JobState.QUEUED))
        self.status.setText(job.status_text)
        failed = job.state is JobState.FAILED
        if self.status.property("error") != failed:
            self.status.setProperty("error", failed)
            self.status.setStyleSheet("color: #c0392b;" if failed else "")
        self.cancel_button.setVisible(job.can_cancel)
        self.retry_button.setVisible(job.can_retry)
        self.dismiss_button.setVisible(job.finished)
        self.setAccessibleName(f"{job.file_name}: {job.status_text}")


class UploadListWidget(QWidget):
    """All upload jobs of a manager (or of one contact, with ``contact_filter``)."""

    def __init__(
        self, manager: UploadManager, parent: QWidget | None = None, *, done_row_ms: int = 0
    ) -> None:
        super().__init__(parent)
        self.setObjectName("uploadList")
        self.setAccessibleName("Uploads")
        self.manager = manager
        #: how long the row of a file that arrived stays (0: until "Clear")
        self.done_row_ms = done_row_ms
        self.contact_filter: str | None = None
        #: hide the whole list while it has no rows (when it sits inside another widget)
        self.auto_hide = True
        self.rows: dict[int, UploadRow] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        head = QHBoxLayout()
        self.title = QLabel("Uploads", self)
        self.title.setObjectName("uploadTitle")
        head.addWidget(self.title, 1)
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.setObjectName("clearUploads")
        self.clear_button.setAccessibleName("Clear finished uploads")
        self.clear_button.clicked.connect(manager.clear_finished)
        head.addWidget(self.clear_button)
        layout.addLayout(head)
        self.scroller = QScrollArea(self)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.inner = QWidget(self.scroller)
        self.inner_layout = QVBoxLayout(self.inner)
        self.inner_layout.setContentsMargins(0, 0, 0, 0)
        self.inner_layout.setSpacing(2)
        self.inner_layout.addStretch(1)
        self.scroller.setWidget(self.inner)
        layout.addWidget(self.scroller, 1)
        self._disconnects = [
            manager.added.connect(self._added),
            manager.progress.connect(self._changed),
            manager.finished.connect(self._changed),
            manager.removed.connect(self._removed),
            manager.finished.connect(self._finished),
        ]
        for job in manager.jobs:
            self._added(job)
        self._update_visibility()

    def set_contact_filter(self, contact_id: str | None) -> None:
        """Show only the uploads of one contact (None: all)."""
        self.contact_filter = contact_id
        for row in self.rows.values():
            row.setVisible(self._shown(row.job))
        self._update_visibility()

    def row(self, job_id: int) -> UploadRow | None:
        return self.rows.get(job_id)

    def close_list(self) -> None:
        """Stop following the manager (call before the manager goes away)."""
        for disconnect in self._disconnects:
            disconnect()
        self._disconnects.clear()

    def _finished(self, job: UploadJob) -> None:
        if self.done_row_ms > 0 and job.state is JobState.DONE:
            QTimer.singleShot(self.done_row_ms, self, partial(self._forget, job.job_id))

    def _forget(self, job_id: int) -> None:
        """A file that arrived is listed in the Documents tab: its row can go."""
        done = self.manager.job(job_id)
        if self._disconnects and done is not None and done.state is JobState.DONE:
            self.manager.remove(job_id)

    def _shown(self, job: UploadJob) -> bool:
        return self.contact_filter is None or job.contact_id == self.contact_filter

    def _added(self, job: UploadJob) -> None:
        if job.job_id in self.rows:
            return
        row = UploadRow(job, self.manager, self.inner)
        self.rows[job.job_id] = row
        self.inner_layout.insertWidget(self.inner_layout.count() - 1, row)
        row.setVisible(self._shown(job))
        self._update_visibility()

    def _changed(self, job: UploadJob) -> None:
        row = self.rows.get(job.job_id)
        if row is None:
            self._added(job)
            return
        row.refresh()
        self._update_title()

    def _removed(self, job: UploadJob) -> None:
        row = self.rows.pop(job.job_id, None)
        if row is not None:
            self.inner_layout.removeWidget(row)
            row.hide()
            row.deleteLater()
        self._update_visibility()

    def _update_title(self) -> None:
        jobs = [r.job for r in self.rows.values() if self._shown(r.job)]
        running = sum(1 for j in jobs if not j.finished)
        failed = sum(1 for j in jobs if j.state is JobState.FAILED)
        parts = ["Uploads"]
        if running:
            parts.append(f"{running} in progress")
        if failed:
            parts.append(f"{failed} failed")
        self.title.setText(" · ".join(parts))

    def _update_visibility(self) -> None:
        self._update_title()
        if self.auto_hide and self.parentWidget() is not None:
            self.setVisible(any(self._shown(r.job) for r in self.rows.values()))
