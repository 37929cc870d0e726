"""What a paged list answers a view for each cell: its header, its flags, and every role of a
cell in one pass when a delegate paints it (``multiData``), the placeholder row included.

A mixin of :class:`~snx_desktop.models.paging.PagedTableModel`, which holds the rows; what one
cell shows for one role is :mod:`snx_desktop.models.cells`. Painting asks this for every cell
of every frame, so a record row's roles are read with the record resolved once, and every
role of the delegate's span is set or cleared (it reuses one span for all cells).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QModelRoleData, QPersistentModelIndex, Qt

from snx_desktop.models.cells import (
    CELL_ROLES,
    NO_FLAGS,
    PLACEHOLDER_FLAGS,
    ROW_FLAGS,
    Span,
    fill_span,
    italic_font,
    placeholder_cell,
    record_cell,
    span_items,
)
from snx_desktop.models.completecheck import CHECK_ROLES, COMPLETE_KEY
from snx_desktop.models.liverows import LiveRows
from snx_desktop.models.pages import Record
from snx_desktop.models.roles import FetchState, Roles
from snx_desktop.models.schema import Lookups

__all__ = ["CellAnswers"]

log = logging.getLogger(__name__)

_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_CHECK = int(Qt.ItemDataRole.CheckStateRole)
CHECK_ROW_FLAGS = ROW_FLAGS | Qt.ItemFlag.ItemIsUserCheckable


class CellAnswers(LiveRows):
    """The cells of a paged list, as a view asks for them (the rows are the paged model's)."""

    lookups: Lookups
    _placeholder: FetchState | None
    _error: str
    _is_pending: Callable[[str], bool] | None

    def _resolve(self, row: int) -> Record:  # the paged model's
        raise NotImplementedError

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._columns)
            and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
        ):
            return self._columns[section].label
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return NO_FLAGS
        return self.cell_flags(index.row(), index.column())

    def row_flags(self, row: int) -> Qt.ItemFlag:
        """The flags of any cell of ``row`` (a record row, or the placeholder row)."""
        return PLACEHOLDER_FLAGS if row >= len(self._rows) else ROW_FLAGS

    def cell_flags(self, row: int, col: int) -> Qt.ItemFlag:
        """The flags of the cell at ``row``, ``col``: its row's, and checkable in the complete
        box of a record row."""
        if row >= len(self._rows):
            return PLACEHOLDER_FLAGS
        if self._columns[col].key == COMPLETE_KEY:
            return CHECK_ROW_FLAGS
        return ROW_FLAGS

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        try:
            return self._cell(index.row(), index.column(), role)
        except Exception:  # data() never raises into Qt
            log.exception("data() failed at row %s column %s", index.row(), index.column())
            return None

    def multiData(self, index: _Index, roleDataSpan: Span) -> None:
        """Every role a delegate asks for a cell, in one call (instead of one call per role)."""
        if index.isValid():
            self.fill_cell(index.row(), index.column(), roleDataSpan)
        else:
            for item in span_items(roleDataSpan):
                item.clearData()

    def fill_cell(self, row: int, col: int, roleDataSpan: Span) -> None:
        """Set the roles of ``roleDataSpan`` for the cell at ``row``, ``col`` of this model.

        Every role of the span is set or cleared: a delegate reuses one span for every cell
        it paints, so a role left alone would keep the last cell's value (the placeholder
        row's grey text on the record rows painted after it)."""
        if not 0 <= row < len(self._rows) or isinstance(roleDataSpan, QModelRoleData):
            fill_span(self._cell, row, col, roleDataSpan, record_row=0 <= row < len(self._rows))
            return
        # a record row as a delegate paints it: its seven roles read in one pass, the record
        # resolved once (this runs for every cell of every paint)
        try:
            record = self._resolve(row)
            column = self._columns[col]
            items: Any = roleDataSpan  # the stubs lack the span's sequence protocol
            plain = column.key != COMPLETE_KEY  # the complete box answers its roles itself
            marked: bool | None = None  # held in conflict (asked once, when a role needs it)
            for i in range(len(items)):
                item = items[i]
                role = item.role()
                if role == _DISPLAY and plain:
                    item.setData(column.display(record, self.lookups))
                elif role == _FONT and col == 0 and self._pending(record):
                    item.setData(italic_font())
                elif role == _DECORATION and plain:
                    if marked is None:
                        marked = col == 0 and self.conflicted(self._ids[row])
                    if marked:
                        item.setData(self.conflict_cell(self._ids[row], col, role))
                    else:
                        item.clearData()
                elif role == _CHECK and plain:
                    item.clearData()
                elif role != _FONT and role in CELL_ROLES:
                    value = self._cell(row, col, role)
                    if value is None:
                        item.clearData()
                    else:
                        item.setData(value)
                else:  # a delegate reuses its span: what the last cell set must not stay
                    item.clearData()
        except Exception:  # never raises into Qt
            log.exception("data() failed at row %s column %s", row, col)

    def _cell(self, row: int, col: int, role: int) -> object:
        if row >= len(self._rows):
            return placeholder_cell(self._placeholder, self._error, col, role)
        if role not in CELL_ROLES:  # asked of every cell by the delegate: answer at once
            return None
        if role == Roles.RECORD_ID:
            return self._ids[row]
        if role == Roles.FETCH_STATE:
            return FetchState.STALE if self._row_stale[row] else FetchState.LOADED
        marked = self.conflict_cell(self._ids[row], col, role)
        if marked is not None:
            return marked
        record = self._resolve(row)
        column = self._columns[col]
        if column.key == COMPLETE_KEY and role in CHECK_ROLES:
            return self.check_cell(row, record, role)
        return record_cell(column, record, self.lookups, role, self._pending, first=col == 0)

    def _pending(self, record: Record) -> bool:
        if self._is_pending is None:
            return False
        try:
            return bool(self._is_pending(self._record_id(record)))
        except Exception:
            log.exception("pending check failed")
            return False
