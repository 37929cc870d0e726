"""The list pane: a search field above one table per section (contacts, groups, ...).

Each record list is a :class:`PagedTableModel` behind a :class:`LoadedRowsSortProxy`
(sorting is client-side, within the rows loaded so far). Search as you type: every keystroke
resets the list at once and shows the cached matches from the local full-text index; the
server is asked only once the typing pauses (the source waits ``SEARCH_DELAY`` before its
request, and a newer keystroke cancels it), and its matches replace the cached ones.

At start the current list can show its first page before the services exist
(:meth:`ListPane.show_first_page`); ``firstRowsShown`` tells when rows were first painted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from snx_desktop.models.paging import LoadedRowsSortProxy, Page, PagedTableModel
from snx_desktop.models.pending import PendingOpsModel
from snx_desktop.models.roles import FetchState, Roles
from snx_desktop.models.schema import Column, Lookups
from snx_desktop.models.sources import BrowseSource
from snx_desktop.ui.iconset import get_icon

__all__ = ["LIST_OBJECT_NAMES", "ListPane", "RecordTable"]

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
}
#: columns hidden while every loaded row shows the same value in them
UNIFORM_HIDDEN = {"activity": "schedule-for"}
UNIFORM_SAMPLE = 3000
SEARCH_DELAY = 0.3  # seconds of typing pause before the server is asked
PAGE_SIZE = 100


class DelayedSource(BrowseSource):
    """A browse source whose first network request waits for the typing to pause."""

    def __init__(self, browse: Any, kind: str, text: str, page_size: int, delay: float) -> None:
        super().__init__(browse, kind, text, page_size)
        self._delay = delay

    async def fetch_page(self, index: int) -> Page:
        if index == 0 and self._delay > 0:
            import asyncio  # here: the list pane is part of the first paint

            await asyncio.sleep(self._delay)
        return await super().fetch_page(index)


class RecordTable(QTableView):
    """A table view with the app's defaults for record lists."""

    def __init__(self, name: str, accessible: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.setSortingEnabled(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setMinimumSectionSize(60)
        #: called after each paint while set (the list pane's start-up timing)
        self.after_paint: Callable[[], None] | None = None

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.after_paint is not None:
            self.after_paint()

    def fit_columns(self, limit: int = 260, sample: int = 40) -> None:
        """Fit each column to its header and the first ``sample`` rows, within ``limit`` px.

        Measured here from the display texts: ``resizeColumnToContents`` asks the delegate for
        a size hint of every loaded row, which stalls the first paint.
        """
        model = self.model()
        if model is None:
            return
        header = self.horizontalHeader()
        metrics = self.fontMetrics()
        rows = min(model.rowCount(), sample)
        for col in range(model.columnCount() - 1):
            title = str(model.headerData(col, Qt.Orientation.Horizontal) or "")
            width = metrics.horizontalAdvance(title) + 28
            for row in range(rows):
                text = model.index(row, col).data()
                if text:
                    width = max(width, metrics.horizontalAdvance(str(text)) + 16)
            header.resizeSection(col, min(max(width, 60), limit))

    def size_columns(self, columns: list[Column]) -> None:
        """Give each column a width that fits its header and typical content."""
        metrics = self.fontMetrics()
        header = self.horizontalHeader()
        for i, col in enumerate(columns):
            title = metrics.horizontalAdvance(col.label) + 28
            guess = {1: 14, 2: 16, 3: 10, 4: 16}.get(col.kind, 22)
            width = max(title, metrics.averageCharWidth() * guess)
            header.resizeSection(i, min(width, 320))


class ListPane(QWidget):
    """Search field + stacked record lists; tells which record is current."""

    currentRecordChanged = Signal(str, str, object)  # kind, record id, record mapping
    statusChanged = Signal(str)
    dataAgeChanged = Signal(float)
    namesArrived = Signal()  # names for linked ids (activity and sales contacts) arrived
    firstRowsShown = Signal(str, int)  # kind, rows: a record list was painted with rows

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("listPane")
        self.browse: Any = None
        self.lookups = Lookups()
        self.is_pending: Callable[[str], bool] | None = None
        self.page_size = PAGE_SIZE
        self.search_delay = SEARCH_DELAY
        self._section = "contact"
        self._texts: dict[str, str] = {}
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
        #: sections shown by a page of their own rather than a record list
        self.pages: dict[str, QWidget] = {"pending": self.pending_page, "agenda": self.agenda_page}
        self._page_status: dict[str, str] = {}
        for kind in self.models:
            self.views[kind].after_paint = lambda k=kind: self._painted(k)
        self.show_section("contact")

    def _painted(self, kind: str) -> None:
        """Tell once when a record list is first painted with rows (start-up timing)."""
        rows = self.models[kind].loaded_count
        if rows:
            for view in self.views.values():
                view.after_paint = None
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

    # -- wiring ---------------------------------------------------------------------------
    def attach(self, browse: Any) -> None:
        """Show lists from ``browse`` (the services' browse use-case)."""
        self.browse = browse
        self._attached.clear()
        for model in self.models.values():
            model.set_source(None)
        self._ensure_source(self._section)

    def detach(self) -> None:
        self.browse = None
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

    def _source(self, kind: str, text: str, delay: float) -> BrowseSource | None:
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

    def _page_loaded(self, kind: str, index: int) -> None:
        if index == 0 and not self._fitted.get(kind):
            self._fitted[kind] = True
            self.views[kind].fit_columns()
        if kind in UNIFORM_HIDDEN:
            self._hide_uniform(kind, UNIFORM_HIDDEN[kind])

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
        return bool(self.is_pending and self.is_pending(record_id))

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
        self.search.setVisible(kind in self.models)
        self.search.setEnabled(kind in self.models)
        self.search.setPlaceholderText(f"Search {TITLES[kind][1]}   (Ctrl+F)")
        self.update_status(kind)
        if kind in self.models:
            self.dataAgeChanged.emit(self.models[kind].oldest_age())
        if kind in self.views:
            self._current_changed(kind, self.views[kind].currentIndex())

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
        self._attached.add(kind)
        self.models[kind].set_source(self._source(kind, text, delay=self.search_delay))

    def refresh(self) -> None:
        """Reload the current list from the start (F5)."""
        kind = self._section
        if kind in self.models:
            self._attached.discard(kind)
            self._ensure_source(kind)

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


def _record_id(record: Any) -> str:
    for key in ("id", "campaign-id", "activity-id", "contact-id", "group-id", "sales-id"):
        value = record.get(key) if hasattr(record, "get") else None
        if value:
            return str(value)
    return ""
