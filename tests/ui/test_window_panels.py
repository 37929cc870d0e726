"""The toolbar and record-header buttons, the Agenda section and the upload list, as the
signed-in main window offers them (real services, real HTTP to the sandbox)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit, QMenu, QToolButton, QWidget
from support.dialogs import visible_dialog
from support.fields import C_COMPANY, C_CREATED, C_EMAIL, C_LAST, C_NAME
from support.signals import when
from support.waiting import until
from support.windows import Session, connection_reads, first_page, rows_shown, signed_in

from snx_desktop.services.uploads import JobState
from snx_desktop.ui.editing import FieldsEditor
from snx_desktop.ui.texts import readable_error
from snx_desktop.ui.toolbar import TOOLBAR_ACTIONS

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

FMT = "%Y-%m-%dT%H:%M:%S"


async def _close_dialog() -> None:
    dialog = visible_dialog()
    assert dialog is not None
    dialog.reject()
    await until(lambda: visible_dialog() is None, 5, "the dialog to close")


async def _ready(s: Session) -> None:
    w = s.window
    await first_page(s)
    await until(lambda: w.list_pane.agenda is not None, 5, "the session's panels")
    w.list_pane.select_row(0)
    await when(w.detail.recordOpened, lambda: w.detail.record_id != "", 5, "an open contact")
    await w.detail.wait_loaded()


def _menu_actions(window: Any) -> set[QAction]:
    found: set[QAction] = set()
    for menu in window.menuBar().findChildren(QMenu):
        found.update(a for a in menu.actions() if not a.isSeparator())
    return found


@pytest.mark.asyncio
async def test_toolbar_and_header_buttons_run_the_menu_commands(
    sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        await _ready(s)
        bar = w.toolbar
        assert bar.objectName() == "mainToolBar"
        shown = [a for a in bar.actions() if not a.isSeparator() and a.objectName()]
        names = [a.objectName() for a in shown]
        assert names == [n for n in TOOLBAR_ACTIONS if n] + ["actionWorkOffline"]
        in_menus = _menu_actions(w)
        for action in shown:  # the very same QAction: same command, shortcut, enabled state
            assert action in in_menus, action.objectName()
            button = bar.widgetForAction(action)
            assert isinstance(button, QToolButton)
            assert button.accessibleName(), action.objectName()
        assert w.actions_.new_record.text() == "&New contact…"
        # read-only dates in the Fields tab read like the lists, not like the wire
        created = w.findChild(QLineEdit, "field_140")
        assert created is not None
        assert created.isReadOnly()
        assert created.text()
        assert "T" not in created.text()
        assert not created.isClearButtonEnabled()
        editor = w.detail.contact.fields_editor
        assert isinstance(editor, FieldsEditor)
        assert editor.form is not None
        assert editor.form.value(C_CREATED).startswith("20")  # the stored value is untouched

        # the toolbar's "Add note" opens the note dialog for the open contact, as the menu does
        button = bar.widgetForAction(w.features.actions["actionAddNote"])
        assert isinstance(button, QToolButton)
        button.click()
        await until(visible_dialog, 5, "the note dialog")
        dialog = visible_dialog()
        assert dialog is not None
        assert dialog.objectName() == "noteDialog"
        await _close_dialog()

        # the header of the open contact has its own buttons for the same actions
        header = w.detail.contact.header
        buttons = {b.objectName(): b for b in header.findChildren(QToolButton)}
        assert set(buttons) >= {
            "header_actionAddNote",
            "header_actionNewActivity",
            "header_actionAttachFile",
            "header_actionDeleteShown",
        }
        assert all(b.accessibleName() and b.isEnabled() for b in buttons.values())
        buttons["header_actionNewActivity"].click()
        await until(visible_dialog, 5, "the activity dialog")
        dialog = visible_dialog()
        assert dialog is not None
        assert dialog.objectName() == "activityDialog"
        await _close_dialog()
        buttons["header_actionDeleteShown"].click()
        await until(visible_dialog, 5, "the delete confirmation")
        dialog = visible_dialog()
        assert dialog is not None
        assert type(dialog).__name__ == "DeleteDialog"
        await _close_dialog()

        # the toolbar's Work offline is the status bar's switch too
        offline = w.actions_.work_offline
        offline.trigger()
        await connection_reads(s, "Working offline", 5)
        assert w.status.work_offline.isChecked()
        assert w.status.work_offline.text() == "Go online"
        offline.trigger()
        await connection_reads(s, "Online", 5)


@pytest.mark.asyncio
async def test_agenda_section_lists_the_reps_activities_by_day_with_overdue_marked(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(fresh_sandbox, tmp_path) as s:
        w = s.window
        await _ready(s)
        cid = w.detail.record_id
        name = w.detail.contact.header.name.text()
        now = datetime.now().replace(microsecond=0)
        yesterday = (now - timedelta(days=1)).replace(hour=9, minute=0, second=0)
        tomorrow = (now + timedelta(days=1)).replace(hour=15, minute=30, second=0)
        soon = now + timedelta(minutes=10)
        for regarding, start in (
            ("Panel overdue call", yesterday),
            ("Panel demo", tomorrow),
            ("Panel call soon", soon),
        ):
            await s.services.writes.create_activity(
                cid,
                type="call",
                regarding=regarding,
                start_time=start.strftime(FMT),
                end_time=(start + timedelta(minutes=30)).strftime(FMT),
            )
        w.actions_.sections["agenda"].trigger()  # View ▸ Agenda (Ctrl+4)
        assert w.list_pane.section == "agenda"
        agenda = w.list_pane.agenda
        assert agenda.isVisibleTo(w)
        assert not w.list_pane.search.isVisibleTo(w)

        def rows() -> dict[str, Any]:
            return {item.text(1): item for item in agenda.items()}

        await when(
            agenda.summaryChanged,
            lambda: {"Panel overdue call", "Panel demo"} <= set(rows()),
            10,
            "rows",
        )
        late, later = rows()["Panel overdue call"], rows()["Panel demo"]
        assert late.text(3) == "Overdue"
        assert late.foreground(1).color().name() == "#c0392b"
        assert later.text(3) == ""
        assert late.text(4) == name
        assert later.text(4) == name
        # grouped by day, days in order, each head naming its day
        heads = [agenda.tree.topLevelItem(i) for i in range(agenda.tree.topLevelItemCount())]
        late_head, later_head = late.parent(), later.parent()
        assert heads.index(late_head) < heads.index(later_head)
        assert late_head.text(0).startswith(f"{yesterday:%A}")
        assert "overdue" in late_head.text(0)
        assert later_head.text(0).startswith("Tomorrow")
        assert "overdue" in agenda.summary.text()
        assert w.list_pane.status.text() == agenda.summary.text()
        # the activity list loaded for the agenda: its "For" column names the rep on every
        # row, so it is hidden
        acts = w.list_pane.models["activity"]
        await rows_shown(acts, timeout=10, what="activity rows")
        col = next(i for i, c in enumerate(acts.columns) if c.key == "schedule-for")
        assert w.list_pane.views["activity"].isColumnHidden(col)
        # the reminder for the call due soon reaches the window (no tray offscreen)
        reminders = w.features.reminders
        assert reminders is not None
        assert reminders.timer.isActive()
        due = reminders.check_now()
        assert "Panel call soon" in [a.get("regarding") for a in due]
        assert w.message_bar.isVisible()
        assert "Panel call soon" in w.message_bar.text.text()
        # Ctrl+N on the agenda makes an activity
        assert w.actions_.new_record.isEnabled()
        assert w.actions_.new_record.text() == "&New activity…"
        # Enter on an activity opens it for editing (rows are rebuilt as pages arrive: the
        # item is taken and activated in one step)
        later = rows()["Panel demo"]
        agenda.tree.setCurrentItem(later)
        agenda.tree.itemActivated.emit(later, 0)
        await until(visible_dialog, 5, "the activity dialog")
        dialog = visible_dialog()
        assert dialog is not None
        assert dialog.objectName() == "activityDialog"
        await _close_dialog()


@pytest.mark.asyncio
async def test_upload_list_follows_a_real_upload_to_the_sandbox(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(fresh_sandbox, tmp_path / "profile") as s:
        w = s.window
        await _ready(s)
        cid = w.detail.record_id
        panel = w.detail.upload_list
        assert panel is not None
        assert not panel.isVisible()
        data = bytes(range(256)) * (12 * 4096)  # 12 MB
        path = tmp_path / "site-photos.zip"
        path.write_bytes(data)
        seen: list[tuple[int, bool]] = []

        def progress(job: Any) -> None:
            row = panel.row(job.job_id)
            if row is not None:
                seen.append((row.bar.value(), row.cancel_button.isVisibleTo(row)))

        stop = w.features.uploads.progress.connect(progress)
        try:
            (job,) = w.features.uploads.add(cid, [path], contact_name="the contact")
            row = panel.row(job.job_id)
            assert row is not None
            assert panel.isVisible()
            assert row.isVisible()
            assert row.cancel_button.isVisibleTo(row)
            assert "site-photos.zip" in row.name.text()
            await until(lambda: job.finished, 30, "the upload")
        finally:
            stop()
        assert job.state is JobState.DONE, job.status_text
        assert seen
        assert all(0 <= v <= 1000 for v, _c in seen)
        assert any(v > 0 for v, _c in seen)
        assert any(cancel for v, cancel in seen if v < 1000)  # Cancel offered while it runs
        assert row.bar.isHidden()
        assert not row.cancel_button.isVisibleTo(row)
        assert row.status.text().startswith("Attached")
        assert "in progress" not in panel.title.text()
        # the bytes on the server are the file's
        docs = await s.services.client.get_docs_for_contact(cid)
        doc = next(d for d in docs.items if d.file_name == "site-photos.zip")
        buf = io.BytesIO()
        await s.services.client.download_document(doc.url, buf)
        assert buf.getvalue() == data
        # a finished upload leaves the list after a while (it is in the Documents tab)
        w.features.uploads.remove(job.job_id)
        assert panel.row(job.job_id) is None
        assert not panel.isVisible()


@pytest.mark.asyncio
async def test_every_visible_control_has_an_accessible_name(sandbox: Any, tmp_path: Path) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        await _ready(s)
        missing: set[str] = set()
        for section in ("contact", "group", "activity", "agenda", "sale", "campaign", "pending"):
            w.navigation.select(section)
            if section in w.list_pane.models:
                model = w.list_pane.models[section]
                await rows_shown(model, timeout=10, what=section)
                w.list_pane.select_row(0)
                await w.detail.wait_loaded()
            for widget in w.findChildren(QWidget):
                if not widget.isVisibleTo(w) or not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                    continue
                if type(widget).__name__ in ("QScrollBar", "QSplitterHandle", "QTabBar"):
                    continue
                if widget.parent() is not None and type(widget.parent()).__name__ == "QTabBar":
                    continue
                if not widget.accessibleName():
                    missing.add(f"{section}: {type(widget).__name__} {widget.objectName()!r}")
        assert sorted(missing) == []


def test_errors_shown_to_people_leave_out_record_ids() -> None:
    text = (
        "The record was not found. It may have been deleted: "
        "No contact with id bc5bbda4-7b96-47aa-b7fe-86a4cf29309f exists."
    )
    assert readable_error(text) == "The record was not found. It may have been deleted."
    assert readable_error("Failed: Server busy") == "Failed: Server busy."
    assert readable_error("id 0b6f6a1e-0000-4000-8000-000000000001") == (
        "The change could not be sent."
    )


def test_a_name_column_of_a_csv_file_goes_to_the_full_name() -> None:
    from snx_desktop.ui.editing.importwizard import _with_name_column

    headers = ["Name", "Company", "Email"]
    assert _with_name_column([None, C_COMPANY, C_EMAIL], headers, C_NAME) == [
        C_NAME,
        C_COMPANY,
        C_EMAIL,
    ]
    # an explicit mapping of the name field wins; without a name field nothing changes
    assert _with_name_column([C_LAST, None, C_NAME], ["Last", "Name", "Full"], C_NAME) == [
        C_LAST,
        None,
        C_NAME,
    ]
    assert _with_name_column([None, None], ["Name", "X"], None) == [None, None]
