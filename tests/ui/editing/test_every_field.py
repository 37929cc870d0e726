"""Every field of a contact in New contact and the Fields tab: the layout's fields first, the
rest under "More fields" (remembered open or closed), first and last name filled from the full
name and back, the record manager preset to the signed-in user, labels that fit in bold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QSettings, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QWidget,
)
from support.dialogs import dialog_result, open_dialog
from support.fields import (
    C_COMPANY,
    C_EMAIL2,
    C_FIRST,
    C_LAST,
    C_NAME,
    C_OWNER,
    C_RECORD_ID,
    G_NAME,
    G_OWNER,
    S_DETAILS,
    S_OWNER,
)
from support.waiting import until
from support.windows import first_page, signed_in
from support.writequeue import queue_sent

from snx_desktop.sandbox.catalogue import USERS
from snx_desktop.ui.editing.dateinput import DateField
from snx_desktop.ui.editing.fieldseditor import FieldsEditor
from snx_desktop.ui.editing.recorddialogs import NewRecordDialog
from snx_desktop.ui.editing.recordform import RecordForm
from snx_desktop.ui.editing.saledialog import SaleDialog

from .conftest import QT_IGNORE

pytestmark = [pytest.mark.asyncio, QT_IGNORE]


def settings_at(folder: Path) -> QSettings:
    return QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)


def line(form: QWidget, fid: str) -> QLineEdit:
    editor = form.findChild(QLineEdit, f"field_{fid}")
    assert editor is not None, fid
    return editor


def more_section(form: RecordForm) -> QWidget:
    section = form.findChild(QWidget, "moreFields")
    assert section is not None
    return section


def in_more(form: RecordForm, fid: str) -> bool:
    return more_section(form).isAncestorOf(form.editor(fid))


async def test_new_contact_and_fields_tab_show_every_field(
    sandbox: Any, open_services: Any, server_client: Any, qtbot: Any, tmp_path: Path
) -> None:
    svc = await open_services(sandbox)
    schema = svc.schema.current
    contact_fields = schema.table_fields("Contact")
    layout_ids = [f.id for f in schema.layout("Contact")]
    assert C_FIRST not in layout_ids  # the account's layout leaves the name parts out
    dialog = NewRecordDialog(svc, "contact", settings=settings_at(tmp_path))
    qtbot.addWidget(dialog)
    form = dialog.form
    editable = [f.id for f in contact_fields if not f.read_only]
    assert sorted(form.field_ids()) == sorted(editable)
    assert C_RECORD_ID not in form.field_ids()
    # the layout's fields first (the name parts right after the name), the others folded away
    order = form.field_ids()
    assert order[:3] == [C_NAME, C_FIRST, C_LAST]
    for fid in editable:
        assert in_more(form, fid) == (fid not in [*layout_ids, C_FIRST, C_LAST]), fid
    assert in_more(form, C_EMAIL2)

    # the Fields tab: every field of the record, read-only ones shown but not editable
    page = await svc.browse.fetch_page("contact", "", 0, 50)
    # a demo contact (other tests of the shared sandbox add contacts without name parts)
    rec = next(r for r in page.records if r.get(C_FIRST) and r.get(C_LAST))
    client = await server_client(sandbox)
    server_rec = (await client.get_contact_info(rec["id"])).field_data
    assert server_rec[C_FIRST]
    assert server_rec[C_LAST]
    editor = FieldsEditor(svc, settings=settings_at(tmp_path))
    qtbot.addWidget(editor)
    editor.set_record("contact", rec["id"], rec)
    tab = editor.form
    assert tab is not None
    shown = [f.id for f in contact_fields if f.role != "record-id"]
    assert sorted(tab.field_ids()) == sorted(shown)
    assert line(tab, C_FIRST).text() == server_rec[C_FIRST]
    assert line(tab, C_LAST).text() == server_rec[C_LAST]
    assert line(tab, C_EMAIL2).text() == server_rec[C_EMAIL2]


async def test_more_fields_open_or_closed_as_last_time(
    sandbox: Any, open_services: Any, qtbot: Any, tmp_path: Path
) -> None:
    svc = await open_services(sandbox)
    first = NewRecordDialog(svc, "contact", settings=settings_at(tmp_path))
    qtbot.addWidget(first)
    fut = await open_dialog(first)
    section = more_section(first.form)
    second_email = line(first.form, C_EMAIL2)
    assert not second_email.isVisible()  # closed the first time
    qtbot.mouseClick(section.findChild(QWidget, "moreFieldsToggle"), Qt.MouseButton.LeftButton)
    assert second_email.isVisible()
    first.reject()
    await dialog_result(fut)

    # a new dialog, with the settings read afresh from disk: open as left
    again = NewRecordDialog(svc, "contact", settings=settings_at(tmp_path))
    qtbot.addWidget(again)
    fut = await open_dialog(again)
    assert line(again.form, C_EMAIL2).isVisible()
    again.reject()
    await dialog_result(fut)

    # the Fields tab follows the same choice, and closing it there is remembered too
    page = await svc.browse.fetch_page("contact", "", 0, 3)
    editor = FieldsEditor(svc, settings=settings_at(tmp_path))
    qtbot.addWidget(editor)
    editor.set_record("contact", page.records[0]["id"], page.records[0])
    editor.show()
    assert editor.form is not None
    assert line(editor.form, C_EMAIL2).isVisible()
    toggle = more_section(editor.form).findChild(QWidget, "moreFieldsToggle")
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert not line(editor.form, C_EMAIL2).isVisible()
    closed = NewRecordDialog(svc, "contact", settings=settings_at(tmp_path))
    qtbot.addWidget(closed)
    fut = await open_dialog(closed)
    assert not line(closed.form, C_EMAIL2).isVisible()
    closed.reject()
    await dialog_result(fut)


async def test_first_and_last_name_are_saved_and_read_back(
    fresh_sandbox: Any, open_services: Any, server_client: Any, qtbot: Any, tmp_path: Path
) -> None:
    svc = await open_services(fresh_sandbox)
    dialog = NewRecordDialog(svc, "contact", settings=settings_at(tmp_path))
    qtbot.addWidget(dialog)
    fut = await open_dialog(dialog)
    qtbot.keyClicks(line(dialog.form, C_FIRST), "Grace")
    qtbot.keyClicks(line(dialog.form, C_LAST), "Hopper")
    assert line(dialog.form, C_NAME).text() == "Grace Hopper"
    qtbot.keyClicks(line(dialog.form, C_COMPANY), "Navy Labs")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert await dialog_result(fut) == QDialog.DialogCode.Accepted
    await queue_sent(svc.writes)
    cid = svc.store.cache.resolve_id(dialog.result_value.ids[0])
    client = await server_client(fresh_sandbox)
    saved = (await client.get_contact_info(cid)).field_data
    assert (saved[C_NAME], saved[C_FIRST], saved[C_LAST]) == ("Grace Hopper", "Grace", "Hopper")

    # read back into the Fields tab; a new last name there changes the full name as well
    editor = FieldsEditor(svc, settings=settings_at(tmp_path))
    qtbot.addWidget(editor)
    editor.set_record("contact", cid, saved)
    assert editor.form is not None
    last = line(editor.form, C_LAST)
    assert last.text() == "Hopper"
    last.selectAll()
    qtbot.keyClicks(last, "Murray")
    assert line(editor.form, C_NAME).text() == "Grace Murray"
    change = await editor.save()
    assert change is not None
    assert set(change.fields) == {C_NAME, C_LAST}
    await queue_sent(svc.writes)
    saved = (await client.get_contact_info(cid)).field_data
    assert (saved[C_NAME], saved[C_FIRST], saved[C_LAST]) == ("Grace Murray", "Grace", "Murray")


async def test_name_rule_both_ways_keeps_what_was_typed_by_hand(
    sandbox: Any, open_services: Any, qtbot: Any, tmp_path: Path
) -> None:
    svc = await open_services(sandbox)
    dialog = NewRecordDialog(svc, "contact", settings=settings_at(tmp_path))
    qtbot.addWidget(dialog)
    await open_dialog(dialog)
    form = dialog.form
    name, first, last = line(form, C_NAME), line(form, C_FIRST), line(form, C_LAST)
    hint = form.findChild(QLabel, "nameRuleHint")
    assert hint is not None
    assert hint.isVisible()
    assert hint.text() == (
        "First Name and Last Name are filled from Full Name, and Full Name from them."
    )
    # the full name fills both parts
    qtbot.keyClicks(name, "Mary Ann Lee")
    assert (first.text(), last.text()) == ("Mary Ann", "Lee")
    # a part typed by hand stays as typed when the full name changes again
    first.selectAll()
    qtbot.keyClicks(first, "Mary")
    assert name.text() == "Mary Lee"
    name.selectAll()
    qtbot.keyClicks(name, "Dr. Mary Lee-Smith")
    assert (first.text(), last.text()) == ("Mary", "Lee-Smith")
    # the parts fill the full name while it is made of them
    last.selectAll()
    qtbot.keyClicks(last, "Smith")
    assert name.text() == "Dr. Mary Lee-Smith"  # typed by hand, no longer first + last
    name.clear()
    qtbot.keyClicks(last, "s")
    assert name.text() == "Mary Smiths"
    assert form.values()[C_NAME] == "Mary Smiths"
    dialog.reject()

    # a record whose parts disagree with its full name: editing the name leaves them alone
    editor = FieldsEditor(svc, settings=settings_at(tmp_path))
    qtbot.addWidget(editor)
    editor.set_record(
        "contact", "x-1", {C_NAME: "Prof. Alan Turing", C_FIRST: "Alan", C_LAST: "Turing"}
    )
    assert editor.form is not None
    name = line(editor.form, C_NAME)
    name.setCursorPosition(len(name.text()))
    qtbot.keyClicks(name, " OBE")
    assert line(editor.form, C_FIRST).text() == "Alan"
    assert line(editor.form, C_LAST).text() == "Turing"
    # one whose parts agree with it: they follow the name
    editor.set_record("contact", "x-2", {C_NAME: "Ada King", C_FIRST: "Ada", C_LAST: "King"})
    assert editor.form is not None
    name = line(editor.form, C_NAME)
    name.selectAll()
    qtbot.keyClicks(name, "Ada Lovelace")
    assert line(editor.form, C_LAST).text() == "Lovelace"
    assert set(editor.form.changed_fields()) == {C_NAME, C_LAST}


def owner_combo(form: QWidget, name: str) -> QComboBox:
    combo = form.findChild(QComboBox, name)
    assert combo is not None, name
    return combo


async def test_record_manager_is_the_signed_in_user(
    fresh_sandbox: Any, open_services: Any, server_client: Any, qtbot: Any, tmp_path: Path
) -> None:
    svc = await open_services(fresh_sandbox)
    me = svc.schema.current.me
    my_name = svc.schema.current.user_name(me)
    assert me
    assert my_name == "Dana Demo"
    client = await server_client(fresh_sandbox)

    contact = NewRecordDialog(svc, "contact", settings=settings_at(tmp_path))
    qtbot.addWidget(contact)
    fut = await open_dialog(contact)
    combo = owner_combo(contact.form, f"field_{C_OWNER}")
    assert (combo.currentData(), combo.currentText()) == (me, my_name)
    assert contact.form.changed_fields() == {}  # preset, not an edit
    qtbot.keyClicks(line(contact.form, C_NAME), "Owned Contact")
    qtbot.mouseClick(contact.ok_button, Qt.MouseButton.LeftButton)
    await dialog_result(fut)

    group = NewRecordDialog(svc, "group", settings=settings_at(tmp_path))
    qtbot.addWidget(group)
    fut = await open_dialog(group)
    combo = owner_combo(group.form, f"field_{G_OWNER}")
    assert (combo.currentData(), combo.currentText()) == (me, my_name)
    qtbot.keyClicks(line(group.form, G_NAME), "Owned Group")
    qtbot.mouseClick(group.ok_button, Qt.MouseButton.LeftButton)
    await dialog_result(fut)

    page = await svc.browse.fetch_page("contact", "", 0, 5)
    cid = page.records[0]["id"]
    sale = SaleDialog(svc, cid)
    qtbot.addWidget(sale)
    fut = await open_dialog(sale)
    combo = owner_combo(sale, "saleOwner")
    assert (combo.currentData(), combo.currentText()) == (me, my_name)
    assert sale.fields()[S_OWNER] == me
    # another rep picked is the one the server keeps
    alex = next(u for u in USERS if u.name == "Alex Rivera")
    combo.setCurrentIndex(combo.findData(alex.user_id))
    sale.details.setText("Owned by Alex")
    qtbot.mouseClick(sale.ok_button, Qt.MouseButton.LeftButton)
    await dialog_result(fut)
    await queue_sent(svc.writes)

    contact_id = svc.store.cache.resolve_id(contact.result_value.ids[0])
    assert (await client.get_contact_info(contact_id)).field_data[C_OWNER] == me
    group_id = svc.store.cache.resolve_id(group.result_value.ids[0])
    assert (await client.get_group_info(group_id)).field_data[G_OWNER] == me
    sales = (await client.get_sales_for_contact(cid)).items
    mine = [s.field_data for s in sales if s.field_data.get(S_DETAILS) == "Owned by Alex"]
    assert [s[S_OWNER] for s in mine] == [alex.user_id]


def mark_every_field_changed(form: RecordForm) -> None:
    for fid in form.field_ids():
        editor = form.editor(fid)
        if isinstance(editor, QLineEdit) and not editor.isReadOnly():
            editor.setText(editor.text() + "1")
            editor.textEdited.emit(editor.text())
        elif isinstance(editor, DateField):
            editor.setDate(QDate(2026, 12, 24))
        elif isinstance(editor, QCheckBox) and editor.isEnabled():
            editor.toggle()
        elif isinstance(editor, QComboBox):
            editor.setCurrentIndex((editor.currentIndex() + 1) % editor.count())


def cut_labels(form: RecordForm) -> list[str]:
    """Labels whose text is wider than the label (bold ones are those of changed fields)."""
    cut = []
    for fid in form.field_ids():
        label = form.findChild(QLabel, f"label_{fid}")
        assert label is not None
        if label.isVisible() and label.fontMetrics().horizontalAdvance(label.text()) > (
            label.width()
        ):
            cut.append(label.text())
    return cut


@pytest.mark.parametrize("size", [(1024, 640), (1280, 800)])
async def test_bold_labels_of_changed_fields_are_never_cut(
    sandbox: Any, tmp_path: Path, size: tuple[int, int]
) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        w.settings.setValue("forms/moreFieldsOpen/Contact", True)
        w.resize(*size)
        await first_page(s)
        await until(lambda: w.list_pane.agenda is not None, 5, "the session's panels")
        w.list_pane.select_row(0)
        await until(lambda: w.detail.record_id != "", 5, "an open contact")
        await w.detail.wait_loaded()
        editor = w.detail.contact.fields_editor
        assert editor is not None
        assert editor.form is not None
        await until(lambda: editor.form is not None and editor.form.isVisible(), 5, "the form")
        dialog = NewRecordDialog(s.services, "contact", w)
        fut = await open_dialog(dialog)
        for form in (editor.form, dialog.form):
            assert more_section(form).findChild(QWidget, "moreFieldsBody").isVisible()
            mark_every_field_changed(form)
            bold = [
                f for f in form.field_ids() if form.findChild(QLabel, f"label_{f}").font().bold()
            ]
            assert len(bold) >= len(form.field_ids()) - 2  # all but the read-only dates
            # at once (the first paint after the change) and once the layout has settled
            assert cut_labels(form) == []
            QApplication.processEvents()
            assert cut_labels(form) == []
        dialog.reject()
        await dialog_result(fut)


async def test_fields_being_typed_survive_a_schema_reloaded_unchanged(
    sandbox: Any, open_services: Any, qtbot: Any, tmp_path: Path
) -> None:
    svc = await open_services(sandbox)
    page = await svc.browse.fetch_page("contact", "", 0, 3)
    rec = page.records[2]
    editor = FieldsEditor(svc, settings=settings_at(tmp_path))
    qtbot.addWidget(editor)
    editor.set_record("contact", rec["id"], rec)
    form = editor.form
    assert form is not None
    line(form, C_COMPANY).end(False)
    qtbot.keyClicks(line(form, C_COMPANY), " (new office)")
    before = svc.schema.current
    reloaded = await svc.schema.load()  # a revalidation: same fields, a new object
    assert reloaded == before
    assert reloaded is not before
    editor.set_record("contact", rec["id"], rec)  # the detail pane shows the record again
    assert editor.form is form
    assert line(form, C_COMPANY).text() == rec[C_COMPANY] + " (new office)"
    assert editor.dirty
