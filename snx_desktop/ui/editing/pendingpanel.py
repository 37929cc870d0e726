"""The Pending changes panel: every queued write, what it changes, its state, and what to do.

Each row is one op from ``WriteQueue.pending()``: its summary, its state (waiting, sending,
failed with the error, conflict) and, under it, each changed field as old → new. Retry
(failed), Discard (anything not being sent), Undo (only while waiting, before it is sent) and
Resolve… (a conflict: opens `ConflictDialog`). The list follows the queue live: queue status,
op outcomes, the changes hub and the outbox journal all trigger one coalesced refresh.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from snx_desktop import messages
from snx_desktop.ui.dialogs import run_dialog
from snx_desktop.ui.editing.conflictdialog import Choice, ConflictDialog
from snx_desktop.ui.texts import readable_error

if TYPE_CHECKING:
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.types import PendingOp

__all__ = ["PendingPanel", "describe_state"]

log = logging.getLogger(__name__)

OP_ROLE = int(Qt.ItemDataRole.UserRole) + 1
STATE_TEXT = {
    "waiting": "Waiting",
    "blocked": "Held",
    "sending": "Sending…",
    "failed": "Failed",
    "conflict": "Conflict",
}


def describe_state(op: PendingOp) -> str:
    text = STATE_TEXT.get(op.state, str(op.state))
    if op.state in ("failed", "blocked") and op.error:
        text += f": {op.error}"
    return text


class _WrappingDelegate(QStyledItemDelegate):
    """Row heights that fit the text wrapped at the column's width (a tree view asks the
    delegate with no width, so long lines would be cut with "…")."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self._tree = tree

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        depth, parent = 0, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        width = self._tree.columnWidth(index.column())
        if index.column() == 0:
            width -= self._tree.indentation() * (depth + 1)
        wrapped = QStyleOptionViewItem(option)
        wrapped.rect = QRect(0, 0, max(width, 40), 1)
        return super().sizeHint(wrapped, index)


