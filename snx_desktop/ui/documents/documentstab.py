"""The Documents tab of a contact: its documents, Open, Save as… and Attach….

`DocumentsWidget` shows a contact's documents (name, size, date added, and "Waiting to
upload" for files still in the write queue). Open downloads the document into the store's
document cache (once) and hands a named copy to the desktop's default application; Save as…
asks where with a file dialog opened by ``open()`` (never ``exec()``) and writes the file
under a sanitised name. Both need the ``url`` the server offers; without one the buttons are
disabled for that row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterable, Mapping
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from snx_desktop import messages
from snx_desktop.models.columns import document_columns
from snx_desktop.models.records import RecordTableModel
from snx_desktop.models.roles import Roles
from snx_desktop.models.schema import Column
from snx_desktop.services.documents import DocumentFiles, safe_file_name
from snx_desktop.services.types import is_temp_id
from snx_desktop.ui.columnfit import ColumnFitter, install_elided_tips
from snx_desktop.ui.documents.attach import Attacher, ContactGetter

__all__ = ["DocumentsWidget", "choose_save_path"]

log = logging.getLogger(__name__)

Record = Mapping[str, object]


def _doc_id(record: Mapping[str, object]) -> str:
    return str(record.get("document-id") or record.get("id") or "")


def _status(record: Mapping[str, object]) -> str:
    if is_temp_id(_doc_id(record)):
        return "Waiting to upload"
    return "" if record.get("url") else "No download offered"


def documents_columns() -> list[Column]:
    """Name, size, date added, and a status for pending uploads."""
    return [*document_columns(), Column("url", "Status", render=_status)]


async def choose_save_path(parent: QWidget | None, suggested: str) -> Path | None:
    """A "Save as" dialog opened with ``open()`` and awaited; None when cancelled."""
    dialog = QFileDialog(parent, "Save document as")
    dialog.setObjectName("saveDocumentDialog")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.selectFile(safe_file_name(suggested))
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def finished(result: int) -> None:
        if not done.done():
            done.set_result(result)

    dialog.finished.connect(finished)
    dialog.open()
    try:
        result = await done
        files = dialog.selectedFiles()
        if result != QFileDialog.DialogCode.Accepted.value or not files:
            return None
        return Path(files[0])
    finally:
        with contextlib.suppress(RuntimeError):  # the parent (and the dialog) may be gone
            dialog.close()
            dialog.deleteLater()


class DocumentsWidget(QWidget):
    """A contact's documents with Open, Save as… and (with an `Attacher`) Attach…."""

    #: a sentence for the user (a download failed, a document is not uploaded yet...)
    message = Signal(str)

    def __init__(
        self,
        files: DocumentFiles | None = None,
        attacher: Attacher | None = None,
        *,
        current: ContactGetter | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("documentsWidget")
        self.files = files
        self.attacher = attacher
        #: opens a local file with the desktop's default application (replaceable in tests)
        self.opener: Callable[[QUrl], object] = QDesktopServices.openUrl
        self._tasks: set[asyncio.Future[object]] = set()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self._bar = bar
        self.attach_button: QPushButton | None = None
        if attacher is not None and current is not None:
            self.attach_button = attacher.attach_button(self, current)
            bar.addWidget(self.attach_button)
        self.open_button = QPushButton("Open", self)
        self.open_button.setObjectName("openDocument")
        self.open_button.setAccessibleName("Open the selected document")
        self.open_button.clicked.connect(lambda: self._spawn(self.open_document()))
        bar.addWidget(self.open_button)
        self.save_button = QPushButton("Save as…", self)
        self.save_button.setObjectName("saveDocumentAs")
        self.save_button.setAccessibleName("Save the selected document as a file")
        self.save_button.clicked.connect(lambda: self._spawn(self.save_document_as()))
        bar.addWidget(self.save_button)
        bar.addStretch(1)
        self.status = QLabel(self)
        self.status.setObjectName("documentsStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        bar.addWidget(self.status)
        layout.addLayout(bar)
        self.model = RecordTableModel(documents_columns(), parent=self)
        self.view = QTableView(self)
        self.view.setObjectName("documentsTable")
        self.view.setAccessibleName("Documents")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setShowGrid(False)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.horizontalHeader().setStretchLastSection(True)
        self._fitter: ColumnFitter | None = None
        self.view.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.view.doubleClicked.connect(
            lambda index: self._spawn(self.open_document(self._record_at(index)))
        )
        layout.addWidget(self.view, 1)
        self.empty = QLabel(
            "No documents yet.\nDrop files anywhere on this contact, or use Attach…", self
        )
        self.empty.setObjectName("documentsEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)
        self.empty.hide()
        layout.addWidget(self.empty, 1)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()

    def bind(
        self,
        files: DocumentFiles | None,
        attacher: Attacher | None = None,
        current: ContactGetter | None = None,
    ) -> None:
        """Attach to a session's services after construction (None: signed out)."""
        self.files = files
        self.attacher = attacher
        if self.attach_button is not None:
            self._bar.removeWidget(self.attach_button)
            self.attach_button.deleteLater()
            self.attach_button = None
        if attacher is not None and current is not None:
            self.attach_button = attacher.attach_button(self, current)
            self._bar.insertWidget(0, self.attach_button)
        self._update_buttons()

    # ------------------------------------------------------------------ content
    def set_documents(self, records: Iterable[Record], *, stale: bool = False) -> None:
        self.model.set_records(records, stale=stale)
        self._fit()
        self._update_buttons()

    def _fit(self) -> None:
        """Name wide enough to read, size and date on one line; Status only when it says
        something; the empty text when there is nothing to list."""
        rows = self.model.rowCount()
        self.view.setVisible(rows > 0)
        self.empty.setVisible(rows == 0)
        if not rows:
            return
        last = self.model.columnCount() - 1
        status_used = any(str(self.model.index(r, last).data() or "").strip() for r in range(rows))
        self.view.setColumnHidden(last, not status_used)
        header = self.view.horizontalHeader()
        wanted: dict[int, int] = {}
        for col in range(last + 1):
            self.view.resizeColumnToContents(col)
            wanted[col] = min(max(header.sectionSize(col) + 12, 60), 320)
        # into the pane's width, no sideways scrollbar: a long file name is cut (whole as tooltip)
        if self._fitter is None:
            self._fitter = ColumnFitter(self.view)
            self._fitter.flexible = 0
            install_elided_tips(self.view)
        self._fitter.want(wanted)

    def documents(self) -> list[Record]:
        return self.model.records()

    def select_row(self, row: int) -> None:
        self.view.selectRow(row)
        self._update_buttons()

    def selected_document(self) -> Record | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self._record_at(rows[0])

    def _record_at(self, index: QModelIndex) -> Record | None:
        record = index.data(Roles.RECORD)
        return record if isinstance(record, Mapping) else None

    def _update_buttons(self) -> None:
        record = self.selected_document()
        ok = record is not None and self.files is not None and DocumentFiles.can_download(record)
        self.open_button.setEnabled(ok)
        self.save_button.setEnabled(ok)

    # ------------------------------------------------------------------ actions
    async def open_document(self, record: Record | None = None) -> Path | None:
        """Download (once) and open with the desktop's default application."""
        record = record or self.selected_document()
        if record is None or self.files is None:
            return None
        name = str(record.get("file-name", ""))
        self._set_status(f"Opening {name}…")
        try:
            path = await self.files.open_copy(record)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._failed(f"“{name}” could not be opened: {exc}")
            return None
        self._set_status("")
        self.opener(QUrl.fromLocalFile(str(path)))
        return path

    async def save_document_as(
        self, record: Record | None = None, dest: Path | str | None = None
    ) -> Path | None:
        """Save a copy where the user says (a dialog unless ``dest`` is given)."""
        record = record or self.selected_document()
        if record is None or self.files is None:
            return None
        name = str(record.get("file-name", ""))
        if dest is None:
            chosen = await choose_save_path(self, DocumentFiles.suggested_name(record))
            if chosen is None:
                return None
            dest = chosen
        self._set_status(f"Saving {name}…")
        try:
            path = await self.files.save_as(record, Path(dest))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._failed(f"“{name}” could not be saved: {exc}")
            return None
        self._set_status(f"Saved {path.name}.")
        return path

    # ------------------------------------------------------------------ helpers
    def _spawn(self, coro: Coroutine[object, None, object]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait_idle(self) -> None:
        """Wait for Open / Save as started from the buttons (tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _set_status(self, text: str) -> None:
        self.status.setText(text)

    def _failed(self, text: str) -> None:
        log.info("document action failed")
        self._set_status(text)
        messages.error(text)
        self.message.emit(text)
