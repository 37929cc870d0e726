"""Getting to a record fast: the command palette, Back and Forward, records in their own windows.

:class:`Reach` gives the main window four actions (View menu):

- **Go to…** (Ctrl+K) opens the :class:`~snx_desktop.ui.palette.CommandPalette`. Its records
  come from the offline store (works offline): contacts and groups from the full-text index
  first (a few ms), then sales and activities by their text fields (a scan); the records
  opened most recently come first. The queries run in the store writer's thread (``read``
  jobs), never on the event loop.
- **Back** (Alt+Left) and **Forward** (Alt+Right) step through the records opened in the detail
  pane (:class:`~snx_desktop.ui.history.RecordHistory`), each shown from the offline store at
  once.
- **Open in new window** (Ctrl+Shift+Return; also in the row menus of the lists) shows the open
  record in a window of its own (:mod:`snx_desktop.ui.recordwindow`), kept live.

A record picked in the palette or reached by Back opens as a click on its row would: the
section of its kind is shown, its row selected where the list has it loaded, and the detail
pane opens it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from snx_desktop import messages
from snx_desktop.models.columns import SALES_CONTACT_FIELD, SALES_GROUP_FIELD
from snx_desktop.ui.history import RecordHistory
from snx_desktop.ui.palette import CommandPalette, PaletteItem
from snx_desktop.ui.recordwindow import RecordWindows

if TYPE_CHECKING:
    from snx_desktop.services.types import Change
    from snx_desktop.store.cache import Cache
    from snx_desktop.store.search import SearchHit
    from snx_desktop.ui.mainwindow import MainWindow
    from snx_desktop.ui.session import SessionBinder

__all__ = ["KIND_NAMES", "PER_KIND", "Reach", "find_in_store", "find_indexed", "find_scanned"]

log = logging.getLogger(__name__)

PER_KIND = 6  # records of each kind listed in the palette
KIND_NAMES = {
    "contact": "Contact",
    "group": "Group",
    "sale": "Sale",
    "activity": "Activity",
    "campaign": "Campaign",
}
ACTIVITY_TEXT = ("regarding", "details")
WINDOW_KINDS = ("contact", "group", "activity", "sale")


def find_indexed(cache: Cache, text: str, limit: int) -> list[tuple[str, SearchHit]]:
    """The cached contacts and groups matching ``text`` (full-text index, best first).
    Runs in the store writer's thread."""
    found: list[tuple[str, SearchHit]] = []
    for kind in ("contact", "group"):
        found += [(kind, h) for h in cache.search.search(kind, text, limit=limit).hits]
    return found


def find_scanned(
    cache: Cache, text: str, sale_keys: Sequence[str], limit: int
) -> list[tuple[str, SearchHit]]:
    """The cached sales (by ``sale_keys``) and activities (by what they are about) matching
    ``text``: a scan, slower than the index. Runs in the store writer's thread."""
    found = [("sale", h) for h in cache.search.scan("sale", text, sale_keys, limit=limit)]
    found += [
        ("activity", h) for h in cache.search.scan("activity", text, ACTIVITY_TEXT, limit=limit)
    ]
    return found


def find_in_store(
    cache: Cache, text: str, sale_keys: Sequence[str], limit: int
) -> list[tuple[str, SearchHit]]:
    """Every kind of cached record matching ``text``: contacts, groups, sales, activities."""
    return find_indexed(cache, text, limit) + find_scanned(cache, text, sale_keys, limit)


def _action(window: MainWindow, name: str, text: str, keys: str, tip: str) -> QAction:
    action = QAction(text, window)
    action.setObjectName(name)
    action.setShortcut(QKeySequence(keys))
    action.setToolTip(tip)
    action.setStatusTip(tip)
    return action


