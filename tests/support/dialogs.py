"""The dialogs a test's window opens: finding the one shown, and answering it."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox

from snx_desktop.ui.signin import SignInDialog


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
