"""The column chooser of a record list: right-click its header to show or hide columns; drag a
header to reorder them. Each list remembers its choice in the settings
(``columns/<list>/hidden`` and ``columns/<list>/order``, by column key, so a changed layout
keeps what still applies).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint, QSettings, Qt
from PySide6.QtWidgets import QMenu, QTableView

from snx_desktop.ui.columnfit import ColumnFitter

__all__ = ["ColumnChooser"]

log = logging.getLogger(__name__)


class ColumnChooser(QObject):
    """Show, hide and reorder the columns of ``view``; remembered under ``name``."""

    def __init__(
        self,
        view: QTableView,
        settings: QSettings,
        name: str,
        keys: Callable[[], list[str]],
        fitter: ColumnFitter | None = None,
    ) -> None:
        super().__init__(view)
        self.setObjectName("columnChooser")
        self.view = view
        self.settings = settings
        self.name = name
        self._keys = keys
        self._fitter = fitter
        self._applying = False
        #: the menu shown last (tests, accessibility tools)
        self.menu: QMenu | None = None
        header = view.horizontalHeader()
        header.setSectionsMovable(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self.show_menu)
        header.sectionMoved.connect(lambda *_a: self._save())
        model = view.model()
        if model is not None:
            model.modelReset.connect(self.restore)
            model.columnsInserted.connect(self.restore)
        self.restore()

    # -- settings -----------------------------------------------------------------------------
    def _setting(self, what: str) -> list[str]:
        value = self.settings.value(f"columns/{self.name}/{what}")
        if isinstance(value, str):
            return [value] if value else []
        if isinstance(value, list):
            return [str(v) for v in value]
        return []

    def hidden_keys(self) -> list[str]:
        return self._setting("hidden")

    def _save(self) -> None:
        if self._applying:
            return
        header = self.view.horizontalHeader()
        keys = self._keys()
        if len(keys) != header.count():
            return
        order = [keys[header.logicalIndex(v)] for v in range(header.count())]
        hidden = [keys[i] for i in range(len(keys)) if self._user_hidden(i)]
        self.settings.setValue(f"columns/{self.name}/order", order)
        self.settings.setValue(f"columns/{self.name}/hidden", hidden)

    def _user_hidden(self, logical: int) -> bool:
        no_room = self._fitter.no_room if self._fitter is not None else set()
        return self.view.horizontalHeader().isSectionHidden(logical) and logical not in no_room

    def restore(self) -> None:
        """Apply the remembered order and hidden columns to the columns shown now."""
        header = self.view.horizontalHeader()
        keys = self._keys()
        if not keys or len(keys) != header.count():
            return
        self._applying = True
        try:
            target = 0
            for key in self._setting("order"):
                if key in keys:
                    logical = keys.index(key)
                    header.moveSection(header.visualIndex(logical), target)
                    target += 1
            hidden = set(self.hidden_keys())
            for logical, key in enumerate(keys):
                header.setSectionHidden(logical, key in hidden)
            if all(header.isSectionHidden(i) for i in range(header.count())):
                header.setSectionHidden(header.logicalIndex(0), False)
        finally:
            self._applying = False
        if self._fitter is not None:
            self._fitter.no_room = set()
            self._fitter.apply()

    # -- the menu -----------------------------------------------------------------------------
    def set_shown(self, logical: int, shown: bool) -> None:
        """Show or hide a column (the last one shown stays); remembered at once."""
        header = self.view.horizontalHeader()
        others = [
            i for i in range(header.count()) if i != logical and not header.isSectionHidden(i)
        ]
        if not shown and not others:
            return
        if self._fitter is not None:
            self._fitter.no_room.discard(logical)
        header.setSectionHidden(logical, not shown)
        self._save()
        if self._fitter is not None:
            self._fitter.apply()

    def show_menu(self, pos: QPoint) -> QMenu:
        """The chooser: one checkable entry per column, in the order shown."""
        header = self.view.horizontalHeader()
        model = self.view.model()
        old, self.menu = self.menu, None
        if old is not None:
            old.deleteLater()
        menu = QMenu(header)
        menu.setObjectName("columnMenu")
        menu.setAccessibleName("Columns")
        title = menu.addAction("Columns shown (drag a header to move it)")
        title.setEnabled(False)
        no_room = self._fitter.no_room if self._fitter is not None else set()
        for visual in range(header.count()):
            logical = header.logicalIndex(visual)
            label = str(model.headerData(logical, Qt.Orientation.Horizontal) or "") if model else ""
            if logical in no_room:
                label += "  (no room: widen the list)"
            action = menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(not self._user_hidden(logical))
            action.toggled.connect(lambda on, i=logical: self.set_shown(i, on))
        menu.addSeparator()
        reset = menu.addAction("Show all columns in their first order")
        reset.triggered.connect(self.reset)
        self.menu = menu
        menu.popup(header.mapToGlobal(pos))
        return menu

    def reset(self) -> None:
        """Every column shown, in the layout's order; the remembered choice is forgotten."""
        self.settings.remove(f"columns/{self.name}")
        header = self.view.horizontalHeader()
        self._applying = True
        try:
            for logical in range(header.count()):
                header.moveSection(header.visualIndex(logical), logical)
                header.setSectionHidden(logical, False)
        finally:
            self._applying = False
        if self._fitter is not None:
            self._fitter.no_room = set()
            self._fitter.apply()
