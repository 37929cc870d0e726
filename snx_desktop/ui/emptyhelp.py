"""What the right-hand pane shows while no record is open: what the rep can do in the current
list, with buttons for its main actions (the window's own actions)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

__all__ = ["HELP", "EmptyHelp"]

# per section: (title, what the rep can do, the actions offered as buttons)
HELP: Mapping[str, tuple[str, str, tuple[str, ...]]] = {
    "contact": (
        "Contacts",
        "Select a contact to see its fields, notes, activities, sales and documents. "
        "Right-click a contact for more; drop files on it to attach them.",
        ("actionNew", "actionImportCsv", "actionFind"),
    ),
    "group": (
        "Groups",
        "Select a group to see its members, notes and activities. "
        "Drag contacts onto a group to add them.",
        ("actionNew", "actionFind"),
    ),
    "activity": (
        "Activities",
        "Select an activity to see it here. Right-click it to complete or edit it.",
        ("actionNew", "actionExportCsv"),
    ),
    "agenda": (
        "Agenda",
        "Your activities by day, overdue ones in red. Select one to see it here; "
        "double-click it to edit it.",
        ("actionNew",),
    ),
    "sale": (
        "Sales",
        "Select a sale to see it here. The line under the list adds up the sales shown.",
        ("actionNew", "actionExportCsv"),
    ),
    "campaign": (
        "Campaigns",
        "Select a campaign to see it, with the contacts added to it from this computer. "
        "Add contacts from the Contacts list (right-click, Add to campaign).",
        ("actionRefresh",),
    ),
    "home": (
        "Home",
        "Your day and your pipeline, from the copy on this computer. Click a bar to list its "
        "sales; click a recently opened record to see it here.",
        (),
    ),
    "pending": (
        "Pending changes",
        "Changes made here wait in this list until SalesNexus has them. "
        "Select one to retry, undo or resolve it.",
        ("actionWorkOffline",),
    ),
}


class EmptyHelp(QWidget):
    """The help page of the detail pane for one section at a time."""

    def __init__(self, actions: Mapping[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailHelp")
        self.setAccessibleName("What you can do here")
        self._actions = actions
        self.section = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.addStretch(1)
        self.title = QLabel(self)
        self.title.setObjectName("detailHelpTitle")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        self.text = QLabel(self)
        self.text.setObjectName("detailHelpText")
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.text)
        self._buttons = QHBoxLayout()
        self._buttons.addStretch(1)
        self._buttons.addStretch(1)
        layout.addLayout(self._buttons)
        layout.addStretch(2)
        self.buttons: list[QPushButton] = []

    def show_for(self, section: str, rows: int | None = None) -> None:
        """Say what can be done in ``section``; ``rows``: how many rows its list has."""
        title, text, names = HELP.get(section, ("", "Select a record to see its details.", ()))
        if rows == 0 and section not in ("agenda", "pending", "home"):
            text = "Nothing here yet. " + text.split(". ", 1)[-1]
        self.section = section
        self.title.setText(title)
        self.title.setVisible(bool(title))
        self.text.setText(text)
        for button in self.buttons:
            self._buttons.removeWidget(button)
            button.deleteLater()
        self.buttons = []
        for name in names:
            action = self._actions.get(name)
            if action is None:
                continue
            plain = action.text().replace("&", "").replace("…", "").strip()
            button = QPushButton(action.icon(), plain, self)
            button.setObjectName(f"help_{name}")
            button.setAccessibleName(plain)
            shortcut = action.shortcut().toString()
            button.setToolTip(f"{plain} ({shortcut})" if shortcut else plain)
            button.setEnabled(action.isEnabled())
            action.enabledChanged.connect(button.setEnabled)
            button.clicked.connect(action.trigger)
            self._buttons.insertWidget(self._buttons.count() - 1, button)
            self.buttons.append(button)
