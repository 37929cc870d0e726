"""The model of the Pending changes list: every queued write, its state and its error."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from snx_desktop.models.columns import pending_columns
from snx_desktop.models.records import RecordTableModel

if TYPE_CHECKING:
    from snx_desktop.services.types import PendingOp

__all__ = ["PendingOpsModel", "op_as_record"]


def op_as_record(op: PendingOp, label: Callable[[str], str] | None = None) -> dict[str, object]:
    """A PendingOp as a plain mapping (its fields, and the op itself under ``op``) with
    readable change labels."""
    record: dict[str, object] = {f.name: getattr(op, f.name) for f in dataclasses.fields(op)}
    if label is not None:
        record["changes"] = {label(k): v for k, v in op.changes.items()}
    record["op"] = op
    return record


class PendingOpsModel(RecordTableModel):
    """Rows are queued writes; ``Roles.RECORD`` returns the mapping (its ``op`` key: the op)."""

    def __init__(
        self, label: Callable[[str], str] | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(
            pending_columns(), record_id=lambda r: str(r.get("op_id", "")), parent=parent
        )
        self._label = label

    def set_label(self, label: Callable[[str], str] | None) -> None:
        self._label = label

    def set_ops(self, ops: Iterable[PendingOp]) -> None:
        self.set_records([op_as_record(op, self._label) for op in ops])
