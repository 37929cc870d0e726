"""The right-hand pane when no record is open says what can be done, with buttons; an agenda
item opens there; the upload list sits in a contact's Documents tab."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QDialog
from support.waiting import until
from support.windows import first_page, signed_in

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _visible_dialog() -> QDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            return widget
    return None


@pytest.mark.asyncio
async def test_with_nothing_open_the_pane_says_what_to_do_with_buttons(
    sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        await first_page(s)
        await until(lambda: w.features.actions["actionImportCsv"].isEnabled(), 10, "features")
        w.detail.clear()
        assert w.detail.stack.currentWidget() is w.help
        assert w.help.isVisible()
        assert w.help.title.text() == "Contacts"
        texts = [b.text() for b in w.help.buttons]
        assert texts == ["New contact", "Import contacts from CSV", "Find"]
        w.help.buttons[0].click()
        await until(_visible_dialog, 10, "the new contact dialog")
        dialog = _visible_dialog()
        assert dialog is not None
        assert type(dialog).__name__ == "NewRecordDialog"
        dialog.reject()
        await until(lambda: _visible_dialog() is None, 5, "the dialog to close")

        await first_page(s, "sale")
        assert w.help.title.text() == "Sales"
        assert w.help.buttons[0].text() == "New sale"
        w.list_pane.select_row(0)
        assert w.detail.stack.currentWidget() is w.detail.record


@pytest.mark.asyncio
async def test_an_agenda_item_shows_its_details(sandbox: Any, tmp_path: Path) -> None:
    from snx_desktop.ui.editing.agenda import ACTIVITY_ROLE

    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        await first_page(s)
        await until(lambda: w.list_pane.agenda is not None, 10, "the agenda")
        w.navigation.select("agenda")
        agenda = w.list_pane.agenda
        assert agenda is not None
        await until(lambda: bool(agenda.items()), 30, "agenda items")
        item = agenda.items()[0]
        agenda.tree.setCurrentItem(item)
        activity = item.data(0, ACTIVITY_ROLE)
        assert (w.detail.kind, w.detail.record_id) == ("activity", activity["activity-id"])
        fm = w.detail.record.fields_model
        values = {fm.index(r, 0).data(): fm.index(r, 1).data() for r in range(fm.rowCount())}
        assert values["Regarding"] == (activity.get("regarding") or "")
        # back to the agenda from another list: the item still selected shows its details
        w.navigation.select("contact")
        assert w.detail.kind != "activity"
        w.navigation.select("agenda")
        current = agenda.tree.currentItem()
        assert current is not None
        assert current.data(0, ACTIVITY_ROLE)["activity-id"] == activity["activity-id"]
        assert (w.detail.kind, w.detail.record_id) == ("activity", activity["activity-id"])
        assert w.detail.stack.currentWidget() is w.detail.record


@pytest.mark.asyncio
async def test_the_upload_list_is_in_the_documents_tab_only(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(fresh_sandbox, tmp_path / "profile") as s:
        w = s.window
        await first_page(s)
        await until(lambda: w.detail.upload_list is not None, 10, "the upload list")
        w.list_pane.select_row(0)
        await w.detail.wait_loaded()
        contact = w.detail.contact
        contact.tabs.setCurrentWidget(contact.fields)
        other = w.list_pane.models["contact"].record_id(1)
        path = tmp_path / "notes.txt"
        path.write_bytes(b"x" * 1000)
        uploads = w.features.uploads
        assert uploads is not None
        (job,) = uploads.add(other, [path], contact_name="another contact")
        panel = w.detail.upload_list
        assert panel is not None
        assert contact.documents.isAncestorOf(panel)
        assert contact.tabs.currentWidget() is contact.fields  # not the open contact's file
        assert not panel.isVisible()
        contact.tabs.setCurrentWidget(contact.documents)
        assert panel.isVisible()
        await until(lambda: job.finished, 30, "the upload")


@pytest.mark.asyncio
async def test_a_pending_change_shows_its_details(fresh_sandbox: Any, tmp_path: Path) -> None:
    async with signed_in(fresh_sandbox, tmp_path / "profile") as s:
        w, svc = s.window, s.services
        await first_page(s)
        await until(lambda: w.list_pane.pending_panel is not None, 10, "the pending panel")
        contact = w.list_pane.models["contact"].record_id(0)
        await first_page(s, "campaign")
        campaign = w.list_pane.models["campaign"].record_id(0)
        svc.connectivity.set_work_offline(True)
        await svc.writes.add_to_campaign(campaign, [contact])
        w.navigation.select("pending")
        panel = w.list_pane.pending_panel
        assert panel is not None
        await until(lambda: panel.tree.topLevelItemCount() == 1, 10, "the queued change")
        assert w.detail.stack.currentWidget() is w.help  # nothing selected yet
        panel.tree.setCurrentItem(panel.tree.topLevelItem(0))
        assert w.detail.stack.currentWidget() is w.detail.record
        fm = w.detail.record.fields_model
        values = {fm.index(r, 0).data(): fm.index(r, 1).data() for r in range(fm.rowCount())}
        assert values["Change"] == "Add 1 contact to a campaign"
        assert values["On"] == "Campaign"
        assert "Made" in values
        assert w.detail.record.header.name.text() == "Pending change"
        w.navigation.select("contact")  # another list: the change leaves the pane
        assert w.detail.stack.currentWidget() is w.help
