"""The Pending changes panel (undo, discard, retry) and conflict review resolved both ways."""

from __future__ import annotations

from typing import Any, TypeVar

import pytest
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit
from support.dialogs import dialog_result, open_dialog
from support.fields import C_COMPANY, C_RECORD_ID, C_TITLE, G_NAME, G_RECORD_ID
from support.signals import model_changes, when
from support.waiting import until
from support.writequeue import queue_sent

from snx_desktop.ui.editing.conflictdialog import ConflictDialog
from snx_desktop.ui.editing.fieldseditor import FieldsEditor
from snx_desktop.ui.editing.pendingpanel import PendingPanel
from snx_desktop.ui.editing.recorddialogs import NewRecordDialog

from .conftest import QT_IGNORE

pytestmark = [pytest.mark.asyncio, QT_IGNORE]

TITLE, COMPANY = C_TITLE, C_COMPANY


W = TypeVar("W", bound=QObject)


def _child(parent: QObject, kind: type[W], name: str) -> W:
    found = parent.findChild(kind, name)
    assert found is not None, name
    return found


def texts(panel: PendingPanel) -> list[tuple[str, str]]:
    out = []
    for i in range(panel.tree.topLevelItemCount()):
        item = panel.tree.topLevelItem(i)
        assert item is not None
        out.append((item.text(0), item.text(1)))
    return out


async def edit_offline(svc: Any, qtbot: Any, rec: dict, values: dict[str, str]) -> int:
    editor = FieldsEditor(svc)
    qtbot.addWidget(editor)
    editor.set_record("contact", rec["id"], rec)
    for fid, value in values.items():
        widget = editor.form.editor(fid)  # type: ignore[union-attr]
        assert isinstance(widget, QLineEdit)
        widget.setText(value)
    change = await editor.save()
    return int(change.op_id)


async def test_panel_undo_discard_and_retry(
    fresh_sandbox: Any, open_services: Any, server_client: Any, qtbot: Any
) -> None:
    svc = await open_services(fresh_sandbox)
    client = await server_client(fresh_sandbox)
    recs = (await svc.browse.fetch_page("contact", "", 0, 5)).records
    panel = PendingPanel(svc)
    qtbot.addWidget(panel)
    svc.connectivity.set_work_offline(True)
    op1 = await edit_offline(svc, qtbot, recs[0], {TITLE: "Undo Me"})
    op2 = await edit_offline(svc, qtbot, recs[1], {TITLE: "Discard Me"})
    await when(model_changes(panel.tree.model()), lambda: len(texts(panel)) == 2, what="two rows")
    # old -> new under each row
    assert panel.select_op(op1)
    item = panel.tree.currentItem()
    assert item is not None
    assert item.childCount() == 1
    assert item.child(0).text(0) == f"Title: “{recs[0][TITLE]}” → “Undo Me”"  # type: ignore[union-attr]
    assert panel.undo_button.isEnabled()
    assert not panel.retry_button.isEnabled()
    qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    await when(model_changes(panel.tree.model()), lambda: len(texts(panel)) == 1, what="undo")
    # the cache shows the old value again
    assert svc.browse.cached_detail("contact", recs[0]["id"]).fields[TITLE] == recs[0][TITLE]
    assert panel.select_op(op2)
    assert await panel.discard(op2)
    assert texts(panel) == []
    assert svc.writes.status.pending == 0

    # a write the server refuses stays, failed with its error, and can be retried
    svc.connectivity.set_work_offline(False)
    await when(svc.connectivity.changed, lambda: svc.connectivity.is_online, what="online again")
    taken = (await svc.browse.fetch_page("group", "", 0, 5)).records[0]
    # a name the cache knows is refused where it is typed, and the dialog stays open
    early = NewRecordDialog(svc, "group")
    qtbot.addWidget(early)
    early_fut = await open_dialog(early)
    _child(early, QLineEdit, f"field_{G_NAME}").setText(taken[G_NAME])
    qtbot.mouseClick(early.ok_button, Qt.MouseButton.LeftButton)
    await until(lambda: "already exists" in early.form_error.text(), what="the early refusal")
    assert early.isVisible()
    assert svc.writes.status.pending == 0
    early.reject()
    assert await dialog_result(early_fut) == QDialog.DialogCode.Rejected
    # a name taken on the server since the cache was filled: refused when it is sent
    name = "Renamed Behind The App"
    await client.update_group(
        match_by_field_data={G_RECORD_ID: taken["id"]}, group_field_data={G_NAME: name}
    )
    dialog = NewRecordDialog(svc, "group")
    qtbot.addWidget(dialog)
    fut = await open_dialog(dialog)
    _child(dialog, QLineEdit, f"field_{G_NAME}").setText(name)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    await dialog_result(fut)
    op = int(dialog.result_value.op_id)
    await when(svc.writes.status_changed, lambda: svc.writes.status.failed == 1, what="the refusal")
    await when(
        model_changes(panel.tree.model()),
        lambda: texts(panel) and texts(panel)[0][1].startswith("Failed"),
        what="failed row",
    )
    assert "already exists" in texts(panel)[0][1]
    assert panel.select_op(op)
    assert panel.retry_button.isEnabled()
    assert not panel.undo_button.isEnabled()
    # free the name on the server, then retry
    await client.update_group(
        match_by_field_data={G_RECORD_ID: taken["id"]}, group_field_data={G_NAME: name + " (old)"}
    )
    qtbot.mouseClick(panel.retry_button, Qt.MouseButton.LeftButton)
    await queue_sent(svc.writes)
    assert (await client.get_groups(filter_value=name)).total == 2
    panel.detach()


