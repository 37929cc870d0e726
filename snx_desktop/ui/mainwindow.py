"""The main window. It only composes: navigation, list pane, detail pane, message bar,
toolbar, status bar and the menus, and the editing features
(:class:`~snx_desktop.ui.features.WindowFeatures`);
:class:`~snx_desktop.ui.session.SessionBinder` connects them to one signed-in account's
services.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QPoint, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QMainWindow, QMenu, QSplitter, QVBoxLayout, QWidget

from snx_desktop import messages
from snx_desktop.models.bridge import MessageBridge
from snx_desktop.ui.actions import build_actions
from snx_desktop.ui.detailpane import DetailPane
from snx_desktop.ui.iconset import stylesheet
from snx_desktop.ui.listpane import ListPane
from snx_desktop.ui.navigation import NavigationList
from snx_desktop.ui.statusbar import MessageBar, StatusBar
from snx_desktop.ui.supportmenu import copy_diagnostics, open_log_folder
from snx_desktop.ui.toolbar import actions_by_name, build_toolbar, section_noun

if TYPE_CHECKING:
    import asyncio

    from snx_desktop.ui.servercheckview import ServerCheckView

__all__ = ["MainWindow"]

log = logging.getLogger(__name__)

_GEOMETRY = "window/geometry"
_STATE = "window/state"
_SPLITTER = "window/splitter"
_SECTION = "window/section"


class MainWindow(QMainWindow):
    """The window a rep works in all day."""

    closed = Signal()
    newRecordRequested = Signal(str)  # section kind
    deleteRequested = Signal(str, list)  # section kind, record ids
    switchAccountRequested = Signal()
    signOutRequested = Signal()

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setAccessibleName("SalesNexus Desktop")
        self.setWindowTitle("SalesNexus Desktop")
        self.settings = settings or QSettings()
        central = QWidget(self)
        central.setObjectName("centralWidget")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.setSpacing(6)
        self.message_bar = MessageBar(central)
        layout.addWidget(self.message_bar)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, central)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.navigation = NavigationList(self.splitter)
        self.list_pane = ListPane(self.splitter)
        self.detail = DetailPane(self.splitter)
        for pane in (self.navigation, self.list_pane, self.detail):
            self.splitter.addWidget(pane)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        sheet = stylesheet()
        if sheet:
            # only where its rules apply: a style sheet on the window would route every
            # widget's polish and paint (the record lists too) through the style sheet style
            for styled in (self.status, self.detail):
                styled.setStyleSheet(sheet)
        self.actions_ = build_actions(self, self.menuBar())
        self.server_check: ServerCheckView | None = None  # made on first use
        self.messages = MessageBridge(self)
        self.messages.error.connect(lambda text, _d: self.show_message("error", text))
        self.messages.warning.connect(lambda text, _d: self.show_message("warning", text))
        self.messages.info.connect(lambda text, _d: self.status.showMessage(text, 5000))
        self.messages.progress.connect(
            lambda _job, text, done, total, fin: self.status.set_job(text, done, total, fin)
        )
        self._connect()
        from snx_desktop.ui.theme import ThemeFollower

        self.theme = ThemeFollower(self)
        from snx_desktop.ui.features import WindowFeatures

        self.features = WindowFeatures(self)
        from snx_desktop.ui.reach import Reach

        self.reach = Reach(self)
        every = actions_by_name(self.actions_.all(), self.features.actions, self.reach.actions)
        self.toolbar = build_toolbar(self, every)
        self.detail.set_record_actions(every)
        from snx_desktop.ui.rowmenus import RowMenus

        self.row_menus = RowMenus(self, every)
        from snx_desktop.ui.actiongate import ActionGate

        self.action_gate = ActionGate(self, every)
        from snx_desktop.ui.emptyhelp import EmptyHelp

        self.help = EmptyHelp(every, self.detail.stack)
        self.detail.stack.addWidget(self.help)
        self.detail.stack.currentChanged.connect(lambda *_a: self._help())
        self.navigation.sectionChanged.connect(lambda *_a: self._help())
        for model in self.list_pane.models.values():
            model.totalChanged.connect(lambda *_a: self._help())
        self._help()
        self._column_choosers()
        self._section_changed(self.list_pane.section)
        self.resize(1280, 800)
        self.restore_state()

    def _column_choosers(self) -> None:
        """Each record list's header chooses its columns, remembered in the settings."""
        from snx_desktop.ui.columnchooser import ColumnChooser
        from snx_desktop.ui.listpane import LIST_OBJECT_NAMES

        lp = self.list_pane
        self.column_choosers: dict[str, ColumnChooser] = {}
        for kind, model in lp.models.items():
            view = lp.views[kind]
            self.column_choosers[kind] = ColumnChooser(
                view,
                self.settings,
                LIST_OBJECT_NAMES[kind],
                keys=lambda m=model: [c.key for c in m.columns],  # type: ignore[misc]
                fitter=view.fitter,
            )
        # the same chooser from the keyboard: View ▸ Choose columns…
        action = QAction("Choose &columns…", self)
        action.setObjectName("actionChooseColumns")
        action.setToolTip("Show, hide or reorder the columns of the current list")
        action.triggered.connect(self._choose_columns)
        view_menu = next(
            (m for m in self.menuBar().findChildren(QMenu) if m.objectName() == "menuView"), None
        )
        if view_menu is not None:
            view_menu.insertAction(self.actions_.refresh, action)
        self.choose_columns = action

    def _choose_columns(self) -> None:
        chooser = self.column_choosers.get(self.list_pane.section)
        if chooser is not None:
            chooser.show_menu(QPoint(8, chooser.view.horizontalHeader().height()))

    # -- wiring inside the window ----------------------------------------------------------
    def _connect(self) -> None:
        acts = self.actions_
        self.navigation.sectionChanged.connect(self._section_changed)
        self.list_pane.currentRecordChanged.connect(self.detail.open_record)
        self.list_pane.dataAgeChanged.connect(self.status.set_data_age)
        self.status.pendingClicked.connect(lambda: self.navigation.select("pending"))
        acts.find.triggered.connect(self.focus_search)
        acts.refresh.triggered.connect(self.refresh)
        acts.previous.triggered.connect(lambda: self.list_pane.step(-1))
        acts.next.triggered.connect(lambda: self.list_pane.step(+1))
        acts.quit.triggered.connect(self.close)
        acts.new_record.triggered.connect(self._new_record)
        acts.delete.triggered.connect(self._delete)
        acts.switch_account.triggered.connect(self.switchAccountRequested.emit)
        acts.sign_out.triggered.connect(self.signOutRequested.emit)
        acts.check_server.triggered.connect(self.check_server)
        acts.about.triggered.connect(self._about)
        acts.open_log_folder.triggered.connect(open_log_folder)
        acts.copy_diagnostics.triggered.connect(lambda: copy_diagnostics(self))
        for key, action in acts.sections.items():
            action.triggered.connect(lambda _c=False, k=key: self.navigation.select(k))

    def _section_changed(self, kind: str) -> None:
        self.list_pane.show_section(kind)
        noun = section_noun(kind)
        new = self.actions_.new_record
        new.setEnabled(bool(noun))
        new.setText(f"&New {noun}…" if noun else "&New…")
        new.setToolTip(f"New {noun} (Ctrl+N)" if noun else "New record (Ctrl+N)")
        self.actions_.delete.setEnabled(kind in ("contact", "group"))
        if self.detail.kind and self.detail.kind != kind:
            self.detail.clear()  # a record of another section would only confuse

    def _help(self) -> None:
        """No record open: the pane says what can be done in the current list."""
        stack = self.detail.stack
        if stack.currentWidget() not in (self.detail.empty, self.help):
            return
        lp = self.list_pane
        model = lp.current_model()
        rows = model.loaded_count if model is not None and model.total is not None else None
        self.help.show_for(lp.section, rows)
        if stack.currentWidget() is not self.help:
            stack.setCurrentWidget(self.help)

    def focus_search(self) -> None:
        if self.list_pane.section not in self.list_pane.models:
            self.navigation.select("contact")  # Ctrl+F on a page without a list: contacts
        self.list_pane.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.list_pane.search.selectAll()

    def refresh(self) -> None:
        self.list_pane.refresh()
        if self.detail.kind and self.detail.record_id:
            self.detail.open_record(self.detail.kind, self.detail.record_id, None)

    def _new_record(self) -> None:
        self.newRecordRequested.emit(self.list_pane.section)

    def _delete(self) -> None:
        ids = self.list_pane.selected_ids()
        if ids:
            self.deleteRequested.emit(self.list_pane.section, ids)

    def check_server(self) -> None:
        """Help ▸ Check server: the report window, checking the open session's server."""
        services = getattr(getattr(self, "features", None), "services", None)
        if services is None:
            messages.info("Sign in first, then check the server.")
            return
        if self.server_check is None:
            from snx_desktop.ui.servercheckview import ServerCheckView

            self.server_check = ServerCheckView(self)
            self.server_check.againRequested.connect(self.check_server)
        self.server_check.check(services)

    def _about(self) -> None:
        from snx_desktop.ui.aboutdialog import AboutDialog

        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_message(self, level: str, text: str) -> None:
        self.message_bar.show_message(level, text)

    # -- state ------------------------------------------------------------------------------
    def restore_state(self) -> None:
        try:
            geometry = self.settings.value(_GEOMETRY)
            if isinstance(geometry, QByteArray | bytes):
                self.restoreGeometry(QByteArray(geometry))
            state = self.settings.value(_STATE)
            if isinstance(state, QByteArray | bytes):
                self.restoreState(QByteArray(state))
            splitter = self.settings.value(_SPLITTER)
            if isinstance(splitter, QByteArray | bytes):
                self.splitter.restoreState(QByteArray(splitter))
            else:
                self.splitter.setSizes([170, 650, 460])
            section = self.settings.value(_SECTION)
            if isinstance(section, str) and section:
                self.navigation.select(section)
        except Exception:
            log.warning("could not restore the window layout", exc_info=True)

    def save_state(self) -> None:
        """Window geometry, dock state, pane sizes and section (never secrets)."""
        self.settings.setValue(_GEOMETRY, self.saveGeometry())
        self.settings.setValue(_STATE, self.saveState())
        self.settings.setValue(_SPLITTER, self.splitter.saveState())
        self.settings.setValue(_SECTION, self.navigation.current_section())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        event.accept()
        self.closed.emit()

    # -- waiting (screenshots, tests) ---------------------------------------------------------
    async def wait_until_first_contact_shown(self, timeout: float = 60.0) -> None:
        """Wait for the first page of contacts, open the first contact, wait for its tabs."""
        import asyncio

        self.navigation.select("contact")
        model = self.list_pane.models["contact"]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while model.loaded_count == 0 or model.busy:
            if model.canFetchMore() and not model.busy:
                model.fetchMore()
            if loop.time() > deadline:
                raise TimeoutError("no contacts were shown")
            await asyncio.sleep(0.05)
        loaded: asyncio.Future[None] = loop.create_future()

        def done(_kind: str, _rid: str, _net: bool) -> None:
            if not loaded.done():
                loaded.set_result(None)

        self.detail.detailLoaded.connect(done)
        try:
            if not self.list_pane.select_row(0):
                raise RuntimeError("the first contact could not be selected")
            await asyncio.wait_for(loaded, max(1.0, deadline - loop.time()))
        finally:
            self.detail.detailLoaded.disconnect(done)
