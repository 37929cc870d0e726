"""Awaiting dialogs without nested event loops.

Running a dialog with ``QDialog.exec`` inside a coroutine starts a nested Qt loop that breaks
qasync (other tasks are destroyed). :func:`run_dialog` opens the dialog with ``open()`` and
awaits a future resolved by ``finished`` instead.
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QDialog

__all__ = ["run_dialog"]


async def run_dialog(dialog: QDialog) -> int:
    """Show ``dialog`` (window-modal) and return its result code once it is finished."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[int] = loop.create_future()

    def done(result: int) -> None:
        if not future.done():
            future.set_result(int(result))

    dialog.finished.connect(done)
    try:
        dialog.open()
        return await future
    finally:
        try:
            dialog.finished.disconnect(done)
        except (RuntimeError, TypeError):
            pass
        if not future.done():
            dialog.reject()
