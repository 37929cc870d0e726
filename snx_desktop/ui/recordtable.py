"""The record lists' table view, and the page source a list reads through.

:class:`RecordTable` is a ``QTableView`` with the defaults every record list shares and
column sizing that reads only a few rows; :class:`DelayedSource` is a browse source whose
first request to the server waits for the typing in the search field to pause.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from snx_desktop.models.paging import Page
from snx_desktop.models.schema import Column
from snx_desktop.models.sources import BrowseSource
from snx_desktop.ui.columnfit import ColumnFitter, install_elided_tips

if TYPE_CHECKING:
    from snx_desktop.services.browse import BrowseService

__all__ = ["DelayedSource", "RecordTable"]


class DelayedSource(BrowseSource):
    """A browse source whose first network request waits for the typing to pause."""

    def __init__(
        self, browse: BrowseService, kind: str, text: str, page_size: int, delay: float
    ) -> None:
        super().__init__(browse, kind, text, page_size)
        self._delay = delay

    async def fetch_page(self, index: int) -> Page:
        if index == 0 and self._delay > 0:
            import asyncio  # here: the list pane is part of the first paint

            await asyncio.sleep(self._delay)
        return await super().fetch_page(index)


class RecordTable(QTableView):
    """A table view with the app's defaults for record lists; its columns fit its width
    (:class:`~snx_desktop.ui.columnfit.ColumnFitter`) and a cell cut short tells its whole
    text as a tooltip."""

    #: a paint just ended, while ``report_paints`` is on (the list pane's start-up timing)
    painted = Signal()

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
        self.report_paints = False
        self.fitter = ColumnFitter(self, minimum=60, readable=110)
        install_elided_tips(self)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.report_paints:
            self.painted.emit()

    def fit_columns(self, limit: int = 260, sample: int = 40) -> None:
        """Fit each column to its header and the first ``sample`` rows, within ``limit`` px.

        Measured here from the display texts: ``resizeColumnToContents`` asks the delegate for
        a size hint of every loaded row, which stalls the first paint.
        """
        model = self.model()
        if model is None:
            return
        metrics = self.fontMetrics()
        rows = min(model.rowCount(), sample)
        wanted: dict[int, int] = {}
        for col in range(model.columnCount()):
            title = str(model.headerData(col, Qt.Orientation.Horizontal) or "")
            width = metrics.horizontalAdvance(title) + 28
            for row in range(rows):
                text = model.index(row, col).data()
                if text:
                    width = max(width, metrics.horizontalAdvance(str(text)) + 16)
            wanted[col] = min(max(width, 60), limit)
        self.fitter.want(wanted)  # narrowed to the view's width where they do not all fit

    def size_columns(self, columns: list[Column]) -> None:
        """Give each column a width that fits its header and typical content."""
        metrics = self.fontMetrics()
        wanted: dict[int, int] = {}
        for i, col in enumerate(columns):
            title = metrics.horizontalAdvance(col.label) + 28
            guess = {1: 14, 2: 16, 3: 10, 4: 16}.get(col.kind, 22)
            width = max(title, metrics.averageCharWidth() * guess)
            wanted[i] = min(width, 320)
        self.fitter.want(wanted)
