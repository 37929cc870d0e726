"""The list pane: a search field above one table per section (contacts, groups, ...).

Each record list is a :class:`PagedTableModel` behind a :class:`LoadedRowsSortProxy`
(sorting is client-side, within the rows loaded so far). Search as you type: every keystroke
resets the list at once and shows the cached matches from the local full-text index; the
server is asked only once the typing pauses (the source waits ``SEARCH_DELAY`` before its
request, and a newer keystroke cancels it), and its matches replace the cached ones.

At start the current list can show its first page before the services exist
(:meth:`ListPane.show_first_page`); ``firstRowsShown`` tells when rows were first painted.

Signed in, :meth:`ListPane.attach` gives the lists the account's browse service, and the
``bind_*`` methods give the pane its editing parts once their modules are loaded: contacts
dragged onto groups, files dropped on contact rows, the pending-changes panel and the agenda
(its own page; ``activityActivated`` when the rep opens one of its activities);
:meth:`ListPane.unbind_features` takes them away again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QStackedWidget, QVBoxLayout, QWidget

from snx_desktop.models.paging import Page, PagedTableModel
from snx_desktop.models.pending import PendingOpsModel
from snx_desktop.models.roles import FetchState, Roles
from snx_desktop.models.schema import Column, Lookups
from snx_desktop.models.sortproxy import LoadedRowsSortProxy
from snx_desktop.ui.iconset import get_icon
from snx_desktop.ui.recordtable import DelayedSource, RecordTable

if TYPE_CHECKING:
    from snx_desktop.services.browse import BrowseService
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.ui.documents import Attacher
    from snx_desktop.ui.editing import AgendaView, PendingPanel

__all__ = ["LIST_OBJECT_NAMES", "MAX_AGENDA_PAGES", "ListPane"]

log = logging.getLogger(__name__)

LIST_OBJECT_NAMES = {
    "contact": "contactList",
    "group": "groupList",
    "activity": "activityList",
    "sale": "salesList",
    "campaign": "campaignList",
    "pending": "pendingList",
}
TITLES = {
    "contact": ("contact", "contacts", "Contacts"),
    "group": ("group", "groups", "Groups"),
    "activity": ("activity", "activities", "Activities"),
    "sale": ("sale", "sales", "Sales"),
    "campaign": ("campaign", "campaigns", "Campaigns"),
    "pending": ("pending change", "pending changes", "Pending changes"),
    "agenda": ("activity", "activities", "Agenda"),
    "home": ("record", "records", "Home"),
}
#: columns hidden while every loaded row shows the same value in them
UNIFORM_HIDDEN = {"activity": "schedule-for"}
UNIFORM_SAMPLE = 3000
SEARCH_DELAY = 0.3  # seconds of typing pause before the server is asked
PAGE_SIZE = 100
MAX_AGENDA_PAGES = 20  # pages of the rep's activities loaded for the agenda, at most


class ListPane(QWidget):
    """Search field + stacked record lists; tells which record is current."""

    currentRecordChanged = Signal(str, str, object)  # kind, record id, record mapping
    statusChanged = Signal(str)
    dataAgeChanged = Signal(float)
    namesArrived = Signal()  # names for linked ids (activity and sales contacts) arrived
    firstRowsShown = Signal(str, int)  # kind, rows: a record list was painted with rows
    activityActivated = Signal(object)  # an activity (its record) opened from the agenda

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("listPane")
        self.browse: BrowseService | None = None
        self.lookups = Lookups()
        self._is_pending: Callable[[str], bool] | None = None
        #: the editing parts while an account is bound (see ``bind_*``)
        self.agenda: AgendaView | None = None
        self.pending_panel: PendingPanel | None = None
        self._parts: list[QObject] = []
        self._agenda_pages = 0
        self.page_size = PAGE_SIZE
        self.search_delay = SEARCH_DELAY
        self._section = "contact"
        self._texts: dict[str, str] = {}
        #: what a list shows instead of its search (see :meth:`show_records`)
        self._shown_only: dict[str, str] = {}
        self._fitted: dict[str, bool] = {}
        self._attached: set[str] = set()
        self._name_fitted: set[str] = set()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.search = QLineEdit(self)
        self.search.setObjectName("searchField")
        self.search.setAccessibleName("Search")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(get_icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.textChanged.connect(self._text_changed)
        layout.addWidget(self.search)
        self.stack = QStackedWidget(self)
        layout.addWidget(self.stack, 1)
        self.status = QLabel(self)
        self.status.setObjectName("listStatus")
        self.status.setAccessibleName("List status")
        self.status.setContentsMargins(4, 0, 4, 2)
        layout.addWidget(self.status)
        self.models: dict[str, PagedTableModel] = {}
        self.proxies: dict[str, LoadedRowsSortProxy] = {}
        self.views: dict[str, RecordTable] = {}
        for kind in ("contact", "group", "activity", "sale", "campaign"):
            model = PagedTableModel(
                record_id=_record_id,
                is_pending=self._pending,
                lookups=self.lookups,
                parent=self,
            )
            proxy = LoadedRowsSortProxy(self)
            proxy.setSourceModel(model)
            view = RecordTable(LIST_OBJECT_NAMES[kind], TITLES[kind][2], self.stack)
            view.setModel(proxy)
            view.setSortingEnabled(True)
            view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            view.selectionModel().currentRowChanged.connect(
                lambda cur, _prev, k=kind: self._current_changed(k, cur)
            )
            for signal in (model.totalChanged, model.pageLoaded, model.loadFailed):
                signal.connect(lambda *_a, k=kind: self.update_status(k))
            model.pageLoaded.connect(lambda index, _net, k=kind: self._page_loaded(k, index))
            model.dataAgeChanged.connect(
                lambda age, k=kind: self.dataAgeChanged.emit(age) if k == self._section else None
            )
            self.models[kind] = model
            self.proxies[kind] = proxy
            self.views[kind] = view
            self.stack.addWidget(view)
        from snx_desktop.ui.salesfooter import SalesFooter

        #: count and amount per status of the sales shown, under the sales list
        self.sales_footer = SalesFooter(self.models["sale"], self)
        self.sales_footer.hide()
        layout.insertWidget(layout.indexOf(self.status), self.sales_footer)
        self.pending_model = PendingOpsModel(parent=self)
        self.pending_page = QWidget(self.stack)
        self.pending_page.setObjectName("pendingPage")
        page_layout = QVBoxLayout(self.pending_page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        pending_view = RecordTable("pendingList", "Pending changes", self.pending_page)
        pending_view.setModel(self.pending_model)
        pending_view.size_columns(self.pending_model.columns)
        page_layout.addWidget(pending_view)
        self.views["pending"] = pending_view
        self.stack.addWidget(self.pending_page)
        self.agenda_page = QWidget(self.stack)
        self.agenda_page.setObjectName("agendaPage")
        self.agenda_page.setAccessibleName("Agenda")
        agenda_layout = QVBoxLayout(self.agenda_page)
        agenda_layout.setContentsMargins(0, 0, 0, 0)
        self.agenda_placeholder = QLabel("Sign in to see your agenda.", self.agenda_page)
        self.agenda_placeholder.setObjectName("agendaPlaceholder")
        self.agenda_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.agenda_placeholder.setEnabled(False)
        agenda_layout.addWidget(self.agenda_placeholder)
        self.stack.addWidget(self.agenda_page)
        #: the Home page (its view is added by the signed-in account's features)
        self.home_page = QWidget(self.stack)
        self.home_page.setObjectName("homePage")
        self.home_page.setAccessibleName("Home")
        home_layout = QVBoxLayout(self.home_page)
        home_layout.setContentsMargins(0, 0, 0, 0)
        self.home_placeholder = QLabel("Sign in to see your day and your pipeline.", self)
        self.home_placeholder.setObjectName("homePlaceholder")
        self.home_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.home_placeholder.setEnabled(False)
        home_layout.addWidget(self.home_placeholder)
        self.stack.addWidget(self.home_page)
        #: sections shown by a page of their own rather than a record list
        self.pages: dict[str, QWidget] = {
            "pending": self.pending_page,
            "agenda": self.agenda_page,
            "home": self.home_page,
        }
        self._page_status: dict[str, str] = {}
        self.models["activity"].idle.connect(self._activity_idle)
        for kind in self.models:
            self.views[kind].report_paints = True
            self.views[kind].painted.connect(lambda k=kind: self._painted(k))
        self.show_section("contact")

    def _painted(self, kind: str) -> None:
        """Tell once when a record list is first painted with rows (start-up timing)."""
        rows = self.models[kind].loaded_count
        if rows:
            for view in self.views.values():
                view.report_paints = False
            self.firstRowsShown.emit(kind, rows)

    def show_first_page(self, kind: str, columns: list[Column], page: Page) -> None:
        """Show ``page`` in the ``kind`` list before the services are attached (start-up).

        :meth:`attach` later answers the same page from the store in the same step, so the
        rows stay on screen; :meth:`clear_first_page` removes them if another account opens.
        """
        if kind not in self.models or self.browse is not None:
            return
        self.set_columns(kind, columns)
        self.models[kind].show_cached(page)

    def clear_first_page(self) -> None:
        """Forget rows shown by :meth:`show_first_page` (no account was opened after all)."""
        if self.browse is None:
            for model in self.models.values():
                if model.loaded_count:
                    model.set_source(None)

    # -- the signed-in account ------------------------------------------------------------
    def attach(
        self,
        browse: BrowseService,
        *,
        is_pending: Callable[[str], bool],
        resolve_name: Callable[[str], str],
    ) -> None:
        """Show lists from ``browse`` (the account's browse service); ``is_pending`` tells
        which records have unsent changes, ``resolve_name`` names linked contacts and groups."""
        self.browse = browse
        self._is_pending = is_pending
        self.lookups.resolver = resolve_name
        self._attached.clear()
        for model in self.models.values():
            model.set_source(None)
        self._ensure_source(self._section)

    def detach(self) -> None:
        self.browse = None
        self._is_pending = None
        self.lookups.resolver = None
        self._attached.clear()
        for model in self.models.values():
            model.set_source(None)

    def ensure_loaded(self, kind: str) -> None:
        """Give the list of ``kind`` its source now, even while another section is shown."""
        self._ensure_source(kind)

    def _ensure_source(self, kind: str) -> None:
        """Lists load when first shown, not all at sign-in."""
        if kind in self.models and self.browse is not None and kind not in self._attached:
            self._attached.add(kind)
            self.models[kind].set_source(self._source(kind, self._texts.get(kind, ""), delay=0))

    def set_columns(self, kind: str, columns: list[Column]) -> None:
        model = self.models[kind]
        if [c.key for c in model.columns] == [c.key for c in columns]:
            return
        model.set_columns(columns)
        self.views[kind].size_columns(columns)
        self._fitted[kind] = model.loaded_count > 0
        if self._fitted[kind]:
            self.views[kind].fit_columns()

    def _source(self, kind: str, text: str, delay: float) -> DelayedSource | None:
        if self.browse is None:
            return None
        return DelayedSource(self.browse, kind, text, self.page_size, delay)

    def repaint_rows(self) -> None:
        """Names for ids arrived: redraw the loaded rows of every list."""
        for model in self.models.values():
            model.repaint()
        for kind in ("activity", "sale"):  # fitted once more, now that the names are known
            if self._fitted.get(kind) and kind not in self._name_fitted:
                self._name_fitted.add(kind)
                self.views[kind].fit_columns()
        self.namesArrived.emit()
        if self.agenda is not None and self._section == "agenda":
            self.agenda.schedule_refresh()

    def _page_loaded(self, kind: str, index: int) -> None:
        if index == 0 and not self._fitted.get(kind):
            self._fitted[kind] = True
            self.views[kind].fit_columns()
        if kind in UNIFORM_HIDDEN:
            self._hide_uniform(kind, UNIFORM_HIDDEN[kind])
        if kind == "activity" and self.agenda is not None and self._section == "agenda":
            self.agenda.schedule_refresh()

    def _hide_uniform(self, kind: str, key: str) -> None:
        """A column that says the same on every row (the rep's own name on each of the rep's
        activities) only takes room: hidden until a row says something else."""
        model = self.models[kind]
        col = next((i for i, c in enumerate(model.columns) if c.key == key), -1)
        if col < 0:
            return
        values: set[str] = set()
        for row in range(min(model.loaded_count, UNIFORM_SAMPLE)):
            values.add(str(model.index(row, col).data() or ""))
            if len(values) > 1:
                break
        self.views[kind].setColumnHidden(col, len(values) <= 1)

    def _pending(self, record_id: str) -> bool:
        return bool(self._is_pending and self._is_pending(record_id))

    # -- sections -------------------------------------------------------------------------
    @property
    def section(self) -> str:
        return self._section

    def show_section(self, kind: str) -> None:
        self._section = kind
        self._ensure_source(kind)
        page = self.pages.get(kind)
        self.stack.setCurrentWidget(page if page is not None else self.views[kind])
        self.search.blockSignals(True)
        self.search.setText(self._texts.get(kind, ""))
        self.search.blockSignals(False)
        # pages without a record list have nothing to search: no disabled field to puzzle over
        self.sales_footer.setVisible(kind == "sale")
        self.search.setVisible(kind in self.models)
        self.search.setEnabled(kind in self.models)
        self.search.setPlaceholderText(f"Search {TITLES[kind][1]}   (Ctrl+F)")
        self.update_status(kind)
        if kind in self.models:
            self.dataAgeChanged.emit(self.models[kind].oldest_age())
        if kind in self.views:
            self._current_changed(kind, self.views[kind].currentIndex())
        if kind == "agenda" and self.agenda is not None:
            self.agenda.refresh()
            self._load_agenda_page()

    def current_view(self) -> RecordTable:
        """The record list of the current section (contacts on a page without a list)."""
        return self.views.get(self._section, self.views["contact"])

    def set_page_status(self, kind: str, text: str) -> None:
        """The status line of a page section (e.g. the agenda's summary)."""
        self._page_status[kind] = text
        if kind == self._section:
            self._set_status(text)

    def current_model(self) -> PagedTableModel | None:
        return self.models.get(self._section)

    # -- search ---------------------------------------------------------------------------
    def _text_changed(self, text: str) -> None:
        kind = self._section
        if kind not in self.models:
            return
        self._texts[kind] = text.strip()
        self._shown_only.pop(kind, None)
        self._attached.add(kind)
        self.models[kind].set_source(self._source(kind, text, delay=self.search_delay))

    def search_text(self, kind: str) -> str:
        """What is typed in the search field over the ``kind`` list ("" for none)."""
        return self._texts.get(kind, "")

    def refresh(self) -> None:
        """Reload the current list from the start (F5); the agenda reads the store again."""
        kind = self._section
        if kind in self.models:
            self._shown_only.pop(kind, None)
            self._attached.discard(kind)
            self._ensure_source(kind)
        elif kind == "agenda" and self.agenda is not None:
            self.agenda.refresh()

    def show_records(self, kind: str, records: list[dict[str, str]], what: str) -> None:
        """Show only ``records`` (found in the store) in the ``kind`` list, its status line
        saying ``what`` they are; typing a search or F5 shows the whole list again."""
        from snx_desktop.models.recordsource import RecordsSource

        self._texts[kind] = ""
        self._shown_only[kind] = what
        self._attached.add(kind)
        self.models[kind].set_source(RecordsSource(records, self.page_size))
        if self._section == kind:
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
        self.update_status(kind)

    # -- current record ---------------------------------------------------------------------
    def _current_changed(self, kind: str, index: QModelIndex) -> None:
        if kind != self._section or kind == "pending":
            return
        if not index.isValid() or index.data(Roles.FETCH_STATE) in (
            FetchState.LOADING,
            FetchState.FAILED,
        ):
            return
        record_id = str(index.data(Roles.RECORD_ID) or "")
        record = index.data(Roles.RECORD)
        if record_id:
            self.currentRecordChanged.emit(kind, record_id, record)

    def select_row(self, row: int) -> bool:
        view = self.current_view()
        model = view.model()
        if model is None or not (0 <= row < model.rowCount()):
            return False
        index = model.index(row, 0)
        if index.data(Roles.FETCH_STATE) in (FetchState.LOADING, FetchState.FAILED):
            return False
        view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        view.scrollTo(index)
        return True

    def step(self, delta: int) -> bool:
        """Move to the previous (-1) or next (+1) record (Alt+Up / Alt+Down)."""
        if self._section not in self.views:
            return False
        current = self.current_view().currentIndex()
        row = current.row() + delta if current.isValid() else 0
        return self.select_row(row)

    def selected_ids(self) -> list[str]:
        if self._section not in self.views:
            return []
        view = self.current_view()
        ids: list[str] = []
        for index in view.selectionModel().selectedRows():
            rid = index.data(Roles.RECORD_ID)
            if rid:
                ids.append(str(rid))
        return ids

    def update_status(self, kind: str) -> None:
        if kind != self._section:
            return
        if kind in self.pages and kind != "pending":
            self._set_status(self._page_status.get(kind, ""))
            return
        if kind == "pending":
            n = self.pending_model.rowCount()
            one, many, _title = TITLES[kind]
            self._set_status(f"{n:,} {one if n == 1 else many}" if n else "Nothing waiting")
            return
        model = self.models[kind]
        one, many, _title = TITLES[kind]
        total = model.total
        text = self._texts.get(kind, "")
        if total is None:
            status = "Loading…" if model.busy else ""
        elif kind in self._shown_only:
            status = self._shown_only[kind]
        elif text:
            status = f"{total:,} {one if total == 1 else many} match “{text}”"
        else:
            status = f"{total:,} {one if total == 1 else many}"
        if total is not None and model.loaded_count < total:
            status += f"  ·  {model.loaded_count:,} loaded"
        self._set_status(status)

    def _set_status(self, text: str) -> None:
        self.status.setText(text)
        self.statusChanged.emit(text)

    # -- the editing parts of a signed-in account ----------------------------------------------
    def bind_membership(self, services: AccountServices) -> None:
        """Contacts dragged from the contact list onto a group join it."""
        from snx_desktop.ui.editing.membership import ContactDragSource, GroupDropTarget

        self._parts.append(ContactDragSource(self.views["contact"]))
        self._parts.append(GroupDropTarget(self.views["group"], services))

    def bind_file_drops(
        self, attacher: Attacher, name_of: Callable[[Mapping[str, str]], str]
    ) -> None:
        """Files dropped on a contact's row (or pasted on the list) are attached to it;
        ``name_of`` names the contact of a row in the messages."""
        from snx_desktop.ui.documents import record_contact

        attacher.install_on_view(self.views["contact"], record_contact(name_of))

    def bind_pending_panel(self, services: AccountServices) -> None:
        """The pending-changes page shows the queue with Retry, Undo, Discard and Resolve."""
        from snx_desktop.ui.editing import PendingPanel

        panel = PendingPanel(services, self.pending_page)
        self._page_layout(self.pending_page).addWidget(panel)
        self.views["pending"].hide()
        self.views["pending"].setObjectName("")  # the panel's list is now the ``pendingList``
        self.pending_panel = panel

    def bind_agenda(self, services: AccountServices) -> None:
        """The agenda page lists the rep's activities by day; it reads the store, which the
        activity list fills page by page while the agenda is shown."""
        from snx_desktop.ui.editing import AgendaView

        agenda = AgendaView(services, self.agenda_page, name_for=self._linked_name)
        # the list's status line carries the summary, and F5 / Refresh refreshes
        agenda.summary.hide()
        agenda.refresh_button.hide()
        self.agenda_placeholder.hide()
        self._page_layout(self.agenda_page).addWidget(agenda)
        agenda.summaryChanged.connect(self._agenda_summary)
        agenda.activityActivated.connect(self.activityActivated)
        self.agenda = agenda
        self._agenda_pages = 0
        self.set_page_status("agenda", agenda.summary.text())
        if self._section == "agenda":
            agenda.refresh()
            self._load_agenda_page()

    def unbind_features(self) -> None:
        """Take the editing parts away (before the account's services close)."""
        agenda, self.agenda = self.agenda, None
        if agenda is not None:
            agenda.detach()
            self._page_layout(self.agenda_page).removeWidget(agenda)
            agenda.hide()
            agenda.deleteLater()
            self.agenda_placeholder.show()
            self.set_page_status("agenda", "")
        panel, self.pending_panel = self.pending_panel, None
        if panel is not None:
            panel.detach()
            panel.tree.setObjectName("")
            self._page_layout(self.pending_page).removeWidget(panel)
            panel.hide()
            panel.deleteLater()
            self.views["pending"].setObjectName(LIST_OBJECT_NAMES["pending"])
            self.views["pending"].show()
        for part in self._parts:
            part.deleteLater()
        self._parts.clear()

    @staticmethod
    def _page_layout(page: QWidget) -> QVBoxLayout:
        layout = page.layout()
        assert isinstance(layout, QVBoxLayout)
        return layout

    def _linked_name(self, record_id: str) -> str:
        return self.lookups.name_for(record_id, resolve=True)

    def _agenda_summary(self, text: str) -> None:
        self.set_page_status("agenda", text)

    def _load_agenda_page(self) -> None:
        """Fill the offline store with the rep's calendar (the agenda reads the store)."""
        self.ensure_loaded("activity")
        model = self.models["activity"]
        if model.canFetchMore() and not model.busy and self._agenda_pages < MAX_AGENDA_PAGES:
            self._agenda_pages += 1
            model.fetchMore()

    def _activity_idle(self) -> None:
        """A page of activities is in: while the agenda is shown, ask for the next one."""
        if self.agenda is not None and self._section == "agenda":
            self._load_agenda_page()


def _record_id(record: Mapping[str, object]) -> str:
    for key in ("id", "campaign-id", "activity-id", "contact-id", "group-id", "sales-id"):
        value = record.get(key)
        if value:
            return str(value)
    return ""
