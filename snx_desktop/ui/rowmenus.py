"""Right-click menus on every list row and detail row, and what double-click or Enter does.

A row's menu holds what makes sense for its record: open it, add a note, schedule an
activity, attach a file, complete an activity, copy the e-mail address or phone number, add to
a group or campaign, delete. Each entry runs an existing command: most are the window's own
actions (the ones in the menus, with their shortcuts and enabled state); the rest call
:mod:`snx_desktop.ui.editing.commands` or the documents tab's buttons.

Right-clicking a row of a record list first makes it the current row (so the record opens in
the detail pane and the window's actions apply to it); a row already in a selection of several
keeps the selection, for the actions that take many records (add to group, delete). The
context-menu key and Shift+F10 open the menu of the current row. Double-click or Enter runs a
row's first entry: for a record list, open the record in the detail pane and move the keyboard
focus there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QMenu, QTreeWidget, QWidget

from snx_desktop.models.roles import FetchState, Roles

if TYPE_CHECKING:
    from snx_desktop.ui.mainwindow import MainWindow

__all__ = ["MENU_KEY", "RowMenus"]

log = logging.getLogger(__name__)

MENU_KEY = "Shift+F10"  # opens the current row's menu, like the context-menu key

Record = Mapping[str, object]

# the window's actions on each record list's rows, after "Open" ("" = a separator)
LIST_ACTIONS: Mapping[str, tuple[str, ...]] = {
    "contact": (
        "actionAddNote",
        "actionNewActivity",
        "actionAttachFile",
        "actionNewSale",
        "",
        "copy-email",
        "copy-phone",
        "",
        "actionAddToGroup",
        "actionAddToCampaign",
        "",
        "actionDelete",
    ),
    "group": ("actionAddNote", "actionNewActivity", "", "actionDelete"),
    "activity": ("edit-activity", "complete-activity"),
    "sale": ("open-sale-parent", "", "actionNewSale"),
    "campaign": (),
}


@dataclass(frozen=True)
class Entry:
    """One menu entry: a window action, or a text and what it does."""

    text: str = ""
    run: Callable[[], None] | None = None
    action: QAction | None = None
    name: str = ""  # object name of a made-up entry (tests, accessibility)

    @property
    def separator(self) -> bool:
        return self.action is None and self.run is None


SEPARATOR = Entry()


class RowMenus(QObject):
    """Installs the row menus on the window's lists and detail tables."""

    def __init__(self, window: MainWindow, actions: Mapping[str, QAction]) -> None:
        super().__init__(window)
        self.setObjectName("rowMenus")
        self.window = window
        self.actions = actions
        #: the menu shown last (kept until the next one, for tests and accessibility tools)
        self.menu: QMenu | None = None
        lp = window.list_pane
        for kind in lp.models:
            view = lp.views[kind]
            self._install(view, partial(self._list_entries, kind))
            view.activated.connect(lambda index, k=kind: self.open_row(k, index))
        window.detail.recordOpened.connect(lambda *_a: self.install_detail())
        self.install_detail()

    def install_parts(self) -> None:
        """Menus on the parts a signed-in account adds (the agenda, the documents table)."""
        self.install_detail()
        agenda = self.window.list_pane.agenda
        if agenda is not None:
            self.install_agenda(agenda.tree)
        docs = (
            self.window.detail.contact.documents_widget if self.window.detail.views_built else None
        )
        if docs is not None:
            self.install_documents(docs.view)

    # -- installing ---------------------------------------------------------------------------
    def _install(
        self, view: QAbstractItemView, entries: Callable[[QModelIndex], Sequence[Entry]]
    ) -> None:
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(
            lambda pos, v=view: self._requested(v, pos, entries)
        )
        shortcut = QShortcut(QKeySequence(MENU_KEY), view)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(lambda v=view: self.show_current(v, entries))

    def install_detail(self) -> None:
        """The detail pane's tables get their menus once its views are built."""
        detail = self.window.detail
        if not detail.views_built:
            return
        contact, group = detail.contact, detail.group
        for tab in (contact.notes, group.notes):
            self._detail_view(tab.view, self._note_entries)
        for tab in (contact.activities, group.activities):
            self._detail_view(tab.view, self._activity_entries)
        for tab in (contact.sales, group.sales):
            self._detail_view(tab.view, self._sale_entries)
        self._detail_view(group.members.view, self._member_entries)
        self._detail_view(contact.documents.view, self._document_entries)

    def install_documents(self, view: QAbstractItemView) -> None:
        """The documents tab's own table (signed in)."""
        self._detail_view(view, self._document_entries)

    def install_agenda(self, tree: QTreeWidget) -> None:
        """The agenda's activities (its own double-click and Enter edit them)."""
        if tree.property("rowMenus"):
            return
        tree.setProperty("rowMenus", True)
        self._install(tree, self._agenda_entries)
        tree.currentItemChanged.connect(lambda *_a, t=tree: self._agenda_details(t))
        # back on the agenda, the activity still selected there is shown again
        self.window.navigation.sectionChanged.connect(
            lambda key, t=tree: self._agenda_details(t) if key == "agenda" else None
        )

    def _agenda_details(self, tree: QTreeWidget) -> None:
        """The agenda's current activity is shown in the detail pane (when the agenda is)."""
        from snx_desktop.ui.editing.agenda import ACTIVITY_ROLE

        item = tree.currentItem()
        activity = item.data(0, ACTIVITY_ROLE) if item is not None else None
        if not isinstance(activity, Mapping) or self.window.list_pane.section != "agenda":
            return
        activity_id = str(activity.get("activity-id", "") or activity.get("id", "") or "")
        if activity_id:
            row = {str(k): str(v or "") for k, v in activity.items()}
            self.window.detail.open_record("activity", activity_id, row)

    def _detail_view(
        self, view: QAbstractItemView, entries: Callable[[QModelIndex], Sequence[Entry]]
    ) -> None:
        if view.property("rowMenus"):
            return
        view.setProperty("rowMenus", True)
        self._install(view, entries)
        view.activated.connect(lambda index: self._run_first(entries(index)))

    # -- showing ------------------------------------------------------------------------------
    def _requested(
        self,
        view: QAbstractItemView,
        pos: QPoint,
        entries: Callable[[QModelIndex], Sequence[Entry]],
    ) -> None:
        index = view.indexAt(pos)
        if not index.isValid():
            index = view.currentIndex()
            if not index.isValid():
                return
            pos = view.visualRect(index).center()
        elif view.selectionModel() is not None:
            selection = view.selectionModel()
            if not selection.isRowSelected(index.row(), index.parent()):
                flag = QItemSelectionModel.SelectionFlag
                selection.setCurrentIndex(index, flag.ClearAndSelect | flag.Rows)
        self.popup(view, view.viewport().mapToGlobal(pos), entries(index))

    def show_current(
        self, view: QAbstractItemView, entries: Callable[[QModelIndex], Sequence[Entry]]
    ) -> None:
        """The menu of the current row, under it (the context-menu key, Shift+F10)."""
        index = view.currentIndex()
        if not index.isValid():
            return
        rect = view.visualRect(index)
        at = view.viewport().mapToGlobal(QPoint(rect.left() + 16, rect.bottom()))
        self.popup(view, at, entries(index))

    def popup(self, view: QWidget, at: QPoint, entries: Sequence[Entry]) -> QMenu | None:
        if not any(not e.separator for e in entries):
            return None
        old, self.menu = self.menu, None
        if old is not None:
            old.deleteLater()
        menu = QMenu(view)
        menu.setObjectName("rowMenu")
        menu.setAccessibleName("Row actions")
        menu.setToolTipsVisible(True)
        last_separator = True
        for entry in entries:
            if entry.separator:
                if not last_separator:
                    menu.addSeparator()
                last_separator = True
                continue
            if entry.action is not None:
                menu.addAction(entry.action)
            elif entry.run is not None:
                item = menu.addAction(entry.text)
                item.setObjectName(entry.name)
                item.triggered.connect(entry.run)
            last_separator = False
        self.menu = menu
        menu.popup(at)
        return menu

    @staticmethod
    def _run_first(entries: Sequence[Entry]) -> None:
        for entry in entries:
            if entry.action is not None:
                if entry.action.isEnabled():
                    entry.action.trigger()
                return
            if entry.run is not None:
                entry.run()
                return

    # -- the entries ----------------------------------------------------------------------------
    def _window_action(self, name: str) -> Entry:
        return Entry(action=self.actions[name])

    def _list_entries(self, kind: str, index: QModelIndex) -> list[Entry]:
        record = index.data(Roles.RECORD)
        if index.data(Roles.FETCH_STATE) in (FetchState.LOADING, FetchState.FAILED):
            return []
        record = record if isinstance(record, Mapping) else {}
        out = [Entry("&Open", lambda: self.open_row(kind, index), name="rowOpen")]
        rid = str(index.data(Roles.RECORD_ID) or "")
        if rid and kind in ("contact", "group", "activity", "sale"):
            out.append(
                Entry(
                    "Open in new &window",
                    lambda: self.window.reach.open_in_window(kind, rid, record),
                    name="rowOpenInWindow",
                )
            )
        for name in LIST_ACTIONS.get(kind, ()):
            if not name:
                out.append(SEPARATOR)
            elif name == "copy-email":
                out.append(self._copy_entry("e-mail address", "email", record, "rowCopyEmail"))
            elif name == "copy-phone":
                out.append(self._copy_entry("phone number", "phone", record, "rowCopyPhone"))
            elif name == "edit-activity":
                out.append(self._edit_activity_entry(record))
            elif name == "complete-activity":
                out.append(self._complete_entry(record))
            elif name == "open-sale-parent":
                out.extend(self._sale_parent_entries(record))
            elif name in self.actions:
                out.append(self._window_action(name))
        return out

    def _copy_entry(self, what: str, role: str, record: Record, name: str) -> Entry:
        field = self.window.detail.schema.role("Contact", role)
        value = str(record.get(field, "") or "").strip() if field else ""
        if not value:
            return Entry(f"Copy {what} (none)", lambda: None, name=name)
        return Entry(f"Copy {what}", lambda: _copy(value), name=name)

    def _edit_activity_entry(self, record: Record) -> Entry:
        activity = dict(record)
        return Entry(
            "&Edit activity…",
            lambda: self.window.list_pane.activityActivated.emit(activity),
            name="rowEditActivity",
        )

    def _complete_entry(self, record: Record) -> Entry:
        from snx_desktop.api.values import as_bool

        activity = {str(k): str(v or "") for k, v in record.items()}
        if as_bool(record.get("completed", "")):
            return Entry("Already completed", lambda: None, name="rowCompleted")
        return Entry(
            "&Complete activity…",
            lambda: self.window.features.complete_activity(activity),
            name="rowCompleteActivity",
        )

    def _note_entries(self, index: QModelIndex) -> list[Entry]:
        text = str(_record(index).get("details", "") or "")
        return [
            self._window_action("actionAddNote"),
            Entry("&Copy note text", lambda: _copy(text), name="rowCopyNote"),
        ]

    def _activity_entries(self, index: QModelIndex) -> list[Entry]:
        record = _record(index)
        return [
            self._edit_activity_entry(record),
            self._complete_entry(record),
            SEPARATOR,
            self._window_action("actionNewActivity"),
        ]

    def _agenda_entries(self, index: QModelIndex) -> list[Entry]:
        from snx_desktop.ui.editing.agenda import ACTIVITY_ROLE

        activity = index.siblingAtColumn(0).data(ACTIVITY_ROLE)
        if not isinstance(activity, Mapping):
            return []
        return [
            self._edit_activity_entry(activity),
            self._complete_entry(activity),
            SEPARATOR,
            self._window_action("actionNewActivity"),
        ]

    def _sale_entries(self, index: QModelIndex) -> list[Entry]:
        return [
            *self._sale_parent_entries(_record(index)),
            SEPARATOR,
            self._window_action("actionNewSale"),
        ]

    def _sale_parent_entries(self, record: Record) -> list[Entry]:
        """The entries opening the contact or the group a sale is on."""
        schema = self.window.detail.schema
        out: list[Entry] = []
        for kind, role, text in (
            ("contact", "contact-id", "Open &contact"),
            ("group", "group-id", "Open &group"),
        ):
            field = schema.role("Sales", role)
            parent_id = str(record.get(field, "") or "").strip() if field else ""
            if parent_id:
                name = f"rowOpen{kind.title()}"
                out.append(Entry(text, partial(self._open_parent, kind, parent_id), name=name))
        return out

    def _open_parent(self, kind: str, record_id: str) -> None:
        detail = self.window.detail
        if detail.kind != kind or detail.record_id != record_id:
            detail.open_record(kind, record_id)

    def _member_entries(self, index: QModelIndex) -> list[Entry]:
        record = _record(index)
        contact_id = str(index.data(Roles.RECORD_ID) or "")
        if not contact_id:
            return []
        features = self.window.features

        def open_contact() -> None:
            row = {str(k): str(v or "") for k, v in record.items()}
            self.window.detail.open_record("contact", contact_id, row)

        def add_to(command: str) -> Callable[[], None]:
            def run() -> None:
                from snx_desktop.ui.editing import commands

                call = getattr(commands, command)
                features.run(lambda services: call(self.window, services, [contact_id]))

            return run

        return [
            Entry("&Open contact", open_contact, name="rowOpenContact"),
            SEPARATOR,
            self._copy_entry("e-mail address", "email", record, "rowCopyEmail"),
            self._copy_entry("phone number", "phone", record, "rowCopyPhone"),
            SEPARATOR,
            Entry("Add to &group…", add_to("add_to_group"), name="rowAddToGroup"),
            Entry("Add to ca&mpaign…", add_to("add_to_campaign"), name="rowAddToCampaign"),
        ]

    def _document_entries(self, index: QModelIndex) -> list[Entry]:
        docs = self.window.detail.contact.documents_widget
        out: list[Entry] = []
        if docs is not None and index.isValid():
            docs.select_row(index.row())
            out += [
                Entry("&Open", docs.open_button.click, name="rowOpenDocument"),
                Entry("&Save as…", docs.save_button.click, name="rowSaveDocument"),
                SEPARATOR,
            ]
        out.append(self._window_action("actionAttachFile"))
        return out

    # -- open ---------------------------------------------------------------------------------
    def open_row(self, kind: str, index: QModelIndex) -> None:
        """Open the record of a list row in the detail pane and move the keyboard focus there."""
        lp = self.window.list_pane
        if not index.isValid() or kind != lp.section:
            return
        if index.data(Roles.FETCH_STATE) in (FetchState.LOADING, FetchState.FAILED):
            return
        record_id = str(index.data(Roles.RECORD_ID) or "")
        if not record_id:
            return
        detail = self.window.detail
        if detail.kind != kind or detail.record_id != record_id:
            record = index.data(Roles.RECORD)
            detail.open_record(kind, record_id, record if isinstance(record, Mapping) else None)
        shown = detail.stack.currentWidget()
        if kind in ("contact", "group"):
            shown = detail.contact if kind == "contact" else detail.group
            detail.stack.setCurrentWidget(shown)  # its load fills it in a moment
        target = getattr(shown, "tabs", None) or shown
        if isinstance(target, QWidget):
            target.setFocus(Qt.FocusReason.OtherFocusReason)


def _record(index: QModelIndex) -> Record:
    record = index.data(Roles.RECORD)
    return record if isinstance(record, Mapping) else {}


def _copy(text: str) -> None:
    clipboard = QGuiApplication.clipboard()
    if clipboard is not None:
        clipboard.setText(text)
