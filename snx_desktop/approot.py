"""The app's life inside the event loop: start (sign-in, services), screenshots, shutdown.

:class:`AppRoot` owns the long-lived objects of one run and the order in which they start and
stop; :func:`snx_desktop.app.run` makes it once the first window has been painted.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from snx_desktop.app import ErrorSink, settings_for

if TYPE_CHECKING:
    from snx_desktop.demoserver import DemoServer

__all__ = ["AppRoot", "cancel_all_tasks", "loop_exception_handler"]

log = logging.getLogger(__name__)


def loop_exception_handler(sink: ErrorSink) -> Any:
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


class AppRoot:
    """Owns the long-lived objects of one run and the order of start and shutdown."""

    def __init__(
        self,
        app: QApplication,
        args: argparse.Namespace,
        *,
        settings: QSettings | None = None,
        window: Any = None,
    ) -> None:
        self.app = app
        self.args = args
        self.errors = ErrorSink()
        self.quit_requested = asyncio.Event()
        self.exit_code = 0
        self.profile = Path(args.profile).expanduser() if args.profile else None
        self.settings = settings if settings is not None else settings_for(self.profile)
        #: the window shown before the loop started (with the first rows), if any
        self.window: Any = window
        self.controller: Any = None
        self._sandbox: DemoServer | None = None
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
        """Open the offline store in a temporary (or the given) profile, open the window the
        way a start does (first paint included), then quit."""
        from snx_desktop.ui.firstpaint import open_first_window
        from snx_desktop.ui.wiring import open_store_for_smoke_test

        with tempfile.TemporaryDirectory(prefix="snx-smoke-") as tmp:
            profile = self.profile or Path(tmp)
            await open_store_for_smoke_test(profile)
            window = open_first_window(
                self.app,
                settings_for(profile),
                profile=profile,
                server=None,
                offline=True,
                demo=False,
                started=0.0,
            )
            window.close()
            window.deleteLater()
        log.info("smoke test passed")
        return 0

    async def _start(self) -> None:
        from snx_desktop.ui.wiring import Controller

        if self.window is None:
            from snx_desktop.ui.mainwindow import MainWindow

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
            from snx_desktop.demoserver import start_demo_server

            # in a child process: this one holds only the app
            self._sandbox = await asyncio.to_thread(start_demo_server, self.args.demo_contacts)
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
