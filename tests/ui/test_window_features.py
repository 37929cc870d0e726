"""The editing and document features as the window offers them after sign-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, QUrl
from PySide6.QtWidgets import QWidget
from support.dialogs import visible_dialog
from support.qtdrag import send_drag
from support.signals import when
from support.waiting import eventually, until
from support.windows import first_page, signed_in

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _drop_files(widget: QWidget, *paths: Path) -> list[bool]:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return send_drag(widget, QPointF(widget.rect().center()), mime)


@pytest.mark.asyncio
async def test_ctrl_n_opens_the_new_contact_dialog(sandbox: Any, tmp_path: Path) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        await first_page(s)
        await until(lambda: w.features.actions["actionImportCsv"].isEnabled(), 5, "features")
        # the editing and document widgets took the place of the read-only tables
        assert w.findChild(QWidget, "fieldsEditor") is not None
        assert w.findChild(QWidget, "documentsWidget") is not None
        assert w.findChild(QWidget, "pendingPanel") is not None
        assert w.findChild(QWidget, "pendingList") is not None
        w.actions_.new_record.trigger()
        await until(visible_dialog, 5, "the new-record dialog")
        dialog = visible_dialog()
        assert dialog is not None
        assert type(dialog).__name__ == "NewRecordDialog"
        dialog.reject()
        await until(lambda: visible_dialog() is None, 5, "the dialog to close")


@pytest.mark.asyncio
async def test_files_dropped_on_the_open_contact_are_uploaded(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(fresh_sandbox, tmp_path / "profile") as s:
        w = s.window
        await first_page(s)
        await until(lambda: w.features.attacher is not None, 5, "features")
        w.list_pane.select_row(2)
        await when(w.detail.recordOpened, lambda: w.detail.record_id != "", 5, "an open contact")
        await w.detail.wait_loaded()
        cid = w.detail.record_id
        one = tmp_path / "notes.txt"
        one.write_bytes(b"meeting notes\n" * 50)
        two = tmp_path / "offer.pdf"
        two.write_bytes(bytes(range(256)) * 40)
        assert _drop_files(w.detail, one, two) == [True, True, True]

        async def names() -> set[str]:
            docs = await s.services.client.get_docs_for_contact(cid)
            return {d.file_name for d in docs.items}

        async def both_there() -> bool:
            return await names() >= {"notes.txt", "offer.pdf"}

        await eventually(both_there, 10, "both files on the server")
        assert await names() >= {"notes.txt", "offer.pdf"}
