"""Right-click menus on list and detail rows, the context-menu keys, and double-click or Enter,
in a window signed in to the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QApplication, QDialog, QMenu
from support.waiting import until
from support.windows import Session, first_page, signed_in

from snx_desktop.models.roles import Roles

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _visible_dialog() -> QDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            return widget
    return None


def _right_click(view: QAbstractItemView, row: int) -> QMenu:
    """A right-click on ``row`` (as the mouse sends it); the menu it shows."""
    model = view.model()
    assert model is not None
    pos = view.visualRect(model.index(row, 0)).center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)
    return _shown_menu(view)


def _shown_menu(view: QAbstractItemView) -> QMenu:
    window = view.window()
    menu = window.row_menus.menu  # type: ignore[attr-defined]
    assert isinstance(menu, QMenu)
    assert menu.isVisible()
    return menu


def _texts(menu: QMenu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def _item(menu: QMenu, text: str) -> Any:
    for action in menu.actions():
        if action.text().replace("&", "") == text:
            return action
    raise AssertionError(f"no {text!r} in {_texts(menu)}")


async def _dialog_then_cancel(type_name: str) -> QDialog:
    await until(_visible_dialog, 10, f"the {type_name}")
    dialog = _visible_dialog()
    assert dialog is not None
    assert type(dialog).__name__ == type_name
    dialog.reject()
    await until(lambda: _visible_dialog() is None, 5, "the dialog to close")
    return dialog


async def _features(s: Session) -> None:
    await until(lambda: s.window.features.actions["actionImportCsv"].isEnabled(), 10, "features")


@pytest.mark.asyncio
async def test_right_click_on_a_contact_opens_it_and_its_menu_adds_a_note_to_it(
    sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        await first_page(s)
        await _features(s)
        view = w.list_pane.views["contact"]
        menu = _right_click(view, 3)
        contact_id = str(view.model().index(3, 0).data(Roles.RECORD_ID))
        assert view.currentIndex().row() == 3
        assert (w.detail.kind, w.detail.record_id) == ("contact", contact_id)
        assert _texts(menu) == [
            "Open",
            "Open in new window",
            "Add note…",
            "New activity…",
            "Attach file…",
            "New sale…",
            "Copy e-mail address",
            "Copy phone number",
            "Add to group…",
            "Add to campaign…",
            "Delete",
        ]
        # the entries are the window's own actions (same shortcut, same command)
        assert _item(menu, "Add note…") is w.features.actions["actionAddNote"]
        _item(menu, "Copy e-mail address").trigger()
        record = view.model().index(3, 0).data(Roles.RECORD)
        email = record[w.detail.schema.role("Contact", "email")]
        assert email
        assert QGuiApplication.clipboard().text() == email
        menu.close()
        _item(menu, "Add note…").trigger()
        dialog = await _dialog_then_cancel("NoteDialog")
        assert (dialog.kind, dialog.record_id) == ("contact", contact_id)  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_shift_f10_on_an_activity_row_offers_complete(sandbox: Any, tmp_path: Path) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        await first_page(s, "activity")
        await _features(s)
        view = w.list_pane.views["activity"]
        model = view.model()
        row = next(
            r
            for r in range(model.rowCount())
            if model.index(r, 0).data(Roles.RECORD).get("completed") in ("", "false", False)
        )
        w.list_pane.select_row(row)
        view.setFocus()
        w.activateWindow()
        await until(lambda: QApplication.focusWidget() is view, 5, "focus on the list")
        from PySide6.QtTest import QTest

        QTest.keyClick(view, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
        menu = _shown_menu(view)
        assert "Complete activity…" in _texts(menu)
        menu.close()
        _item(menu, "Complete activity…").trigger()
        dialog = await _dialog_then_cancel("CompleteActivityDialog")
        activity = model.index(row, 0).data(Roles.RECORD)
        assert dialog.activity["activity-id"] == activity["activity-id"]  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_the_context_menu_key_opens_the_current_rows_menu(
    sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        await first_page(s, "group")
        view = w.list_pane.views["group"]
        w.list_pane.select_row(1)
        at = QPoint(-1, -1)  # the menu key names no point: the current row is meant
        event = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, at, view.mapToGlobal(at))
        QApplication.sendEvent(view.viewport(), event)
        menu = _shown_menu(view)
        assert _texts(menu) == [
            "Open",
            "Open in new window",
            "Add note…",
            "New activity…",
            "Delete",
        ]
        assert view.currentIndex().row() == 1


@pytest.mark.asyncio
async def test_enter_on_a_row_opens_the_record_and_moves_focus_to_it(
    sandbox: Any, tmp_path: Path
) -> None:
    from PySide6.QtTest import QTest

    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        await first_page(s)
        view = w.list_pane.views["contact"]
        w.list_pane.select_row(2)
        w.detail.clear()
        assert w.detail.record_id == ""
        view.setFocus()
        QTest.keyClick(view, Qt.Key.Key_Return)
        assert w.detail.record_id == str(view.model().index(2, 0).data(Roles.RECORD_ID))
        assert w.detail.isAncestorOf(w.focusWidget())


@pytest.mark.asyncio
async def test_a_group_members_menu_opens_the_member(sandbox: Any, tmp_path: Path) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        await first_page(s, "group")
        groups = w.list_pane.models["group"]
        members = w.detail.group.members_model
        for row in range(groups.loaded_count):
            w.list_pane.select_row(row)
            await w.detail.wait_loaded()
            if members.rowCount():
                break
        assert members.rowCount() > 0
        w.detail.group.tabs.setCurrentWidget(w.detail.group.members)
        view = w.detail.group.members.view
        menu = _right_click(view, 0)
        member = str(view.model().index(0, 0).data(Roles.RECORD_ID))
        assert _texts(menu)[0] == "Open contact"
        menu.close()
        _item(menu, "Open contact").trigger()
        assert (w.detail.kind, w.detail.record_id) == ("contact", member)


@pytest.mark.asyncio
async def test_a_note_rows_menu_adds_a_note_to_the_open_contact(
    sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        await first_page(s)
        await _features(s)
        notes = w.detail.contact.notes_model
        for row in range(20):
            w.list_pane.select_row(row)
            await w.detail.wait_loaded()
            if notes.rowCount():
                break
        assert notes.rowCount() > 0
        w.detail.contact.tabs.setCurrentWidget(w.detail.contact.notes)
        menu = _right_click(w.detail.contact.notes.view, 0)
        assert _texts(menu) == ["Add note…", "Copy note text"]
        _item(menu, "Copy note text").trigger()
        assert QGuiApplication.clipboard().text() == notes.record(0)["details"]


@pytest.mark.asyncio
async def test_a_sales_rows_menu_opens_the_sales_contact(sandbox: Any, tmp_path: Path) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        await first_page(s, "sale")
        await _features(s)
        view = w.list_pane.views["sale"]
        model = view.model()
        contact_field = w.detail.schema.role("Sales", "contact-id")
        assert contact_field
        row = next(
            r
            for r in range(model.rowCount())
            if model.index(r, 0).data(Roles.RECORD).get(contact_field)
        )
        contact_id = model.index(row, 0).data(Roles.RECORD)[contact_field]
        menu = _right_click(view, row)
        assert _texts(menu) == ["Open", "Open in new window", "Open contact", "New sale…"]
        menu.close()
        _item(menu, "Open contact").trigger()
        assert (w.detail.kind, w.detail.record_id) == ("contact", contact_id)
        await w.detail.wait_loaded()
        assert w.detail.stack.currentWidget() is w.detail.contact
        assert w.detail.contact.header.name.text()
