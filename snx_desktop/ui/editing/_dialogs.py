"""Building blocks of the editing dialogs: awaiting a dialog, inline errors, submit-on-accept.

`run_dialog` is the shell's (``snx_desktop.ui.dialogs``): ``open()`` plus a future resolved
by ``finished``, never ``exec()``. `SubmitDialog` checks its fields when the user presses OK,
shows what is wrong next to each field, then runs its ``submit()`` coroutine (a write through
the queue); it closes only when that succeeded, so nothing typed is lost when a write is
refused. `ErrorLabel` is the red line under a field that says what is wrong with it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Generic, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from snx_desktop.ui.dialogs import run_dialog

__all__ = ["ErrorLabel", "SubmitDialog", "field_with_error", "run_dialog"]

log = logging.getLogger(__name__)

R = TypeVar("R")

ERROR_STYLE = "color: #c0392b;"


class ErrorLabel(QLabel):
    """A message under a field; hidden while empty. Also set as the field's description."""

    def __init__(self, name: str, buddy: QWidget | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(f"{name}Error")
        self.setAccessibleName(f"{name} error")
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buddy_widget = buddy
        self.hide()

    def show_error(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))
        if self.buddy_widget is not None:
            self.buddy_widget.setAccessibleDescription(text)
            self.buddy_widget.setProperty("invalid", bool(text))


def field_with_error(editor: QWidget, name: str) -> tuple[QWidget, ErrorLabel]:
    """A small container holding ``editor`` with its error line below it."""
    box = QWidget(editor.parentWidget())
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(1)
    editor.setParent(box)
    layout.addWidget(editor)
    error = ErrorLabel(name, editor, box)
    layout.addWidget(error)
    return box, error


class SubmitDialog(QDialog, Generic[R]):
    """A dialog whose OK validates, then awaits `submit`; it stays open (content kept) on error.

    Subclasses put their fields in ``self.body`` and override `validate` (show inline errors,
    return False to stay open) and `submit` (a coroutine; its value, of type ``R``, is kept in
    ``result_value``).
    """

    def __init__(
        self,
        title: str,
        name: str,
        parent: QWidget | None = None,
        *,
        ok_text: str = "OK",
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.result_value: R | None = None
        self._task: asyncio.Future[bool] | None = None
        outer = QVBoxLayout(self)
        self.body = QVBoxLayout()
        outer.addLayout(self.body, 1)
        self.form_error = ErrorLabel("form", None, self)
        self.form_error.setObjectName("formError")
        self.form_error.setAccessibleName("Problem")
        outer.addWidget(self.form_error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setObjectName("okButton")
        self.ok_button.setAccessibleName(ok_text.replace("&", ""))
        self.cancel_button: QPushButton = self.buttons.button(
            QDialogButtonBox.StandardButton.Cancel
        )
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)

    # -- for subclasses ------------------------------------------------------------------------
    def validate(self) -> bool:
        return True

    async def submit(self) -> R:
        raise NotImplementedError

    # -- flow ------------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def show_error(self, text: str) -> None:
        self.form_error.show_error(text)

    def accept(self) -> None:
        if self.busy:
            return
        self.show_error("")
        if not self.validate():
            return
        self._task = asyncio.ensure_future(self.run_submit())

    async def run_submit(self) -> bool:
        """Submit and close on success; on failure show the error and keep everything typed."""
        self._set_busy(True)
        try:
            self.result_value = await self.submit()
        except asyncio.CancelledError:
            self._set_busy(False)
            raise
        except Exception as exc:
            log.info("%s: submit refused: %s", self.objectName(), type(exc).__name__)
            self.show_error(str(exc) or "The change could not be saved.")
            self._set_busy(False)
            return False
        self._set_busy(False)
        QDialog.accept(self)
        return True

    def wait_submitted(self) -> asyncio.Future[bool] | None:
        """The submit in flight (tests and callers may await it)."""
        return self._task

    def _set_busy(self, busy: bool) -> None:
        self.ok_button.setEnabled(not busy)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)
