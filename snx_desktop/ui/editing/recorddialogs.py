"""Create dialogs for contacts and groups: every field in a `RecordForm` (the layout's first,
the rest under "More fields"), the record manager set to the signed-in user, then a write
through the queue (``create_contact`` / ``create_group``) when the form is valid."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QScrollArea, QWidget

from snx_desktop.ui.editing._dialogs import SubmitDialog
from snx_desktop.ui.editing.morefields import settings_for
from snx_desktop.ui.editing.recordform import RecordForm

if TYPE_CHECKING:
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.types import Change

__all__ = ["NewRecordDialog"]

_TITLES = {"contact": ("New contact", "Contact"), "group": ("New group", "Group")}


class NewRecordDialog(SubmitDialog["Change"]):
    """``NewRecordDialog(services, "contact" | "group")``; ``result_value`` is the `Change`."""

    def __init__(
        self,
        services: AccountServices,
        kind: str,
        parent: QWidget | None = None,
        *,
        initial: dict[str, str] | None = None,
        settings: QSettings | None = None,
    ) -> None:
        title, table = _TITLES[kind]
        super().__init__(title, f"new{table}Dialog", parent, ok_text="&Create")
        self.services = services
        self.kind = kind
        schema = services.schema.current
        if schema is None:
            raise RuntimeError("the schema has not been loaded yet")
        self.form = RecordForm(
            schema, table, show_read_only=False, settings=settings or settings_for(parent)
        )
        self.form.set_values({**self.form.owner_defaults(), **(initial or {})})
        scroll = QScrollArea(self)
        scroll.setObjectName("formScroll")
        scroll.setAccessibleName("Fields")
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        self.body.addWidget(scroll)
        # tall enough for the usual fields, never taller than the screen (1024×640 included)
        screen = parent.screen() if parent is not None else QGuiApplication.primaryScreen()
        height = 600 if screen is None else min(600, screen.availableGeometry().height() - 60)
        self.resize(520, max(height, 320))

    def validate(self) -> bool:
        return self.form.validate()

    async def submit(self) -> Change:
        values = self.form.values(skip_empty=True)
        writes = self.services.writes
        if self.kind == "contact":
            return await writes.create_contact(values, origin=self)
        return await writes.create_group(values, origin=self)
