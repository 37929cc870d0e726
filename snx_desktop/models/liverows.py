"""Rows of a paged list changed in place after a write, without a reset.

:class:`LiveRows` is mixed into :class:`~snx_desktop.models.paging.PagedTableModel`: a change
to records the list shows re-reads those rows (the records come from the offline store,
read by the caller), swaps a temporary id for the server's, drops a removed record's row or
puts a new record at the top. The view keeps its selection and scroll position: rows are
changed with ``dataChanged`` and row inserts/removals, never a model reset.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex

from snx_desktop.models.pages import Record

if TYPE_CHECKING:
    from snx_desktop.models.schema import Column

__all__ = ["LiveRows"]

log = logging.getLogger(__name__)


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

    def _set_total(self, total: int) -> None:  # the paged model's
        raise NotImplementedError

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

    def _emit_row(self, row: int) -> None:
        if self._columns:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._columns) - 1))
