"""Group membership by drag and drop and by "Add to group…"; "Add to campaign…"."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import (
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import QApplication, QDialog, QTableView
from support.dialogs import dialog_result, open_dialog
from support.fields import C_NAME, G_DESCRIPTION, G_NAME
from support.qtdrag import send_drag
from support.waiting import until
from support.writequeue import queue_sent

from snx_desktop.models.roles import Roles
from snx_desktop.ui.editing import commands
from snx_desktop.ui.editing.membership import (
    CONTACT_IDS_MIME,
    ContactDragSource,
    GroupDropTarget,
    decode_contact_ids,
    encode_contact_ids,
    ids_from_bytes,
)
from snx_desktop.ui.editing.pickers import AddToCampaignDialog, AddToGroupDialog

from .conftest import QT_IGNORE

pytestmark = [pytest.mark.asyncio, QT_IGNORE]


async def test_mime_round_trip() -> None:
    mime = encode_contact_ids(["a", "b", "a", ""])
    assert mime.hasFormat(CONTACT_IDS_MIME)
    assert decode_contact_ids(mime) == ["a", "b"]
    assert decode_contact_ids(QMimeData()) == []
    assert ids_from_bytes(b'{"not": "a list"}') == []
    assert ids_from_bytes(b"\xff") == []
    assert ids_from_bytes(b'["x", 3, "y"]') == ["x", "y"]


def _view(rows: list[tuple[str, str]], qtbot: Any) -> QTableView:
    model = QStandardItemModel()
    for rid, name in rows:
        item = QStandardItem(name)
        item.setData(rid, Roles.RECORD_ID)
        model.appendRow(item)
    view = QTableView()
    view.setModel(model)
    model.setParent(view)
    view.resize(400, 300)
    qtbot.addWidget(view)
    view.show()
    return view


def _send(view: QTableView, mime: QMimeData, row: int) -> tuple[bool, bool, bool]:
    rect = view.visualRect(view.model().index(row, 0))
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    enter, move, drop = send_drag(view.viewport(), QPointF(rect.center()), mime, actions)
    return enter, move, drop


async def test_drag_contacts_onto_a_group(
    fresh_sandbox: Any, open_services: Any, server_client: Any, qtbot: Any
) -> None:
    svc = await open_services(fresh_sandbox)
    client = await server_client(fresh_sandbox)
    made = await client.update_group(
        match_by_field_data={G_NAME: "Drop Target Group"},
        group_field_data={G_DESCRIPTION: "drop"},
        create_if_not_updated=True,
    )
    gid = made.ids[0]
    contacts = (await svc.browse.fetch_page("contact", "", 0, 10)).records
    picked = [contacts[5]["id"], contacts[6]["id"]]
    # the source end: the selected rows of a contact list become the drag's data
    source_view = _view([(c["id"], c.get(C_NAME, "")) for c in contacts], qtbot)
    source = ContactDragSource(source_view)
    for row in (5, 6):
        source_view.selectionModel().select(
            source_view.model().index(row, 0),
            source_view.selectionModel().SelectionFlag.Select
            | source_view.selectionModel().SelectionFlag.Rows,
        )
    assert source.selected_ids() == picked
    mime = source.mime_data()
    # the target end: a group list
    groups = _view([("", "(loading)"), (gid, "Drop Target Group")], qtbot)
    target = GroupDropTarget(groups, svc)
    dropped: list[tuple[list, str]] = []
    target.contactsDropped.connect(lambda ids, g: dropped.append((ids, g)))
    # other data, or a row without a group, is refused
    plain = QMimeData()
    plain.setText("hello")
    assert _send(groups, plain, 1) == (False, False, False)
    assert _send(groups, mime, 0)[2] is False
    assert _send(groups, mime, 1) == (True, True, True)
    assert dropped == [(picked, gid)]
    assert target.last_task is not None
    change = await target.last_task
    assert change.kind == "membership"
    await queue_sent(svc.writes)
    members = {c.contact_id for c in (await client.get_contacts_for_group(gid)).items}
    assert set(picked) <= members


async def test_add_to_group_dialog_searches(
    sandbox: Any, open_services: Any, server_client: Any, qtbot: Any
) -> None:
    svc = await open_services(sandbox)
    client = await server_client(sandbox)
    made = await client.update_group(
        match_by_field_data={G_NAME: "Zebra Pickers Group"},
        group_field_data={G_DESCRIPTION: "picker"},
        create_if_not_updated=True,
    )
    gid = made.ids[0]
    cid = (await svc.browse.fetch_page("contact", "", 0, 12)).records[11]["id"]
    dialog = AddToGroupDialog(svc, [cid])
    qtbot.addWidget(dialog)
    fut = await open_dialog(dialog)
    dialog.start_loading()
    await dialog.wait_loaded()
    assert dialog.list.count() > 1
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "Choose a group" in dialog.form_error.text()
    dialog.search.setText("zebra pick")
    await dialog.load(dialog.search.text())
    assert dialog.list.count() == 1
    assert dialog.selected_id() == gid
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert await dialog_result(fut) == QDialog.DialogCode.Accepted
    await queue_sent(svc.writes)
    members = {c.contact_id for c in (await client.get_contacts_for_group(gid)).items}
    assert cid in members


async def test_add_to_campaign(
    fresh_sandbox: Any, open_services: Any, server_client: Any, qtbot: Any
) -> None:
    svc = await open_services(fresh_sandbox)
    client = await server_client(fresh_sandbox)
    made = [
        (await client.create_contact(contact_field_data={C_NAME: f"Campaign Newcomer {i}"})).id
        for i in range(2)
    ]
    ids = [*made, made[0]]  # a duplicate is sent once
    campaigns = (await client.get_campaigns()).items
    camp = campaigns[-1]
    dialog = AddToCampaignDialog(svc, ids)
    qtbot.addWidget(dialog)
    fut = await open_dialog(dialog)
    dialog.start_loading()
    await dialog.wait_loaded()
    assert dialog.list.count() == len(campaigns)
    assert dialog.select_id(camp.campaign_id)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    await dialog_result(fut)
    await queue_sent(svc.writes)
    after = {c.campaign_id: c.member_count for c in (await client.get_campaigns()).items}
    assert after[camp.campaign_id] == camp.member_count + 2


async def test_commands_open_dialogs_and_cancel(
    sandbox: Any, open_services: Any, qtbot: Any
) -> None:
    svc = await open_services(sandbox)
    cid = (await svc.browse.fetch_page("contact", "", 0, 3)).records[0]["id"]
    task = asyncio.ensure_future(commands.add_to_group(None, svc, [cid]))

    def picker() -> AddToGroupDialog | None:
        found = [w for w in QApplication.topLevelWidgets() if isinstance(w, AddToGroupDialog)]
        return found[0] if found and found[0].isVisible() else None

    await until(lambda: picker() is not None, what="the picker")
    dialog = picker()
    assert dialog is not None
    await dialog.wait_loaded()
    assert dialog.list.count() > 0  # loaded without being asked
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert await asyncio.wait_for(task, 10) is None
    assert svc.writes.status.pending == 0
    assert await commands.add_to_group(None, svc, []) is None
