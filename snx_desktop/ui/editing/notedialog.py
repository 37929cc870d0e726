"""The note dialog: a type (note, call, meeting, to-do, e-mail -> codes 1..5) and the details,
added to a contact or a group through the queue (``create_note`` / ``create_group_note``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QFormLayout, QPlainTextEdit, QWidget

from snx_desktop.ui.editing._dialogs import SubmitDialog, field_with_error
from snx_desktop.ui.editing.validation import check_required

if TYPE_CHECKING:
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.types import Change

__all__ = ["NOTE_TYPES", "NoteDialog"]

NOTE_TYPES: tuple[tuple[str, str], ...] = (
    ("1", "Note"),
    ("2", "Call"),
    ("3", "Meeting"),
    ("4", "To-do"),
    ("5", "E-mail"),
)


class NoteDialog(SubmitDialog["Change"]):
    """``NoteDialog(services, "contact" | "group", record_id)``; ``result_value``: the Change."""

    def __init__(
        self, services: AccountServices, kind: str, record_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__("Add note", "noteDialog", parent, ok_text="&Add note")
        self.services = services
        self.kind = kind
        self.record_id = record_id
        form = QFormLayout()
        self.type_combo = QComboBox(self)
        self.type_combo.setObjectName("noteType")
        self.type_combo.setAccessibleName("Note type")
        for code, label in NOTE_TYPES:
            self.type_combo.addItem(label, code)
        form.addRow("&Type", self.type_combo)
        self.details = QPlainTextEdit(self)
        self.details.setObjectName("noteDetails")
        self.details.setAccessibleName("Note details")
        self.details.setTabChangesFocus(True)
        box, self.details_error = field_with_error(self.details, "noteDetails")
        form.addRow("&Details *", box)
        self.body.addLayout(form)
        self.resize(440, 300)

    def set_type(self, code: str) -> None:
        self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(code)))

    def note_type(self) -> str:
        return str(self.type_combo.currentData())

    def validate(self) -> bool:
        message = check_required(self.details.toPlainText(), "The note text")
        self.details_error.show_error(message)
        if message:
            self.details.setFocus()
        return not message

    async def submit(self) -> Change:
        writes = self.services.writes
        text = self.details.toPlainText().strip()
        if self.kind == "group":
            return await writes.create_group_note(
                self.record_id, text, type=self.note_type(), origin=self
            )
        return await writes.create_note(self.record_id, text, type=self.note_type(), origin=self)
