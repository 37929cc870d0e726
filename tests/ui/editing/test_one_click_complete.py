"""One click completes an activity where the rep sees it: the complete box of the Activities
list, the Agenda and a contact's or a group's Activities tab, and the Complete button of the
details; a small popup (not a dialog) asks for the result: Enter completes, Esc cancels and
unchecks, "Complete and schedule next" opens the follow-up."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QDialog, QTreeWidget
from support.waiting import until
from support.windows import Session, first_page, signed_in
from support.writequeue import queue_sent

from snx_desktop.models.roles import Roles
from snx_desktop.ui.editing.completepopup import CompletePopup

from .conftest import QT_IGNORE

pytestmark = [pytest.mark.asyncio, QT_IGNORE]

CHECK = Qt.ItemDataRole.CheckStateRole
FMT = "%Y-%m-%dT%H:%M:%S"


def popup() -> CompletePopup | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, CompletePopup) and widget.isVisible():
            return widget
    return None


def open_dialog() -> QDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            return widget
    return None


def open_activity_index(view: QAbstractItemView) -> QModelIndex:
    model = view.model()
    assert model is not None
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if index.data(CHECK) == Qt.CheckState.Unchecked:
            return index
    raise AssertionError("no open activity")


async def check_with_space(qtbot: Any, view: QAbstractItemView, index: QModelIndex) -> None:
    """The rep moves to the row's complete box and presses Space."""
    view.setFocus()
    view.setCurrentIndex(index)
    qtbot.keyClick(view.viewport() if isinstance(view, QTreeWidget) else view, Qt.Key.Key_Space)
    await until(lambda: popup() is not None, 5, "the complete popup")


async def ready(s: Session) -> None:
    await until(lambda: s.window.features.one_click is not None, 5, "the features")


async def test_the_list_box_asks_for_the_result_esc_cancels_enter_completes(
    fresh_sandbox: Any, server_client: Any, tmp_path: Path, qtbot: Any
) -> None:
    async with signed_in(fresh_sandbox, tmp_path / "profile") as s:
        await first_page(s, "activity")
        await ready(s)
        view = s.window.list_pane.views["activity"]
        index = open_activity_index(view)
        aid = str(index.data(Roles.RECORD_ID))
        await check_with_space(qtbot, view, index)
        box = view.model().index(index.row(), 0)  # type: ignore[union-attr]
        assert box.data(CHECK) == Qt.CheckState.Checked  # ticked while the result is asked
        assert open_dialog() is None  # a popup, not a dialog
        # Esc: nothing completed, the box unchecked again
        found = popup()
        assert found is not None
        qtbot.keyClick(found.result_edit, Qt.Key.Key_Escape)
        await until(lambda: popup() is None, 5, "the popup to close")
        assert box.data(CHECK) == Qt.CheckState.Unchecked
        assert s.services.writes.status.pending == 0
        # again, with a result and Enter
        await check_with_space(qtbot, view, box)
        found = popup()
        assert found is not None
        qtbot.keyClicks(found.result_edit, "Left a voicemail")
        qtbot.keyClick(found.result_edit, Qt.Key.Key_Return)
        await until(lambda: popup() is None, 5, "the popup to close")
        status = [c.label for c in s.window.list_pane.models["activity"].columns].index("Status")
        row = s.window.list_pane.models["activity"].row_of(aid)
        model = s.window.list_pane.models["activity"]
        assert model.index(row, status).data() == "Done"
        assert model.index(row, 0).data(CHECK) == Qt.CheckState.Checked
        await queue_sent(s.services.writes)
        client = await server_client(fresh_sandbox)
        info = await client.get_activity_info(aid)
        assert info.completed
        assert info.result == "Left a voicemail"


async def test_details_button_and_schedule_next(
    fresh_sandbox: Any, tmp_path: Path, qtbot: Any
) -> None:
    async with signed_in(fresh_sandbox, tmp_path / "profile") as s:
        await first_page(s, "activity")
        await ready(s)
        view = s.window.list_pane.views["activity"]
        index = open_activity_index(view)
        aid = str(index.data(Roles.RECORD_ID))
        assert s.window.list_pane.select_row(index.row())
        one_click = s.window.features.one_click
        assert one_click is not None
        button = one_click.button
        await until(lambda: s.window.detail.record_id == aid, 5, "the activity's details")
        await until(lambda: button.isVisible() and button.isEnabled(), 5, "the Complete button")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        await until(lambda: popup() is not None, 5, "the complete popup")
        found = popup()
        assert found is not None
        qtbot.keyClicks(found.result_edit, "Agreed on a demo")
        qtbot.mouseClick(found.next_button, Qt.MouseButton.LeftButton)
        await until(lambda: open_dialog() is not None, 5, "the follow-up activity dialog")
        dialog = open_dialog()
        assert dialog is not None
        assert dialog.objectName() == "activityDialog"
        dialog.reject()
        await until(lambda: not button.isEnabled(), 5, "the button of a completed activity")
        cached = s.services.store.cache.get_record("activity", aid)
        assert cached is not None
        assert cached.value["completed"] == "true"


