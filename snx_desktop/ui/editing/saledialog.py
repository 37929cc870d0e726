"""The sale dialog: a sales opportunity for a contact with status open / won / lost (0 / 1 / 2),
details, and the amount, close date, probability and sales rep (the signed-in user unless
another is picked) when the account's schema has those fields. The amount and probability are
typed in the user's language ("12.500,50" under German settings), the close date is picked in
a `DateField`; all are sent in the API's form through ``create_sale`` as sales field data
(field ids found by role and label, never hard-coded)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QWidget

from snx_desktop.api.values import format_number
from snx_desktop.models.localefmt import number_example, number_message, parse_local_number
from snx_desktop.ui.editing._dialogs import SubmitDialog, field_with_error
from snx_desktop.ui.editing.dateinput import DateField
from snx_desktop.ui.editing.validation import (
    FIELD_CURRENCY,
    FIELD_DATE,
    FIELD_PERCENT,
    check_required,
)

if TYPE_CHECKING:
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.schema import Schema
    from snx_desktop.services.types import Change

__all__ = ["SALE_STATUSES", "SaleDialog", "sales_field_ids"]

SALE_STATUSES: tuple[tuple[str, str], ...] = (("0", "Open"), ("1", "Won"), ("2", "Lost"))


def _by_label(schema: Schema, *labels: str) -> str | None:
    for label in labels:
        fid = schema.by_label("Sales", label)
        if fid:
            return str(fid)
    return None


def _first_of_type(schema: Schema, field_type: int, hint: str) -> str | None:
    fields = [f for f in schema.table_fields("Sales") if f.type == field_type and not f.read_only]
    for f in fields:
        if hint in f.label.lower():
            return str(f.id)
    return str(fields[0].id) if fields else None


def sales_field_ids(schema: Schema) -> dict[str, str | None]:
    """Field ids of the sale's contact, status, details, amount and close date (None: absent)."""
    return {
        "contact": schema.role("Sales", "contact-id") or _by_label(schema, "Contact"),
        "status": _by_label(schema, "Status"),
        "details": _by_label(schema, "Details", "Description"),
        "amount": _by_label(schema, "Amount", "Value")
        or _first_of_type(schema, FIELD_CURRENCY, "amount"),
        "close": _by_label(schema, "Close Date", "Expected Close Date")
        or _first_of_type(schema, FIELD_DATE, "close"),
        "probability": _by_label(schema, "Probability")
        or _first_of_type(schema, FIELD_PERCENT, "prob"),
        "owner": schema.role("Sales", "owner"),
    }


class SaleDialog(SubmitDialog["Change"]):
    """``SaleDialog(services, contact_id)``; ``result_value`` is the `Change`."""

    def __init__(
        self, services: AccountServices, contact_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__("New sales opportunity", "saleDialog", parent, ok_text="&Create")
        self.services = services
        self.contact_id = contact_id
        schema = services.schema.current
        if schema is None:
            raise RuntimeError("the schema has not been loaded yet")
        self.ids = sales_field_ids(schema)
        form = QFormLayout()
        self.status = QComboBox(self)
        self.status.setObjectName("saleStatus")
        self.status.setAccessibleName("Status")
        for code, label in SALE_STATUSES:
            self.status.addItem(label, code)
        form.addRow("&Status", self.status)
        self.details = QLineEdit(self)
        self.details.setObjectName("saleDetails")
        self.details.setAccessibleName("Details")
        box, self.details_error = field_with_error(self.details, "saleDetails")
        form.addRow("&Details *", box)
        self.amount: QLineEdit | None = None
        self.close_date: DateField | None = None
        self.probability: QLineEdit | None = None
        if self.ids["amount"]:
            self.amount = QLineEdit(self)
            self.amount.setObjectName("saleAmount")
            self.amount.setAccessibleName("Amount")
            self.amount.setPlaceholderText(number_example())
            box, self.amount_error = field_with_error(self.amount, "saleAmount")
            form.addRow("&Amount", box)
        if self.ids["close"]:
            self.close_date = DateField(self)
            self.close_date.setObjectName("saleCloseDate")
            self.close_date.setAccessibleName("Close date")
            box, self.close_error = field_with_error(self.close_date, "saleCloseDate")
            form.addRow("&Close date", box)
        if self.ids["probability"]:
            self.probability = QLineEdit(self)
            self.probability.setObjectName("saleProbability")
            self.probability.setAccessibleName("Probability")
            self.probability.setPlaceholderText("%")
            box, self.probability_error = field_with_error(self.probability, "saleProbability")
            form.addRow("&Probability", box)
        self.owner: QComboBox | None = None
        if self.ids["owner"]:
            self.owner = QComboBox(self)
            self.owner.setObjectName("saleOwner")
            label = schema.label(self.ids["owner"])
            self.owner.setAccessibleName(label)
            self.owner.addItem("(nobody)", "")
            for user in schema.users:
                self.owner.addItem(user.get("name") or user.get("user-id", ""), user.get("user-id"))
            self.owner.setCurrentIndex(max(0, self.owner.findData(schema.me or "")))
            form.addRow(label, self.owner)
        self.body.addLayout(form)
        self.resize(420, 260)

    def set_status(self, code: str) -> None:
        self.status.setCurrentIndex(max(0, self.status.findData(code)))

    def validate(self) -> bool:
        problems: list[tuple[str, QWidget]] = []
        message = check_required(self.details.text(), "Details")
        self.details_error.show_error(message)
        problems.append((message, self.details))
        if self.amount is not None:
            message = number_message(self.amount.text(), "The amount")
            self.amount_error.show_error(message)
            problems.append((message, self.amount))
        if self.close_date is not None:
            whole = self.close_date.complete()
            message = "" if whole else "The close date must be a whole date: pick it."
            self.close_error.show_error(message)
            problems.append((message, self.close_date))
        if self.probability is not None:
            message = number_message(self.probability.text(), "The probability")
            self.probability_error.show_error(message)
            problems.append((message, self.probability))
        for message, widget in problems:
            if message:
                widget.setFocus()
                return False
        return True

    def fields(self) -> dict[str, str]:
        ids = self.ids
        out: dict[str, str] = {}
        if ids["contact"]:
            out[ids["contact"]] = self.contact_id
        if ids["status"]:
            out[ids["status"]] = str(self.status.currentData())
        if ids["details"]:
            out[ids["details"]] = self.details.text().strip()
        for edit, fid in ((self.amount, ids["amount"]), (self.probability, ids["probability"])):
            number = parse_local_number(edit.text()) if edit is not None and fid else None
            if number is not None and fid:
                out[fid] = format_number(number)
        if self.close_date is not None and ids["close"] and not self.close_date.is_empty():
            out[ids["close"]] = self.close_date.wire()
        if self.owner is not None and ids["owner"] and self.owner.currentData():
            out[ids["owner"]] = str(self.owner.currentData())
        return out

    async def submit(self) -> Change:
        return await self.services.writes.create_sale(self.fields(), origin=self)
