"""Client-side sorting of a paged list's loaded rows.

The server offers no sort order, so a list is sorted within the rows loaded so far, by
``Roles.SORT``; the placeholder row (loading, or failed) stays last whatever the order.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from snx_desktop.models.cells import Span
from snx_desktop.models.paging import PagedTableModel
from snx_desktop.models.roles import FetchState, Roles

__all__ = ["LoadedRowsSortProxy"]

_Index = QModelIndex | QPersistentModelIndex


class LoadedRowsSortProxy(QSortFilterProxyModel):
    """Sorts the rows loaded so far by ``Roles.SORT``; the placeholder row stays last."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._paged: PagedTableModel | None = None  # the source, when it is a paged model
        self._sorted = False
        self.setSortRole(Roles.SORT)
        self.setDynamicSortFilter(True)

    def setSourceModel(self, sourceModel: QAbstractItemModel) -> None:
        self._paged = sourceModel if isinstance(sourceModel, PagedTableModel) else None
        super().setSourceModel(sourceModel)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sorted = column >= 0
        super().sort(column, order)

    def _source_row(self, index: _Index) -> int:
        """The paged source's row of ``index`` (-1: none). Unsorted, the proxy is the
        identity (it never filters): the row is the source's own, found without asking the
        source model for an index (two calls into Python per cell)."""
        if not self._sorted:
            return index.row() if index.isValid() else -1
        mapped = self.mapToSource(index)
        return mapped.row() if mapped.isValid() else -1

    def multiData(self, index: _Index, roleDataSpan: Span) -> None:
        # a paged source answers all roles of a cell in one call: the delegate's seven
        # data() calls per cell through the proxy were most of the time of a paint
        source = self._paged
        row = -1 if source is None else self._source_row(index)
        if source is None or row < 0:
            super().multiData(index, roleDataSpan)
            return
        source.fill_cell(row, index.column(), roleDataSpan)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        source = self._paged
        row = -1 if source is None else self._source_row(index)
        if source is None or row < 0:
            return super().flags(index)
        return source.cell_flags(row, index.column())

    def lessThan(self, left: _Index, right: _Index) -> bool:
        lstate = left.data(Roles.FETCH_STATE)
        rstate = right.data(Roles.FETCH_STATE)
        lph = lstate in (FetchState.LOADING, FetchState.FAILED)
        rph = rstate in (FetchState.LOADING, FetchState.FAILED)
        descending = self.sortOrder() == Qt.SortOrder.DescendingOrder
        if lph or rph:
            # Keep the placeholder at the end whatever the order.
            return (not lph and rph) != descending
        lv, rv = left.data(Roles.SORT), right.data(Roles.SORT)
        try:
            return bool(lv < rv)
        except TypeError:
            return str(lv) < str(rv)
