"""Records in their own windows: "Open in new window" (Ctrl+Shift+Return, the row menus).

Each :class:`RecordWindow` is a top-level window holding its own
:class:`~snx_desktop.ui.detailpane.DetailPane` over the signed-in account's browse service:
the saved copy at once, then the fresh record. Several can be open at once (one per record:
opening a record that has a window brings that window forward). :class:`RecordWindows`
keeps them live: every change the services announce is applied to each window as the main
window's detail pane gets it (the record redrawn from the offline store, its tabs' rows
updated in place, a record created offline followed to its server id, a deleted record's
window closed). Signing out and quitting close them all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QVBoxLayout, QWidget

from snx_desktop.ui.detailpane import DetailPane
from snx_desktop.ui.iconset import stylesheet

if TYPE_CHECKING:
    from snx_desktop.models.schema import Lookups
    from snx_desktop.models.sources import SchemaView
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.types import Change

__all__ = ["RecordWindow", "RecordWindows"]

log = logging.getLogger(__name__)

Records = Mapping[str, Mapping[str, object]]
Reader = Callable[[str, Iterable[str]], Records]

_APP = "SalesNexus Desktop"


class RecordWindow(QWidget):
    """One record in a window of its own."""

    def __init__(
        self,
        parent: QWidget,
        services: AccountServices,
        schema: SchemaView,
        lookups: Lookups,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("recordWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.on_close: Callable[[RecordWindow], None] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.pane = DetailPane(self)
        sheet = stylesheet()
        if sheet:
            self.pane.setStyleSheet(sheet)
        layout.addWidget(self.pane)
        self.pane.attach(services.browse, services.connectivity, lookups)
        self.pane.set_schema(schema, lookups)
        self.pane.detailShown.connect(lambda _d: self._retitle())
        self.pane.detailLoaded.connect(lambda *_a: self._retitle())
        close = QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self)
        close.activated.connect(self.close)
        self.resize(640, 720)

    @property
    def key(self) -> tuple[str, str]:
        return self.pane.kind, self.pane.record_id

    def open_record(self, kind: str, record_id: str, row: Mapping[str, str], title: str) -> None:
        self.pane.open_record(kind, record_id, row)
        self._retitle(title)

    def _retitle(self, fallback: str = "") -> None:
        header = getattr(self.pane.stack.currentWidget(), "header", None)
        name = header.name.text() if header is not None else ""
        title = name or fallback
        self.setWindowTitle(f"{title} — {_APP}" if title else _APP)
        self.setAccessibleName(title or "Record")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.pane.detach()
        if self.on_close is not None:
            self.on_close(self)
        event.accept()


class RecordWindows:
    """The record windows of one main window, kept live with the account's changes."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent
        self.windows: list[RecordWindow] = []

    def open(
        self,
        services: AccountServices,
        schema: SchemaView,
        lookups: Lookups,
        kind: str,
        record_id: str,
        row: Mapping[str, str],
        title: str,
    ) -> RecordWindow:
        """The record's window (a new one, or the one it already has), shown and in front."""
        for win in self.windows:
            if win.key == (kind, record_id):
                win.show()
                win.raise_()
                win.activateWindow()
                return win
        win = RecordWindow(self.parent, services, schema, lookups)
        win.on_close = self._closed
        self.windows.append(win)
        # cascade from the main window so that several windows stay visible
        offset = 32 * (len(self.windows) % 8)
        win.move(self.parent.x() + 80 + offset, self.parent.y() + 60 + offset)
        win.open_record(kind, record_id, row, title)
        win.show()
        win.raise_()
        win.activateWindow()
        return win

    def _closed(self, win: RecordWindow) -> None:
        if win in self.windows:
            self.windows.remove(win)

    def close_all(self) -> None:
        for win in list(self.windows):
            win.close()
        self.windows.clear()

    def apply(self, change: Change, read: Reader) -> None:
        """Show ``change`` in every window showing a record it touched."""
        if not self.windows:
            return
        ids = set(change.ids)
        id_map: Mapping[str, str] = change.id_map
        parent = change.parent
        records: Records | None = None
        for win in list(self.windows):
            pane = win.pane
            rid = pane.record_id
            if rid and (rid in ids or rid in id_map or (parent is not None and parent[1] == rid)):
                if change.action == "deleted" and rid in ids and pane.kind == change.kind:
                    win.close()  # the record is gone
                    continue
                if rid in id_map:
                    pane.open_record(pane.kind, id_map[rid], None)
                else:
                    pane.show_cached()  # the cache already holds the change: no request
            if change.action == "deleted":
                continue
            if records is None:
                wanted = [id_map.get(i, i) for i in change.ids] + list(id_map.values())
                records = read(change.kind, wanted)
            pane.update_rows(change.kind, records)
            if change.kind in ("contact", "group") and change.action != "created":
                pane.repaint_rows()
