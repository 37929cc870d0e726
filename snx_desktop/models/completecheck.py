"""The complete checkbox: the first column of every activity table.

An open activity's box can be checked; checking it does not complete anything yet: the
model shows the box checked while the rep is asked for the result (``completeRequested``),
and :meth:`uncheck` takes the tick back when the rep cancels. A completed activity's box is
checked and cannot be unchecked (SalesNexus has no "reopen").
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt

from snx_desktop.api.values import as_bool
from snx_desktop.models.schema import Column

__all__ = [
    "CHECK_ROLES",
    "COMPLETE_KEY",
    "check_cell",
    "complete_column",
    "is_completed",
    "wants_completion",
]

COMPLETE_KEY = "complete-check"
#: the roles the complete column answers itself
CHECK_ROLES = frozenset(
    int(r)
    for r in (
        Qt.ItemDataRole.CheckStateRole,
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.AccessibleTextRole,
    )
)

Record = Mapping[str, object]


def complete_column() -> Column:
    """The checkable first column of an activity table (no header text, the box says it)."""
    return Column(COMPLETE_KEY, "", render=lambda r: "Done" if is_completed(r) else "Open")


def is_completed(record: Record) -> bool:
    return as_bool(str(record.get("completed", "") or ""))


def check_cell(record: Record, role: int, checking: bool) -> object:
    """``role`` of the complete column (``checking``: ticked, the result being asked)."""
    done = is_completed(record)
    if role == Qt.ItemDataRole.CheckStateRole:
        ticked = done or checking
        return Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
    if role == Qt.ItemDataRole.DisplayRole:
        return ""
    if role == Qt.ItemDataRole.ToolTipRole:
        return "Completed" if done else "Check to complete this activity"
    if role == Qt.ItemDataRole.AccessibleTextRole:
        return "Completed" if done else "Not completed"
    return None


def wants_completion(record: Record, value: object, role: int) -> bool:
    """``setData(value, role)`` on the complete column asks to complete an open activity."""
    if role != Qt.ItemDataRole.CheckStateRole or is_completed(record):
        return False
    checked = value in (Qt.CheckState.Checked, int(Qt.CheckState.Checked.value))
    return bool(checked)
