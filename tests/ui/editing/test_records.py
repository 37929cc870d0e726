"""Contacts and groups: create dialogs, the editable Fields tab, delete confirmations."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit
from support.dialogs import dialog_result, open_dialog
from support.fields import C_COMPANY, C_EMAIL, C_NAME, C_PHONE, C_TITLE, G_DESCRIPTION, G_NAME
from support.writequeue import queue_sent

from snx_desktop.ui.editing.deletion import DeleteDialog
from snx_desktop.ui.editing.fieldseditor import FieldsEditor
from snx_desktop.ui.editing.recorddialogs import NewRecordDialog

from .conftest import QT_IGNORE

pytestmark = [pytest.mark.asyncio, QT_IGNORE]

NAME, COMPANY, TITLE, EMAIL, PHONE = C_NAME, C_COMPANY, C_TITLE, C_EMAIL, C_PHONE


def line(dialog: Any, fid: str) -> QLineEdit:
    editor = dialog.findChild(QLineEdit, f"field_{fid}")
    assert editor is not None, fid
    return editor


async def test_create_contact_validates_then_lands(
    sandbox: Any, open_services: Any, server_client: Any, qtbot: Any
) -> None:
    svc = await open_services(sandbox)
    dialog = NewRecordDialog(svc, "contact")
    qtbot.addWidget(dialog)
    fut = await open_dialog(dialog)
    line(dialog, EMAIL).setText("not-an-address")
    line(dialog, PHONE).setText("555 abc")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    # refused where typed, dialog still open, nothing queued
    assert not fut.done()
    assert "name" in dialog.form.error_label(NAME).text().lower()
    assert "e-mail" in dialog.form.error_label(EMAIL).text()
    assert dialog.form.error_label(PHONE).text()
    assert svc.writes.status.pending == 0
    line(dialog, NAME).setText("Dialog Made")
    line(dialog, EMAIL).setText("dialog.made@example.org")
    line(dialog, PHONE).setText("+1 (555) 010-2000")
    line(dialog, COMPANY).setText("=HYPERLINK()")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert await dialog_result(fut) == QDialog.DialogCode.Accepted
    change = dialog.result_value
    assert change.kind == "contact"
    assert change.action == "created"
    await queue_sent(svc.writes)
    real = svc.store.cache.resolve_id(change.ids[0])
    client = await server_client(sandbox)
    info = (await client.get_contact_info(real)).field_data
    assert info[NAME] == "Dialog Made"
    assert info[EMAIL] == "dialog.made@example.org"
    assert info[PHONE] == "+1 (555) 010-2000"


async def test_create_group_needs_a_name(
    sandbox: Any, open_services: Any, server_client: Any, qtbot: Any
) -> None:
    svc = await open_services(sandbox)
    dialog = NewRecordDialog(svc, "group")
    qtbot.addWidget(dialog)
    fut = await open_dialog(dialog)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "required" in dialog.form.error_label(G_NAME).text()
    assert not fut.done()
    line(dialog, G_NAME).setText("Dialog Group")
    line(dialog, G_DESCRIPTION).setText("made in a dialog")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert await dialog_result(fut) == QDialog.DialogCode.Accepted
    await queue_sent(svc.writes)
    gid = svc.store.cache.resolve_id(dialog.result_value.ids[0])
    client = await server_client(sandbox)
    assert (await client.get_group_info(gid)).field_data[G_DESCRIPTION] == "made in a dialog"


async def test_fields_tab_sends_only_changed_fields(
    fresh_sandbox: Any, open_services: Any, server_client: Any, qtbot: Any
) -> None:
    svc = await open_services(fresh_sandbox)
    page = await svc.browse.fetch_page("contact", "", 0, 5)
    rec = page.records[1]
    cid = rec["id"]
    editor = FieldsEditor(svc)
    qtbot.addWidget(editor)
    editor.set_record("contact", cid, rec)
    assert not editor.save_button.isEnabled()
    title = editor.form.editor(TITLE)  # type: ignore[union-attr]
    assert isinstance(title, QLineEdit)
    assert title.text() == rec[TITLE]
    title.setText("Chief Tester")
    title.textEdited.emit("Chief Tester")
    assert editor.save_button.isEnabled()
    assert "Title" in editor.changed_label.text()
    # a bad e-mail is refused next to the field, nothing is queued
    email = editor.form.editor(EMAIL)  # type: ignore[union-attr]
    assert isinstance(email, QLineEdit)
    email.setText("nope@")
    email.textEdited.emit("nope@")
    assert await editor.save() is None
    assert "e-mail" in editor.form.error_label(EMAIL).text()  # type: ignore[union-attr]
    assert svc.writes.status.pending == 0
    email.setText(rec[EMAIL])
    email.textEdited.emit(rec[EMAIL])
    # a refresh of the same record keeps what is being typed
    editor.set_record("contact", cid, {**rec, COMPANY: "Moved Co"})
    assert title.text() == "Chief Tester"
    assert editor.form.value(COMPANY) == "Moved Co"  # type: ignore[union-attr]
    change = await editor.save()
    assert change.fields == (TITLE,)
    pending = svc.writes.pending()
    assert pending[0].changes == {TITLE: (rec[TITLE], "Chief Tester")}
    assert not editor.dirty
    await queue_sent(svc.writes)
    client = await server_client(fresh_sandbox)
    info = (await client.get_contact_info(cid)).field_data
    assert info[TITLE] == "Chief Tester"
    assert info[COMPANY] == rec[COMPANY]  # untouched field not sent
    # revert throws typed text away
    title.setText("Throw away")
    title.textEdited.emit("Throw away")
    qtbot.mouseClick(editor.revert_button, Qt.MouseButton.LeftButton)
    assert title.text() == "Chief Tester"
    assert not editor.dirty


async def test_delete_contact_names_what_goes(
    sandbox: Any, open_services: Any, server_client: Any, qtbot: Any
) -> None:
    svc = await open_services(sandbox)
    client = await server_client(sandbox)
    made = await client.create_contact(contact_field_data={NAME: "Doomed Contact"})
    await client.create_note(details="n1", contact_id=made.id)
    await client.create_note(details="n2", contact_id=made.id)
    detail = await svc.browse.load_detail("contact", made.id)
    assert len(detail.notes) == 2
    dialog = DeleteDialog(svc, "contact", [made.id])
    qtbot.addWidget(dialog)
    text = dialog.message.text()
    assert "Doomed Contact" in text
    assert "notes, sales, activities and documents" in text
    assert "2 notes" in text
    fut = await open_dialog(dialog)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert await dialog_result(fut) == QDialog.DialogCode.Accepted
    await queue_sent(svc.writes)
    assert (await client.get_contacts(filter_value="Doomed Contact")).total == 0


async def test_delete_group_states_the_cascade(
    sandbox: Any, open_services: Any, server_client: Any, qtbot: Any
) -> None:
    svc = await open_services(sandbox)
    client = await server_client(sandbox)
    res = await client.update_group(
        match_by_field_data={G_NAME: "Doomed Group"},
        group_field_data={G_DESCRIPTION: "x"},
        create_if_not_updated=True,
    )
    gid = res.ids[0]
    await client.create_note_for_group(details="own note", group_id=gid)
    await svc.browse.load_detail("group", gid)
    dialog = DeleteDialog(svc, "group", [gid])
    qtbot.addWidget(dialog)
    text = dialog.message.text()
    assert "Doomed Group" in text
    assert "1 note" in text
    assert "assigned to a contact are kept" in text
    fut = await open_dialog(dialog)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    await dialog_result(fut)
    await queue_sent(svc.writes)
    assert (await client.get_groups(filter_value="Doomed Group")).total == 0
