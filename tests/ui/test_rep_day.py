"""A rep's day, driven the way a rep drives the window: the sign-in dialog, the keyboard
shortcuts of the README's table, right-click menus, drops and the buttons on screen. Nothing
here calls the services to make a change; the server's state is checked with a client of the
test's own, over HTTP against the sandbox.

The day: sign in; find a contact by typing in the search field and open it with Enter; add a
note; create a contact by its full name (first and last name follow) and see it opened and
selected; schedule an activity for it and complete it with its list's complete box; copy an
e-mail address from a row's menu; drop a file on the open contact; work offline, edit a field,
meet a colleague's change of the same field when going online, and resolve the conflict from
the banner.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QContextMenuEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QWidget,
)
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.fields import C_EMAIL, C_FIRST, C_LAST, C_NAME, C_RECORD_ID, C_TITLE
from support.qtdrag import send_drag
from support.qtobjects import dispose
from support.waiting import until
from support.windows import settings_in

from snx_desktop.api import SalesNexusClient
from snx_desktop.models.roles import Roles
from snx_desktop.secrets import SecretStore, memory_keyring_class
from snx_desktop.ui.accountflow import AccountFlow
from snx_desktop.ui.editing.completepopup import CompletePopup
from snx_desktop.ui.editing.conflictdialog import ConflictDialog
from snx_desktop.ui.mainwindow import MainWindow
from snx_desktop.ui.signin import SignInDialog

pytestmark = [pytest.mark.asyncio, pytest.mark.qt_log_ignore("This plugin does not support")]


def shown(kind: type[QWidget]) -> Callable[[], Any]:
    """A probe for the visible top-level widget of ``kind`` (None while there is none)."""

    def probe() -> Any:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, kind) and widget.isVisible():
                return widget
        return None

    return probe


async def appears(kind: type[QWidget], what: str) -> Any:
    probe = shown(kind)
    await until(probe, 10, what)
    return probe()


async def keys(window: QWidget, sequence: str) -> None:
    """Type a shortcut (as the README's table writes it) where the focus is, the way the
    keyboard sends it (shortcuts are matched before the key reaches the widget). The window
    is the active one again first, as a desktop makes it when a dialog over it closes."""
    from PySide6.QtTest import QTest

    if not window.isActiveWindow():
        window.activateWindow()
        await until(window.isActiveWindow, 5, "the window to be active")
    QTest.keySequence(QApplication.focusWidget() or window, QKeySequence(sequence))


def type_into(widget: QWidget, text: str) -> None:
    """Type ``text`` key by key into ``widget`` (the way the name rule sees typing)."""
    from PySide6.QtTest import QTest

    widget.setFocus()
    QTest.keyClicks(widget, text)


def right_click(view: QAbstractItemView, row: int) -> QMenu:
    model = view.model()
    assert model is not None
    pos = view.visualRect(model.index(row, 0)).center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)
    menu = view.window().row_menus.menu  # type: ignore[attr-defined]
    assert isinstance(menu, QMenu)
    assert menu.isVisible()
    return menu


def menu_item(menu: QMenu, text: str) -> Any:
    for action in menu.actions():
        if action.text().replace("&", "") == text:
            return action
    raise AssertionError(f"no {text!r} in the menu")


def row_of(view: QAbstractItemView, record_id: str) -> int:
    model = view.model()
    assert model is not None
    for row in range(model.rowCount()):
        if model.index(row, 0).data(Roles.RECORD_ID) == record_id:
            return row
    return -1


def click_ok(dialog: QDialog) -> None:
    from PySide6.QtWidgets import QPushButton

    ok = dialog.findChild(QPushButton, "okButton")
    assert ok is not None
    assert ok.isEnabled()
    ok.click()


async def test_a_reps_day_through_the_window_only(
    fresh_sandbox: Any, tmp_path: Path, qtbot: Any
) -> None:
    profile = tmp_path / "profile"
    profile.mkdir()
    settings = settings_in(profile)
    window = MainWindow(settings=settings)
    window.resize(1280, 800)
    window.show()
    window.activateWindow()
    flow = AccountFlow(
        window=window,
        settings=settings,
        profile=profile,
        on_quit=lambda _c: None,
        secrets=SecretStore(backend=memory_keyring_class()()),
    )
    colleague = SalesNexusClient(fresh_sandbox.base_url)
    try:
        # -- sign in through the dialog ----------------------------------------------------
        signing_in = asyncio.ensure_future(flow.start(server=fresh_sandbox.base_url))
        dialog = await appears(SignInDialog, "the sign-in dialog")
        dialog.server.setCurrentText(fresh_sandbox.base_url)
        type_into(dialog.email, DEMO_EMAIL)
        type_into(dialog.password, DEMO_PASSWORD)
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        assert await asyncio.wait_for(signing_in, 20) is True
        services = flow.services
        assert services is not None
        contacts = window.list_pane.models["contact"]
        await until(lambda: contacts.loaded_count > 0 and not contacts.busy, 15, "contacts")
        await until(
            lambda: window.features.actions["actionImportCsv"].isEnabled(), 10, "the features"
        )
        await colleague.login(DEMO_EMAIL, DEMO_PASSWORD)

        # -- find a contact by typing, open it with Enter -----------------------------------
        view = window.list_pane.views["contact"]
        view.setFocus()
        await keys(window, "Ctrl+F")
        search = window.list_pane.search
        assert search.hasFocus()
        names = [str(contacts.index(r, 0).data(Roles.RECORD)[C_NAME]) for r in range(3, 40)]
        wanted = next(n for n in names if n.isascii() and n.strip())  # typed key by key
        type_into(search, wanted)
        await until(
            lambda: (
                contacts.loaded_count > 0
                and not contacts.busy
                and str(contacts.index(0, 0).data(Roles.RECORD)[C_NAME]) == wanted
            ),
            15,
            "the search's first row",
        )
        view.setFocus()
        view.setCurrentIndex(view.model().index(0, 0))
        qtbot.keyClick(view, Qt.Key.Key_Return)
        found_id = str(contacts.index(0, 0).data(Roles.RECORD_ID))
        await until(lambda: window.detail.record_id == found_id, 10, "the contact's details")
        await window.detail.wait_loaded()
        assert window.detail.contact.header.name.text() == wanted

        # -- add a note with its shortcut ------------------------------------------------------
        await keys(window, "Ctrl+Shift+N")
        note = await appears(QDialog, "the note dialog")
        assert type(note).__name__ == "NoteDialog"
        details = note.findChild(QPlainTextEdit, "noteDetails")
        assert details is not None
        type_into(details, "Called about the renewal; wants a quote by Friday.")
        click_ok(note)
        await until(lambda: shown(QDialog)() is None, 10, "the note dialog to close")
        await until(lambda: services.writes.status.pending == 0, 20, "the note to be sent")
        notes = await colleague.get_notes_for_contact(found_id)
        assert any("wants a quote by Friday" in n.details for n in notes.items)

        # -- a new contact by its full name: first and last name follow ------------------------
        search.clear()
        await until(lambda: contacts.loaded_count > 0 and not contacts.busy, 15, "all contacts")
        view.setFocus()
        await keys(window, "Ctrl+N")
        new = await appears(QDialog, "the New contact dialog")
        name_edit = new.findChild(QLineEdit, f"field_{C_NAME}")
        assert name_edit is not None
        type_into(name_edit, "Grace Hopper")
        first = new.findChild(QLineEdit, f"field_{C_FIRST}")
        last = new.findChild(QLineEdit, f"field_{C_LAST}")
        assert first is not None
        assert last is not None
        assert (first.text(), last.text()) == ("Grace", "Hopper")
        email = new.findChild(QLineEdit, f"field_{C_EMAIL}")
        assert email is not None
        type_into(email, "grace.hopper@example.com")
        click_ok(new)
        header = window.detail.contact.header
        await until(lambda: header.name.text() == "Grace Hopper", 10, "the new contact opened")
        await until(lambda: services.writes.status.pending == 0, 20, "the contact to be sent")
        grace = services.store.cache.resolve_id(window.detail.record_id)
        await until(lambda: view.currentIndex().data(Roles.RECORD_ID) == grace, 10, "it selected")
        info = await colleague.get_contact_info(grace)
        assert (info.field_data[C_FIRST], info.field_data[C_LAST]) == ("Grace", "Hopper")

        # -- schedule an activity for her, complete it with the list's box ---------------------
        await keys(window, "Ctrl+Shift+A")
        activity = await appears(QDialog, "the activity dialog")
        regarding = activity.findChild(QLineEdit, "activityRegarding")
        assert regarding is not None
        type_into(regarding, "Send Grace the quote")
        click_ok(activity)
        await until(lambda: window.detail.kind == "activity", 10, "the activity opened")
        await until(lambda: services.writes.status.pending == 0, 20, "the activity to be sent")
        aid = services.store.cache.resolve_id(window.detail.record_id)
        await keys(window, "Ctrl+3")
        activities = window.list_pane.views["activity"]
        await until(lambda: row_of(activities, aid) >= 0, 10, "the activity in its list")
        box = activities.model().index(row_of(activities, aid), 0)
        assert box.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
        activities.setFocus()
        activities.setCurrentIndex(box)
        qtbot.keyClick(activities, Qt.Key.Key_Space)
        popup = await appears(CompletePopup, "the complete popup")
        assert shown(QDialog)() is None  # a popup, not a dialog
        type_into(popup.result_edit, "Quote sent")
        qtbot.keyClick(popup.result_edit, Qt.Key.Key_Return)
        await until(lambda: shown(CompletePopup)() is None, 10, "the popup to close")
        model = window.list_pane.models["activity"]
        status = [c.label for c in model.columns].index("Status")
        assert model.index(model.row_of(aid), status).data() == "Done"  # no F5
        await until(lambda: services.writes.status.pending == 0, 20, "the completion sent")
        done = await colleague.get_activity_info(aid)
        assert done.completed
        assert done.result == "Quote sent"

        # -- copy an e-mail address from a row's menu ---------------------------------------------
        await keys(window, "Ctrl+1")
        row = row_of(view, found_id)
        if row < 0:
            row = 2
        menu = right_click(view, row)
        menu_item(menu, "Copy e-mail address").trigger()
        menu.close()
        record = view.model().index(row, 0).data(Roles.RECORD)
        assert QGuiApplication.clipboard().text() == record[C_EMAIL]

        # -- drop a file on the open contact ------------------------------------------------------
        opened = str(view.model().index(row, 0).data(Roles.RECORD_ID))
        await until(lambda: window.detail.record_id == opened, 10, "the row's contact opened")
        await window.detail.wait_loaded()
        quote = tmp_path / "quote.pdf"
        quote.write_bytes(b"%PDF-1.4 a quote\n" * 200)
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(quote))])
        pane = window.detail
        assert send_drag(pane, QPointF(pane.rect().center()), mime) == [True, True, True]

        async def on_server() -> bool:
            docs = await colleague.get_docs_for_contact(opened)
            return any(d.file_name == "quote.pdf" for d in docs.items)

        for _ in range(100):
            if await on_server():
                break
            await asyncio.sleep(0.1)
        assert await on_server()

        # -- offline: edit a field; a colleague changes it too; resolve from the banner ----------
        await keys(window, "Ctrl+Shift+O")
        await until(lambda: not services.connectivity.is_online, 10, "working offline")
        fields = window.detail.contact.fields_editor
        assert fields is not None
        window.detail.contact.tabs.setCurrentIndex(0)  # Fields
        title = fields.findChild(QLineEdit, f"field_{C_TITLE}")
        assert title is not None
        title.selectAll()
        type_into(title, "Head of Purchasing")
        fields.save_button.click()
        await until(lambda: services.writes.status.pending == 1, 10, "the edit queued")
        await colleague.update_contact(
            match_by_field_data={C_RECORD_ID: opened},
            contact_field_data={C_TITLE: "Chief Buyer"},
        )
        await keys(window, "Ctrl+Shift+O")
        await until(lambda: services.writes.status.conflicts == 1, 20, "the conflict")
        banner = window.features.conflict_banner
        assert banner is not None
        await until(banner.isVisible, 10, "the conflict banner")
        qtbot.mouseClick(banner.resolve_button, Qt.MouseButton.LeftButton)
        resolve = await appears(ConflictDialog, "the conflict dialog")
        resolve.choose(C_TITLE, "mine")
        qtbot.mouseClick(resolve.ok_button, Qt.MouseButton.LeftButton)
        await until(lambda: services.writes.status.pending == 0, 20, "the resolved edit sent")
        await until(lambda: not banner.isVisible(), 10, "the banner to go")
        info = await colleague.get_contact_info(opened)
        assert info.field_data[C_TITLE] == "Head of Purchasing"
    finally:
        await flow.close()
        await colleague.aclose()
        dispose(window)
