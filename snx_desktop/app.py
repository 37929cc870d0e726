"""Composition root: the whole life of the process, start to end, in :func:`run`.

The start-up reads top to bottom, each step logged as ``start: …``; right where a step starts,
what undoes it is registered with a :class:`~snx_desktop.lifecycle.Lifecycle`, and quitting
runs those in reverse order (``stop: …``). In order:

0. The log file and the crash file (:mod:`snx_desktop.logfile`; stop: closed, last of all).
1. Qt's own messages go to ``logging``; the ``QApplication`` and the settings are made; the
   network set-up (:mod:`snx_desktop.network`) from the command line, else the settings.
   One running app per user and profile (:mod:`snx_desktop.singleinstance`): when one runs
   already (its socket answers), this start hands it its numbers (``--call``, a ``tel:`` link)
   and exits 0. With no socket file there, nothing is tried and QtNetwork is not loaded yet.
2. The first window is shown with the first rows from the offline store
   (:mod:`snx_desktop.ui.firstpaint`) before anything else is loaded: the event loop, the
   services and the network client come after the rep sees their contacts. (Stop: the
   window's layout is saved.)
3. One qasync event loop (Qt before qasync); garbage collection from a timer in the GUI
   (stop: the timer stops); ``sys.excepthook`` and the loop's exception handler log every
   uncaught error and show it in a non-modal error panel; listening for the next start
   (stop: it stops listening).
4. In the loop: caller lookup (:mod:`snx_desktop.ui.caller`), acting on this start's numbers
   and on what a second start hands over once signed in; the demo server with ``--demo``
   (stop: it stops); the account and sign-in flow,
   :class:`~snx_desktop.ui.accountflow.AccountFlow` (stop: the account's services close,
   client and store); every task the sign-in starts (stop, first of all: they are cancelled);
   the sign-in itself; with ``--screenshot``, the screenshot once contacts are shown.
5. The app runs until the rep quits (or the screenshot is saved), then stops.

``--smoke-test`` opens the offline store of a throw-away account and the window, then quits.
Nothing imported at the top of this module loads asyncio.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QMessageLogContext, QSettings, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from snx_desktop import __version__
from snx_desktop.lifecycle import Lifecycle

if TYPE_CHECKING:
    import asyncio

    from snx_desktop.logfile import LogFile
    from snx_desktop.network import NetworkOptions
    from snx_desktop.singleinstance import SingleInstance
    from snx_desktop.ui.errorpanel import ErrorPanel
    from snx_desktop.ui.mainwindow import MainWindow

__all__ = [
    "APP_NAME",
    "ORG_NAME",
    "ErrorSink",
    "QuitRequest",
    "cancel_all_tasks",
    "install_excepthook",
    "install_qt_message_handler",
    "loop_exception_handler",
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


MessageHandler = Callable[[QtMsgType, QMessageLogContext, str], None]


def install_qt_message_handler() -> MessageHandler | None:
    """Route Qt's own messages to the ``qt`` logger; returns the handler it replaced."""
    previous: MessageHandler | None = qInstallMessageHandler(_qt_message_handler)
    return previous


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
        self._panel: ErrorPanel | None = None

    def show(self, summary: str, details: str) -> None:
        try:
            from snx_desktop.ui.errorpanel import ErrorPanel

            if self._panel is None:
                self._panel = ErrorPanel()
            self._panel.add_error(summary, details)
        except Exception:  # the panel itself must never take the app down
            log.exception("could not show the error panel")

    @property
    def panel(self) -> ErrorPanel | None:
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


def loop_exception_handler(
    sink: ErrorSink,
) -> Callable[[asyncio.AbstractEventLoop, dict[str, object]], None]:
    """The event loop's handler of errors in tasks: logged and shown like uncaught ones;
    a cancelled task is no error."""
    import asyncio

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
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
    import asyncio

    current = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        _done, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            log.warning("task did not stop on cancel: %r", task)


class QuitRequest:
    """The rep asked to quit (or the app did, with an exit status); made inside the loop."""

    def __init__(self) -> None:
        import asyncio

        self._event = asyncio.Event()
        self.exit_code = 0

    def request(self, code: int = 0) -> None:
        """Quit with ``code`` (the first request's code counts)."""
        if not self._event.is_set():
            self.exit_code = code
        self._event.set()

    async def wait(self) -> None:
        await self._event.wait()


