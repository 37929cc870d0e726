"""The editable Fields tab of a contact or group: edit in place, Save or Revert.

`FieldsEditor.set_record` fills a `RecordForm` with the record's values (every field: the
layout's first, the rest under "More fields", open or closed as last time); edits are marked
(bold labels, a line naming the changed fields); Save checks them and sends only the changed
fields through ``update_contact`` / ``update_group`` (which target the record's own id).
A refresh of the same record while fields are being edited keeps what was typed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from snx_desktop.ui.editing._dialogs import ErrorLabel
from snx_desktop.ui.editing.morefields import settings_for
from snx_desktop.ui.editing.recordform import RecordForm

if TYPE_CHECKING:
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.schema import Schema
    from snx_desktop.services.types import Change

__all__ = ["FieldsEditor"]

log = logging.getLogger(__name__)

_TABLE = {"contact": "Contact", "group": "Group"}


class FieldsEditor(QWidget):
    """Fields of one contact or group, editable; ``saved(Change)`` after each save."""

    saved = Signal(object)
    dirtyChanged = Signal(bool)

    def __init__(
        self,
        services: AccountServices,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("fieldsEditor")
        self._settings = settings
        self.setAccessibleName("Edit fields")
        self.services = services
        self.kind = ""
        self.record_id = ""
        self.form: RecordForm | None = None
        self._schema: Schema | None = None
        self._dirty = False
        self._task: asyncio.Future[Change | None] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("fieldsScroll")
        self.scroll_area.setAccessibleName("Fields")
        self.scroll_area.setWidgetResizable(True)
        layout.addWidget(self.scroll_area, 1)
        self.changed_label = QLabel(self)
        self.changed_label.setObjectName("changedFieldsLabel")
        self.changed_label.setAccessibleName("Changed fields")
        self.changed_label.setWordWrap(True)
        layout.addWidget(self.changed_label)
        self.error = ErrorLabel("fieldsEditor", None, self)
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.addStretch(1)
        self.revert_button = QPushButton("&Revert", self)
        self.revert_button.setObjectName("revertFieldsButton")
        self.revert_button.setAccessibleName("Revert changes")
        self.save_button = QPushButton("&Save", self)
        self.save_button.setObjectName("saveFieldsButton")
        self.save_button.setAccessibleName("Save changes")
        self.save_button.setDefault(True)
        row.addWidget(self.revert_button)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        self.save_button.clicked.connect(self._save_slot)
        self.revert_button.clicked.connect(self.revert)
        save_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        save_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save_key.activated.connect(self._save_slot)
        self._update_state()

    # -- filling -------------------------------------------------------------------------------
    def set_record(self, kind: str, record_id: str, fields: Mapping[str, str]) -> None:
        """Show a record; the same record again keeps the fields being edited."""
        schema = self.services.schema.current
        if schema is None or kind not in _TABLE:
            return
        same = kind == self.kind and record_id == self.record_id and self.form is not None
        if same and schema == self._schema and self.form is not None:
            # the same fields (a schema reloaded unchanged too): what is being typed stays
            self._schema = schema
            self.form.keep_edits_update(fields)
        else:
            self.kind, self.record_id, self._schema = kind, record_id, schema
            settings = self._settings or settings_for(self)
            self.form = RecordForm(schema, _TABLE[kind], settings=settings)
            self.form.edited.connect(self._update_state)
            self.form.set_values(fields)
            self.scroll_area.setWidget(self.form)
            self.error.show_error("")
        self._update_state()

    def clear(self) -> None:
        self.kind = self.record_id = ""
        self.form = None
        old = self.scroll_area.takeWidget()
        if old is not None:
            old.deleteLater()
        self._update_state()

    # -- state ---------------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self.form is not None and bool(self.form.changed_fields())

    def _update_state(self) -> None:
        changed = self.form.changed_fields() if self.form is not None else {}
        if changed and self._schema is not None:
            names = ", ".join(self._schema.label(f) for f in changed)
            self.changed_label.setText(f"Changed: {names}")
        else:
            self.changed_label.setText("")
        self.save_button.setEnabled(bool(changed) and not self._busy())
        self.revert_button.setEnabled(bool(changed))
        if bool(changed) != self._dirty:
            self._dirty = bool(changed)
            self.dirtyChanged.emit(self._dirty)

    def _busy(self) -> bool:
        return self._task is not None and not self._task.done()

    # -- actions -------------------------------------------------------------------------------
    def revert(self) -> None:
        if self.form is not None:
            self.form.revert()
        self.error.show_error("")
        self._update_state()

    def _save_slot(self) -> None:
        if not self._busy():
            self._task = asyncio.ensure_future(self.save())

    async def save(self) -> Change | None:
        """Send the changed fields; returns the `Change`, or None when nothing was sent."""
        form = self.form
        if form is None:
            return None
        changes = form.changed_fields()
        if not changes:
            return None
        if not form.validate(only=changes):
            return None
        self.error.show_error("")
        self.save_button.setEnabled(False)
        writes = self.services.writes
        try:
            if self.kind == "contact":
                change = await writes.update_contact(self.record_id, changes, origin=self)
            else:
                change = await writes.update_group(self.record_id, changes, origin=self)
        except Exception as exc:
            log.info("saving fields refused: %s", type(exc).__name__)
            self.error.show_error(str(exc) or "The changes could not be saved.")
            self._update_state()
            return None
        # what was saved is the new unchanged state (the queue sends it)
        form.set_values({f: form.value(f) for f in form.field_ids()})
        self._update_state()
        self.saved.emit(change)
        return change
