"""Notes, activities (create, edit, complete, schedule next) and sales through their dialogs."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt
from PySide6.QtWidgets import QApplication, QDialog
from support.accounts import ALEX_EMAIL
from support.dialogs import dialog_result, open_dialog
from support.fields import S_AMOUNT, S_CLOSE_DATE, S_DETAILS, S_STATUS
from support.waiting import until
from support.writequeue import queue_sent

from snx_desktop.ui.editing import commands
from snx_desktop.ui.editing.activitydialog import (
    ActivityDialog,
    CompleteActivityDialog,
    from_wire,
)
from snx_desktop.ui.editing.notedialog import NoteDialog
from snx_desktop.ui.editing.saledialog import SaleDialog

from .conftest import QT_IGNORE

pytestmark = [pytest.mark.asyncio, QT_IGNORE]


async def first_contact(svc: Any, index: int = 0) -> str:
    page = await svc.browse.fetch_page("contact", "", 0, 20)
    return str(page.records[index]["id"])


async def test_note_dialog_needs_details_and_lands(
    fresh_sandbox: Any, open_services: Any, server_client: Any, qtbot: Any
) -> None:
    svc = await open_services(fresh_sandbox)
    cid = await first_contact(svc, 2)
    dialog = NoteDialog(svc, "contact", cid)
    qtbot.addWidget(dialog)
    fut = await open_dialog(dialog)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "required" in dialog.details_error.text()
    assert not fut.done()
    dialog.set_type("2")
    dialog.details.setPlainText("Called about the renewal")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    await dialog_result(fut)
    # shown at once, from the cache
    notes = svc.browse.cached_detail("contact", cid).notes
    assert notes[0]["details"] == "Called about the renewal"
    await queue_sent(svc.writes)
    client = await server_client(fresh_sandbox)
    got = [
        n
        for n in (await client.get_notes_for_contact(cid)).items
        if n.details.startswith("Called about")
    ]
    assert got
    assert got[0].type == "2"


async def test_group_note(
    fresh_sandbox: Any, open_services: Any, server_client: Any, qtbot: Any
) -> None:
    svc = await open_services(fresh_sandbox)
    gid = (await svc.browse.fetch_page("group", "", 0, 5)).records[0]["id"]
    dialog = NoteDialog(svc, "group", gid)
    qtbot.addWidget(dialog)
    fut = await open_dialog(dialog)
    dialog.set_type("5")
    dialog.details.setPlainText("Group e-mail sent")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    await dialog_result(fut)
    await queue_sent(svc.writes)
    client = await server_client(fresh_sandbox)
    notes = (await client.get_notes_for_group(gid)).items
    assert any(n.details == "Group e-mail sent" and n.type == "5" for n in notes)


async def test_activity_validation_messages(
    fresh_sandbox: Any, open_services: Any, qtbot: Any
) -> None:
    svc = await open_services(fresh_sandbox)
    cid = await first_contact(svc)
    dialog = ActivityDialog(svc, contact_id=cid)
    qtbot.addWidget(dialog)
    fut = await open_dialog(dialog)
    dialog.regarding.setText("")
    start_at = QDateTime.fromString("2026-12-10T10:00:00", "yyyy-MM-dd'T'HH:mm:ss")
    dialog.start.setDateTime(start_at)
    dialog.end.setDateTime(start_at.addSecs(-3600))
    dialog.colour.edit.setText("12345G")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "Regarding is required" in dialog.regarding_error.text()
    assert "end cannot be before the start" in dialog.end_error.text()
    assert "RRGGBB" in dialog.colour.error.text()
    assert not fut.done()
    assert svc.writes.status.pending == 0
    # all day: the same date is fine, an earlier date is not
    dialog.regarding.setText("x")
    dialog.colour.set_colour("#2e9e5b")
    dialog.timeless.setChecked(True)
    assert dialog.validate()
    dialog.end.setDateTime(start_at.addDays(-1))
    assert not dialog.validate()
    dialog.reject()
    assert await dialog_result(fut) == QDialog.DialogCode.Rejected


async def test_activity_create_edit_complete_and_next(
    fresh_sandbox: Any, open_services: Any, server_client: Any, qtbot: Any
) -> None:
    svc = await open_services(fresh_sandbox)
    client = await server_client(fresh_sandbox)
    cid = await first_contact(svc, 3)
    alex = next(u["user-id"] for u in svc.schema.current.users if u["email-address"] == ALEX_EMAIL)
    dialog = ActivityDialog(svc, contact_id=cid)
    qtbot.addWidget(dialog)
    assert dialog.user.currentData() == svc.schema.current.me  # assigned to me by default
    fut = await open_dialog(dialog)
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData("meeting"))
    dialog.regarding.setText("Quarterly review")
    dialog.details.setPlainText("bring numbers")
    start_at = QDateTime.fromString("2026-12-11T14:00:00", "yyyy-MM-dd'T'HH:mm:ss")
    dialog.start.setDateTime(start_at)
    dialog.end.setDateTime(start_at.addSecs(5400))
    qtbot.mouseClick(dialog.colour.swatches["8E44AD"], Qt.MouseButton.LeftButton)
    assert dialog.colour.edit.text() == "8E44AD"
    dialog.user.setCurrentIndex(dialog.user.findData(alex))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    await dialog_result(fut)
    await queue_sent(svc.writes)
    aid = svc.store.cache.resolve_id(dialog.result_value.ids[0])
    act = await client.get_activity_info(aid)
    assert (act.type, act.regarding, act.color, act.schedule_for, act.schedule_with) == (
        "meeting",
        "Quarterly review",
        "8E44AD",
        alex,
        cid,
    )
    assert (act.start_time, act.end_time) == ("2026-12-11T14:00:00", "2026-12-11T15:30:00")

    # edit: only what changed is sent
    await svc.browse.load_detail("activity", aid)
    record = svc.browse.cached_detail("activity", aid).fields
    edit = ActivityDialog(svc, activity=record)
    qtbot.addWidget(edit)
    fut = await open_dialog(edit)
    edit.regarding.setText("Quarterly review (moved)")
    edit.colour.edit.setText("#16a085")
    assert set(edit.changes()) == {"regarding", "color"}
    qtbot.mouseClick(edit.ok_button, Qt.MouseButton.LeftButton)
    await dialog_result(fut)
    await queue_sent(svc.writes)
    act = await client.get_activity_info(aid)
    assert (act.regarding, act.color, act.start_time) == (
        "Quarterly review (moved)",
        "16A085",
        "2026-12-11T14:00:00",
    )

    # complete with a result, then schedule the next one (prefilled)
    record = (await svc.browse.load_detail("activity", aid)).fields
    task = asyncio.ensure_future(commands.complete_activity(None, svc, record))
    await until(lambda: _open(CompleteActivityDialog) is not None, what="complete dialog")
    done_dialog = _open(CompleteActivityDialog)
    assert done_dialog is not None
    done_dialog.result_edit.setPlainText("Agreed on a renewal")
    qtbot.mouseClick(done_dialog.next_button, Qt.MouseButton.LeftButton)
    await until(lambda: _open(ActivityDialog) is not None, what="follow-up dialog")
    follow = _open(ActivityDialog)
    assert follow is not None
    assert follow.regarding.text() == "Quarterly review (moved)"
    assert follow.activity_type() == "meeting"
    assert follow.colour.colour() == "16A085"
    assert follow.start.dateTime() > from_wire("2026-12-11T14:00:00")  # type: ignore[operator]
    follow.regarding.setText("Renewal follow-up")
    qtbot.mouseClick(follow.ok_button, Qt.MouseButton.LeftButton)
    done, nxt = await asyncio.wait_for(task, 15)
    assert done.action == "completed"
    assert nxt.action == "created"
    await queue_sent(svc.writes)
    act = await client.get_activity_info(aid)
    assert act.completed
    assert act.result == "Agreed on a renewal"
    notes = (await client.get_notes_for_contact(cid)).items
    assert any("Agreed on a renewal" in n.details for n in notes)
    new_id = svc.store.cache.resolve_id(nxt.ids[0])
    nact = await client.get_activity_info(new_id)
    assert nact.regarding == "Renewal follow-up"
    assert nact.schedule_with == cid


def _open(cls: type) -> Any:
    for w in QApplication.topLevelWidgets():
        if type(w) is cls and w.isVisible():
            return w
    return None


async def test_group_activity(
    fresh_sandbox: Any, open_services: Any, server_client: Any, qtbot: Any
) -> None:
    svc = await open_services(fresh_sandbox)
    gid = (await svc.browse.fetch_page("group", "", 0, 5)).records[1]["id"]
    dialog = ActivityDialog(svc, group_id=gid)
    qtbot.addWidget(dialog)
    fut = await open_dialog(dialog)
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData("todo"))
    dialog.regarding.setText("Group todo")
    dialog.timeless.setChecked(True)
    dialog.start.setDateTime(QDateTime.fromString("2026-12-12T09:30:00", "yyyy-MM-dd'T'HH:mm:ss"))
    dialog.end.setDateTime(QDateTime.fromString("2026-12-12T09:30:00", "yyyy-MM-dd'T'HH:mm:ss"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    await dialog_result(fut)
    await queue_sent(svc.writes)
    client = await server_client(fresh_sandbox)
    acts = (await client.get_activities_for_group(gid, page_size=1000)).items
    got = [a for a in acts if a.regarding == "Group todo"]
    assert got
    assert got[0].timeless
    assert got[0].start_time == "2026-12-12T00:00:00"


async def test_sale_dialog(
    fresh_sandbox: Any, open_services: Any, server_client: Any, qtbot: Any
) -> None:
    svc = await open_services(fresh_sandbox)
    cid = await first_contact(svc, 4)
    dialog = SaleDialog(svc, cid)
    qtbot.addWidget(dialog)
    assert dialog.amount is not None
    assert dialog.close_date is not None
    fut = await open_dialog(dialog)
    dialog.amount.setText("twelve")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "required" in dialog.details_error.text()
    assert "number" in dialog.amount_error.text()
    assert dialog.close_date.is_empty()  # a date is picked, never typed as free text
    dialog.details.setText("Enterprise licence")
    dialog.set_status("1")
    dialog.amount.setText("12,500.50")
    dialog.close_date.setDate(QDate(2026, 12, 31))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    await dialog_result(fut)
    await queue_sent(svc.writes)
    client = await server_client(fresh_sandbox)
    sales = (await client.get_sales_for_contact(cid)).items
    got = [s for s in sales if s.field_data.get(S_DETAILS) == "Enterprise licence"]
    assert got
    data = got[0].field_data
    assert data[S_STATUS] == "1"
    assert float(data[S_AMOUNT]) == 12500.5
    assert data[S_CLOSE_DATE].startswith("2026-12-31")
