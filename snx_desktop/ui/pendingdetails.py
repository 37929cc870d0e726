"""The details of the pending change selected in the Pending changes list, shown in the
right-hand pane: what it changes (old → new), its state and why, and when it was made."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from snx_desktop.api.values import format_datetime as wire_datetime
from snx_desktop.models.columns import format_moment

if TYPE_CHECKING:
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.types import PendingOp
    from snx_desktop.ui.editing import PendingPanel
    from snx_desktop.ui.mainwindow import MainWindow

__all__ = ["PendingDetails", "pending_rows"]

log = logging.getLogger(__name__)

KIND_NAMES = {
    "contact": "Contact",
    "group": "Group",
    "activity": "Activity",
    "note": "Note",
    "sale": "Sale",
    "campaign": "Campaign",
    "document": "Document",
}


def pending_rows(op: PendingOp, label: dict[str, str] | None = None) -> dict[str, str]:
    """Label -> text rows telling what a queued change is."""
    from snx_desktop.ui.editing.pendingpanel import describe_state

    rows: dict[str, str] = {"Change": op.summary, "State": describe_state(op)}
    if op.target is not None:
        kind = KIND_NAMES.get(op.target[0], op.target[0].title())
        rows["On"] = kind
    if op.created_at:
        rows["Made"] = format_moment(wire_datetime(datetime.fromtimestamp(op.created_at)))
    names = label or {}
    for fid, (old, new) in op.changes.items():
        rows[names.get(fid, fid)] = f"{old or '—'} → {new or '—'}"
    return rows


class PendingDetails(QObject):
    """Shows the pending panel's current change in the detail pane while Pending is shown."""

    def __init__(self, window: MainWindow, panel: PendingPanel, services: AccountServices) -> None:
        super().__init__(panel)
        self.setObjectName("pendingDetails")
        self.window = window
        self.panel = panel
        self.services = services
        self.shown = False  # a pending change is in the detail pane
        tree = getattr(panel, "tree", None)
        if tree is not None:
            tree.currentItemChanged.connect(lambda *_a: self.show_current())
        window.navigation.sectionChanged.connect(self._section_changed)

    def _section_changed(self, section: str) -> None:
        if section == "pending":
            self.show_current()
        elif self.shown:
            self.shown = False
            if not self.window.detail.kind:
                self.window.detail.clear()

    def show_current(self) -> None:
        window = self.window
        if window.list_pane.section != "pending":
            return
        op_id = self.panel.current_op_id()
        op = next((o for o in self.services.writes.pending() if o.op_id == op_id), None)
        detail = window.detail
        if op is None:
            if self.shown and not detail.kind:
                detail.clear()
            self.shown = False
            return
        schema = self.services.schema.current
        labels = {fid: schema.label(fid) for fid in op.changes} if schema is not None else {}
        detail.clear()
        detail.stack.setCurrentWidget(detail.record)
        detail.record.show_values("Pending change", op.summary, pending_rows(op, labels))
        detail.record.header.set_state("")
        self.shown = True
