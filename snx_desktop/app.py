"""Composition root: the QApplication, the first window, the qasync loop and error hooks.

``run(args)`` is the whole life of the process. It makes the ``QApplication`` and a Qt
message handler routed to ``logging``, then shows the main window with the first rows from
the offline store (:mod:`snx_desktop.ui.firstpaint`) before anything else is loaded: the event
loop, the services and the network client come after the rep sees their contacts. Then one
qasync loop (Qt before qasync), ``sys.excepthook`` (log + non-modal error panel) and an asyncio
exception handler doing the same, and :meth:`AppRoot.main <snx_desktop.approot.AppRoot.main>`
runs until the user quits; on quit every task is cancelled before the API client and the store
are closed. Nothing imported at the top of this module loads asyncio.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
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
    "ErrorSink",
    "install_excepthook",
    "install_qt_message_handler",
    "make_application",
    "process_started_at",
    "run",
    "settings_for",
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


class ErrorSink:
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


def install_excepthook(sink: ErrorSink) -> None:
    """Log every uncaught exception and show it in the error panel; the app keeps running."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        sink.show(f"Unexpected error: {exc_type.__name__}", details)

    sys.excepthook = hook


def settings_for(profile: Path | None) -> QSettings:
    """The app's settings: ``settings.ini`` in a given profile folder, else in the user's
    config folder; mode 0600 in a 0700 folder (see :mod:`snx_desktop.settingsfile`)."""
    from snx_desktop.settingsfile import open_settings

    return open_settings(profile, ORG_NAME, APP_NAME)


def process_started_at() -> float:
    """When this process started (epoch seconds): on Linux from the kernel's start time (the
    interpreter's own start-up included, to 10 ms), elsewhere when this module was loaded."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: ticks after boot
        with open("/proc/uptime", encoding="ascii") as uptime:
            up = float(uptime.read().split()[0])
        return time.time() - (up - started)
    except (OSError, ValueError, IndexError, AttributeError):
        return _LOADED_AT


_LOADED_AT = time.time()


def run(args: argparse.Namespace) -> int:
    """Run the app until the user quits; returns the process exit status."""
    if args.smoke_test and not os.environ.get("QT_QPA_PLATFORM"):
        has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        if sys.platform.startswith("linux") and not has_display:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
    install_qt_message_handler()
    app = make_application()
    profile = Path(args.profile).expanduser() if args.profile else None
    settings = settings_for(profile)
    window = None
    if not args.smoke_test:
        from snx_desktop.ui.firstpaint import open_first_window

        window = open_first_window(
            app,
            settings,
            profile=profile,
            server=args.server,
            offline=args.offline,
            demo=args.demo,
            started=process_started_at(),
        )
    # the rest of the app loads now, while the rep looks at the first rows
    import asyncio

    import qasync  # after PySide6

    from snx_desktop.approot import AppRoot, loop_exception_handler

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    root = AppRoot(app, args, settings=settings, window=window)
    from snx_desktop.models.gccontrol import GuiGarbageCollector

    collector = GuiGarbageCollector(app)
    collector.start()
    collector.freeze_when_idle()
    install_excepthook(root.errors)
    loop.set_exception_handler(loop_exception_handler(root.errors))
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
