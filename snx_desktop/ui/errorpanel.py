"""A non-modal panel that shows unexpected errors (bugs) without stopping the app.

The app's ``sys.excepthook`` and the asyncio loop's exception handler send every uncaught
exception here: the user sees a short sentence, the details can be copied for a bug report,
and the app keeps running. Expected failures never come here; they are messages.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

__all__ = ["ErrorPanel"]


class ErrorPanel(QDialog):
    """Collects unexpected errors; shown non-modally, raised on each new error."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorPanel")
        self.setWindowTitle("Something went wrong")
        self.setModal(False)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.count = 0
        layout = QVBoxLayout(self)
        self._summary = QLabel(self)
        self._summary.setWordWrap(True)
        self._summary.setAccessibleName("Error summary")
        layout.addWidget(self._summary)
        self._details = QPlainTextEdit(self)
        self._details.setReadOnly(True)
        self._details.setAccessibleName("Error details")
        self._details.setObjectName("errorDetails")
        layout.addWidget(self._details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = QPushButton("Copy details", self)
        copy.setAccessibleName("Copy error details")
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self._copy)
        buttons.rejected.connect(self.hide)
        layout.addWidget(buttons)
        self.resize(560, 360)

    def add_error(self, summary: str, details: str) -> None:
        """Append one error and show the panel without blocking anything."""
        self.count += 1
        text = summary if self.count == 1 else f"{summary}\n({self.count} errors so far)"
        self._summary.setText(
            text + "\nThe app keeps running; you may want to save your work and restart it."
        )
        self._details.appendPlainText(f"--- {summary}\n{details.rstrip()}\n")
        self.show()
        self.raise_()

    def details_text(self) -> str:
        return self._details.toPlainText()

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.details_text())
