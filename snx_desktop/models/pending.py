"""The model of the Pending changes list: every queued write, its state and its error."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from snx_desktop.models.columns import pending_columns
from snx_desktop.models.records import RecordTableModel

__all__ = ["PendingOpsModel", "op_as_record"]


def op_as_record(op: Any, label: Callable[[str], str] | None = None) -> dict[str, Any]:
    """A PendingOp (dataclass or mapping) as a plain mapping with readable change labels."""
    if dataclasses.is_dataclass(op) and not isinstance(op, type):
        record: dict[str, Any] = {f.name: getattr(op, f.name) for f in dataclasses.fields(op)}
    else:
        record = dict(op)
    changes = record.get("changes") or {}
    if label is not None and isinstance(changes, dict):
        record["changes"] = {label(str(k)): v for k, v in changes.items()}
    record["op"] = op
    return record


class PendingOpsModel(RecordTableModel):
    """Rows are queued writes; ``Roles.RECORD`` returns the mapping (its ``op`` key: the op)."""

    def __init__(self, label: Callable[[str], str] | None = None, parent: Any = None) -> None:
        super().__init__(
            pending_columns(), record_id=lambda r: str(r.get("op_id", "")), parent=parent
        )
        self._label = label

    def set_label(self, label: Callable[[str], str] | None) -> None:
        self._label = label

    def set_ops(self, ops: Iterable[Any]) -> None:
        self.set_records([op_as_record(op, self._label) for op in ops])
