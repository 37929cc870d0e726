"""A run of the app in its own process, signed in the way the app signs in: ``AccountFlow``
of ``snx_desktop.ui.accountflow`` with a ``MainWindow`` on a qasync loop (offscreen), a profile
folder for the store and settings.

Usage: python app_child.py COMMAND PROFILE SERVER [EMAIL PASSWORD]

``replay``   sign in with EMAIL/PASSWORD (not remembered), let the write queue replay, exit 0
             once it is empty (2 if a write failed or is held as a conflict).
``remember`` sign in with EMAIL/PASSWORD and "remember me" (the secret goes to the keyring
             through ``snx_desktop.secrets``), then quit.
``silent``   start as the app starts (``AccountFlow.start``): a remembered account signs in
             with its stored secret, no dialog. Exit 0 when signed in and online, 3 when the
             sign-in dialog was shown instead.

Prints ``key: value`` lines for the parent test.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # support.*, when run by path

import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from support.replay import replay_to_the_end

from snx_desktop.ui.accountflow import AccountFlow
from snx_desktop.ui.mainwindow import MainWindow
from snx_desktop.ui.signin import SignInDialog, SignInRequest


async def _main(command: str, profile: Path, server: str, email: str, password: str) -> int:
    settings = QSettings(str(profile / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    window.show()
    ctrl = AccountFlow(window=window, settings=settings, profile=profile, on_quit=lambda _c: None)
    try:
        if command == "silent":
            task = asyncio.ensure_future(ctrl.start(server=server))
            for _ in range(600):
                if task.done():
                    break
                if any(
                    isinstance(w, SignInDialog) and w.isVisible()
                    for w in QApplication.topLevelWidgets()
                ):
                    print("dialog: shown", flush=True)
                    task.cancel()
                    return 3
                await asyncio.sleep(0.05)  # a poll, 30 s at most: no event says a dialog shows
            ok = task.done() and task.result()
            services = ctrl.services
            online = services is not None and services.connectivity.is_online
            print(f"signed_in: {bool(ok)}", flush=True)
            print(f"online: {online}", flush=True)
            if services is not None:
                await services.schema.load(refresh=True)  # a real call with the token
            print(f"keyring: {ctrl.secrets.backend_name}", flush=True)
            return 0 if ok and online else 4
        remember = command == "remember"
        error = await ctrl.open_account(
            SignInRequest(server=server, email=email, password=password, remember=remember)
        )
        if error is not None:
            print(f"error: {error}", flush=True)
            return 5
        services = ctrl.services
        assert services is not None
        print(f"keyring: {ctrl.secrets.backend_name}", flush=True)
        if command == "replay":
            print(f"queued: {services.writes.status.pending}", flush=True)
            if (await replay_to_the_end(services.writes)).pending:
                print(f"stuck: {services.writes.pending()[:3]}", flush=True)
                return 2
            print("queued: 0", flush=True)
        return 0
    finally:
        await ctrl.close()
        window.close()


def main() -> int:
    command, profile, server = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    email = sys.argv[4] if len(sys.argv) > 4 else ""
    password = sys.argv[5] if len(sys.argv) > 5 else ""
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        return int(loop.run_until_complete(_main(command, profile, server, email, password)))


if __name__ == "__main__":
    sys.exit(main())
