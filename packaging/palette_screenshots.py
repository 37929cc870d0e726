"""Take the README's screenshots of the command palette over the demo sandbox, offscreen.

``python packaging/palette_screenshots.py [OUT_DIR]`` starts a sandbox with demo data on
127.0.0.1, signs the demo user in, opens a contact, then the palette (Ctrl+K) with a few
letters typed, and saves ``command-palette-1280.png`` and ``command-palette-1024.png`` (at
1280×800 and 1024×640), by default into ``resources/screenshots``.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screenshots import DEMO_EMAIL, DEMO_PASSWORD, SIZES, _settle, _until

log = logging.getLogger("screenshots")

TYPED = "an"  # typed into the palette: contacts, groups, sales and commands match


async def take(out: Path) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtTest import QTest

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
            lp = window.list_pane
            for kind in ("sale", "group", "contact"):
                window.navigation.select(kind)
                model = lp.models[kind]
                await _until(lambda m=model: m.loaded_count > 0 and not m.busy, kind)
            await services.browse.wait_written()
            lp.select_row(3)
            await window.detail.wait_loaded()
            palette = window.reach.palette
            for width, height in SIZES:
                window.resize(width, height)
                await _settle()
                shown: list[str] = []
                palette.listCompleted.connect(shown.append)
                palette.open_palette()
                QTest.keyClicks(palette.edit, TYPED)
                await _until(lambda s=shown: TYPED in s, "the palette's list")
                palette.listCompleted.disconnect(shown.append)
                await _settle()
                path = out / f"command-palette-{width}.png"
                window.grab().save(str(path), "PNG")
                log.info("saved %s", path)
                palette.close_palette()
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
