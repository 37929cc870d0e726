"""Export the shown list to CSV: every page (from the server, or the cache offline), with
progress and Cancel. The file is UTF-8 (with a BOM for Excel when asked), properly quoted,
and formula-like values are neutralised (`csvio.CsvExporter`)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QWidget,
)

from snx_desktop.models.sources import is_list_kind
from snx_desktop.services import csvio
from snx_desktop.ui.dialogs import run_dialog
from snx_desktop.ui.editing._dialogs import SubmitDialog, field_with_error

if TYPE_CHECKING:
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.types import Page

__all__ = ["ExportDialog"]

NOUNS = {"contact": "contacts", "group": "groups", "sale": "sales", "activity": "activities"}


class ExportDialog(SubmitDialog[int]):
    """``ExportDialog(services, kind, filter_value)``; ``result_value`` is the rows written."""

    def __init__(
        self,
        services: AccountServices,
        kind: str,
        filter_value: str = "",
        parent: QWidget | None = None,
        *,
        path: str | Path | None = None,
        page_size: int = 500,
    ) -> None:
        noun = NOUNS.get(kind, kind + "s")
        super().__init__(f"Export {noun} to CSV", "exportDialog", parent, ok_text="&Export")
        self.services = services
        self.kind = kind
        self.filter_value = filter_value
        self.page_size = page_size
        self._cancel = asyncio.Event()
        what = f"the {noun} matching “{filter_value}”" if filter_value.strip() else f"all {noun}"
        intro = QLabel(f"Export {what} (every page) to a CSV file.", self)
        intro.setObjectName("exportIntro")
        intro.setWordWrap(True)
        self.body.addWidget(intro)
        form = QFormLayout()
        row = QWidget(self)
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        self.file_edit = QLineEdit(str(path or ""), row)
        self.file_edit.setObjectName("exportFile")
        self.file_edit.setAccessibleName("Export file")
        self.file_edit.setPlaceholderText(f"{noun}.csv")
        box, self.file_error = field_with_error(self.file_edit, "exportFile")
        lay.addWidget(box, 1)
        browse = QPushButton("&Browse…", row)
        browse.setObjectName("exportBrowse")
        browse.setAccessibleName("Choose the export file")
        browse.clicked.connect(lambda: asyncio.ensure_future(self.browse()))
        lay.addWidget(browse)
        form.addRow("&File", row)
        self.excel = QCheckBox("For &Excel (UTF-8 with byte-order mark)", self)
        self.excel.setObjectName("exportExcel")
        self.excel.setAccessibleName("For Excel")
        self.excel.setChecked(True)
        form.addRow("", self.excel)
        self.body.addLayout(form)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("exportProgress")
        self.progress.setAccessibleName("Export progress")
        self.progress.setValue(0)
        self.body.addWidget(self.progress)
        self.status = QLabel(self)
        self.status.setObjectName("exportStatus")
        self.body.addWidget(self.status)
        self.resize(480, 240)

    async def browse(self) -> None:
        dialog = QFileDialog(self, self.windowTitle())
        dialog.setObjectName("exportFileDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("csv")
        dialog.setNameFilters(["CSV files (*.csv)"])
        try:
            if await run_dialog(dialog) == QDialog.DialogCode.Accepted and dialog.selectedFiles():
                self.file_edit.setText(dialog.selectedFiles()[0])
        finally:
            dialog.deleteLater()

    def validate(self) -> bool:
        text = self.file_edit.text().strip()
        message = ""
        if not text:
            message = "Choose where to save the file."
        elif Path(text).is_dir():
            message = "That is a folder; add a file name."
        elif not Path(text).parent.exists():
            message = f"The folder “{Path(text).parent}” does not exist."
        self.file_error.show_error(message)
        return not message

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.status.setText(f"{done} of {total} rows written…")

    async def submit(self) -> int:
        kind = self.kind
        if not is_list_kind(kind):
            raise ValueError(f"There is no list of {kind} to export.")
        self._cancel.clear()
        self.status.setText("Exporting…")
        schema = self.services.schema.current
        columns = csvio.export_columns(schema, kind)
        browse = self.services.browse

        async def fetch(start: int, size: int) -> Page:
            return await browse.fetch_page(kind, self.filter_value, start, size)

        rows = await csvio.export_pages(
            fetch,
            self.file_edit.text().strip(),
            columns,
            page_size=self.page_size,
            bom=self.excel.isChecked(),
            progress=self._progress,
            cancel=self._cancel,
        )
        self.status.setText(f"{rows} rows written.")
        return rows

    def reject(self) -> None:
        if self.busy:
            self._cancel.set()
            self.status.setText("Cancelling…")
            return
        super().reject()
