"""The sales list's footer: how many sales and what amount per status, over the rows shown
(the rows loaded so far, matching the search)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from snx_desktop.api.values import parse_number
from snx_desktop.models.columns import SALES_STATUS, SALES_STATUS_FIELD
from snx_desktop.models.paging import PagedTableModel
from snx_desktop.models.roles import Roles
from snx_desktop.models.schema import CURRENCY, format_value

__all__ = ["SalesFooter", "sales_totals"]

STATUS_ORDER = ("Open", "Won", "Lost")


def sales_totals(model: PagedTableModel) -> dict[str, tuple[int, float]]:
    """Per status ("Open", "Won", "Lost", or the raw value): (count, total amount)."""
    amount_key = next((c.key for c in model.columns if c.kind == CURRENCY), "")
    out: dict[str, tuple[int, float]] = {}
    for row in range(model.loaded_count):
        record = model.index(row, 0).data(Roles.RECORD)
        if not isinstance(record, dict):
            continue
        raw = str(record.get(SALES_STATUS_FIELD, "") or "")
        status = SALES_STATUS.get(raw, raw or "No status")
        amount = parse_number(str(record.get(amount_key, "") or "")) if amount_key else None
        count, total = out.get(status, (0, 0.0))
        out[status] = (count + 1, total + (amount or 0.0))
    return out


class SalesFooter(QLabel):
    """Count and total amount per status of the sales rows shown."""

    def __init__(self, model: PagedTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("salesFooter")
        self.setAccessibleName("Sales totals")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setContentsMargins(4, 2, 4, 0)
        self.setWordWrap(True)
        self.model = model
        for signal in (model.pageLoaded, model.modelReset, model.rowsRemoved, model.dataChanged):
            signal.connect(lambda *_a: self.update_totals())
        self.update_totals()

    def update_totals(self) -> None:
        totals = sales_totals(self.model)
        if not totals:
            self.setText("")
            return
        order = [s for s in STATUS_ORDER if s in totals] + sorted(
            s for s in totals if s not in STATUS_ORDER
        )
        parts = []
        for status in order:
            count, total = totals[status]
            part = f"{status}: {count:,} · {format_value(str(total), CURRENCY)}"
            parts.append(part.replace(" ", "\u00a0"))  # a line breaks between statuses only
        shown = sum(c for c, _t in totals.values())
        self.setText("     ".join(parts))
        self.setToolTip(f"Count and amount per status of the {shown:,} sales shown")