def run(args: argparse.Namespace) -> int:
    """Run the app until the rep quits; returns the process exit status."""
    life = Lifecycle()
    profile = Path(args.profile).expanduser() if args.profile else None
    log_file = _open_log_file(profile, getattr(args, "verbose", False))
    if log_file is not None:
        life.on_stop("the log file", log_file.close)
    if args.smoke_test and not os.environ.get("QT_QPA_PLATFORM"):
        has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        if sys.platform.startswith("linux") and not has_display:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
    log.info("start: Qt messages go to the log")
    install_qt_message_handler()
    log.info("start: the application and its settings")
    app = make_application()
    settings = settings_for(profile)
    log.info("start: the network set-up (extra CA bundle, proxy)")
    network, network_problems = _network_setup(args, settings)
    window: MainWindow | None = None
    calls = [c for c in (getattr(args, "call", None), getattr(args, "link", None)) if c]
    instance: SingleInstance | None = None
    if not args.smoke_test:
        log.info("start: one running app (a second start hands over to it)")
        if _handed_over(profile, calls):
            life.stop_at_once()
            return 0
        log.info("start: the first window, with the first rows from the offline store")
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
        life.on_stop("the window (its layout is saved)", _window_closer(window))
        from snx_desktop import messages

        for problem in network_problems:
            messages.warning(problem)
    # the rest of the app loads now, while the rep looks at the first rows
    log.info("start: the event loop")
    import asyncio

    import qasync  # after PySide6

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    log.info("start: garbage collection from a timer")
    from snx_desktop.models.gccontrol import GuiGarbageCollector

    collector = GuiGarbageCollector(app)
    collector.start()
    collector.freeze_when_idle()
    life.on_stop("garbage collection from a timer", collector.stop)
    log.info("start: error hooks (log, and the error panel)")
    errors = ErrorSink()
    install_excepthook(errors)
    loop.set_exception_handler(loop_exception_handler(errors))
    quit_request = QuitRequest()
    app.aboutToQuit.connect(quit_request.request)
    if window is not None:
        log.info("start: listening for a second start")
        instance = _listen(profile)
        if instance is not None:
            life.on_stop("one running app (no longer listening)", instance.close)
    try:
        with loop:
            if window is None:
                return int(loop.run_until_complete(_smoke_test(app, profile)))
            live = _live(
                app, args, window, settings, profile, network, life, quit_request, instance, calls
            )
            return int(loop.run_until_complete(live))
    except RuntimeError as exc:  # the Qt loop was stopped from outside (session end)
        log.warning("event loop stopped early: %s", exc)
        return quit_request.exit_code
    except Exception:
        log.critical("the app stopped on an unexpected error", exc_info=True)
        return 1
    finally:
        life.stop_at_once()  # what the loop did not stop (nothing, after a normal quit)


def _open_log_file(profile: Path | None, verbose: bool) -> LogFile | None:
    """The first step: the log file (see :mod:`snx_desktop.logfile`); without it (a folder
    that cannot be written) the app still starts."""
    from snx_desktop.logfile import LogFile, log_folder

    try:
        folder = log_folder(profile)
        opened = LogFile.open(folder, level=logging.DEBUG if verbose else logging.INFO)
    except OSError as exc:
        log.warning("no log file: %s", exc)
        return None
    log.info("start: the log file, %s (SalesNexus Desktop %s)", opened.path, __version__)
    return opened


def _network_setup(
    args: argparse.Namespace, settings: QSettings
) -> tuple[NetworkOptions, list[str]]:
    """The CA bundle and proxy: the command line's (checked already), else the settings'."""
    from snx_desktop import diagnostics
    from snx_desktop.network import CA_BUNDLE_SETTING, PROXY_SETTING, resolve

    network, problems = resolve(
        getattr(args, "ca_bundle", None),
        getattr(args, "proxy", None),
        saved_ca_bundle=settings.value(CA_BUNDLE_SETTING, ""),
        saved_proxy=settings.value(PROXY_SETTING, ""),
    )
    for problem in problems:
        log.warning("network set-up: %s", problem)
    log.info("network: %s", network.describe())
    diagnostics.note("Network", network.describe())
    return network, problems


def _handed_over(profile: Path | None, calls: list[str]) -> bool:
    """Hand ``calls`` to the app running with this profile, if one is (then True). No socket
    file: none runs, and this start goes on without loading QtNetwork before its window."""
    from snx_desktop.singleinstance import HandOver, hand_over, maybe_running, server_name

    name = server_name(profile)
    if not maybe_running(name):
        return False
    outcome = hand_over(name, {"calls": calls})
    if outcome is HandOver.HANDED_OVER:
        log.info("the app runs already: this start handed it over and ends")
        return True
    if outcome is not HandOver.NONE_RUNNING:
        log.warning("one running app: %s; this start runs on its own", outcome.value)
    return False


