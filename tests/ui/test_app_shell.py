"""The composition root's pieces: error hooks, Qt log routing, task cancellation, dialogs."""

from __future__ import annotations

import asyncio
import logging
import sys

import pytest
from PySide6.QtCore import qWarning
from PySide6.QtWidgets import QApplication, QDialog
from support.qtobjects import dispose
from support.waiting import until

from snx_desktop.app import (
    ErrorSink,
    cancel_all_tasks,
    install_excepthook,
    install_qt_message_handler,
    loop_exception_handler,
)
from snx_desktop.lifecycle import Lifecycle
from snx_desktop.ui.dialogs import run_dialog


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_excepthook_logs_and_shows_a_non_modal_panel(
    qapp: QApplication, caplog: pytest.LogCaptureFixture
) -> None:
    sink = ErrorSink()
    old = sys.excepthook
    install_excepthook(sink)
    try:
        try:
            raise ValueError("broken thing")
        except ValueError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = old
    panel = sink.panel
    assert panel is not None
    assert panel.isVisible()
    assert not panel.isModal()
    assert "ValueError: broken thing" in panel.details_text()
    assert "uncaught exception" in caplog.text
    dispose(panel)


@pytest.mark.asyncio
@pytest.mark.qt_log_ignore("This plugin does not support")
async def test_task_errors_reach_the_panel_and_cancellation_is_quiet() -> None:
    sink = ErrorSink()
    handler = loop_exception_handler(sink)
    loop = asyncio.get_running_loop()
    handler(loop, {"message": "Task exception was never retrieved", "exception": KeyError("k")})
    handler(loop, {"message": "cancelled", "exception": asyncio.CancelledError()})
    assert sink.panel is not None
    assert sink.panel.count == 1
    dispose(sink.panel)


@pytest.mark.asyncio
async def test_cancel_all_tasks_cancels_everything_but_the_caller() -> None:
    started = asyncio.Event()

    async def forever() -> None:
        started.set()
        await asyncio.sleep(3600)  # a task that never ends of itself: the one to cancel

    tasks = [asyncio.ensure_future(forever()) for _ in range(3)]
    await started.wait()
    await cancel_all_tasks(timeout=2)
    assert all(t.cancelled() for t in tasks)


def test_qt_messages_go_to_logging(qapp: QApplication, caplog: pytest.LogCaptureFixture) -> None:
    previous = install_qt_message_handler()
    try:
        with caplog.at_level(logging.WARNING, logger="qt"):
            qWarning("a Qt warning for the log")
        assert any(r.name == "qt" and "a Qt warning" in r.message for r in caplog.records)
    finally:
        from PySide6.QtCore import qInstallMessageHandler

        qInstallMessageHandler(previous)


@pytest.mark.asyncio
@pytest.mark.qt_log_ignore("This plugin does not support")
async def test_run_dialog_awaits_finished_without_a_nested_loop() -> None:
    dialog = QDialog()
    ticks = 0

    async def other_work() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)  # a heartbeat: the other work under test

    worker = asyncio.ensure_future(other_work())
    result = asyncio.ensure_future(run_dialog(dialog))
    await until(dialog.isVisible, 5, "the dialog")
    await until(lambda: ticks > 3, 5, "other work while the dialog is open")
    assert ticks > 3  # other tasks keep running while the dialog is open
    dialog.accept()
    assert await asyncio.wait_for(result, 5) == QDialog.DialogCode.Accepted
    worker.cancel()
    dispose(dialog)
    assert isinstance(QApplication.instance(), QApplication)


@pytest.mark.asyncio
async def test_the_stop_undoes_the_start_in_reverse_and_goes_on_after_a_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    done: list[str] = []
    life = Lifecycle()

    async def close_account() -> None:
        await asyncio.sleep(0)  # a step that really yields to the loop, as closing does
        done.append("account")

    def broken() -> None:
        raise OSError("the disk is gone")

    life.on_stop("window", lambda: done.append("window"))
    life.on_stop("settings", broken)
    life.on_stop_async("account", close_account, at_once=lambda: done.append("store"))
    life.on_stop("screenshot", lambda: done.append("screenshot"))
    assert life.pending == ["screenshot", "account", "settings", "window"]
    with caplog.at_level(logging.INFO, logger="snx_desktop.lifecycle"):
        await life.stop()
    assert done == ["screenshot", "account", "window"]
    assert "stopping settings failed" in caplog.text
    assert [r.message for r in caplog.records if r.message.startswith("stop:")] == [
        "stop: screenshot",
        "stop: account",
        "stop: settings",
        "stop: window",
    ]
    assert life.pending == []
    await life.stop()  # nothing left to stop twice
    assert done == ["screenshot", "account", "window"]


def test_without_the_event_loop_the_stop_uses_each_steps_fallback() -> None:
    done: list[str] = []
    life = Lifecycle()

    async def needs_the_loop() -> None:
        done.append("never")

    life.on_stop("window", lambda: done.append("window"))
    life.on_stop_async("demo server", needs_the_loop, at_once=lambda: done.append("server"))
    life.on_stop_async("tasks", needs_the_loop)
    life.stop_at_once()
    assert done == ["server", "window"]
    assert life.pending == []
