"""The same writes made while working offline: shown at once, queued, replayed when online.
And a dialog whose write cannot even be queued keeps everything typed."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QDialog, QLineEdit
from support.dialogs import dialog_result, open_dialog
from support.fields import C_EMAIL, C_TITLE, G_DESCRIPTION, S_DETAILS
from support.signals import model_changes, when
from support.waiting import until
from support.writequeue import queue_sent

from snx_desktop.ui.editing.activitydialog import ActivityDialog, CompleteActivityDialog
from snx_desktop.ui.editing.deletion import DeleteDialog
from snx_desktop.ui.editing.fieldseditor import FieldsEditor
from snx_desktop.ui.editing.notedialog import NoteDialog
from snx_desktop.ui.editing.pendingpanel import PendingPanel
from snx_desktop.ui.editing.pickers import AddToCampaignDialog, AddToGroupDialog
from snx_desktop.ui.editing.recorddialogs import NewRecordDialog
from snx_desktop.ui.editing.saledialog import SaleDialog

from .conftest import QT_IGNORE

pytestmark = [pytest.mark.asyncio, QT_IGNORE]


async def accept(dialog: QDialog, qtbot: Any, fill: Any) -> Any:
    qtbot.addWidget(dialog)
    fut = await open_dialog(dialog)
    fill(dialog)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert await dialog_result(fut) == QDialog.DialogCode.Accepted
    return dialog.result_value  # type: ignore[attr-defined]


async def test_writes_made_offline_are_replayed(
    fresh_sandbox: Any, open_services: Any, server_client: Any, qtbot: Any
) -> None:
    svc = await open_services(fresh_sandbox)
    client = await server_client(fresh_sandbox)
    page = await svc.browse.fetch_page("contact", "", 0, 10)
    existing = page.records[2]
    groups = await svc.browse.fetch_page("group", "", 0, 10)
    gid = groups.records[0]["id"]
    await svc.browse.list_campaigns()  # cached for offline use, as priming does
    await svc.browse.fetch_page("activity", "", 0, 500)
    panel = PendingPanel(svc)
    qtbot.addWidget(panel)

    svc.connectivity.set_work_offline(True)
    new = await accept(
        NewRecordDialog(svc, "contact"),
        qtbot,
        lambda d: (
            d.findChild(QLineEdit, "field_48").setText("Offline Person"),
            d.findChild(QLineEdit, "field_133").setText("offline.person@example.org"),
        ),
    )
    tmp = new.ids[0]
    await accept(
        NoteDialog(svc, "contact", tmp),
        qtbot,
        lambda d: d.details.setPlainText("met at the fair (offline)"),
    )

    def fill_activity(d: ActivityDialog) -> None:
        d.regarding.setText("Offline call back")
        at = QDateTime.fromString("2026-12-14T11:00:00", "yyyy-MM-dd'T'HH:mm:ss")
        d.start.setDateTime(at)
        d.end.setDateTime(at.addSecs(1800))
        d.colour.set_colour("E67E22")

    await accept(ActivityDialog(svc, contact_id=tmp), qtbot, fill_activity)
    await accept(SaleDialog(svc, tmp), qtbot, lambda d: d.details.setText("Offline deal"))
    picker = AddToGroupDialog(svc, [tmp])
    picker.start_loading()
    await picker.wait_loaded()  # offline: the cached groups
    assert picker.select_id(gid)
    await accept(picker, qtbot, lambda d: None)
    editor = FieldsEditor(svc)
    qtbot.addWidget(editor)
    editor.set_record("contact", existing["id"], existing)
    title = editor.form.editor(C_TITLE)  # type: ignore[union-attr]
    assert isinstance(title, QLineEdit)
    title.setText("Edited Offline")
    await editor.save()
    # a group edit, a delete, a campaign and a completed activity, all offline
    group_editor = FieldsEditor(svc)
    qtbot.addWidget(group_editor)
    group_editor.set_record("group", gid, groups.records[0])
    desc = group_editor.form.editor(G_DESCRIPTION)  # type: ignore[union-attr]
    assert isinstance(desc, QLineEdit)
    desc.setText("Described offline")
    await group_editor.save()
    doomed = page.records[7]
    await accept(DeleteDialog(svc, "contact", [doomed["id"]]), qtbot, lambda d: None)
    campaigns = await svc.browse.list_campaigns()  # the cached list
    camp_picker = AddToCampaignDialog(svc, [tmp])
    camp_picker.start_loading()
    await camp_picker.wait_loaded()
    assert camp_picker.select_id(campaigns[0]["id"])
    await accept(camp_picker, qtbot, lambda d: None)
    open_act = next(
        a
        for a in svc.browse.search_local("activity", "", limit=1000).records
        if a.get("completed") != "true"
    )
    await accept(
        CompleteActivityDialog(svc, open_act),
        qtbot,
        lambda d: d.result_edit.setPlainText("done while offline"),
    )

    # nothing went out; the panel lists every write with its state
    await when(
        model_changes(panel.tree.model()),
        lambda: panel.tree.topLevelItemCount() == 10,
        what="ten queued writes",
    )
    assert all(
        panel.tree.topLevelItem(i).text(1) == "Waiting"  # type: ignore[union-attr]
        for i in range(10)
    )
    assert (await client.get_contacts(filter_value="Offline Person")).total == 0
    # shown at once from the cache
    assert svc.browse.cached_detail("contact", tmp).notes[0]["details"].startswith("met at")

    outcomes: list = []
    svc.writes.op_done.connect(outcomes.append)
    svc.connectivity.set_work_offline(False)
    await queue_sent(svc.writes)
    await when(
        model_changes(panel.tree.model()),
        lambda: panel.tree.topLevelItemCount() == 0,
        what="the panel to empty",
    )
    assert panel.summary.text() == "Everything has been sent."
    real = svc.store.cache.resolve_id(tmp)
    assert real != tmp
    info = (await client.get_contact_info(real)).field_data
    assert info[C_EMAIL] == "offline.person@example.org"
    notes = (await client.get_notes_for_contact(real)).items
    assert [n.details for n in notes] == ["met at the fair (offline)"]
    sales = (await client.get_sales_for_contact(real)).items
    assert [s.field_data[S_DETAILS] for s in sales] == ["Offline deal"]
    members = {c.contact_id for c in (await client.get_contacts_for_group(gid)).items}
    assert real in members
    acts = (await client.get_activities(filter_value="", page_size=1000)).items
    mine = [a for a in acts if a.regarding == "Offline call back"]
    assert mine
    assert mine[0].schedule_with == real
    assert mine[0].color == "E67E22"
    assert (await client.get_contact_info(existing["id"])).field_data[C_TITLE] == "Edited Offline"
    assert (await client.get_group_info(gid)).field_data[G_DESCRIPTION] == "Described offline"
    assert (await client.get_contacts(filter_value=doomed[C_EMAIL])).total == 0
    done = await client.get_activity_info(open_act["id"])
    assert done.completed
    assert done.result == "done while offline"
    # the deleted contact may have left the same campaign, so look at the answer itself
    added = [o for o in outcomes if o.op == "add-to-campaign"]
    assert [(o.ok, o.result["added-count"], o.result["skipped"]) for o in added] == [(True, 1, [])]
    panel.detach()


async def test_dialog_keeps_what_was_typed_when_the_write_fails(
    sandbox: Any, open_services: Any, qtbot: Any
) -> None:
    svc = await open_services(sandbox)
    cid = (await svc.browse.fetch_page("contact", "", 0, 3)).records[0]["id"]
    dialog = NoteDialog(svc, "contact", cid)
    qtbot.addWidget(dialog)
    fut = await open_dialog(dialog)
    dialog.details.setPlainText("A long note I do not want to type twice")
    svc.store.close()  # the journal cannot be written any more
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    await until(lambda: dialog.form_error.text() != "", what="the error")
    assert not fut.done()
    assert dialog.isVisible()
    assert dialog.details.toPlainText() == "A long note I do not want to type twice"
    assert dialog.ok_button.isEnabled()
    dialog.reject()
    await dialog_result(fut)
