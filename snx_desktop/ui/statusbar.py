"""The status bar (connection, work-offline switch, data age, pending changes, job progress)
and the message bar that shows user messages (errors and warnings) above the content.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QStatusBar,
    QToolButton,
    QWidget,
)

from snx_desktop.models.schema import format_age
from snx_desktop.ui.actions import work_offline_wording
from snx_desktop.ui.iconset import get_icon

__all__ = ["MessageBar", "StatusBar"]

CONNECTION_TEXT = {
    "starting": "Starting…",
    "signed-out": "Not signed in",
    "online": "Online",
    "offline": "Offline: showing saved data",
    "working-offline": "Working offline",
}

OFFLINE_STATES = ("offline", "working-offline")
_QUEUED_TIP = "Changes you make are queued and sent when the connection returns."
CONNECTION_TIP = {
    "online": "Connected to the SalesNexus server.",
    "offline": _QUEUED_TIP,
    "working-offline": _QUEUED_TIP,
}


class StatusBar(QStatusBar):
    """Connection state, a work-offline switch, data age, pending count, job progress."""

    workOfflineToggled = Signal(bool)
    pendingClicked = Signal()
    jobCancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.setSizeGripEnabled(True)
        self.connection = QLabel(self)
        self.connection.setObjectName("connectionStatus")
        self.connection.setAccessibleName("Connection status")
        self.work_offline = QToolButton(self)
        self.work_offline.setObjectName("workOfflineToggle")
        self.work_offline.setCheckable(True)
        self.work_offline.setAutoRaise(True)
        self.work_offline.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.work_offline.setIcon(get_icon("offline"))
        self.work_offline.toggled.connect(self.workOfflineToggled.emit)
        self.work_offline.toggled.connect(lambda _on: self._label_toggle())
        self.data_age = QLabel(self)
        self.data_age.setObjectName("dataAge")
        self.data_age.setAccessibleName("Age of the shown data")
        self.pending = QLabel(self)
        self.pending.setObjectName("pendingCount")
        self.pending.setAccessibleName("Pending changes")
        self.pending.setTextFormat(Qt.TextFormat.RichText)
        self.pending.linkActivated.connect(lambda _link: self.pendingClicked.emit())
        self.job_label = QLabel(self)
        self.job_label.setObjectName("jobLabel")
        self.job_label.setAccessibleName("Background job")
        self.job_bar = QProgressBar(self)
        self.job_bar.setObjectName("jobProgress")
        self.job_bar.setAccessibleName("Background job progress")
        self.job_bar.setMaximumWidth(160)
        self.job_bar.setMaximumHeight(14)
        self.job_bar.setTextVisible(False)
        self.job_cancel = QToolButton(self)
        self.job_cancel.setObjectName("jobCancel")
        self.job_cancel.setAccessibleName("Cancel background job")
        self.job_cancel.setText("✕")
        self.job_cancel.setToolTip("Cancel")
        self.job_cancel.setAutoRaise(True)
        self.job_cancel.clicked.connect(self.jobCancelled.emit)
        self.job_label.hide()
        self.job_bar.hide()
        self.job_cancel.hide()
        self.addPermanentWidget(self.job_label)
        self.addPermanentWidget(self.job_bar)
        self.addPermanentWidget(self.job_cancel)
        self.addPermanentWidget(self.data_age)
        self.addPermanentWidget(self.pending)
        self.addPermanentWidget(self.connection)
        self.addPermanentWidget(self.work_offline)
        self._fetched_at = 0.0
        self._age_timer = QTimer(self)
        self._age_timer.setInterval(30_000)
        self._age_timer.timeout.connect(self._show_age)
        self._age_timer.start()
        self.set_connection("starting")
        self.set_pending(0)
        self.set_data_age(0.0)

    def set_connection(self, state: str) -> None:
        self.connection.setText(CONNECTION_TEXT.get(state, state))
        offline = "true" if state in OFFLINE_STATES else "false"
        changed = self.connection.property("offline") != offline
        self.connection.setProperty("offline", offline)
        self.connection.setToolTip(CONNECTION_TIP.get(state, ""))
        if changed and self.isVisible():  # re-evaluate [offline="true"] in the stylesheet
            self.connection.style().unpolish(self.connection)
            self.connection.style().polish(self.connection)
        self.work_offline.blockSignals(True)
        self.work_offline.setChecked(state == "working-offline")
        self.work_offline.blockSignals(False)
        self._label_toggle()

    def _label_toggle(self) -> None:
        """The switch says what pressing it does (the same words as the menu and toolbar)."""
        wording = work_offline_wording(self.work_offline.isChecked())
        self.work_offline.setText(wording.label)
        self.work_offline.setAccessibleName(wording.label)
        self.work_offline.setToolTip(wording.tooltip)

    def set_pending(self, count: int, failed: int = 0, conflicts: int = 0) -> None:
        if not count:
            self.pending.setText("No pending changes")
            return
        text = f"{count:,} pending change" + ("" if count == 1 else "s")
        extra = []
        if failed:
            extra.append(f"{failed} failed")
        if conflicts:
            extra.append(f"{conflicts} in conflict")
        if extra:
            text += f" ({', '.join(extra)})"
        self.pending.setText(f'<a href="pending">{text}</a>')

    def set_data_age(self, fetched_at: float) -> None:
        self._fetched_at = fetched_at
        self._show_age()

    def _show_age(self) -> None:
        if not self._fetched_at:
            self.data_age.setText("")
            return
        self.data_age.setText(f"Data updated {format_age(self._fetched_at, time.time())}")

    def set_job(self, text: str, done: int, total: int, finished: bool) -> None:
        if finished:
            self.job_label.hide()
            self.job_bar.hide()
            self.job_cancel.hide()
            if text:
                self.showMessage(text, 5000)
            return
        self.job_label.setText(text)
        self.job_bar.setRange(0, max(total, 0))
        if total > 0:
            self.job_bar.setValue(min(done, total))
        self.job_label.show()
        self.job_bar.show()
        self.job_cancel.show()


class MessageBar(QFrame):
    """A dismissable strip above the content with the latest error or warning."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.setAccessibleName("Message")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.icon = QLabel(self)
        self.icon.setPixmap(get_icon("warning").pixmap(16, 16))
        layout.addWidget(self.icon)
        self.text = QLabel(self)
        self.text.setObjectName("messageText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text, 1)
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setAccessibleName("Dismiss message")
        close.clicked.connect(self.hide)
        layout.addWidget(close)
        self.level = ""
        self.hide()

    def show_message(self, level: str, text: str) -> None:
        self.icon.setVisible(level in ("warning", "error"))
        self.level = level
        self.setProperty("level", level)
        self.text.setText(text)
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()