class PendingPanel(QWidget):
    """Lists the queue; ``resolved(op_id)`` after a conflict was resolved here."""

    resolved = Signal(int)

    def __init__(self, services: AccountServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pendingPanel")
        self.setAccessibleName("Pending changes")
        self.services = services
        self._disconnects: list[Callable[[], None]] = []
        self._task: asyncio.Future[object] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.summary = QLabel(self)
        self.summary.setObjectName("pendingSummary")
        self.summary.setAccessibleName("Pending changes summary")
        self.summary.setWordWrap(True)  # a long summary never widens the window
        layout.addWidget(self.summary)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("pendingList")
        self.tree.setAccessibleName("Pending changes list")
        self.tree.setHeaderLabels(["Change", "State"])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(True)
        self.tree.setItemDelegate(_WrappingDelegate(self.tree))
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        # long lines wrap: row heights follow the width of the list
        self.tree.header().sectionResized.connect(lambda *_a: self.tree.doItemsLayout())
        layout.addWidget(self.tree, 1)
        row = QHBoxLayout()
        self.retry_button = self._button("&Retry", "retryButton", "Send this change again")
        self.undo_button = self._button("&Undo", "undoButton", "Take back a change not sent yet")
        self.discard_button = self._button("&Discard", "discardButton", "Drop this change")
        self.resolve_button = self._button("Re&solve…", "resolveButton", "Review the conflict")
        for b in (self.retry_button, self.undo_button, self.discard_button, self.resolve_button):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        self.retry_button.clicked.connect(lambda: self._spawn(self.retry(self.current_op_id())))
        self.undo_button.clicked.connect(lambda: self._spawn(self.undo(self.current_op_id())))
        self.discard_button.clicked.connect(lambda: self._spawn(self.discard(self.current_op_id())))
        self.resolve_button.clicked.connect(lambda: self._spawn(self.resolve(self.current_op_id())))
        self.tree.currentItemChanged.connect(lambda *_a: self._update_buttons())
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        self._attach()
        self.refresh()

    def _button(self, text: str, name: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(text.replace("&", "").replace("…", ""))
        button.setToolTip(tip)
        return button

    # -- live updates --------------------------------------------------------------------------
    def _attach(self) -> None:
        writes = self.services.writes
        self._disconnects += [
            writes.status_changed.connect(self._schedule),
            writes.op_done.connect(self._schedule),
            self.services.changes.connect(self._schedule),
            self.services.store.outbox.subscribe(self._outbox_changed),
        ]

    def detach(self) -> None:
        """Stop following the queue (call before the services close)."""
        for disconnect in self._disconnects:
            try:
                disconnect()
            except Exception:
                log.debug("disconnect failed", exc_info=True)
        self._disconnects.clear()

    def _outbox_changed(self) -> None:
        self._schedule(None)

    def _schedule(self, _value: object) -> None:
        try:
            self._timer.start()
        except RuntimeError:  # the widget is gone
            self.detach()

    # -- showing -------------------------------------------------------------------------------
    def _label(self, field_id: str) -> str:
        schema = self.services.schema.current
        return schema.label(field_id) if schema is not None else field_id

    def refresh(self) -> None:
        current = self.current_op_id()
        try:
            ops = list(self.services.writes.pending())
        except Exception:
            log.exception("reading the queue failed")
            return
        self.tree.clear()
        for op in ops:
            item = QTreeWidgetItem([_headline(op), describe_state(op)])
            item.setData(0, OP_ROLE, op.op_id)
            item.setToolTip(1, describe_state(op))
            if op.state in ("failed", "conflict"):
                item.setForeground(1, QBrush(QColor("#c0392b")))
            for fid, (old, new) in op.changes.items():
                child = QTreeWidgetItem([f"{self._label(fid)}: “{old}” → “{new}”", ""])
                child.setToolTip(0, child.text(0))
                item.addChild(child)
            item.setToolTip(0, op.summary)
            advice = _advice(op.state)
            hint: QTreeWidgetItem | None = None
            if advice:
                # the whole reason, and what to do about it, across the width under the change
                reason = (
                    self._conflict_reason(op)
                    if op.state == "conflict"
                    else readable_error(describe_state(op), "")
                )
                hint = QTreeWidgetItem([f"{reason} {advice}".strip(), ""])
                hint.setForeground(0, QBrush(QColor("#c0392b")))
                hint.setToolTip(0, hint.text(0))
                item.addChild(hint)
            self.tree.addTopLevelItem(item)
            if hint is not None:
                hint.setFirstColumnSpanned(True)
            if op.op_id == current:
                self.tree.setCurrentItem(item)
        self.tree.expandAll()
        failed = sum(1 for o in ops if o.state == "failed")
        conflicts = sum(1 for o in ops if o.state == "conflict")
        text = (
            f"{len(ops)} change{'s' if len(ops) != 1 else ''} not sent yet"
            if ops
            else ("Everything has been sent.")
        )
        if failed:
            text += f", {failed} failed"
        if conflicts:
            text += f", {conflicts} in conflict"
        if ops:
            text += ". Select one to retry, undo, discard or resolve it."
        self.summary.setText(text)
        self._update_buttons()

    def _conflict_reason(self, op: PendingOp) -> str:
        """What moved on the server, by field name (the state column says "Conflict")."""
        fields = sorted(op.conflict.fields) if op.conflict is not None else []
        names = ", ".join(self._label(f) for f in fields)
        return f"Changed on the server too ({names})." if names else "Changed on the server too."

    def _current_op(self) -> PendingOp | None:
        op_id = self.current_op_id()
        if not op_id:
            return None
        try:
            return self.services.writes.get(op_id)
        except Exception:
            return None

    def current_op_id(self) -> int:
        item = self.tree.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        return int(item.data(0, OP_ROLE) or 0) if item is not None else 0

    def select_op(self, op_id: int) -> bool:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item is not None and item.data(0, OP_ROLE) == op_id:
                self.tree.setCurrentItem(item)
                return True
        return False

    def _update_buttons(self) -> None:
        op = self._current_op()
        state = op.state if op is not None else ""
        self.retry_button.setEnabled(state == "failed")
        self.undo_button.setEnabled(state == "waiting")
        self.discard_button.setEnabled(state in ("waiting", "failed", "conflict"))
        self.resolve_button.setEnabled(state == "conflict")

    # -- actions -------------------------------------------------------------------------------
    def _spawn(self, coro: Coroutine[object, None, object]) -> None:
        self._task = asyncio.ensure_future(coro)

    async def _guard(self, what: str, coro: Awaitable[object]) -> bool:
        try:
            await coro
        except Exception as exc:
            log.info("%s refused: %s", what, type(exc).__name__)
            messages.error(str(exc) or f"Could not {what} this change.")
            self.refresh()
            return False
        self.refresh()
        return True

    async def retry(self, op_id: int) -> bool:
        return bool(op_id) and await self._guard("retry", self.services.writes.retry(op_id))

    async def undo(self, op_id: int) -> bool:
        return bool(op_id) and await self._guard("undo", self.services.writes.undo(op_id))

    async def discard(self, op_id: int) -> bool:
        return bool(op_id) and await self._guard("discard", self.services.writes.discard(op_id))

    async def resolve(self, op_id: int) -> dict[str, Choice] | None:
        """Open the conflict review of ``op_id``; returns the choices or None."""
        conflict = next((c for c in self.services.writes.conflicts() if c.op_id == op_id), None)
        if conflict is None:
            return None
        dialog = ConflictDialog(self.services, conflict, self)
        try:
            if await run_dialog(dialog) != ConflictDialog.DialogCode.Accepted:
                return None
            self.resolved.emit(op_id)
            return dialog.result_value
        finally:
            try:
                dialog.deleteLater()
                self.refresh()
            except RuntimeError:  # the panel went away while the dialog was open
                log.debug("panel closed during conflict review")


def _headline(op: PendingOp) -> str:
    """The row's text: what is changed and on which record. The values changed are the lines
    under it, so they are not repeated here (a summary cut at the edge told nothing)."""
    head, sep, _values = op.summary.partition(": ")
    return head if sep and op.changes else op.summary


def _advice(state: str) -> str:
    """What a rep can do about a change that did not go through."""
    if state == "failed":
        return "Fix the cause, then Retry; or Discard the change."
    if state == "conflict":
        return "Press Resolve… to choose which values to keep."
    if state == "blocked":
        return "Retry or discard the earlier change this one waits for."
    return ""
