"""Take the README's screenshots of the window over the demo sandbox, offscreen.

``python packaging/screenshots.py [OUT_DIR]`` starts a sandbox with demo data on 127.0.0.1,
signs the demo user in, and saves the main views at 1280×800 and 1024×640 as PNG files named
after what they show (``contacts-1024.png``, ``contact-notes-1280.png``, ``sales-1024.png``,
``campaign-1280.png``, ...), by default into ``resources/screenshots``.
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

log = logging.getLogger("screenshots")

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
            await window.wait_until_first_contact_shown()
            lp, detail = window.list_pane, window.detail

            async def shoot(name: str, width: int, height: int) -> None:
                window.resize(width, height)
                await _settle()
                path = out / f"{name}-{width}.png"
                window.grab().save(str(path), "PNG")
                log.info("saved %s", path)

            # two contacts added to the first campaign from here (its details list them)
            contacts = lp.models["contact"]
            await _until(lambda: detail.campaign_members is not None, "the account's features")
            window.navigation.select("campaign")
            campaigns = lp.models["campaign"]
            await _until(lambda: campaigns.loaded_count > 0 and not campaigns.busy, "campaigns")
            first = campaigns.record_id(0)
            await services.writes.add_to_campaign(first, [contacts.record_id(i) for i in (0, 1)])
            window.navigation.select("contact")
            # the contact with the most filled tabs among the first rows
            best, best_filled = 0, -1
            for row in range(30):
                lp.select_row(row)
                await detail.wait_loaded()
                filled = sum(bool(t.model.rowCount()) for t in detail.contact.tab_pages()[1:])
                if filled > best_filled:
                    best, best_filled = row, filled
            for width, height in SIZES:
                window.navigation.select("contact")
                lp.select_row(best)
                await detail.wait_loaded()
                await shoot("contacts", width, height)
                tabs = detail.contact.tabs
                for i, tab in enumerate(detail.contact.tab_pages()):
                    tabs.setCurrentIndex(i)
                    await shoot(f"contact-{tab.title.lower()}", width, height)
                tabs.setCurrentIndex(0)
                for kind, name in (("sale", "sales"), ("campaign", "campaign")):
                    window.navigation.select(kind)
                    model = lp.models[kind]
                    await _until(lambda m=model: m.loaded_count > 0 and not m.busy, kind)
                    lp.select_row(0)
                    await shoot(name, width, height)
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