def _listen(profile: Path | None) -> SingleInstance | None:
    """Listen for the next start (once the first window is up); None when there is no
    listening (the app still runs)."""
    from snx_desktop.singleinstance import SingleInstance, server_name

    instance = SingleInstance(server_name(profile))
    if instance.listen():
        return instance
    instance.deleteLater()
    return None


def _window_closer(window: MainWindow) -> Callable[[], None]:
    def close() -> None:
        window.save_state()
        window.hide()

    return close


async def _live(
    app: QApplication,
    args: argparse.Namespace,
    window: MainWindow,
    settings: QSettings,
    profile: Path | None,
    network: NetworkOptions,
    life: Lifecycle,
    quit_request: QuitRequest,
    instance: SingleInstance | None = None,
    calls: list[str] | None = None,
) -> int:
    """The start-up steps that need the event loop; then the app runs until quit; then every
    step registered so far is stopped, the last first."""
    import asyncio

    try:
        window.closed.connect(quit_request.request)
        log.info("start: caller lookup (this start's numbers, and a second start's)")
        from snx_desktop.ui.caller import CallHandler

        caller = CallHandler(window, settings)
        if instance is not None:
            instance.requested.connect(caller.act_on)
        for number in calls or []:
            caller.handle(number)
        server_url = ""
        if args.demo:
            log.info("start: the demo server (a child process: this one holds only the app)")
            from snx_desktop.demoserver import start_demo_server

            server = await asyncio.to_thread(start_demo_server, args.demo_contacts)
            life.on_stop_async(
                "the demo server", lambda: asyncio.to_thread(server.stop), at_once=server.stop
            )
            server_url = server.base_url
        log.info("start: the account and sign-in flow")
        from snx_desktop.ui.accountflow import AccountFlow

        flow = AccountFlow(
            window=window,
            settings=settings,
            profile=profile,
            on_quit=quit_request.request,
            network=network,
        )
        life.on_stop_async(
            "the account's services (client and store)", flow.close, at_once=flow.close_at_once
        )
        life.on_stop_async("every task still running", cancel_all_tasks)
        log.info("start: sign-in")
        if args.demo:
            await flow.start_demo(server_url, offline=args.offline)
        else:
            await flow.start(server=args.server, offline=args.offline)
        caller.ready(lambda: flow.services)
        if args.screenshot:
            log.info("start: a screenshot once the first contact is shown")
            shot = Path(args.screenshot)
            screenshot = asyncio.ensure_future(_screenshot(app, window, shot, quit_request))
            life.on_stop("the screenshot", screenshot.cancel)
        log.info("start: done")
        await quit_request.wait()
    finally:
        await life.stop()
    return quit_request.exit_code


async def _screenshot(
    app: QApplication, window: MainWindow, path: Path, quit_request: QuitRequest
) -> None:
    import asyncio

    try:
        await asyncio.wait_for(window.wait_until_first_contact_shown(), 120)
        await asyncio.sleep(0.2)
        app.processEvents()
        path.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        log.info("screenshot saved to %s", path)
        quit_request.request(0)
    except Exception:
        log.exception("screenshot failed")
        quit_request.request(1)


async def _smoke_test(app: QApplication, profile: Path | None) -> int:
    """Open the offline store of a throw-away account in a temporary (or the given) profile,
    open the window the way a start does (first paint included), then quit."""
    import tempfile

    from snx_desktop.store import Store
    from snx_desktop.ui.firstpaint import open_first_window

    with tempfile.TemporaryDirectory(prefix="snx-smoke-") as tmp:
        folder = profile or Path(tmp)
        log.info("start: the offline store of a throw-away account")
        store = Store.open("http://127.0.0.1", "smoke-test@localhost", folder)
        try:
            if store.integrity_check(full=False):
                raise RuntimeError("store integrity check failed")
        finally:
            store.close()
        log.info("start: the window")
        window = open_first_window(
            app,
            settings_for(folder),
            profile=folder,
            server=None,
            offline=True,
            demo=False,
            started=0.0,
        )
        window.close()
        window.deleteLater()
    log.info("smoke test passed")
    return 0
