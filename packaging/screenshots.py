"""Take every screenshot of the README and of the daily loop, offscreen, over the demo sandbox.

``python packaging/screenshots.py [OUT_DIR]`` starts a sandbox with demo data on 127.0.0.1,
signs the demo user in and saves, at 1280×800 and 1024×640, PNG files named after what they
show (``contacts-1024.png``, ``contact-notes-1280.png``, ...), by default into
``resources/screenshots``:

- ``contacts``: the contact list with a contact open; ``contact-<tab>``: that contact on each
  of its tabs (fields, notes, activities, sales, documents);
- ``new-contact-more-fields``: the New contact dialog with its More fields section open;
- ``activities-completed``: the Activities list with an activity just completed, open;
- ``agenda``: the agenda with an activity open;
- ``sales``: the Sales list with its footer of counts and totals;
- ``campaign``: a campaign with the contacts added to it from this computer;
- ``contact-conflict-marked``: a contact whose change is held in conflict (row, header,
  banner); ``pending-changes-conflict``: the Pending changes list with that conflict;
  ``conflict-dialog``: the dialog opened by the banner's Resolve…;
- ``command-palette``: the palette (Ctrl+K) with "an" typed;
- ``home``: Home with every sale and activity of the demo in the offline store, and a few
  records opened.

Dialogs are drawn over the window, centred, as the rep sees them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

if TYPE_CHECKING:
    from PySide6.QtGui import QPixmap
    from PySide6.QtWidgets import QDialog, QWidget

    from snx_desktop.services import AppServices
    from snx_desktop.ui.mainwindow import MainWindow

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


def _dialog() -> QDialog | None:
    from PySide6.QtWidgets import QApplication, QDialog

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            return widget
    return None


TITLE_BAR = 28  # px: the title bar drawn over a dialog (offscreen windows have no frame)


def _draw_dialog(image: QPixmap, dialog: QWidget) -> None:
    """``dialog`` drawn centred over the window's picture, with a frame and its title."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor, QFont, QPainter

    shot = dialog.grab()
    width, height = shot.width(), shot.height() + TITLE_BAR
    left = max(0, (image.width() - width) // 2)
    top = max(0, (image.height() - height) // 2)
    painter = QPainter(image)
    painter.fillRect(QRect(left + 4, top + 4, width, height), QColor(0, 0, 0, 60))  # shadow
    painter.fillRect(QRect(left, top, width, TITLE_BAR), QColor("#dfe3e8"))
    font = QFont(dialog.font())
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("#202020"))
    painter.drawText(
        QRect(left + 10, top, width - 20, TITLE_BAR),
        int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
        dialog.windowTitle(),
    )
    painter.drawPixmap(left, top + TITLE_BAR, shot)
    painter.setPen(QColor("#8a8f96"))
    painter.drawRect(QRect(left, top, width - 1, height - 1))
    painter.end()


class Shooter:
    """Saves the window, or the window with a dialog over it, at one size."""

    def __init__(self, window: MainWindow, out: Path) -> None:
        self.window = window
        self.out = out
        self.width = 0
        self.saved: list[Path] = []

    async def size(self, width: int, height: int) -> None:
        self.width = width
        self.window.resize(width, height)
        await _settle()

    async def shoot(self, name: str, dialog: QWidget | None = None) -> None:
        await _settle()
        image = self.window.grab()
        if dialog is not None:
            _draw_dialog(image, dialog)
        path = self.out / f"{name}-{self.width}.png"
        image.save(str(path), "PNG")
        self.saved.append(path)
        log.info("saved %s", path)


async def _prepare(window: MainWindow, services: AppServices, files: Path) -> tuple[int, str]:
    """Two contacts added to the first campaign from here, one of the rep's activities
    completed (its id), and the contact with the most filled tabs among the first rows given
    what its empty tabs miss (a note, a sale, a document; its row)."""
    lp, detail = window.list_pane, window.detail
    contacts = lp.models["contact"]
    await _until(lambda: detail.campaign_members is not None, "the account's features")
    window.navigation.select("campaign")
    campaigns = lp.models["campaign"]
    await _until(lambda: campaigns.loaded_count > 0 and not campaigns.busy, "campaigns")
    await services.writes.add_to_campaign(
        campaigns.record_id(0), [contacts.record_id(i) for i in (0, 1)]
    )
    window.navigation.select("activity")
    activities = lp.models["activity"]
    await _until(lambda: activities.loaded_count > 0 and not activities.busy, "activities")
    done = ""
    for row in range(activities.loaded_count):
        record = activities.record(row) or {}
        if str(record.get("completed", "")).lower() not in ("true", "1"):
            done = activities.record_id(row)
            await services.writes.complete_activity(done, "Left a message; calling back Friday")
            break
    window.navigation.select("contact")
    best, best_filled = 0, -1
    for row in range(30):
        lp.select_row(row)
        await detail.wait_loaded()
        filled = sum(bool(t.model.rowCount()) for t in detail.contact.tab_pages()[1:])
        if filled > best_filled:
            best, best_filled = row, filled
    lp.select_row(best)
    await detail.wait_loaded()
    await _fill_tabs(window, services, files)
    await _until(lambda: services.writes.status.pending == 0, "the changes to be sent")
    lp.select_row(best + 1)
    lp.select_row(best)
    await detail.wait_loaded()
    return best, services.store.cache.resolve_id(done)


async def _fill_tabs(window: MainWindow, services: AppServices, files: Path) -> None:
    """The open contact gets what its tabs miss: a note, a sale and a document."""
    from snx_desktop.ui.editing.saledialog import sales_field_ids

    detail = window.detail
    cid = detail.record_id
    view = detail.contact
    await services.writes.create_note(cid, "Asked for a quote for 40 licences; sending it Friday.")
    schema = services.schema.current
    if not view.sales_model.rowCount() and schema is not None:
        ids = sales_field_ids(schema)
        fields = {ids["contact"]: cid, ids["status"]: "0", ids["details"]: "Licence renewal"}
        if ids["amount"]:
            fields[ids["amount"]] = "12000.00"
        await services.writes.create_sale({k: v for k, v in fields.items() if k})
    uploads = window.features.uploads
    if not view.documents_model.rowCount() and uploads is not None:
        quote = files / "quote-40-licences.txt"
        quote.write_text("Quote: 40 licences, support plan included.\n", encoding="utf-8")
        jobs = uploads.add(cid, [quote], contact_name=view.header.name.text())
        await uploads.wait_all(jobs, timeout=30)


async def _daily(shots: Shooter, best: int, done: str) -> None:
    """The views of a rep's day at the current size."""
    window = shots.window
    lp, detail = window.list_pane, window.detail
    window.navigation.select("contact")
    lp.select_row(best)
    await detail.wait_loaded()
    await shots.shoot("contacts")
    tabs = detail.contact.tabs
    for i, tab in enumerate(detail.contact.tab_pages()):
        tabs.setCurrentIndex(i)
        await shots.shoot(f"contact-{tab.title.lower()}")
    tabs.setCurrentIndex(0)
    await _new_contact(shots)
    window.navigation.select("activity")
    activities = lp.models["activity"]
    await _until(lambda: activities.loaded_count > 0 and not activities.busy, "activities")
    row = max(0, activities.row_of(done))
    lp.select_row(lp.proxies["activity"].mapFromSource(activities.index(row, 0)).row())
    await detail.wait_loaded()
    await shots.shoot("activities-completed")
    window.navigation.select("agenda")
    agenda = lp.agenda
    if agenda is not None:
        await _until(lambda: bool(agenda.items()), "the agenda's activities", timeout=20)
        agenda.tree.setCurrentItem(agenda.items()[0], 0)
    await shots.shoot("agenda")
    for kind, name in (("sale", "sales"), ("campaign", "campaign")):
        window.navigation.select(kind)
        model = lp.models[kind]
        await _until(lambda m=model: m.loaded_count > 0 and not m.busy, kind)
        lp.select_row(0)
        await shots.shoot(name)


async def _new_contact(shots: Shooter) -> None:
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLineEdit

    from snx_desktop.ui.editing.morefields import settings_for

    window = shots.window
    settings = settings_for(window)
    if settings is not None:
        settings.setValue("forms/moreFieldsOpen/Contact", True)
    window.actions_.new_record.trigger()
    await _until(lambda: _dialog() is not None, "the New contact dialog")
    dialog = _dialog()
    assert dialog is not None
    name = window.detail.schema.role("Contact", "name")
    edit = dialog.findChild(QLineEdit, f"field_{name}") if name else None
    if edit is not None:
        QTest.keyClicks(edit, "Robin Meyer")  # typed: the name rule fills first and last name
    await shots.shoot("new-contact-more-fields", dialog)
    dialog.reject()
    await _until(lambda: _dialog() is None, "the dialog to close")


async def _make_conflict(window: MainWindow, services: AppServices, base_url: str, row: int) -> str:
    """A change to a contact's title made here offline while someone else changed it on the
    server: held in conflict once back online. The contact's id."""
    from snx_desktop.api import SalesNexusClient

    lp, detail = window.list_pane, window.detail
    window.navigation.select("contact")
    lp.select_row(row)
    await detail.wait_loaded()
    rid = detail.record_id
    title = next(
        (f.id for f in detail.schema.fields if f.table == "Contact" and f.label == "Title"), ""
    )
    record_field = detail.schema.role("Contact", "record-id")
    if not title or not record_field:
        raise RuntimeError("the catalogue has no Title or record-id field for contacts")
    services.connectivity.set_work_offline(True)
    await services.writes.update_contact(rid, {title: "Head of Purchasing"})
    other = SalesNexusClient(base_url)
    try:
        await other.login(DEMO_EMAIL, DEMO_PASSWORD)
        await other.update_contact(
            match_by_field_data={record_field: rid}, contact_field_data={title: "Buyer"}
        )
    finally:
        await other.aclose()
    services.connectivity.set_work_offline(False)
    await _until(lambda: services.writes.status.conflicts == 1, "the conflict")
    return rid


async def _conflict(shots: Shooter, rid: str) -> None:
    """The conflict where the rep sees it, at the current size."""
    window = shots.window
    lp, detail = window.list_pane, window.detail
    window.navigation.select("contact")
    model = lp.models["contact"]
    lp.select_row(lp.proxies["contact"].mapFromSource(model.index(model.row_of(rid), 0)).row())
    await detail.wait_loaded()
    await shots.shoot("contact-conflict-marked")
    window.navigation.select("pending")
    await shots.shoot("pending-changes-conflict")
    banner = window.features.conflict_banner
    if banner is None:
        raise RuntimeError("no conflict banner")
    banner.resolve_button.click()
    await _until(lambda: _dialog() is not None, "the conflict dialog")
    dialog = _dialog()
    assert dialog is not None
    await shots.shoot("conflict-dialog", dialog)
    dialog.reject()
    await _until(lambda: _dialog() is None, "the dialog to close")


async def _palette(shots: Shooter, typed: str = "an") -> None:
    """The command palette over the list, ``typed`` in it (contacts, groups, sales and
    commands match "an")."""
    from PySide6.QtTest import QTest

    window = shots.window
    window.navigation.select("contact")
    palette = window.reach.palette
    shown: list[str] = []
    palette.listCompleted.connect(shown.append)
    palette.open_palette()
    QTest.keyClicks(palette.edit, typed)
    await _until(lambda: typed in shown, "the palette's list")
    palette.listCompleted.disconnect(shown.append)
    await shots.shoot("command-palette")
    palette.close_palette()


async def _fill_home(window: MainWindow) -> None:
    """Every sale and activity in the offline store (Home counts what it holds), and a few
    records opened, so that they show as recently opened."""
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
            await window.detail.wait_loaded()
    home = window.features.home
    assert home is not None
    window.navigation.select("home")
    await _until(lambda: home.view.recent.count() >= 4, "the recent records")


async def _home(shots: Shooter) -> None:
    shots.window.navigation.select("home")
    shots.window.detail.clear()
    await shots.shoot("home")


async def take(out: Path) -> list[Path]:
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
        shots = Shooter(window, out)
        try:
            await services.start()
            window.show()
            await window.wait_until_first_contact_shown()
            best, done = await _prepare(window, services, profile)
            for width, height in SIZES:
                await shots.size(width, height)
                await _daily(shots, best, done)
            for width, height in SIZES:
                await shots.size(width, height)
                await _palette(shots)
            await _fill_home(window)
            for width, height in SIZES:
                await shots.size(width, height)
                await _home(shots)
            rid = await _make_conflict(window, services, server.base_url, best + 1)
            for width, height in SIZES:
                await shots.size(width, height)
                await _conflict(shots, rid)
        finally:
            await binder.aclose()
            await services.aclose()
            window.close()
            server.stop()
    return shots.saved


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
