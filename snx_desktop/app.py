"""Composition root: the QApplication, the qasync loop, error hooks and the app's wiring.

``run(args)`` is the whole life of the process: it makes the ``QApplication`` (Qt before
qasync), one qasync loop, installs ``sys.excepthook`` (log + non-modal error panel), an
asyncio exception handler doing the same and a Qt message handler routed to ``logging``,
then runs :meth:`AppRoot.main` until the user quits. On quit every task is cancelled before
the API client and the store are closed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QMessageLogContext, QSettings, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from snx_desktop import __version__

__all__ = [
    "APP_NAME",
    "ORG_NAME",
    "AppRoot",
    "cancel_all_tasks",
    "install_excepthook",
    "install_qt_message_handler",
    "make_application",
    "run",
]

log = logging.getLogger(__name__)
qt_log = logging.getLogger("qt")

APP_NAME = "SalesNexus Desktop"
ORG_NAME = "SalesNexus"

_PLATFORM_NOISE = ("This plugin does not support",)

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message_handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    where = f" ({context.category})" if context.category and context.category != "default" else ""
    level = _QT_LEVELS.get(mode, logging.WARNING)
    if level == logging.WARNING and message.startswith(_PLATFORM_NOISE):
        level = logging.DEBUG  # platform plugins without window-manager features (offscreen)
    qt_log.log(level, "%s%s", message, where)


def install_qt_message_handler() -> Any:
    """Route Qt's own messages to the ``qt`` logger; returns the handler it replaced."""
    return qInstallMessageHandler(_qt_message_handler)


def make_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, with names used by QSettings and the desktop."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("snx-desktop")
    app.setQuitOnLastWindowClosed(False)
    try:
        from snx_desktop.ui import icons  # written with the packaging resources

        app.setWindowIcon(icons.app_icon())
    except Exception:
        log.debug("no application icon available")
    return app


class _ErrorSink:
    """Shows uncaught exceptions in one non-modal error panel, created on first use."""

    def __init__(self) -> None:
        self._panel: Any = None

    def show(self, summary: str, details: str) -> None:
        try:
            from snx_desktop.ui.errorpanel import ErrorPanel

            if self._panel is None:
                self._panel = ErrorPanel()
            self._panel.add_error(summary, details)
        except Exception:  # the panel itself must never take the app down
            log.exception("could not show the error panel")

    @property
    def panel(self) -> Any:
        return self._panel


