"""A banner above the record details while a change is held in conflict, with Resolve….

A conflict is easy to miss in the Pending changes list: the banner says which record was
changed on the server too, right where the rep looks, without stopping the work (it is not a
dialog). The open record's own conflict comes first; otherwise the oldest one is named, with
how many more wait. Resolve… opens the conflict review for that change.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from snx_desktop.ui.dialogs import run_dialog
from snx_desktop.ui.editing.conflictdialog import ConflictDialog, record_title

if TYPE_CHECKING:
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.types import Conflict

__all__ = ["ConflictBanner"]

log = logging.getLogger(__name__)

STYLE = (
    "QFrame#conflictBanner { background: #fdecea; border: 1px solid #e6b0aa;"
    " border-radius: 4px; } QLabel { color: #922b21; }"
)


class ConflictBanner(QFrame):
    """Shown while any change is in conflict; ``current()`` names the open (kind, id)."""

    resolved = Signal(int)  # the op id of a conflict resolved from here

    def __init__(
        self,
        services: AccountServices,
        current: Callable[[], tuple[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conflictBanner")
        self.setAccessibleName("Conflict")
        self.setStyleSheet(STYLE)
        self.services = services
        self._current = current
        self.conflict: Conflict | None = None
        self._task: asyncio.Future[bool] | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.text = QLabel(self)
        self.text.setObjectName("conflictBannerText")
        self.text.setWordWrap(True)
        layout.addWidget(self.text, 1)
        self.resolve_button = QPushButton("Resolve…", self)
        self.resolve_button.setObjectName("conflictBannerResolve")
        self.resolve_button.setAccessibleName("Resolve conflict")
        self.resolve_button.setToolTip("Choose which values to keep: yours or the server's")
        self.resolve_button.clicked.connect(self._resolve_clicked)
        layout.addWidget(self.resolve_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        writes = services.writes
        self._disconnects = [
            writes.status_changed.connect(self._schedule),
            services.changes.connect(self._schedule),
        ]
        self.hide()
        self.refresh()

    def detach(self) -> None:
        """Stop following the queue (before the services close)."""
        for disconnect in self._disconnects:
            disconnect()
        self._disconnects.clear()

    def _schedule(self, _value: object = None) -> None:
        try:
            self._timer.start()
        except RuntimeError:  # the widget is gone
            self.detach()

    def refresh(self, *_args: object) -> None:
        """Show the open record's conflict, else the oldest one; hide when there is none."""
        try:
            conflicts = (
                self.services.writes.conflicts() if self.services.writes.status.conflicts else []
            )
        except Exception:
            log.exception("reading the conflicts failed")
            conflicts = []
        if not conflicts:
            self.conflict = None
            self.hide()
            return
        kind, rid = self._current()
        mine = [c for c in conflicts if c.target == (kind, rid)]
        chosen = (mine or sorted(conflicts, key=lambda c: c.op_id))[0]
        self.conflict = chosen
        schema = self.services.schema.current
        names = ", ".join(
            schema.label(f) if schema is not None else f for f in sorted(chosen.fields)
        )
        text = (
            f"{record_title(self.services, chosen.target)} was changed on the server too"
            f" ({names}). Your change is held until you choose which values to keep."
        )
        others = len(conflicts) - 1
        if others:
            text += f" {others} more {'change is' if others == 1 else 'changes are'} in conflict."
        self.text.setText(text)
        self.show()

    def _resolve_clicked(self) -> None:
        self._task = asyncio.ensure_future(self.resolve())

    async def resolve(self) -> bool:
        """Open the conflict review of the change named; True once it was resolved."""
        conflict = self.conflict
        if conflict is None:
            return False
        dialog = ConflictDialog(self.services, conflict, self.window())
        try:
            if await run_dialog(dialog) != ConflictDialog.DialogCode.Accepted:
                return False
            self.resolved.emit(conflict.op_id)
            return True
        finally:
            dialog.deleteLater()
            self._schedule()
