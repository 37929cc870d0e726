"""CSV round trip through the dialogs: export 1,000 contacts (every page), import them back
matched by e-mail, and nothing is duplicated. Plus the wizard's own checks."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from support.dialogs import dialog_result, open_dialog
from support.fields import C_EMAIL, C_PHONE, C_TITLE

from snx_desktop.services import csvio
from snx_desktop.ui.editing.exportdialog import ExportDialog
from snx_desktop.ui.editing.importwizard import MAPPING, OPTIONS, PREVIEW, RUN, ImportWizard

from .conftest import QT_IGNORE

pytestmark = [pytest.mark.asyncio, QT_IGNORE]


async def test_export_then_import_1000_contacts(
    sandbox_factory: Any, open_services: Any, server_client: Any, qtbot: Any, tmp_path: Path
) -> None:
    server = sandbox_factory(contacts=1000, seed=5)
    svc = await open_services(server)
    client = await server_client(server)
    out = tmp_path / "contacts.csv"

    export = ExportDialog(svc, "contact", "", path=out)
    qtbot.addWidget(export)
    fut = await open_dialog(export)
    qtbot.mouseClick(export.ok_button, Qt.MouseButton.LeftButton)
    assert await dialog_result(fut, 60) == QDialog.DialogCode.Accepted
    assert export.result_value == 1000
    assert export.progress.value() == export.progress.maximum() == 1000
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    assert b",\"'+1 " in raw  # phone numbers quoted and guarded against formulas
    table = csvio.read_csv(out)
    assert len(table.rows) == 1000

    wizard = ImportWizard(svc, path=out)
    qtbot.addWidget(wizard)
    fut = await open_dialog(wizard)
    assert await wizard.next_step()
    assert wizard.pages.currentIndex() == MAPPING
    mapping = wizard.mapping()
    header = table.headers
    assert mapping[header.index("E-mail")] == C_EMAIL
    assert mapping[header.index("Record ID")] is None  # read-only: not offered
    assert await wizard.next_step()
    assert wizard.pages.currentIndex() == OPTIONS
    assert wizard.match_fields() == [C_EMAIL]  # the e-mail is proposed as match field
    wizard.create_box.setChecked(True)
    assert not wizard.unguard_box.isChecked()
    assert await wizard.next_step()
    assert wizard.pages.currentIndex() == PREVIEW
    assert wizard.preview.rowCount() == 10
    phone_col = [
        wizard.preview.horizontalHeaderItem(c).text() for c in range(wizard.preview.columnCount())
    ].index("Phone")
    assert wizard.preview.item(0, phone_col).text().startswith("'+")  # as the file has it
    wizard.go_back()
    wizard.unguard_box.setChecked(True)  # the file is our own export
    assert await wizard.next_step()
    first_phone = wizard.preview.item(0, phone_col).text()
    assert first_phone.startswith("+")  # the guard is undone: sent as it was
    assert "1000 rows will be sent in 5 parts" in wizard.preview_summary.text()
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)  # Import
    await asyncio.wait_for(wizard._task, 120)  # type: ignore[arg-type]
    report = wizard.report
    assert report is not None
    assert (report.created, report.updated, report.failed) == (0, 1000, [])
    assert wizard.pages.currentIndex() == RUN
    assert wizard.close_button.isVisible()
    assert "0 created, 1000 updated, 0 failed" in wizard.status.text()
    qtbot.mouseClick(wizard.close_button, Qt.MouseButton.LeftButton)
    assert await dialog_result(fut) == QDialog.DialogCode.Accepted
    assert (await client.get_contacts(page_size=0)).total == 1000


async def test_wizard_refuses_bad_steps(
    sandbox: Any, open_services: Any, qtbot: Any, tmp_path: Path
) -> None:
    svc = await open_services(sandbox)
    wizard = ImportWizard(svc)
    qtbot.addWidget(wizard)
    fut = await open_dialog(wizard)
    assert not await wizard.next_step()
    assert "Choose a CSV file" in wizard.error.text()
    wizard.file_edit.setText(str(tmp_path / "missing.csv"))
    assert not await wizard.next_step()
    assert "was not found" in wizard.error.text()
    empty = tmp_path / "empty.csv"
    empty.write_text("Name,E-mail\n")
    wizard.file_edit.setText(str(empty))
    assert not await wizard.next_step()
    assert "no data rows" in wizard.error.text()
    good = tmp_path / "good.csv"
    good.write_text("Fax,Note\n1,x\n")
    wizard.file_edit.setText(str(good))
    assert await wizard.next_step()
    assert wizard.mapping() == [None, None]
    assert not await wizard.next_step()
    assert "at least one column" in wizard.error.text()
    wizard.set_mapping(1, C_TITLE)
    assert await wizard.next_step()
    wizard.create_box.setChecked(False)
    assert not await wizard.next_step()
    assert "match field" in wizard.error.text()
    wizard.go_back()
    assert wizard.pages.currentIndex() == MAPPING
    wizard.reject()
    await dialog_result(fut)


async def test_import_made_offline_is_queued_then_sent(
    fresh_sandbox: Any, open_services: Any, server_client: Any, qtbot: Any, tmp_path: Path
) -> None:
    svc = await open_services(fresh_sandbox)
    client = await server_client(fresh_sandbox)
    src = tmp_path / "new.csv"
    src.write_text(
        "Full Name;E-mail;Phone\n"
        + "".join(
            f"Offline Import {i};offline.import{i}@example.org;'+1 555 01{i}\n" for i in range(5)
        ),
        encoding="utf-8",
    )
    svc.connectivity.set_work_offline(True)
    wizard = ImportWizard(svc, path=src, chunk_size=2)
    qtbot.addWidget(wizard)
    fut = await open_dialog(wizard)
    for _ in range(3):
        assert await wizard.next_step()
    assert "offline" in wizard.preview_summary.text()
    assert await wizard.next_step()  # import: queued, not sent
    report = wizard.report
    assert report is not None
    assert len(report.queued_ops) == 3
    assert "waiting to be sent" in wizard.status.text()
    assert svc.writes.status.pending == 3
    qtbot.mouseClick(wizard.close_button, Qt.MouseButton.LeftButton)
    await dialog_result(fut)
    svc.connectivity.set_work_offline(False)
    outcomes = [await svc.writes.wait(op, timeout=30) for op in report.queued_ops]
    assert [o.result["created-count"] for o in outcomes] == [2, 2, 1]
    found = await client.get_contacts(filter_value="Offline Import")
    assert found.total == 5
    phones = sorted(c.field_data[C_PHONE] for c in found.items)
    assert phones[0] == "'+1 555 010"  # the apostrophe stays unless the rep asks to remove it