def install_excepthook(sink: _ErrorSink) -> None:
    """Log every uncaught exception and show it in the error panel; the app keeps running."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        sink.show(f"Unexpected error: {exc_type.__name__}", details)

    sys.excepthook = hook


def _loop_exception_handler(sink: _ErrorSink) -> Any:
    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, asyncio.CancelledError):
            return
        message = str(context.get("message", "error in a background task"))
        if isinstance(exc, BaseException):
            log.critical("uncaught exception in a task: %s", message, exc_info=exc)
            details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            sink.show(f"Unexpected error: {type(exc).__name__}", details)
        else:
            log.error("event loop: %s", message)

    return handler


async def cancel_all_tasks(timeout: float = 5.0) -> None:
    """Cancel every task but the current one and wait (bounded) for them to finish."""
    current = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        _done, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            log.warning("task did not stop on cancel: %r", task)


def _settings_for(profile: Path | None) -> QSettings:
    if profile is not None:
        return QSettings(str(profile / "settings.ini"), QSettings.Format.IniFormat)
    return QSettings()


class AppRoot:
    """Owns the long-lived objects of one run and the order of start and shutdown."""

    def __init__(self, app: QApplication, args: argparse.Namespace) -> None:
        self.app = app
        self.args = args
        self.errors = _ErrorSink()
        self.quit_requested = asyncio.Event()
        self.exit_code = 0
        self.profile = Path(args.profile).expanduser() if args.profile else None
        self.settings = _settings_for(self.profile)
        self.window: Any = None
        self.controller: Any = None
        self._sandbox: Any = None
        self._screenshot_task: asyncio.Future[None] | None = None
        app.aboutToQuit.connect(self.request_quit)

    def request_quit(self, code: int = 0) -> None:
        if not self.quit_requested.is_set():
            self.exit_code = code
        self.quit_requested.set()

    async def main(self) -> int:
        if self.args.smoke_test:
            return await self.smoke_test()
        try:
            await self._start()
            await self.quit_requested.wait()
        finally:
            await self.shutdown()
        return self.exit_code

    async def smoke_test(self) -> int:
        """Open the offline store in a temporary (or the given) profile, then quit."""
        from snx_desktop.ui.wiring import open_store_for_smoke_test

        with tempfile.TemporaryDirectory(prefix="snx-smoke-") as tmp:
            profile = self.profile or Path(tmp)
            await open_store_for_smoke_test(profile)
            from snx_desktop.ui.mainwindow import MainWindow

            window = MainWindow(settings=_settings_for(profile))
            window.close()
            window.deleteLater()
        log.info("smoke test passed")
        return 0

    async def _start(self) -> None:
        from snx_desktop.ui.mainwindow import MainWindow
        from snx_desktop.ui.wiring import Controller

        self.window = MainWindow(settings=self.settings)
        self.window.closed.connect(lambda: self.request_quit(0))
        self.window.show()
        self.controller = Controller(
            window=self.window,
            settings=self.settings,
            profile=self.profile,
            on_quit=self.request_quit,
        )
        if self.args.demo:
            from snx_desktop import sandbox

            self._sandbox = await asyncio.to_thread(
                sandbox.start_in_thread, contacts=self.args.demo_contacts
            )
            await self.controller.start_demo(self._sandbox.base_url, offline=self.args.offline)
        else:
            await self.controller.start(server=self.args.server, offline=self.args.offline)
        if self.args.screenshot:
            self._screenshot_task = asyncio.ensure_future(
                self._screenshot(Path(self.args.screenshot))
            )

    async def _screenshot(self, path: Path) -> None:
        try:
            await asyncio.wait_for(self.window.wait_until_first_contact_shown(), 120)
            await asyncio.sleep(0.2)
            self.app.processEvents()
            path.parent.mkdir(parents=True, exist_ok=True)
            if not self.window.grab().save(str(path), "PNG"):
                raise OSError(f"could not write {path}")
            log.info("screenshot saved to %s", path)
            self.request_quit(0)
        except Exception:
            log.exception("screenshot failed")
            self.request_quit(1)

    async def shutdown(self) -> None:
        """Cancel every task, then close client and store, then stop the sandbox."""
        await cancel_all_tasks()
        if self.controller is not None:
            try:
                await self.controller.close()
            except Exception:
                log.exception("error while closing the session")
        if self.window is not None:
            self.window.save_state()
            self.window.hide()
        if self._sandbox is not None:
            await asyncio.to_thread(self._sandbox.stop)

    def emergency_close(self) -> None:
        """The loop is gone (the desktop session ended): save what can be saved, synchronously."""
        try:
            if self.window is not None:
                self.window.save_state()
            _close_store_now(self.controller)
            if self._sandbox is not None:
                self._sandbox.stop()
        except Exception:
            log.warning("closing after an early stop failed", exc_info=True)


def _close_store_now(controller: Any) -> None:
    services = getattr(controller, "services", None)
    store = getattr(services, "store", None)
    if store is not None:
        store.close()


def run(args: argparse.Namespace) -> int:
    """Run the app until the user quits; returns the process exit status."""
    if args.smoke_test and not os.environ.get("QT_QPA_PLATFORM"):
        has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        if sys.platform.startswith("linux") and not has_display:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
    install_qt_message_handler()
    app = make_application()
    import qasync  # after PySide6

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    root = AppRoot(app, args)
    from snx_desktop.models.gccontrol import GuiGarbageCollector

    collector = GuiGarbageCollector(app)
    collector.start()
    collector.freeze_when_idle()
    install_excepthook(root.errors)
    loop.set_exception_handler(_loop_exception_handler(root.errors))
    try:
        with loop:
            return int(loop.run_until_complete(root.main()))
    except RuntimeError as exc:  # the Qt loop was stopped from outside (session end)
        log.warning("event loop stopped early: %s", exc)
        root.emergency_close()
        return root.exit_code
    except Exception:
        log.critical("the app stopped on an unexpected error", exc_info=True)
        return 1
    finally:
        collector.stop()
