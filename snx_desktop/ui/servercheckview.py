"""Help ▸ Check server: a non-modal window that runs the server check
(:func:`snx_desktop.services.servercheck.check_session`) with the open session's server and
login token, and shows its report (keys, types and shapes only; no values, no secrets).

The rep keeps working while it runs; "Check again" runs it anew, "Copy report" puts the text
on the clipboard for support, and closing the window stops a check that is still running.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from snx_desktop.services.servercheck import CheckReport, SessionClient, check_session

if TYPE_CHECKING:
    from snx_desktop.services import AppServices

__all__ = ["ServerCheckView"]

log = logging.getLogger(__name__)


class ServerCheckView(QDialog):
    """The report of the server check; `check` starts one for a session's services.
    "Check again" asks for a new check through `againRequested` (the window knows the
    session open by then)."""

    againRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("serverCheckView")
        self.setWindowTitle("Check server")
        self.setAccessibleName("Check server")
        self.setModal(False)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.report: CheckReport | None = None
        self.task: asyncio.Future[CheckReport | None] | None = None
        layout = QVBoxLayout(self)
        self.status = QLabel(self)
        self.status.setObjectName("serverCheckStatus")
        self.status.setAccessibleName("Server check outcome")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("serverCheckReport")
        self.text.setAccessibleName("Server check report")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        layout.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.again = QPushButton("Check &again", self)
        self.again.setObjectName("serverCheckAgain")
        self.again.setAccessibleName("Check the server again")
        self.copy = QPushButton("&Copy report", self)
        self.copy.setObjectName("serverCheckCopy")
        self.copy.setAccessibleName("Copy the report")
        for button in (self.again, self.copy):
            button.setAutoDefault(False)
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.again.clicked.connect(self.againRequested.emit)
        self.copy.clicked.connect(self._copy)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(760, 520)

    def check(self, services: AppServices) -> asyncio.Future[CheckReport | None]:
        """Show the window and check the server of ``services`` (an ``AppServices``); a check
        still running is stopped first. Returns the running check (tests await it)."""
        self.stop()
        self.report = None
        client = services.client
        self.status.setText("Checking the server…")
        self.text.setPlainText("")
        self.again.setEnabled(False)
        self.copy.setEnabled(False)
        self.show()
        self.raise_()
        self.activateWindow()
        working_offline = not services.connectivity.may_send
        self.task = asyncio.ensure_future(self._run(client, working_offline))
        return self.task

    async def _run(self, client: SessionClient, working_offline: bool) -> CheckReport | None:
        try:
            report = await check_session(client, working_offline=working_offline)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the server check failed")
            self.status.setText("The server check stopped on an unexpected error.")
            self.again.setEnabled(True)
            return None
        self.show_report(report)
        return report

    def show_report(self, report: CheckReport) -> None:
        self.report = report
        self.status.setText(report.summary())
        self.text.setPlainText(report.text())
        self.again.setEnabled(True)
        self.copy.setEnabled(True)

    def stop(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
        self.task = None

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())

    def done(self, result: int) -> None:
        """Closing the window (Close, Esc, the title bar) stops a running check."""
        self.stop()
        super().done(result)
