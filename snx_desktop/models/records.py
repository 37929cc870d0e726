"""Table models over a plain list of records: a record's notes, activities, sales, documents,
a group's members, and a record's fields laid out by the user's layout.

Each model holds plain mappings; ``Roles.RECORD`` returns the mapping itself and
``Roles.RECORD_ID`` its id, so views and proxies need no lookups.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from snx_desktop.models.completecheck import CHECK_ROLES, COMPLETE_KEY, check_cell, wants_completion
from snx_desktop.models.roles import FetchState, Roles
from snx_desktop.models.schema import (
    Column,
    FieldDef,
    Lookups,
    format_value,
    sort_key,
)

__all__ = ["FieldsModel", "RecordTableModel", "record_id_of"]

log = logging.getLogger(__name__)

Record = Mapping[str, object]
_Index = QModelIndex | QPersistentModelIndex

_ID_KEYS = (
    "id",
    "note-id",
    "activity-id",
    "document-id",
    "sales-id",
    "contact-id",
    "group-id",
    "campaign-id",
    "op_id",
)


def record_id_of(record: Record) -> str:
    """The record's own id, whatever key its kind keeps it under."""
    for key in _ID_KEYS:
        value = record.get(key)
        if value not in (None, ""):
            return str(value)
    return ""


class RecordTableModel(QAbstractTableModel):
    """A read-only table of records with prepared columns (an activity's complete box is
    the one thing that can be checked: ``completeRequested`` asks for the completion)."""

    completeRequested = Signal(str, object)  # an open activity's box was checked: id, record

    def __init__(
        self,
        columns: Sequence[Column] = (),
        records: Iterable[Record] = (),
        *,
        record_id: Callable[[Record], str] = record_id_of,
        lookups: Lookups | None = None,
        is_pending: Callable[[str], bool] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._records: list[Record] = list(records)
        self._record_id = record_id
        self.lookups = lookups or Lookups()
        self._is_pending = is_pending
        self.stale = False
        self._checking: set[str] = set()

    @property
    def columns(self) -> list[Column]:
        return list(self._columns)

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.beginResetModel()
        self._columns = list(columns)
        self.endResetModel()

    def set_records(self, records: Iterable[Record], *, stale: bool = False) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.stale = stale
        self.endResetModel()

    def clear(self) -> None:
        self.set_records([])

    def repaint(self) -> None:
        if self._records and self._columns:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._records) - 1, len(self._columns) - 1)
            )

    def update_records(self, records: Mapping[str, Record]) -> list[int]:
        """Show the new values of ``records`` (id -> fields) in their rows, in place."""
        rows: list[int] = []
        for row, record in enumerate(self._records):
            rid = self._record_id(record)
            if rid in records:
                self._records[row] = {**record, **records[rid]}
                rows.append(row)
                if self._columns:
                    self.dataChanged.emit(
                        self.index(row, 0), self.index(row, len(self._columns) - 1)
                    )
        return rows

    def records(self) -> list[Record]:
        return list(self._records)

    def record(self, row: int) -> Record | None:
        return self._records[row] if 0 <= row < len(self._records) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._columns)
            and role == Qt.ItemDataRole.DisplayRole
        ):
            return self._columns[section].label
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._is_check(index):
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def _is_check(self, index: _Index) -> bool:
        col, row = index.column(), index.row()
        return (
            0 <= col < len(self._columns)
            and 0 <= row < len(self._records)
            and self._columns[col].key == COMPLETE_KEY
        )

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or not self._is_check(index):
            return False
        record = self._records[index.row()]
        if not wants_completion(record, value, role):
            return False
        rid = self._record_id(record)
        self._checking.add(rid)
        self.dataChanged.emit(index, index)
        self.completeRequested.emit(rid, record)
        return True

    def uncheck(self, record_id: str) -> None:
        """The rep cancelled: the box of ``record_id`` is unchecked again (if still open)."""
        self._checking.discard(record_id)
        for row, record in enumerate(self._records):
            if self._record_id(record) == record_id:
                self.dataChanged.emit(self.index(row, 0), self.index(row, 0))

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._records)):
            return None
        if not (0 <= index.column() < len(self._columns)):
            return None
        try:
            record = self._records[index.row()]
            column = self._columns[index.column()]
            if column.key == COMPLETE_KEY and role in CHECK_ROLES:
                return check_cell(record, role, self._record_id(record) in self._checking)
            if role == Qt.ItemDataRole.DisplayRole:
                return column.display(record, self.lookups)
            if role == Qt.ItemDataRole.ToolTipRole:
                text = column.display(record, self.lookups)
                return text if len(text) > 40 else None
            if role == Roles.RECORD:
                return record
            if role == Roles.RECORD_ID:
                return self._record_id(record)
            if role == Roles.FETCH_STATE:
                return FetchState.STALE if self.stale else FetchState.LOADED
            if role == Roles.SORT:
                return column.sort_value(record)
            if role == Roles.PENDING:
                return bool(self._is_pending and self._is_pending(self._record_id(record)))
        except Exception:  # data() never raises into Qt
            log.exception("data() failed")
        return None


class FieldsModel(QAbstractTableModel):
    """A record's fields in the order of the user's layout: columns Field and Value."""

    HEADERS = ("Field", "Value")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fields: list[FieldDef] = []
        self._values: Mapping[str, object] = {}
        self.lookups = Lookups()
        self.pending = False

    def set_record(
        self,
        fields: Sequence[FieldDef],
        values: Mapping[str, object],
        *,
        pending: bool = False,
        hide_empty: bool = False,
    ) -> None:
        self.beginResetModel()
        visible = [f for f in fields if f.role != "record-id"]
        if hide_empty:
            visible = [f for f in visible if str(values.get(f.id, "") or "")]
        self._fields = visible
        self._values = dict(values)
        self.pending = pending
        self.endResetModel()

    def clear(self) -> None:
        self.set_record([], {})

    def field(self, row: int) -> FieldDef | None:
        return self._fields[row] if 0 <= row < len(self._fields) else None

    def value(self, field_id: str) -> str:
        return str(self._values.get(field_id, "") or "")

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._fields)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < 2
        ):
            return self.HEADERS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._fields)):
            return None
        if not (0 <= index.column() < 2):
            return None
        fdef = self._fields[index.row()]
        raw = self._values.get(fdef.id, "")
        try:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                if index.column() == 0:
                    return fdef.label
                return format_value(raw, fdef.type, self.lookups)
            if role == Qt.ItemDataRole.EditRole:
                return fdef.label if index.column() == 0 else str(raw or "")
            if role == Roles.RECORD:
                return fdef
            if role == Roles.RECORD_ID:
                return fdef.id
            if role == Roles.SORT:
                return fdef.label.casefold() if index.column() == 0 else sort_key(raw, fdef.type)
            if role == Roles.PENDING:
                return self.pending
            if role == Roles.FETCH_STATE:
                return FetchState.LOADED
        except Exception:
            log.exception("data() failed")
        return None
