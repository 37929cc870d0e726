"""Rows of a paged list changed in place after a write, without a reset.

:class:`LiveRows` is mixed into :class:`~snx_desktop.models.paging.PagedTableModel`: a change
to records the list shows re-reads those rows (the records come from the offline store,
read by the caller), swaps a temporary id for the server's, drops a removed record's row or
puts a new record at the top; rows are redrawn when what they are drawn from changed (names,
pending markers, conflicts); an activity row's complete box asks for the completion. The
view keeps its selection and scroll position: rows are changed with ``dataChanged`` and row
inserts/removals, never a model reset.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QApplication

from snx_desktop.models.completecheck import COMPLETE_KEY, check_cell, wants_completion
from snx_desktop.models.pages import Record
from snx_desktop.models.roles import Roles

if TYPE_CHECKING:
    from snx_desktop.models.schema import Column

__all__ = ["CONFLICT_TIP", "LiveRows"]

log = logging.getLogger(__name__)

CONFLICT_TIP = (
    "Conflict: this record was changed on the server too. Your change is held until you "
    "choose which values to keep (Resolve… above the details, or in Pending changes)."
)


class LiveRows(QAbstractTableModel):
    """The in-place row updates of a paged list (its storage is the paged model's)."""

    _pages: list[list[str]]
    _rows: list[Record | None]
    _ids: list[str]
    _row_stale: list[bool]
    _resident: OrderedDict[int, None]
    _columns: list[Column]
    _total: int | None
    _record_id: Callable[[Record], str]
    #: which records have a change held in conflict (their rows are marked)
    is_conflict: Callable[[str], bool] | None = None

    #: an open activity's complete box was checked: (its id, its record)
    completeRequested = Signal(str, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._checking: set[str] = set()

    def _set_total(self, total: int) -> None:  # the paged model's
        raise NotImplementedError

    def repaint(self) -> None:
        """Something rows are drawn from changed (names of linked records): redraw them."""
        if self._rows and self._columns:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(self._columns) - 1)
            )

    def refresh_pending(self) -> None:
        """Pending-change markers changed: repaint every loaded row."""
        if self._rows and self._columns:
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(len(self._rows) - 1, len(self._columns) - 1),
                [Roles.PENDING, Qt.ItemDataRole.FontRole],
            )

    def rows_of(self, ids: Iterable[str]) -> list[int]:
        """The rows showing any of ``ids``."""
        wanted = set(ids)
        return [row for row, rid in enumerate(self._ids) if rid in wanted]

    def update_records(self, records: Mapping[str, Record]) -> list[int]:
        """Show ``records`` (id -> the record as the store holds it now) in their rows."""
        rows = self.rows_of(records)
        for row in rows:
            self._rows[row] = records[self._ids[row]]
            self._row_stale[row] = False
            self._emit_row(row)
        return rows

    def remap_ids(self, id_map: Mapping[str, str]) -> list[int]:
        """Rows of temporary ids now known by the server's ids (``id_map``: temp -> real)."""
        rows = self.rows_of(id_map)
        for row in rows:
            old = self._ids[row]
            new = id_map[old]
            self._ids[row] = new
            for page in self._pages:
                page[:] = [new if i == old else i for i in page]
            record = self._rows[row]
            if record is not None:
                self._rows[row] = {**record, "id": new}
            self._emit_row(row)
        return rows

    def remove_ids(self, ids: Iterable[str]) -> int:
        """Drop the rows of removed records; returns how many went."""
        rows = sorted(self.rows_of(ids), reverse=True)
        for row in rows:
            rid = self._ids[row]
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            del self._ids[row]
            del self._row_stale[row]
            for page in self._pages:
                if rid in page:
                    page.remove(rid)
                    break
            self._resident = OrderedDict(
                (r if r < row else r - 1, None) for r in self._resident if r != row
            )
            self.endRemoveRows()
        if rows and self._total is not None:
            self._set_total(max(len(self._rows), self._total - len(rows)))
        return len(rows)

    def insert_first(self, records: Iterable[Record]) -> int:
        """Show new records at the top of a list that already shows rows."""
        fresh = [r for r in records if self._record_id(r) and self._record_id(r) not in self._ids]
        if not fresh or not self._pages:
            return 0
        ids = [self._record_id(r) for r in fresh]
        self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
        self._rows[0:0] = fresh
        self._ids[0:0] = ids
        self._row_stale[0:0] = [False] * len(fresh)
        self._pages[0][0:0] = ids
        self._resident = OrderedDict((r + len(fresh), None) for r in self._resident)
        self.endInsertRows()
        self._set_total((self._total or 0) + len(fresh))
        return len(fresh)

    def conflicted(self, record_id: str) -> bool:
        """Whether the record's change is held in conflict."""
        if self.is_conflict is None:
            return False
        try:
            return bool(self.is_conflict(record_id))
        except Exception:
            log.exception("conflict check failed")
            return False

    def conflict_cell(self, record_id: str, col: int, role: int) -> object:
        """A warning icon on the first cell and the reason as every cell's tooltip, while
        the record's change is held in conflict; None otherwise."""
        if self.is_conflict is None or role not in (
            Qt.ItemDataRole.DecorationRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        try:
            marked = self.is_conflict(record_id)
        except Exception:
            log.exception("conflict check failed")
            return None
        if not marked:
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return CONFLICT_TIP
        app = QApplication.instance()
        if col != 0 or not isinstance(app, QApplication):
            return None
        from PySide6.QtWidgets import QStyle  # here: its enums cost the first paint ~10 ms

        return app.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)

    # -- the complete box of activity rows ---------------------------------------------------
    def is_check_column(self, col: int) -> bool:
        return 0 <= col < len(self._columns) and self._columns[col].key == COMPLETE_KEY

    def check_flag(self, row: int, col: int) -> Qt.ItemFlag:
        """Checkable: the complete box of a row (a completed one stays checked)."""
        if row < len(self._rows) and self.is_check_column(col):
            return Qt.ItemFlag.ItemIsUserCheckable
        return Qt.ItemFlag.NoItemFlags

    def check_cell(self, row: int, record: Record, role: int) -> object:
        return check_cell(record, role, self._ids[row] in self._checking)

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: object,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        row = index.row()
        if (
            not index.isValid()
            or row >= len(self._rows)
            or not self.is_check_column(index.column())
        ):
            return False
        record = self.record_at(row)
        if not wants_completion(record, value, role):
            return False
        rid = self._ids[row]
        self._checking.add(rid)
        self._emit_row(row)
        self.completeRequested.emit(rid, record)
        return True

    def record_at(self, row: int) -> Record:  # the paged model's
        raise NotImplementedError

    def uncheck(self, record_id: str) -> None:
        """The rep cancelled: the box of ``record_id`` is unchecked again (if still open)."""
        self._checking.discard(record_id)
        for row in self.rows_of([record_id]):
            self._emit_row(row)

    def _emit_row(self, row: int) -> None:
        if self._columns:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._columns) - 1))
