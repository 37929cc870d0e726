"""The dialogs a test's window opens: opening one as the app does and awaiting its result,
finding the one shown, and answering it (nothing spins a nested Qt loop)."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox

from snx_desktop.ui.dialogs import run_dialog
from snx_desktop.ui.signin import SignInDialog
from support.waiting import until


async def open_dialog(dialog: QDialog) -> asyncio.Future[int]:
    """Open ``dialog`` the way the app does (``open()``, awaited) and return its result future."""
    fut = asyncio.ensure_future(run_dialog(dialog))
    await until(dialog.isVisible, 5, "the dialog")
    assert dialog.isVisible()
    return fut


async def dialog_result(future: asyncio.Future[int], timeout: float = 15.0) -> int:
    """The result of a dialog opened with :func:`open_dialog`, once it is closed."""
    return await asyncio.wait_for(future, timeout)


def visible_dialog() -> QDialog | None:
    """The dialog shown now (a top-level one), if any."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            return widget
    return None


def sign_in_dialogs() -> list[SignInDialog]:
    """The sign-in dialogs shown now (there should never be more than one)."""
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, SignInDialog) and w.isVisible()
    ]


def sign_in_dialog() -> SignInDialog | None:
    """The sign-in dialog shown now, if any."""
    shown = sign_in_dialogs()
    return shown[0] if shown else None


def press_ok(dialog: SignInDialog) -> None:
    """Click the dialog's OK button, as the rep does."""
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
