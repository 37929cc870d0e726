"""A record created from a dialog opens in the detail pane and is selected in its list, and
stays so when the server's id replaces the temporary one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QPushButton
from support.fields import C_NAME, G_NAME
from support.waiting import until
from support.windows import Session, first_page, signed_in
from support.writequeue import queue_sent

from snx_desktop.models.roles import Roles

from .conftest import QT_IGNORE

pytestmark = [pytest.mark.asyncio, QT_IGNORE]


def open_dialog() -> QDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            return widget
    return None


def selected_id(s: Session, kind: str) -> str:
    return str(s.window.list_pane.views[kind].currentIndex().data(Roles.RECORD_ID) or "")


@pytest.mark.parametrize(("kind", "field"), [("contact", C_NAME), ("group", G_NAME)])
async def test_a_record_made_with_ctrl_n_is_opened_and_selected(
    kind: str, field: str, fresh_sandbox: Any, tmp_path: Path, qtbot: Any
) -> None:
    async with signed_in(fresh_sandbox, tmp_path / "profile") as s:
        w = s.window
        await first_page(s, kind)
        await until(lambda: w.features.actions["actionImportCsv"].isEnabled(), 5, "features")
        assert w.list_pane.select_row(3)
        w.actions_.new_record.trigger()
        await until(lambda: open_dialog() is not None, 5, "the new-record dialog")
        dialog = open_dialog()
        assert dialog is not None
        name = f"Made In The {kind.title()} Dialog"
        edit = dialog.findChild(QLineEdit, f"field_{field}")
        assert edit is not None
        edit.setText(name)
        ok = dialog.findChild(QPushButton, "okButton")
        assert ok is not None
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        await until(lambda: open_dialog() is None, 5, "the dialog to close")
        header = (w.detail.contact if kind == "contact" else w.detail.group).header
        await until(lambda: header.name.text() == name, 5, "the new record's details")
        new_id = w.detail.record_id
        assert selected_id(s, kind) == new_id
        await queue_sent(s.services.writes)
        real = s.services.store.cache.resolve_id(new_id)
        await until(lambda: selected_id(s, kind) == real, 10, "the server's id in the list")
        await until(lambda: w.detail.record_id == real, 10, "the server's id in the details")
        assert header.name.text() == name


async def test_an_activity_scheduled_from_a_contact_opens_in_the_details(
    fresh_sandbox: Any, tmp_path: Path, qtbot: Any
) -> None:
    async with signed_in(fresh_sandbox, tmp_path / "profile") as s:
        w = s.window
        await first_page(s, "activity")  # the Activities list shows rows
        await first_page(s, "contact")
        await until(lambda: w.features.actions["actionImportCsv"].isEnabled(), 5, "features")
        assert w.list_pane.select_row(1)
        cid = w.list_pane.selected_ids()[0]
        await until(lambda: w.detail.record_id == cid, 5, "the open contact")
        w.features.actions["actionNewActivity"].trigger()
        await until(lambda: open_dialog() is not None, 5, "the activity dialog")
        dialog = open_dialog()
        assert dialog is not None
        regarding = dialog.findChild(QLineEdit, "activityRegarding")
        assert regarding is not None
        regarding.setText("Scheduled from the contact")
        ok = dialog.findChild(QPushButton, "okButton")
        assert ok is not None
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        await until(lambda: open_dialog() is None, 5, "the dialog to close")
        await until(lambda: w.detail.kind == "activity", 5, "the new activity's details")
        assert w.detail.record.header.name.text() == "Scheduled from the contact"
        aid = w.detail.record_id
        # selected in the Activities list, at its top
        view = w.list_pane.views["activity"]
        assert str(view.currentIndex().data(Roles.RECORD_ID)) == aid
        await queue_sent(s.services.writes)


async def test_a_sale_made_from_a_contact_opens_in_the_details_and_is_selected(
    fresh_sandbox: Any, tmp_path: Path, qtbot: Any
) -> None:
    async with signed_in(fresh_sandbox, tmp_path / "profile") as s:
        w = s.window
        await first_page(s, "sale")  # the Sales list shows rows
        await first_page(s, "contact")
        await until(lambda: w.features.actions["actionImportCsv"].isEnabled(), 5, "features")
        assert w.list_pane.select_row(2)
        cid = w.list_pane.selected_ids()[0]
        await until(lambda: w.detail.record_id == cid, 5, "the open contact")
        w.features.actions["actionNewSale"].trigger()
        await until(lambda: open_dialog() is not None, 5, "the sale dialog")
        dialog = open_dialog()
        assert dialog is not None
        details = dialog.findChild(QLineEdit, "saleDetails")
        assert details is not None
        details.setText("Forty licences")
        ok = dialog.findChild(QPushButton, "okButton")
        assert ok is not None
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        await until(lambda: open_dialog() is None, 5, "the dialog to close")
        await until(lambda: w.detail.kind == "sale", 5, "the new sale's details")
        assert w.detail.record.header.name.text() == "Forty licences"
        sid = w.detail.record_id
        # selected in the Sales list, at its top
        view = w.list_pane.views["sale"]
        assert selected_id(s, "sale") == sid
        assert view.currentIndex().row() == 0
        await queue_sent(s.services.writes)
        real = s.services.store.cache.resolve_id(sid)
        await until(lambda: selected_id(s, "sale") == real, 10, "the server's id in the list")
        assert w.detail.record.header.name.text() == "Forty licences"
