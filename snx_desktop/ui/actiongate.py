"""Actions that need an open record stay disabled until there is one, and say why.

Add note, Attach file, New sale, Delete this record, Complete activity, Add to group and Add to
campaign act on the record open in the detail pane (or the contacts selected in the list).
While there is none, each is disabled and its tooltip (and status tip) tells the rep what to do
first ("Open a contact first"); the toolbar button, the header button and the menu item follow,
since they all show the same action.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

if TYPE_CHECKING:
    from snx_desktop.ui.mainwindow import MainWindow

__all__ = ["SIGN_IN_FIRST", "ActionGate"]

SIGN_IN_FIRST = "Sign in first"


class ActionGate(QObject):
    """Enables the record actions of ``window`` by what is open, with the reason when not."""

    def __init__(self, window: MainWindow, actions: Mapping[str, QAction]) -> None:
        super().__init__(window)
        self.setObjectName("actionGate")
        self.window = window
        self._base: dict[str, str] = {}
        self._rules: dict[str, Callable[[], str]] = {
            "actionAddNote": self._contact_or_group,
            "actionDeleteShown": self._contact_or_group,
            "actionAttachFile": self._contact,
            "actionNewSale": self._contact,
            "actionCompleteActivity": self._activity,
            "actionAddToGroup": self._contacts,
            "actionAddToCampaign": self._contacts,
        }
        self.actions = {name: actions[name] for name in self._rules if name in actions}
        for name, action in self.actions.items():
            self._base[name] = action.toolTip()
        detail, lp = window.detail, window.list_pane
        detail.recordOpened.connect(lambda *_a: self.update())
        detail.stack.currentChanged.connect(lambda *_a: self.update())
        lp.currentRecordChanged.connect(lambda *_a: self.update())
        for view in lp.views.values():
            view.selectionModel().selectionChanged.connect(lambda *_a: self.update())
        window.navigation.sectionChanged.connect(lambda *_a: self.update())
        self.update()

    def reason(self, name: str) -> str:
        """Why action ``name`` cannot be used now ("" when it can)."""
        if getattr(self.window.features, "services", None) is None:
            return SIGN_IN_FIRST
        return self._rules[name]()

    def update(self) -> None:
        for name, action in self.actions.items():
            why = self.reason(name)
            base = self._base[name]
            tip = f"{base} ({why.lower()})" if why else base
            action.setEnabled(not why)
            if action.toolTip() != tip:
                action.setToolTip(tip)
                action.setStatusTip(tip)

    # -- what each action needs ---------------------------------------------------------------
    def _open(self) -> tuple[str, str]:
        detail = self.window.detail
        return detail.kind, detail.record_id

    def _contact_or_group(self) -> str:
        kind, record_id = self._open()
        return "" if kind in ("contact", "group") and record_id else "Open a contact or group first"

    def _contact(self) -> str:
        kind, record_id = self._open()
        return "" if kind == "contact" and record_id else "Open a contact first"

    def _activity(self) -> str:
        kind, record_id = self._open()
        if kind == "activity" and record_id and self.window.list_pane.section == "activity":
            return ""
        return "Select an activity in Activities first"

    def _contacts(self) -> str:
        lp = self.window.list_pane
        if lp.section == "contact" and lp.selected_ids():
            return ""
        kind, record_id = self._open()
        return "" if kind == "contact" and record_id else "Select or open contacts first"
