"""What each cell of a paged list answers for each role: the record rows and the
placeholder row (loading, or failed with its reason), and the item flags of both."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QModelRoleData, QModelRoleDataSpan, Qt
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import QApplication

from snx_desktop.models.pages import Record
from snx_desktop.models.roles import FetchState, Roles
from snx_desktop.models.schema import Column, Lookups

log = logging.getLogger(__name__)

Span = QModelRoleDataSpan | QModelRoleData


def span_items(span: Span) -> Iterable[QModelRoleData]:
    """The role/data items of a delegate's span (or the one item)."""
    if isinstance(span, QModelRoleData):
        return (span,)
    items: Any = span  # the stubs lack the span's sequence protocol
    return (items[i] for i in range(len(items)))


NO_FLAGS = Qt.ItemFlag.NoItemFlags
PLACEHOLDER_FLAGS = Qt.ItemFlag.ItemIsEnabled
ROW_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled
    | Qt.ItemFlag.ItemIsSelectable
    | Qt.ItemFlag.ItemIsDragEnabled
    | Qt.ItemFlag.ItemIsDropEnabled
)
# the roles a record row answers (any other role is None without looking at the record)
CELL_ROLES = frozenset(
    int(r)
    for r in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.DecorationRole,  # a record held in conflict
        Qt.ItemDataRole.CheckStateRole,  # an activity's complete box
        *Roles,
    )
)


def fill_span(
    cell: Callable[[int, int, int], object], row: int, col: int, span: Span, *, record_row: bool
) -> None:
    """Set each role of ``span`` to ``cell(row, col, role)``; a ``record_row`` clears the
    roles a record row does not answer without asking.

    A delegate keeps one span for every cell it paints: a role left as it is would keep the
    previous cell's value (the grey of a "Loading…" row would colour the rows painted after it).
    """
    for item in span_items(span):
        role = item.role()
        if record_row and role not in CELL_ROLES:
            item.clearData()
            continue
        try:
            value = cell(row, col, role)
        except Exception:  # never raises into Qt
            log.exception("data() failed at row %s column %s", row, col)
            value = None
        if value is None:
            item.clearData()
        else:
            item.setData(value)


def record_cell(
    column: Column,
    record: Record,
    lookups: Lookups,
    role: int,
    pending: Callable[[Record], bool],
    *,
    first: bool,
) -> object:
    """The ``role`` of a record row's cell in ``column`` (``first``: the row's first cell,
    in italics while the record has unsent changes). Record id and fetch state are the
    model's own: they are answered without the record."""
    if role == Qt.ItemDataRole.DisplayRole:
        return column.display(record, lookups)
    if role == Qt.ItemDataRole.ToolTipRole:
        text = column.display(record, lookups)
        return text if len(text) > 30 else None
    if role == Roles.RECORD:
        return record
    if role == Roles.PENDING:
        return pending(record)
    if role == Roles.SORT:
        return column.sort_value(record)
    if role == Qt.ItemDataRole.FontRole and first and pending(record):
        return italic_font()
    return None


def italic_font() -> object:
    """The font of a row with unsent changes."""
    from PySide6.QtGui import QFont

    font = QFont()
    font.setItalic(True)
    return font


def placeholder_cell(state: FetchState | None, error: str, col: int, role: int) -> object:
    """The ``role`` of the placeholder row's cell ``col`` (``state``: loading or failed)."""
    if role == Roles.FETCH_STATE:
        return state
    if role == Roles.ERROR:
        return error
    if role == Qt.ItemDataRole.DisplayRole and col == 0:
        if state is FetchState.FAILED:
            return f"Could not load more: {error} (F5 to retry)"
        return "Loading…"
    if role == Qt.ItemDataRole.ForegroundRole:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            return QBrush(app.palette().color(QPalette.ColorRole.PlaceholderText))
    return None