async def test_agenda_and_contact_tab_boxes(fresh_sandbox: Any, tmp_path: Path, qtbot: Any) -> None:
    async with signed_in(fresh_sandbox, tmp_path / "profile") as s:
        await first_page(s)
        await ready(s)
        w, svc = s.window, s.services
        cid = w.list_pane.models["contact"].record_id(0)
        start = datetime.now().replace(microsecond=0) + timedelta(hours=1)
        made = await svc.writes.create_activity(
            cid,
            type="call",
            regarding="Call about the renewal",
            start_time=start.strftime(FMT),
            end_time=(start + timedelta(minutes=30)).strftime(FMT),
        )
        await queue_sent(svc.writes)
        aid = svc.store.cache.resolve_id(made.ids[0])
        # the contact's Activities tab
        assert w.list_pane.select_row(0)
        await until(lambda: w.detail.record_id == cid, 5, "the open contact")
        await w.detail.wait_loaded()
        tab = w.detail.contact.activities.view
        tabs = w.detail.contact.tabs
        tabs.setCurrentWidget(w.detail.contact.activities)
        model = tab.model()
        assert model is not None
        await until(
            lambda: any(
                model.index(r, 0).data(Roles.RECORD_ID) == aid for r in range(model.rowCount())
            ),
            5,
            "the new activity in the tab",
        )
        row = next(
            r for r in range(model.rowCount()) if model.index(r, 0).data(Roles.RECORD_ID) == aid
        )
        await check_with_space(qtbot, tab, model.index(row, 0))
        found = popup()
        assert found is not None
        found.cancel_button.click()
        await until(lambda: popup() is None, 5, "the popup to close")
        assert model.index(row, 0).data(CHECK) == Qt.CheckState.Unchecked
        # the agenda
        w.navigation.select("agenda")
        agenda = w.list_pane.agenda
        assert agenda is not None
        await until(
            lambda: any(i.text(1) == "Call about the renewal" for i in agenda.items()),
            10,
            "the agenda row",
        )
        item = next(i for i in agenda.items() if i.text(1) == "Call about the renewal")
        assert item.checkState(0) == Qt.CheckState.Unchecked
        agenda.tree.setFocus()
        agenda.tree.setCurrentItem(item, 0)
        qtbot.keyClick(agenda.tree.viewport(), Qt.Key.Key_Space)
        await until(lambda: popup() is not None, 5, "the complete popup")
        found = popup()
        assert found is not None
        qtbot.keyClicks(found.result_edit, "Renewed")
        qtbot.keyClick(found.result_edit, Qt.Key.Key_Enter)
        await until(lambda: popup() is None, 5, "the popup to close")
        # completed: gone from the agenda (completed ones are hidden), done in the contact's tab
        await until(
            lambda: all(i.text(1) != "Call about the renewal" for i in agenda.items()),
            5,
            "the agenda",
        )
        assert model.index(row, 0).data(CHECK) == Qt.CheckState.Checked


async def test_a_groups_activities_tab_box(
    fresh_sandbox: Any, server_client: Any, tmp_path: Path, qtbot: Any
) -> None:
    async with signed_in(fresh_sandbox, tmp_path / "profile") as s:
        await first_page(s, "group")
        await ready(s)
        w, svc = s.window, s.services
        gid = w.list_pane.models["group"].record_id(0)
        start = datetime.now().replace(microsecond=0) + timedelta(hours=2)
        made = await svc.writes.create_group_activity(
            gid,
            type="meeting",
            regarding="Quarterly review with the group",
            start_time=start.strftime(FMT),
            end_time=(start + timedelta(hours=1)).strftime(FMT),
        )
        await queue_sent(svc.writes)
        aid = svc.store.cache.resolve_id(made.ids[0])
        assert w.list_pane.select_row(0)
        await until(lambda: w.detail.record_id == gid, 5, "the open group")
        await w.detail.wait_loaded()
        w.detail.group.tabs.setCurrentWidget(w.detail.group.activities)
        tab = w.detail.group.activities.view
        model = tab.model()
        assert model is not None

        def row_of_new() -> int:
            ids = [model.index(r, 0).data(Roles.RECORD_ID) for r in range(model.rowCount())]
            return ids.index(aid) if aid in ids else -1

        await until(lambda: row_of_new() >= 0, 5, "the new activity in the tab")
        await check_with_space(qtbot, tab, model.index(row_of_new(), 0))
        found = popup()
        assert found is not None
        assert open_dialog() is None  # a popup, not a dialog
        qtbot.keyClicks(found.result_edit, "Agreed on the plan")
        qtbot.keyClick(found.result_edit, Qt.Key.Key_Enter)
        await until(lambda: popup() is None, 5, "the popup to close")
        assert model.index(row_of_new(), 0).data(CHECK) == Qt.CheckState.Checked
        await queue_sent(svc.writes)
        client = await server_client(fresh_sandbox)
        info = await client.get_activity_info(aid)
        assert info.completed
        assert info.result == "Agreed on the plan"
