"""The main toolbar of a signed-in window: one button per command in every section, and the
work-offline switch worded for its state in the toolbar, the File menu and the status bar
(real services, real HTTP to the sandbox)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton
from support.dialogs import visible_dialog
from support.signals import when
from support.waiting import until
from support.windows import Session, connection_reads, first_page, signed_in

from snx_desktop.ui.actions import work_offline_wording
from snx_desktop.ui.navigation import SECTIONS
from snx_desktop.ui.toolbar import TOOLBAR_ACTIONS

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _plain(text: str) -> str:
    return text.replace("&", "").replace("…", "").strip()


def _buttons(s: Session) -> list[tuple[str, QToolButton]]:
    """The toolbar's buttons in order: (action object name, button)."""
    bar = s.window.toolbar
    out: list[tuple[str, QToolButton]] = []
    for action in bar.actions():
        if action.isSeparator() or not action.objectName():
            continue
        button = bar.widgetForAction(action)
        assert isinstance(button, QToolButton), action.objectName()
        out.append((action.objectName(), button))
    return out


def _menu_of(window: Any, action: QAction) -> QMenu | None:
    for menu in window.menuBar().findChildren(QMenu):
        if action in menu.actions():
            return menu
    return None


async def _bound(s: Session) -> None:
    await first_page(s)
    await until(lambda: s.window.list_pane.agenda is not None, 5, "the session's features")


@pytest.mark.asyncio
async def test_each_command_shows_once_on_the_toolbar_in_every_section(
    sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        await _bound(s)
        new_activity = w.features.actions["actionNewActivity"]
        for key, _label, _icon in SECTIONS:
            w.navigation.select(key)
            assert w.list_pane.section == key
            buttons = _buttons(s)
            texts = [_plain(b.text()) for _n, b in buttons]
            assert len(texts) == len(set(texts)), (key, texts)
            assert all(b.accessibleName() for _n, b in buttons), key
            # a button put back is shown once the toolbar lays itself out again
            await until(lambda: all(b.isVisible() for _n, b in _buttons(s)), 5, "the buttons")

        for key in ("activity", "agenda"):
            w.navigation.select(key)
            names = [n for n, _b in _buttons(s)]
            texts = [_plain(b.text()) for _n, b in _buttons(s)]
            assert texts.count("New activity") == 1, (key, texts)
            # Ctrl+N's button says "New activity" here; Ctrl+Shift+A stays in the Edit menu
            assert names[0] == "actionNew"
            assert "actionNewActivity" not in names
            assert w.actions_.new_record.text() == "&New activity…"
            edit = _menu_of(w, new_activity)
            assert edit is not None
            assert edit.objectName() == "menuEdit"
            assert new_activity.isEnabled()
            assert new_activity.shortcut().toString() == "Ctrl+Shift+A"

        # back in Contacts every toolbar action is there again, in its place, named
        w.navigation.select("contact")
        names = [n for n, _b in _buttons(s)]
        assert names == [n for n in TOOLBAR_ACTIONS if n] + ["actionWorkOffline"]
        button = w.toolbar.widgetForAction(new_activity)
        assert isinstance(button, QToolButton)
        assert button.objectName() == "toolbar_actionNewActivity"
        assert button.accessibleName() == "New activity"
        await until(button.isVisible, 5, "the button back on the toolbar")
        assert [_plain(b.text()) for _n, b in _buttons(s)][:3] == [
            "New contact",
            "Add note",
            "New activity",
        ]

        # in Activities the remaining "New activity" button makes an activity
        w.navigation.select("activity")
        new_button = w.toolbar.widgetForAction(w.actions_.new_record)
        assert isinstance(new_button, QToolButton)
        new_button.click()
        await until(visible_dialog, 5, "the activity dialog")
        dialog = visible_dialog()
        assert dialog is not None
        assert dialog.objectName() == "activityDialog"
        dialog.reject()
        await until(lambda: visible_dialog() is None, 5, "the dialog to close")


def _switch_says(s: Session, working_offline: bool) -> None:
    """The menu item, the toolbar button and the status bar button all say the same."""
    w = s.window
    wording = work_offline_wording(working_offline)
    action = w.actions_.work_offline
    assert action.isChecked() is working_offline
    assert action.text() == wording.menu_text
    assert action.toolTip() == wording.tooltip
    assert action.statusTip() == wording.tooltip
    menu = _menu_of(w, action)
    assert menu is not None
    assert menu.objectName() == "menuFile"
    button = w.toolbar.widgetForAction(action)
    assert isinstance(button, QToolButton)
    assert button.text() == wording.label
    assert button.accessibleName() == wording.label
    assert button.toolTip() == wording.tooltip
    assert button.isChecked() is working_offline
    status = w.status.work_offline
    assert status.text() == wording.label
    assert status.accessibleName() == wording.label
    assert status.toolTip() == wording.tooltip
    assert status.isChecked() is working_offline


@pytest.mark.asyncio
async def test_work_offline_switch_says_go_online_everywhere_while_offline(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(fresh_sandbox, tmp_path) as s:
        w = s.window
        await _bound(s)
        assert work_offline_wording(False).label == "Work offline"
        assert work_offline_wording(True).label == "Go online"
        _switch_says(s, False)

        # the toolbar button (the action itself)
        toolbar_button = w.toolbar.widgetForAction(w.actions_.work_offline)
        assert isinstance(toolbar_button, QToolButton)
        toolbar_button.click()
        await connection_reads(s, "Working offline", 5)
        assert not s.services.connectivity.is_online
        _switch_says(s, True)

        # the status bar's button: the session sets the action's state (signals blocked)
        w.status.work_offline.click()
        await connection_reads(s, "Online", 10)
        _switch_says(s, False)

        # the services change state on their own (another window, a restart with --offline)
        s.services.connectivity.set_work_offline(True)
        await when(
            s.binder.bridge.connectivityChanged,
            w.actions_.work_offline.isChecked,
            5,
            "the switch to follow",
        )
        _switch_says(s, True)

        # the menu item (Ctrl+Shift+O runs the same action)
        w.actions_.work_offline.trigger()
        await connection_reads(s, "Online", 10)
        _switch_says(s, False)


@pytest.mark.asyncio
async def test_a_window_opened_while_working_offline_says_go_online(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(fresh_sandbox, tmp_path, work_offline=True) as s:
        await when(
            s.binder.bridge.connectivityChanged,
            s.window.actions_.work_offline.isChecked,
            5,
            "the offline state",
        )
        _switch_says(s, True)
