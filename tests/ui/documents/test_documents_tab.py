"""The Documents tab (open, save as, pending uploads) and the upload list's retry and clear."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit
from support.waiting import until

from snx_desktop.services.types import new_temp_id
from snx_desktop.services.uploads import DocumentFiles, FailReason, JobState
from snx_desktop.ui.documents import Attacher, DocumentsWidget, UploadListWidget

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def find_dialog(name: str) -> QFileDialog | None:
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QFileDialog) and w.objectName() == name and w.isVisible():
            return w
    return None


def name_edit(dialog: QFileDialog) -> QLineEdit:
    for edit in dialog.findChildren(QLineEdit):
        if edit.objectName() == "fileNameEdit":
            return edit
    raise AssertionError("no file name field")


@pytest.mark.asyncio
async def test_documents_tab_open_save_as_and_pending_rows(
    qtbot: Any, env: Any, tmp_path: Path
) -> None:
    cid = await env.new_contact("Docs Tab")
    first = bytes(range(256)) * 300
    second = b"col1,col2\n1,2\n"
    await env.client.add_doc_to_contact(cid, "CON.txt", io.BytesIO(first))
    await env.client.add_doc_to_contact(cid, "figures.csv", io.BytesIO(second))
    docs = await env.client.get_docs_for_contact(cid)
    records: list[dict[str, Any]] = [dict(d.raw) for d in docs.items]
    records.append(
        {"document-id": new_temp_id(), "file-name": "later.pdf", "size": "2048", "url": ""}
    )
    files = DocumentFiles(env.client, env.services.store, open_dir=tmp_path / "open")
    attacher = Attacher(env.manager)
    widget = DocumentsWidget(files, attacher, current=lambda: (cid, "Docs Tab"))
    qtbot.addWidget(widget)
    widget.resize(600, 300)
    widget.show()
    opened: list[QUrl] = []
    widget.opener = opened.append
    widget.set_documents(records)

    model = widget.model
    assert model.rowCount() == 3
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Name", "Size", "Added", "Status"]
    assert model.index(0, 1).data() == "75.0 KB"
    assert model.index(2, 3).data() == "Waiting to upload"
    assert widget.attach_button is not None
    widget.select_row(2)
    assert not widget.open_button.isEnabled()
    assert not widget.save_button.isEnabled()
    widget.select_row(0)
    assert widget.open_button.isEnabled()

    qtbot.mouseClick(widget.open_button, Qt.MouseButton.LeftButton)
    await widget.wait_idle()
    assert len(opened) == 1
    local = Path(opened[0].toLocalFile())
    assert local.name == "_CON.txt"
    assert local.read_bytes() == first

    widget.select_row(1)
    qtbot.mouseClick(widget.save_button, Qt.MouseButton.LeftButton)
    await until(lambda: find_dialog("saveDocumentDialog") is not None, what="save dialog")
    dialog = find_dialog("saveDocumentDialog")
    assert dialog is not None
    assert name_edit(dialog).text() == "figures.csv"
    target = tmp_path / "exported.csv"
    dialog.setDirectory(str(tmp_path))
    name_edit(dialog).setText(str(target))
    dialog.accept()
    await until(lambda: target.exists(), what="the saved file")
    await widget.wait_idle()
    assert target.read_bytes() == second
    assert widget.status.text() == "Saved exported.csv."


@pytest.mark.asyncio
async def test_save_dialog_suggests_a_sanitised_name(qtbot: Any, env: Any, tmp_path: Path) -> None:
    files = DocumentFiles(env.client, env.services.store)
    widget = DocumentsWidget()  # built before sign-in, bound afterwards
    qtbot.addWidget(widget)
    assert widget.attach_button is None
    widget.bind(files, Attacher(env.manager), lambda: ("c", "Somebody"))
    assert widget.attach_button is not None
    assert widget.attach_button.objectName() == "attachButton"
    record = {"document-id": "x", "file-name": "..\\..\\nul.txt", "url": "http://x/documents/x"}
    task = asyncio.ensure_future(widget.save_document_as(record))
    await until(lambda: find_dialog("saveDocumentDialog") is not None, what="save dialog")
    dialog = find_dialog("saveDocumentDialog")
    assert dialog is not None
    assert name_edit(dialog).text() == "_nul.txt"
    dialog.reject()
    assert await asyncio.wait_for(task, 10) is None


@pytest.mark.asyncio
async def test_upload_list_retry_and_clear(qtbot: Any, env: Any, tmp_path: Path) -> None:
    cid = await env.new_contact("Retry Person")
    uploads = UploadListWidget(env.manager)
    qtbot.addWidget(uploads)
    uploads.show()
    path = tmp_path / "retry.txt"
    path.write_bytes(b"r" * 200)
    env.manager.max_bytes = 100
    (job,) = env.manager.add(cid, [path], contact_name="Retry Person")
    row = uploads.row(job.job_id)
    assert row is not None
    assert job.reason is FailReason.TOO_LARGE
    assert row.retry_button.isVisibleTo(row)
    assert "retry.txt" in row.status.text()
    assert "1 failed" in uploads.title.text()
    env.manager.max_bytes = 1024
    qtbot.mouseClick(row.retry_button, Qt.MouseButton.LeftButton)
    final = await env.manager.wait(job.job_id, timeout=20)
    assert final.state is JobState.DONE
    assert not row.retry_button.isVisibleTo(row)
    docs = await env.client.get_docs_for_contact(cid)
    buf = io.BytesIO()
    await env.client.download_document(docs.items[0].url, buf)
    assert buf.getvalue() == path.read_bytes()
    qtbot.mouseClick(uploads.clear_button, Qt.MouseButton.LeftButton)
    assert uploads.row(job.job_id) is None
    assert env.manager.job(job.job_id) is None