def _conflict_dialog() -> ConflictDialog | None:
    for w in QApplication.topLevelWidgets():
        if isinstance(w, ConflictDialog) and w.isVisible():
            return w
    return None


async def test_conflict_resolved_both_ways(
    fresh_sandbox: Any, open_services: Any, server_client: Any, qtbot: Any
) -> None:
    svc = await open_services(fresh_sandbox)
    client = await server_client(fresh_sandbox)
    recs = (await svc.browse.fetch_page("contact", "", 0, 5)).records
    a, b = recs[0], recs[1]
    panel = PendingPanel(svc)
    qtbot.addWidget(panel)
    svc.connectivity.set_work_offline(True)
    op_a = await edit_offline(svc, qtbot, a, {TITLE: "Mine A", COMPANY: "Mine Co A"})
    op_b = await edit_offline(svc, qtbot, b, {TITLE: "Mine B"})
    # someone changes the titles on the server behind the app's back
    for rec, value in ((a, "Theirs A"), (b, "Theirs B")):
        await client.update_contact(
            match_by_field_data={C_RECORD_ID: rec["id"]}, contact_field_data={TITLE: value}
        )
    svc.connectivity.set_work_offline(False)
    await when(
        svc.writes.status_changed, lambda: svc.writes.status.conflicts == 2, what="two conflicts"
    )
    await when(
        model_changes(panel.tree.model()),
        lambda: [s for _t, s in texts(panel)] == ["Conflict"] * 2,
        what="conflict rows",
    )

    # keep mine for A, through the panel's Resolve button
    assert panel.select_op(op_a)
    assert panel.resolve_button.isEnabled()
    qtbot.mouseClick(panel.resolve_button, Qt.MouseButton.LeftButton)
    await until(lambda: _conflict_dialog() is not None, what="the conflict dialog")
    dialog = _conflict_dialog()
    assert dialog is not None
    assert set(dialog.choices) == {TITLE}  # the company did not move on the server
    assert _child(dialog, QLabel, f"conflictBase_{TITLE}").text() == (a[TITLE] or "(empty)")
    assert _child(dialog, QLabel, f"conflictTheirs_{TITLE}").text() == "Theirs A"
    assert _child(dialog, QLabel, f"conflictMine_{TITLE}").text() == "Mine A"
    dialog.choose(TITLE, "theirs")
    dialog.choose(TITLE, "mine")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    # keep theirs for B, with "Keep all theirs"
    conflict_b = next(c for c in svc.writes.conflicts() if c.op_id == op_b)
    dialog_b = ConflictDialog(svc, conflict_b)
    qtbot.addWidget(dialog_b)
    fut = await open_dialog(dialog_b)
    qtbot.mouseClick(dialog_b.all_theirs, Qt.MouseButton.LeftButton)
    assert dialog_b.selected() == {TITLE: "theirs"}
    qtbot.mouseClick(dialog_b.ok_button, Qt.MouseButton.LeftButton)
    assert await dialog_result(fut) == QDialog.DialogCode.Accepted
    await queue_sent(svc.writes)
    info_a = (await client.get_contact_info(a["id"])).field_data
    info_b = (await client.get_contact_info(b["id"])).field_data
    assert (info_a[TITLE], info_a[COMPANY]) == ("Mine A", "Mine Co A")
    assert info_b[TITLE] == "Theirs B"
    assert svc.browse.cached_detail("contact", b["id"]).fields[TITLE] == "Theirs B"
    panel.detach()
