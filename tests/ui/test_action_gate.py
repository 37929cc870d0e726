"""Actions that need an open record are disabled while none is open, and say why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget
from support.waiting import until
from support.windows import first_page, signed_in

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.mark.asyncio
async def test_record_actions_wait_for_an_open_record_and_say_why(
    sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        acts = w.features.actions
        note, sale, complete = (
            acts["actionAddNote"],
            acts["actionNewSale"],
            acts["actionCompleteActivity"],
        )
        await first_page(s)
        await until(lambda: w.features.services is not None and acts["actionImportCsv"].isEnabled())
        w.detail.clear()
        assert not note.isEnabled()
        assert "Open a contact or group first".lower() in note.toolTip().lower()
        assert not sale.isEnabled()
        assert "open a contact first" in sale.toolTip().lower()
        button = w.toolbar.widgetForAction(note)
        assert isinstance(button, QWidget)
        assert not button.isEnabled()
        assert "open a contact or group first" in button.toolTip().lower()

        w.list_pane.select_row(1)
        assert note.isEnabled()
        assert sale.isEnabled()
        assert "first" not in note.toolTip()
        assert not complete.isEnabled()
        assert "select an activity in activities first" in complete.toolTip().lower()

        await first_page(s, "activity")  # another section: the contact closes
        assert not note.isEnabled()
        w.list_pane.select_row(0)
        assert complete.isEnabled()
        assert not sale.isEnabled()


def test_before_sign_in_they_say_sign_in_first(qtbot: Any, tmp_path: Path) -> None:
    from support.windows import settings_in

    from snx_desktop.ui.mainwindow import MainWindow

    window = MainWindow(settings=settings_in(tmp_path))
    qtbot.addWidget(window)
    note = window.features.actions["actionAddNote"]
    assert not note.isEnabled()
    assert "sign in first" in note.toolTip().lower()
