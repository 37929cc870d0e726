"""Take the README's screenshots of the Home page over the demo sandbox, offscreen.

``python packaging/home_screenshots.py [OUT_DIR]`` starts a sandbox with demo data on
127.0.0.1, signs the demo user in, lets the sales and activity lists fill the offline store,
opens a few records (they show as recently opened), and saves Home at 1280×800 and 1024×640 as
``home-1280.png`` and ``home-1024.png``, by default into ``resources/screenshots``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

log = logging.getLogger("home_screenshots")

SIZES = ((1280, 800), (1024, 640))
DEMO_EMAIL, DEMO_PASSWORD = "demo@example.com", "demo"


async def _until(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise TimeoutError(f"waiting for {what}")
        await asyncio.sleep(0.05)


async def _settle() -> None:
    """Let the window lay itself out and paint (the event loop runs while this waits)."""
    for _ in range(6):
        await asyncio.sleep(0.05)


async def take(out: Path) -> None:
    from PySide6.QtCore import QSettings

    from snx_desktop.sandbox import start_in_thread
    from snx_desktop.services import AppServices
    from snx_desktop.ui.mainwindow import MainWindow
    from snx_desktop.ui.session import SessionBinder

    out.mkdir(parents=True, exist_ok=True)
    server = start_in_thread(contacts=300, seed=7)
    with tempfile.TemporaryDirectory(prefix="snx-shots-") as tmp:
        profile = Path(tmp)
        services = await AppServices.open(
            server.base_url, account=DEMO_EMAIL, password=DEMO_PASSWORD, profile_dir=profile
        )
        settings = QSettings(str(profile / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings=settings)
        binder = SessionBinder(window, services, DEMO_EMAIL)
        try:
            await services.start()
            window.show()
            lp = window.list_pane
            await _until(lambda: window.features.home is not None, "the Home page")
            for kind in ("sale", "activity"):
                window.navigation.select(kind)
                model = lp.models[kind]
                await _until(lambda m=model: m.loaded_count > 0 and not m.busy, kind)
                while model.canFetchMore():
                    model.fetchMore()
                    await _until(lambda m=model: not m.busy, kind)
            for kind, rows in (("contact", (3, 1, 0)), ("sale", (2,))):
                window.navigation.select(kind)
                model = lp.models[kind]
                await _until(lambda m=model: m.loaded_count > 0 and not m.busy, kind)
                for row in rows:
                    lp.select_row(row)
                    await asyncio.sleep(0.3)
            window.navigation.select("home")
            home = window.features.home
            assert home is not None
            await _until(lambda: home.view.recent.count() >= 4, "the recent records")
            window.detail.clear()
            for width, height in SIZES:
                window.resize(width, height)
                await _settle()
                path = out / f"home-{width}.png"
                window.grab().save(str(path), "PNG")
                log.info("saved %s", path)
        finally:
            await binder.aclose()
            await services.aclose()
            window.close()
            server.stop()


def main() -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    logging.basicConfig(level=logging.INFO)
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("resources/screenshots")
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(take(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
