"""Help ▸ Check server in a signed-in window: it opens the report beside the window
(non-modal, the window keeps working), checks the session's server over real HTTP with the
session's token, and fills the report without showing the token."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu
from support.waiting import until
from support.windows import first_page, signed_in

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.mark.asyncio
async def test_help_check_server_shows_the_report_without_blocking_the_window(
    sandbox: Any, tmp_path: Path, qtbot: Any
) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        await first_page(s)
        await until(lambda: w.features.services is not None, 5, "the session's features")
        action = w.actions_.check_server
        help_menu = w.findChild(QMenu, "menuHelp")
        assert help_menu is not None
        assert action in help_menu.actions()
        assert w.server_check is None

        action.trigger()
        view = w.server_check
        assert view is not None
        assert view.isVisible()
        assert not view.isModal()
        assert view.windowModality() == Qt.WindowModality.NonModal
        assert QApplication.activeModalWidget() is None
        assert view.status.text() == "Checking the server…"
        task = view.task
        assert task is not None
        assert not task.done()
        # the window goes on working meanwhile
        w.navigation.select("group")
        await first_page(s, "group")

        report = await asyncio.wait_for(task, 60)
        assert report is not None
        assert report.exit_code == 0
        text = view.text.toPlainText()
        assert text == report.text()
        assert f"Server check: {sandbox.base_url}" in text
        assert "Signed in with: this session's login token" in text
        assert "get-contacts-for-group" in text
        assert view.status.text() == "No differences from the contract."
        token = s.services.client.token
        assert token
        assert token not in text
        assert view.copy.isEnabled()
        assert view.again.isEnabled()

        # "Check again" runs a new check in the same window
        qtbot.mouseClick(view.again, Qt.MouseButton.LeftButton)
        again = view.task
        assert again is not None
        assert again is not task
        assert view.text.toPlainText() == ""
        assert await asyncio.wait_for(again, 60) is not None
        assert "No differences from the contract." in view.text.toPlainText()
        view.reject()
        assert not view.isVisible()