class Reach(QObject):
    """The palette, the history of opened records and the record windows of one window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("reach")
        self.window = window
        self.binder: SessionBinder | None = None
        self.history = RecordHistory()
        self._stepping = False
        self.palette_action = _action(
            window,
            "actionCommandPalette",
            "&Go to…",
            "Ctrl+K",
            "Go to any record or run any command by typing its name",
        )
        self.back = _action(
            window, "actionBack", "&Back", "Alt+Left", "Open the record you had open before"
        )
        self.forward = _action(
            window, "actionForward", "For&ward", "Alt+Right", "Go forward again to a record"
        )
        self.open_window = _action(
            window,
            "actionOpenInNewWindow",
            "Open in new &window",
            "Ctrl+Shift+Return",
            "Show the open record in a window of its own",
        )
        from snx_desktop.ui.iconset import get_icon

        self.open_window.setIcon(get_icon("open"))  # the record header shows it as an icon
        self.back.setEnabled(False)
        self.forward.setEnabled(False)
        self.open_window.setEnabled(False)
        view_menu = next(
            (m for m in window.menuBar().findChildren(QMenu) if m.objectName() == "menuView"),
            None,
        )
        if view_menu is not None:
            existing = view_menu.actions()
            if existing:
                view_menu.insertAction(existing[0], self.palette_action)
                view_menu.insertSeparator(existing[0])
            else:
                view_menu.addAction(self.palette_action)
            view_menu.insertAction(window.actions_.refresh, self.back)
            view_menu.insertAction(window.actions_.refresh, self.forward)
            view_menu.insertAction(window.actions_.refresh, self.open_window)
            view_menu.insertSeparator(window.actions_.refresh)
        self.palette = CommandPalette(window, self._window_actions, None, self._recent_items)
        self.palette.chosen.connect(self._chosen)
        self.windows = RecordWindows(window)
        self.palette_action.triggered.connect(self.palette.open_palette)
        self.back.triggered.connect(lambda: self.step(-1))
        self.forward.triggered.connect(lambda: self.step(+1))
        self.open_window.triggered.connect(self._open_shown_in_window)
        window.detail.recordOpened.connect(self._opened)
        window.closed.connect(self.windows.close_all)

    @property
    def actions(self) -> dict[str, QAction]:
        return {
            a.objectName(): a
            for a in (self.palette_action, self.back, self.forward, self.open_window)
        }

    # -- the signed-in account ------------------------------------------------------------------
    def bind(self, binder: SessionBinder) -> None:
        """Records come from this account's offline store; its changes keep windows live."""
        self.binder = binder
        self.palette.finder = self._find
        self.open_window.setEnabled(bool(self.window.detail.record_id))
        binder.bridge.dataChanged.connect(self._changed)

    def unbind(self) -> None:
        """Signed out: the palette and the record windows close, the history is forgotten."""
        binder, self.binder = self.binder, None
        if binder is not None:
            try:
                binder.bridge.dataChanged.disconnect(self._changed)
            except (RuntimeError, TypeError):
                pass
        self.palette.close_palette()
        self.palette.finder = None
        self.windows.close_all()
        self.history.clear()
        self._update_actions()

    # -- opening records ----------------------------------------------------------------------
    def read(self, kind: str, ids: Iterable[str]) -> dict[str, dict[str, str]]:
        """Records as the offline store holds them now (with their id keys)."""
        from snx_desktop.services.ids import with_id

        if self.binder is None:
            return {}
        cache = self.binder.services.store.cache
        wanted = [cache.resolve_id(i) for i in ids if i]
        if not wanted or kind not in KIND_NAMES or kind == "campaign":
            return {}
        try:
            found = cache.get_records(kind, wanted)
        except Exception:
            log.exception("reading cached %s records failed", kind)
            return {}
        return {rid: with_id(kind, rid, c.value) for rid, c in found.items()}

    def open_record(self, kind: str, record_id: str, row: Mapping[str, str] | None = None) -> None:
        """Show the record's list, select its row where loaded, and open it in the pane."""
        from PySide6.QtCore import QItemSelectionModel

        w = self.window
        lp = w.list_pane
        if row is None:
            row = self.read(kind, [record_id]).get(record_id, {})
        stepping, self._stepping = self._stepping, True  # on the way, other rows may open
        try:
            if kind in lp.models and w.navigation.current_section() != kind:
                w.navigation.select(kind)
            model = lp.models.get(kind)
            if model is not None and (at := model.row_of(record_id)) >= 0:
                index = lp.proxies[kind].mapFromSource(model.index(at, 0))
                view = lp.views[kind]
                view.selectionModel().setCurrentIndex(
                    index,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                view.scrollTo(index)
            if w.detail.kind != kind or w.detail.record_id != record_id:
                w.detail.open_record(kind, record_id, row)
        finally:
            self._stepping = stepping
        if not stepping:
            self.history.visit(kind, record_id)
        self._update_actions()

    def step(self, step: int) -> None:
        """Back (-1) or Forward (+1) through the records opened."""
        key = self.history.go(step)
        if key is None:
            return
        self._stepping = True
        try:
            self.open_record(*key)
        finally:
            self._stepping = False
            self._update_actions()

    def _opened(self, kind: str, record_id: str) -> None:
        if not self._stepping and record_id:
            self.history.visit(kind, record_id)
        self._update_actions()

    def _update_actions(self) -> None:
        self.back.setEnabled(self.history.can_go(-1))
        self.forward.setEnabled(self.history.can_go(+1))
        detail = self.window.detail
        self.open_window.setEnabled(
            self.binder is not None and bool(detail.record_id) and detail.kind in WINDOW_KINDS
        )

    def open_in_window(
        self, kind: str, record_id: str, row: Mapping[str, object] | None = None
    ) -> None:
        """The record in a window of its own (live)."""
        binder = self.binder
        if binder is None or not record_id or kind not in WINDOW_KINDS:
            return
        values = {str(k): str(v) for k, v in (row or {}).items()}
        if not values:
            values = self.read(kind, [record_id]).get(record_id, {})
        self.windows.open(
            binder.services,
            binder.schema,
            self.window.list_pane.lookups,
            kind,
            record_id,
            values,
            self.title(kind, values),
        )

    def _open_shown_in_window(self) -> None:
        detail = self.window.detail
        if not detail.record_id:
            messages.info("Open a record first, then open it in a new window.")
            return
        self.open_in_window(detail.kind, detail.record_id)

    def _changed(self, change: Change) -> None:
        if change.action == "deleted":
            for rid in change.ids:
                self.history.forget(rid)
        for old, new in change.id_map.items():
            self.history.rename(old, new)
        self._update_actions()
        self.windows.apply(change, self.read)

    # -- the palette ----------------------------------------------------------------------------
    def _window_actions(self) -> list[QAction]:
        out: list[QAction] = []
        for menu in self.window.menuBar().findChildren(QMenu):
            out += [a for a in menu.actions() if not a.isSeparator() and a.menu() is None]
        return out

    def title(self, kind: str, record: Mapping[str, str]) -> str:
        """How the palette and a record window name a record."""
        if kind in ("contact", "group") and self.binder is not None:
            table = "Contact" if kind == "contact" else "Group"
            name = self.binder.schema.display_name(table, record)
            return name or "(no name)"
        if kind == "activity":
            return record.get("regarding", "") or "Activity"
        if kind == "sale":
            for key in self._sale_keys():
                if record.get(key):
                    return record[key]
            return "Sale"
        return record.get("name", "") or KIND_NAMES.get(kind, kind)

    def _sale_keys(self) -> list[str]:
        """The sales fields a sale is found by, its details first."""
        columns = self.window.list_pane.models["sale"].columns
        skip = {SALES_CONTACT_FIELD, SALES_GROUP_FIELD}
        keys = [c.key for c in columns if c.label.casefold() == "details"]
        keys += [c.key for c in columns if c.key not in skip and c.key not in keys]
        return keys or ["231"]

    def _hint(self, kind: str, record: Mapping[str, str]) -> str:
        """What a record is, and whose: "Contact · Acme", "Sale · Jane Doe"."""
        detail = ""
        if kind == "contact" and self.binder is not None:
            company = self.binder.schema.role("Contact", "company")
            detail = record.get(company, "") if company else ""
        elif kind == "sale":
            lookups = self.window.list_pane.lookups
            detail = lookups.name_for(record.get(SALES_CONTACT_FIELD, ""), resolve=True)
        return f"{KIND_NAMES[kind]} · {detail}" if detail else KIND_NAMES[kind]

    def _item(self, kind: str, record_id: str, record: Mapping[str, str], hint: str) -> PaletteItem:
        return PaletteItem(self.title(kind, record), hint, kind, record_id, dict(record))

    def _recent_items(self) -> list[PaletteItem]:
        out: list[PaletteItem] = []
        for kind, rid in self.history.recent(8):
            record = self.read(kind, [rid]).get(rid)
            if record is not None:
                out.append(self._item(kind, rid, record, f"Recent {KIND_NAMES[kind].lower()}"))
        return out

    async def _find(self, text: str) -> AsyncIterator[list[PaletteItem]]:
        """The contacts and groups matching ``text`` (the index answers in a few ms), then
        those with the sales and activities (a scan); recently opened records first."""
        binder = self.binder
        if binder is None:
            return
        writer = binder.services.store.writer
        found = await writer.read(find_indexed, text, PER_KIND)
        yield self._items(found)
        more = await writer.read(find_scanned, text, self._sale_keys(), PER_KIND)
        if more:
            yield self._items(found + more)

    def _items(self, found: Sequence[tuple[str, SearchHit]]) -> list[PaletteItem]:
        from snx_desktop.services.ids import with_id

        recent = {key: n for n, key in enumerate(self.history.recent(50))}
        items: list[tuple[int, int, PaletteItem]] = []
        for n, (kind, hit) in enumerate(found):
            record = with_id(kind, hit.record_id, hit.record)
            rank = recent.get((kind, hit.record_id), len(recent))
            hint = self._hint(kind, record)
            items.append((rank, n, self._item(kind, hit.record_id, record, hint)))
        items.sort(key=lambda t: (t[0], t[1]))
        return [item for _r, _n, item in items]

    def _chosen(self, item: PaletteItem) -> None:
        if item.kind == "action":
            if item.action is not None and item.action.isEnabled():
                item.action.trigger()
            return
        self.open_record(item.kind, item.key, item.record)
        self.window.detail.setFocus(Qt.FocusReason.OtherFocusReason)
