"""The navigation list on the left: Home, Contacts, Groups, Activities, Agenda, Sales,
Campaigns, Pending changes."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from snx_desktop.ui.iconset import get_icon

__all__ = ["SECTIONS", "NavigationList"]

# (section key, label, icon name)
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("home", "Home", "home"),
    ("contact", "Contacts", "contacts"),
    ("group", "Groups", "groups"),
    ("activity", "Activities", "activities"),
    ("agenda", "Agenda", "meeting"),
    ("sale", "Sales", "sales"),
    ("campaign", "Campaigns", "campaigns"),
    ("pending", "Pending changes", "pending"),
)


class NavigationList(QListWidget):
    """One row per section; emits ``sectionChanged(key)``."""

    sectionChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("navigation")
        self.setAccessibleName("Sections")
        self.setIconSize(QSize(20, 20))
        self.setUniformItemSizes(True)
        self.setSpacing(1)
        for key, label, icon in SECTIONS:
            item = QListWidgetItem(get_icon(icon), label, self)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, label)
        self.currentRowChanged.connect(self._row_changed)
        # a window opens on its first list (its cached rows paint at start); signing in
        # through the sign-in dialog shows Home
        self.select("contact")
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # wide enough for the longest label with a count ("Pending changes (999)")
        widest = self.fontMetrics().horizontalAdvance("Pending changes (9,999)")
        width = max(self.sizeHintForColumn(0), widest + 20 + 16, 120) + 2 * self.frameWidth() + 12
        self.setFixedWidth(width)

    def _row_changed(self, row: int) -> None:
        if 0 <= row < len(SECTIONS):
            self.sectionChanged.emit(SECTIONS[row][0])

    def current_section(self) -> str:
        row = self.currentRow()
        return SECTIONS[row][0] if 0 <= row < len(SECTIONS) else "contact"

    def select(self, key: str) -> None:
        for row, (k, _label, _icon) in enumerate(SECTIONS):
            if k == key:
                self.setCurrentRow(row)
                return

    def set_pending_count(self, count: int) -> None:
        row = next(i for i, (k, _l, _i) in enumerate(SECTIONS) if k == "pending")
        item = self.item(row)
        if item is not None:
            text = f"Pending changes ({count:,})" if count else "Pending changes"
            item.setText(text)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
