"""The CSV import wizard: file -> columns to fields -> matching -> preview -> import -> report.

1. Pick a file (read in a worker thread: encoding and delimiter are detected).
2. Map each column to a contact field; columns are matched to fields by label,
   case-insensitively, and can be changed or skipped. Read-only fields are not offered.
3. Choose the match fields (``_toMatch``), "create contacts that match nothing"
   (``create-if-not-updated``), "empty values match" (``match-nulls``) and whether to take
   off the apostrophe the app's own export puts before formula-like values (off: every value
   is sent exactly as the file has it).
4. Preview the first rows exactly as they will be sent: numbers and dates written in the
   rep's language ("1.234,56", "24.12.1980") in the API's forms (`read_import_rows`).
5. Import through ``WriteQueue.import_contacts`` in chunks (`csvio.import_rows`), with a
   progress bar and Cancel; then a report of created, updated and failed rows (by file line).
Offline, the chunks are queued and sent when the connection is back (see Pending changes).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from snx_desktop.services import csvio
from snx_desktop.ui.dialogs import run_dialog
from snx_desktop.ui.editing._dialogs import ErrorLabel
from snx_desktop.ui.editing.importvalues import read_import_rows
from snx_desktop.ui.editing.recordform import is_email_field

if TYPE_CHECKING:
    from snx_desktop.services.ports import AccountServices

__all__ = ["ImportWizard"]

log = logging.getLogger(__name__)

PREVIEW_ROWS = 10
FILE, MAPPING, OPTIONS, PREVIEW, RUN = range(5)
FIELD_ROLE = int(Qt.ItemDataRole.UserRole) + 1


def _page(parent: QWidget, name: str, title: str) -> tuple[QWidget, QVBoxLayout]:
    page = QWidget(parent)
    page.setObjectName(name)
    page.setAccessibleName(title)
    layout = QVBoxLayout(page)
    head = QLabel(f"<b>{title}</b>", page)
    layout.addWidget(head)
    return page, layout


class ImportWizard(QDialog):
    """Import contacts from a CSV file; ``report`` holds the `csvio.ImportReport` at the end."""

    def __init__(
        self,
        services: AccountServices,
        parent: QWidget | None = None,
        *,
        path: str | Path | None = None,
        chunk_size: int = csvio.DEFAULT_CHUNK,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importWizard")
        self.setWindowTitle("Import contacts from CSV")
        self.setAccessibleName("Import contacts from CSV")
        self.services = services
        self.chunk_size = chunk_size
        schema = services.schema.current
        if schema is None:
            raise RuntimeError("the schema has not been loaded yet")
        self.schema = schema
        self.fields = [
            f
            for f in schema.table_fields("Contact")
            if not f.read_only and f.type != 8 and f.role != "record-id"
        ]
        self.table: csvio.CsvTable | None = None
        self.rows: csvio.ImportRows | None = None
        self.report: csvio.ImportReport | None = None
        self._cancel = asyncio.Event()
        self._task: asyncio.Future[object] | None = None
        self._running = False
        outer = QVBoxLayout(self)
        self.pages = QStackedWidget(self)
        self.pages.setObjectName("importPages")
        outer.addWidget(self.pages, 1)
        self._build_file_page(path)
        self._build_mapping_page()
        self._build_options_page()
        self._build_preview_page()
        self._build_run_page()
        self.error = ErrorLabel("import", None, self)
        outer.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.back_button = self._button("< &Back", "importBack", buttons)
        self.next_button = self._button("&Next >", "importNext", buttons)
        self.cancel_button = self._button("Cancel", "importCancel", buttons)
        self.close_button = self._button("&Close", "importClose", buttons)
        outer.addLayout(buttons)
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self._next_slot)
        self.cancel_button.clicked.connect(self.reject)
        self.close_button.clicked.connect(self.accept)
        self.next_button.setDefault(True)
        self._show(FILE)
        self.resize(720, 520)

    def _button(self, text: str, name: str, layout: QHBoxLayout) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(text.replace("&", "").replace("<", "").replace(">", "").strip())
        button.setAutoDefault(False)
        layout.addWidget(button)
        return button

    # -- pages ---------------------------------------------------------------------------------
    def _build_file_page(self, path: str | Path | None) -> None:
        page, lay = _page(self.pages, "importFilePage", "1. Choose a CSV file")
        row = QHBoxLayout()
        self.file_edit = QLineEdit(str(path or ""), page)
        self.file_edit.setObjectName("importFile")
        self.file_edit.setAccessibleName("CSV file")
        self.file_edit.setPlaceholderText("contacts.csv")
        row.addWidget(self.file_edit, 1)
        browse = QPushButton("&Browse…", page)
        browse.setObjectName("importBrowse")
        browse.setAccessibleName("Browse for a CSV file")
        browse.clicked.connect(lambda: self._spawn(self.browse()))
        row.addWidget(browse)
        lay.addLayout(row)
        self.file_info = QLabel(
            "The first row must hold the column names. UTF-8 and Windows encodings, "
            "commas, semicolons and tabs are recognised.",
            page,
        )
        self.file_info.setObjectName("importFileInfo")
        self.file_info.setWordWrap(True)
        lay.addWidget(self.file_info)
        lay.addStretch(1)
        self.pages.addWidget(page)

    def _build_mapping_page(self) -> None:
        page, lay = _page(self.pages, "importMappingPage", "2. Columns to fields")
        self.mapping_table = QTableWidget(0, 3, page)
        self.mapping_table.setObjectName("importMapping")
        self.mapping_table.setAccessibleName("Column to field mapping")
        self.mapping_table.setHorizontalHeaderLabels(["Column", "First value", "Field"])
        self.mapping_table.horizontalHeader().setStretchLastSection(True)
        self.mapping_table.verticalHeader().hide()
        self.mapping_table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        hint = QLabel(
            "Pick the field each column of the file goes into. Columns set to "
            "“(do not import)” are left out.",
            page,
        )
        hint.setWordWrap(True)
        lay.addWidget(hint)
        lay.addWidget(self.mapping_table, 1)
        self.combos: list[QComboBox] = []
        self.pages.addWidget(page)

    def _build_options_page(self) -> None:
        page, lay = _page(self.pages, "importOptionsPage", "3. Matching existing contacts")
        lay.addWidget(QLabel("Update the contacts whose values match in these fields:", page))
        self.match_list = QListWidget(page)
        self.match_list.setObjectName("importMatchFields")
        self.match_list.setAccessibleName("Match fields")
        lay.addWidget(self.match_list, 1)
        self.create_box = QCheckBox("&Create a contact for rows that match no contact", page)
        self.create_box.setObjectName("importCreate")
        self.create_box.setAccessibleName("Create contacts for rows that match nothing")
        self.create_box.setChecked(True)
        lay.addWidget(self.create_box)
        self.nulls_box = QCheckBox("Empty values &match anything", page)
        self.nulls_box.setObjectName("importMatchNulls")
        self.nulls_box.setAccessibleName("Empty values match")
        self.nulls_box.setChecked(True)
        lay.addWidget(self.nulls_box)
        self.unguard_box = QCheckBox(
            "&Remove the apostrophe our export puts before values like =1+1 or +1 555",
            page,
        )
        self.unguard_box.setObjectName("importUndoFormulaGuard")
        self.unguard_box.setAccessibleName("Remove the export's apostrophe before formulas")
        self.unguard_box.setToolTip(
            "Exported lists protect values a spreadsheet could run as a formula with a leading "
            "apostrophe. Tick this to take it off again; otherwise every value is imported "
            "exactly as the file has it."
        )
        self.unguard_box.setChecked(False)
        lay.addWidget(self.unguard_box)
        self.pages.addWidget(page)

    def _build_preview_page(self) -> None:
        page, lay = _page(self.pages, "importPreviewPage", "4. Preview")
        self.preview_summary = QLabel(page)
        self.preview_summary.setObjectName("importPreviewSummary")
        self.preview_summary.setWordWrap(True)
        lay.addWidget(self.preview_summary)
        self.preview = QTableWidget(0, 0, page)
        self.preview.setObjectName("importPreview")
        self.preview.setAccessibleName("Rows as they will be sent")
        self.preview.verticalHeader().hide()
        lay.addWidget(self.preview, 1)
        self.pages.addWidget(page)

    def _build_run_page(self) -> None:
        page, lay = _page(self.pages, "importRunPage", "5. Import")
        self.progress = QProgressBar(page)
        self.progress.setObjectName("importProgress")
        self.progress.setAccessibleName("Import progress")
        lay.addWidget(self.progress)
        self.status = QLabel(page)
        self.status.setObjectName("importStatus")
        self.status.setAccessibleName("Import status")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.report_text = QPlainTextEdit(page)
        self.report_text.setObjectName("importReport")
        self.report_text.setAccessibleName("Import report")
        self.report_text.setReadOnly(True)
        lay.addWidget(self.report_text, 1)
        self.pages.addWidget(page)

    # -- navigation ----------------------------------------------------------------------------
    def _show(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self.error.show_error("")
        self.back_button.setEnabled(index not in (FILE, RUN))
        self.next_button.setVisible(index != RUN)
        self.next_button.setText("&Import" if index == PREVIEW else "&Next >")
        self.close_button.setVisible(index == RUN and not self._running)
        self.cancel_button.setVisible(index != RUN or self._running)

    def go_back(self) -> None:
        if 0 < self.pages.currentIndex() < RUN:
            self._show(self.pages.currentIndex() - 1)

    def _spawn(self, coro: Coroutine[object, None, object]) -> None:
        self._task = asyncio.ensure_future(coro)

    def _next_slot(self) -> None:
        self._spawn(self.next_step())

    async def next_step(self) -> bool:
        """Go to the next page if this one is complete (tests await this)."""
        page = self.pages.currentIndex()
        if page == FILE:
            if not await self.load_file(self.file_edit.text().strip()):
                return False
            self._show(MAPPING)
        elif page == MAPPING:
            if not any(self.mapping()):
                self.error.show_error("Choose a field for at least one column.")
                return False
            self._fill_match_list()
            self._show(OPTIONS)
        elif page == OPTIONS:
            if not self.match_fields() and not self.create_box.isChecked():
                self.error.show_error(
                    "Choose at least one match field, or allow creating contacts: "
                    "otherwise nothing would be imported."
                )
                return False
            self._fill_preview()
            self._show(PREVIEW)
        elif page == PREVIEW:
            self._show(RUN)
            await self.run_import()
        return True

    async def browse(self) -> None:
        dialog = QFileDialog(self, "Import contacts from CSV")
        dialog.setObjectName("importFileDialog")
        dialog.setNameFilters(["CSV files (*.csv *.txt)", "All files (*)"])
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        try:
            if await run_dialog(dialog) == QDialog.DialogCode.Accepted and dialog.selectedFiles():
                self.file_edit.setText(dialog.selectedFiles()[0])
        finally:
            dialog.deleteLater()

    # -- step 1: the file ----------------------------------------------------------------------
    async def load_file(self, path: str) -> bool:
        if not path:
            self.error.show_error("Choose a CSV file.")
            return False
        try:
            table = await asyncio.to_thread(csvio.read_csv, path)
        except FileNotFoundError:
            self.error.show_error(f"“{path}” was not found.")
            return False
        except (OSError, ValueError, UnicodeError) as exc:
            self.error.show_error(f"“{Path(path).name}” cannot be read: {exc}")
            return False
        if not table.headers or not table.rows:
            self.error.show_error(f"“{Path(path).name}” has no data rows.")
            return False
        self.table = table
        self._fill_mapping(table)
        self.file_info.setText(
            f"{len(table.rows)} rows, {len(table.headers)} columns ({table.encoding})."
        )
        return True

    # -- step 2: mapping -----------------------------------------------------------------------
    def _fill_mapping(self, table: csvio.CsvTable) -> None:
        guessed = _with_name_column(
            csvio.auto_map(table.headers, self.fields),
            table.headers,
            next((f.id for f in self.fields if f.id == self.schema.role("Contact", "name")), None),
        )
        self.mapping_table.setRowCount(len(table.headers))
        self.combos = []
        for i, header in enumerate(table.headers):
            self.mapping_table.setItem(i, 0, QTableWidgetItem(header))
            first = table.column(i, 1)
            self.mapping_table.setItem(i, 1, QTableWidgetItem(first[0] if first else ""))
            combo = QComboBox(self.mapping_table)
            combo.setObjectName(f"mapColumn_{i}")
            combo.setAccessibleName(f"Field for column {header}")
            combo.addItem("(do not import)", None)
            for f in self.fields:
                combo.addItem(f.label, f.id)
            if guessed[i] is not None:
                combo.setCurrentIndex(combo.findData(guessed[i]))
            self.mapping_table.setCellWidget(i, 2, combo)
            self.combos.append(combo)
        self.mapping_table.resizeColumnsToContents()

    def mapping(self) -> list[str | None]:
        return [c.currentData() for c in self.combos]

    def set_mapping(self, column: int, field_id: str | None) -> None:
        combo = self.combos[column]
        combo.setCurrentIndex(max(0, combo.findData(field_id)))

    # -- step 3: options -----------------------------------------------------------------------
    def _fill_match_list(self) -> None:
        before = set(self.match_fields())
        fresh = not before and self.match_list.count() == 0
        self.match_list.clear()
        mapped = [m for m in self.mapping() if m]
        proposed = self.schema.role("Contact", "email")
        if proposed not in mapped:
            proposed = next(
                (
                    m
                    for m in mapped
                    if m in self.schema.fields and is_email_field(self.schema.fields[m])
                ),
                None,
            )
        for fid in mapped:
            info = self.schema.fields.get(fid)
            item = QListWidgetItem(info.label if info else fid, self.match_list)
            item.setData(FIELD_ROLE, fid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = fid in before or (fresh and fid == proposed)
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def match_fields(self) -> list[str]:
        out = []
        for row in range(self.match_list.count()):
            item = self.match_list.item(row)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(FIELD_ROLE)))
        return out

    def set_match_fields(self, field_ids: list[str]) -> None:
        for row in range(self.match_list.count()):
            item = self.match_list.item(row)
            if item is not None:
                on = item.data(FIELD_ROLE) in field_ids
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    # -- step 4: preview -----------------------------------------------------------------------
    def _fill_preview(self) -> None:
        assert self.table is not None
        rows = csvio.build_import_rows(
            self.table,
            self.mapping(),
            self.match_fields(),
            undo_formula_guard=self.unguard_box.isChecked(),
        )
        # numbers and dates as the rep's spreadsheet wrote them, sent in the API's forms
        types = {fid: int(info.type or 0) for fid, info in self.schema.fields.items()}
        rows = read_import_rows(rows, types, {fid: self.schema.label(fid) for fid in types})
        self.rows = rows
        columns = [m for m in dict.fromkeys(self.mapping()) if m]
        labels = [self.schema.label(c) for c in columns] + ["Match on"]
        self.preview.clear()
        self.preview.setColumnCount(len(labels))
        self.preview.setHorizontalHeaderLabels(labels)
        shown = rows.rows[:PREVIEW_ROWS]
        self.preview.setRowCount(len(shown))
        for r, row in enumerate(shown):
            for c, fid in enumerate(columns):
                self.preview.setItem(r, c, QTableWidgetItem(str(row.get(fid, ""))))
            match = ", ".join(self.schema.label(str(m)) for m in row.get("_toMatch", []))
            self.preview.setItem(r, len(columns), QTableWidgetItem(match or "(none)"))
        self.preview.resizeColumnsToContents()
        parts = -(-len(rows.rows) // self.chunk_size)
        text = (
            f"{len(rows.rows)} rows will be sent in {parts} part{'s' if parts != 1 else ''} "
            f"of up to {self.chunk_size}."
        )
        if rows.skipped:
            empty = sum(why == "The row is empty." for _n, why in rows.skipped)
            if empty:
                text += f" {empty} empty rows are skipped."
            unread = [(n, why) for n, why in rows.skipped if why != "The row is empty."]
            for n, why in unread[:3]:
                text += f" Line {n} is skipped: {why}"
            if len(unread) > 3:
                text += f" {len(unread) - 3} more lines are skipped (listed in the report)."
        if not self.services.connectivity.is_online:
            text += " You are offline: the rows are queued and sent when the connection is back."
        self.preview_summary.setText(text)

    # -- step 5: import ------------------------------------------------------------------------
    async def run_import(self) -> csvio.ImportReport | None:
        if self.rows is None:
            return None
        self._running = True
        self._cancel.clear()
        self._show(RUN)
        self.progress.setRange(0, max(1, len(self.rows.rows)))
        self.progress.setValue(0)
        self.status.setText("Importing…")
        online = bool(self.services.connectivity.is_online)
        try:
            report = await csvio.import_rows(
                self.services.writes,
                self.rows,
                create_if_not_updated=self.create_box.isChecked(),
                match_nulls=self.nulls_box.isChecked(),
                chunk_size=self.chunk_size,
                wait=online,
                progress=self._progress,
                cancel=self._cancel,
                origin=self,
            )
        except Exception as exc:
            log.info("import stopped: %s", type(exc).__name__)
            self.status.setText(f"The import stopped: {exc}")
            self._running = False
            self._show(RUN)
            return None
        self.report = report
        self._running = False
        self._show_report(report)
        self._show(RUN)
        return report

    def _progress(self, report: csvio.ImportReport) -> None:
        total = max(1, report.total_rows)
        if report.queued_ops:
            done = min(total, report.chunks_done * self.chunk_size)
            self.status.setText(f"Queued {done} of {total} rows…")
        else:
            done = report.rows_done
            self.status.setText(f"{done} of {total} rows imported… {report.summary()}")
        self.progress.setValue(min(total, done))

    def _show_report(self, report: csvio.ImportReport) -> None:
        self.status.setText(report.summary())
        lines = [report.summary()]
        if self.rows is not None and self.rows.skipped:
            lines.append("")
            lines += [f"Line {n}: skipped: {why}" for n, why in self.rows.skipped]
        if report.failed:
            lines.append("")
            lines += [f"Line {n}: {error}" for n, error in report.failed]
        self.report_text.setPlainText("\n".join(lines))

    def cancel_import(self) -> None:
        self._cancel.set()
        self.status.setText("Cancelling after the current part…")

    def reject(self) -> None:
        if self._running:
            self.cancel_import()
            return
        super().reject()


_NAME_HEADERS = ("name", "contact", "contact name", "full name", "person")


def _with_name_column(
    guessed: list[str | None], headers: list[str], name_field: str | None
) -> list[str | None]:
    """A column headed "Name" (or "Contact") holds the contact's full name: without it a row
    would become a contact with no name."""
    if not name_field or name_field in guessed:
        return guessed
    out = list(guessed)
    for i, header in enumerate(headers):
        if out[i] is None and header.strip().casefold() in _NAME_HEADERS:
            out[i] = name_field
            break
    return out
