"""Getting to records fast, against the sandbox over HTTP: the command palette (Ctrl+K) jumps to
contacts, sales and activities and runs actions, recently opened records first, offline too;
Back and Forward (Alt+Left, Alt+Right) step through the records opened; records open in
windows of their own that follow changes and close with the account and the window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from support.fields import C_NAME
from support.waiting import until
from support.windows import first_page, signed_in
from test_rep_day import keys, menu_item, right_click

from snx_desktop.ui.mainwindow import MainWindow
from snx_desktop.ui.palette import CommandPalette
from snx_desktop.ui.reach import find_in_store
from snx_desktop.ui.recordwindow import RecordWindow

pytestmark = [pytest.mark.asyncio, pytest.mark.qt_log_ignore("This plugin does not support")]


async def palette_shows(window: MainWindow, text: str) -> CommandPalette:
    """Ctrl+K, then ``text`` typed key by key; the palette once its list shows every match."""
    from PySide6.QtTest import QTest

    palette = window.reach.palette
    updated: list[str] = []
    palette.listCompleted.connect(updated.append)
    try:
        await keys(window, "Ctrl+K")
        await until(palette.isVisible, 5, "the palette")
        assert palette.edit.hasFocus()
        QTest.keyClicks(palette.edit, text)
        await until(lambda: text.strip() in updated, 5, f"the palette's list for {text!r}")
    finally:
        palette.listCompleted.disconnect(updated.append)
    return palette


def press(palette: CommandPalette, key: Qt.Key) -> None:
    from PySide6.QtTest import QTest

    QTest.keyClick(palette.edit, key)


def highlight(palette: CommandPalette, kind: str, key: str = "") -> None:
    """Down until the highlighted line is the first one of ``kind`` (and ``key``)."""
    for _ in range(len(palette.items())):
        item = palette.current()
        if item is not None and item.kind == kind and (not key or item.key == key):
            return
        press(palette, Qt.Key.Key_Down)
    raise AssertionError(f"no {kind} {key} in the palette: {palette.items()}")


def record_windows() -> list[RecordWindow]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, RecordWindow) and w.isVisible()
    ]


async def test_the_palette_opens_contacts_sales_and_activities_and_runs_actions(
    sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path, page_size=20) as s:
        w = s.window
        lp = w.list_pane
        await first_page(s, "sale")
        await first_page(s, "activity")
        await first_page(s)
        contacts = lp.models["contact"]
        target = contacts.record(12) or {}
        name = str(target.get(C_NAME, ""))
        assert name
        palette = await palette_shows(w, name)
        first = palette.items()[0]
        assert (first.kind, first.title) == ("contact", name)
        press(palette, Qt.Key.Key_Return)
        assert not palette.isVisible()
        await until(lambda: w.detail.record_id == first.key, 5, "the contact opened")
        assert lp.current_view().currentIndex().row() == 12  # selected in its list
        await until(lambda: w.detail.contact.header.name.text() == name, 5, "its name")

        # a sale by its details: the sales list is shown with the sale selected and opened
        sale = lp.models["sale"].record(3) or {}
        details = str(sale.get("231", ""))
        assert details
        palette = await palette_shows(w, details)
        highlight(palette, "sale")
        chosen = palette.current()
        assert chosen is not None
        assert chosen.title == details
        press(palette, Qt.Key.Key_Return)
        assert w.navigation.current_section() == "sale"
        assert (w.detail.kind, w.detail.record_id) == ("sale", chosen.key)
        assert lp.current_view().currentIndex().isValid()

        # an activity by what it is about
        regarding = str((lp.models["activity"].record(0) or {}).get("regarding", ""))
        assert regarding
        palette = await palette_shows(w, regarding)
        highlight(palette, "activity")
        chosen = palette.current()
        assert chosen is not None
        assert regarding in chosen.title
        press(palette, Qt.Key.Key_Return)
        assert (w.detail.kind, w.detail.record_id) == ("activity", chosen.key)

        # an action by its name, with its shortcut shown; Enter runs it
        palette = await palette_shows(w, "groups")
        highlight(palette, "action", "actionShow_group")
        chosen = palette.current()
        assert chosen is not None
        assert chosen.hint == "Ctrl+2"
        press(palette, Qt.Key.Key_Return)
        assert w.navigation.current_section() == "group"

        # Esc closes without doing anything
        palette = await palette_shows(w, name)
        press(palette, Qt.Key.Key_Escape)
        assert not palette.isVisible()
        assert w.navigation.current_section() == "group"


async def test_recently_opened_records_come_first(sandbox: Any, tmp_path: Path) -> None:
    async with signed_in(sandbox, tmp_path, page_size=50) as s:
        w = s.window
        await first_page(s)
        model = w.list_pane.models["contact"]
        names = [str((model.record(r) or {}).get(C_NAME, "")) for r in range(model.loaded_count)]
        # the letter most names of the page start with (the shared sandbox holds other
        # tests' contacts too, some named with quotes or digits)
        firsts = [n[:1].upper() for n in names if n[:1].isascii() and n[:1].isalpha()]
        letters = max(set(firsts), key=firsts.count)
        assert firsts.count(letters) >= 3
        index = s.services.store.search
        await until(lambda: index.search("contact", letters).total >= 3, 10, "the page indexed")
        found = await s.services.store.writer.read(find_in_store, letters, ["231"], 6)
        contacts = [hit for kind, hit in found if kind == "contact"]
        assert len(contacts) >= 3
        later = contacts[2]  # not first on its own
        w.reach.open_record("contact", later.record_id)
        await until(lambda: w.detail.record_id == later.record_id, 5, "the contact opened")
        palette = await palette_shows(w, letters)
        assert (palette.items()[0].kind, palette.items()[0].key) == ("contact", later.record_id)
        press(palette, Qt.Key.Key_Escape)
        # with nothing typed, the recent records are listed, then the actions
        palette = await palette_shows(w, "")
        assert palette.items()[0].key == later.record_id
        assert palette.items()[0].hint == "Recent contact"
        assert any(i.key == "actionRefresh" and i.hint == "F5" for i in palette.items())
        press(palette, Qt.Key.Key_Escape)


async def test_the_palette_finds_cached_records_with_the_network_gone(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(fresh_sandbox, tmp_path, page_size=40) as s:
        w = s.window
        await first_page(s)
        target = w.list_pane.models["contact"].record(30) or {}
        name = str(target.get(C_NAME, ""))
        fresh_sandbox.faults.drop_rate = 1.0  # every request is dropped from now on
        w.actions_.refresh.trigger()
        await until(lambda: not s.services.connectivity.is_online, 10, "offline")
        palette = await palette_shows(w, name)
        first = palette.items()[0]
        assert (first.kind, first.title) == ("contact", name)
        press(palette, Qt.Key.Key_Return)
        assert w.detail.record_id == first.key
        await until(lambda: w.detail.contact.header.name.text() == name, 5, "its saved copy")


async def test_back_and_forward_step_through_the_records_opened(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(fresh_sandbox, tmp_path) as s:
        w = s.window
        lp = w.list_pane
        await first_page(s, "group")
        await first_page(s)
        contacts = lp.models["contact"]
        ids = []
        for row in (0, 1, 2):
            lp.select_row(row)
            ids.append(str(contacts.record_id(row)))
            await until(lambda r=row: w.detail.record_id == ids[r], 5, "a contact opened")
        names = [str((contacts.record(r) or {}).get(C_NAME, "")) for r in (0, 1, 2)]
        await first_page(s, "group")
        lp.select_row(0)
        group_id = str(lp.models["group"].record_id(0))
        await until(lambda: w.detail.record_id == group_id, 5, "the group opened")
        fresh_sandbox.faults.drop_rate = 1.0  # back shows what the store saved
        assert w.reach.back.isEnabled()
        assert not w.reach.forward.isEnabled()

        await keys(w, "Alt+Left")
        assert w.navigation.current_section() == "contact"
        assert (w.detail.kind, w.detail.record_id) == ("contact", ids[2])
        assert lp.current_view().currentIndex().row() == 2
        await until(lambda: w.detail.contact.header.name.text() == names[2], 5, "its name")
        await keys(w, "Alt+Left")
        assert w.detail.record_id == ids[1]
        assert lp.current_view().currentIndex().row() == 1
        await keys(w, "Alt+Right")
        assert w.detail.record_id == ids[2]
        await keys(w, "Alt+Right")
        assert (w.detail.kind, w.detail.record_id) == ("group", group_id)
        assert not w.reach.forward.isEnabled()

        # going back, then opening another record: the records ahead are dropped
        await keys(w, "Alt+Left")
        await keys(w, "Alt+Left")
        assert w.detail.record_id == ids[1]
        lp.select_row(0)
        await until(lambda: w.detail.record_id == ids[0], 5, "the first contact opened")
        assert not w.reach.forward.isEnabled()
        await keys(w, "Alt+Left")
        assert w.detail.record_id == ids[1]


async def test_records_open_in_live_windows_of_their_own(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(fresh_sandbox, tmp_path) as s:
        w = s.window
        lp = w.list_pane
        await first_page(s)
        contacts = lp.models["contact"]
        first_id, second_id = str(contacts.record_id(0)), str(contacts.record_id(1))
        second_name = str((contacts.record(1) or {}).get(C_NAME, ""))
        # from a row's menu
        menu = right_click(lp.current_view(), 0)
        menu_item(menu, "Open in new window").trigger()
        await until(lambda: len(record_windows()) == 1, 5, "a record window")
        # the open record, from the keyboard
        lp.select_row(1)
        await until(lambda: w.detail.record_id == second_id, 5, "the second contact")
        await keys(w, "Ctrl+Shift+Return")
        await until(lambda: len(record_windows()) == 2, 5, "a second record window")
        windows = {win.pane.record_id: win for win in record_windows()}
        assert set(windows) == {first_id, second_id}
        second = windows[second_id]
        await until(lambda: second.pane.contact.header.name.text() == second_name, 5, "name")
        assert second_name in second.windowTitle()
        # opened again: the same window comes forward, no third one
        w.reach.open_in_window("contact", second_id)
        assert len(record_windows()) == 2

        # a change to the record shows in its window without a refresh
        await s.services.writes.update_contact(second_id, {C_NAME: "Renamed In Place"})
        await until(
            lambda: second.pane.contact.header.name.text() == "Renamed In Place", 10, "renamed"
        )
        assert windows[first_id].pane.contact.header.name.text() != "Renamed In Place"

        # the window's close closes them all
        w.close()
        await until(lambda: not record_windows(), 5, "the record windows to close")


# the session is closed here and once more when the test's sign-in ends
@pytest.mark.filterwarnings("ignore:libpyside. Failed to disconnect:RuntimeWarning")
async def test_signing_out_closes_the_record_windows(fresh_sandbox: Any, tmp_path: Path) -> None:
    async with signed_in(fresh_sandbox, tmp_path) as s:
        w = s.window
        await first_page(s)
        w.list_pane.select_row(0)
        await until(lambda: bool(w.detail.record_id), 5, "an open contact")
        w.reach.open_window.trigger()
        await until(lambda: len(record_windows()) == 1, 5, "a record window")
        s.binder.close()  # what signing out does once the features are put away
        await until(lambda: not record_windows(), 5, "the record windows to close")
        assert not w.reach.back.isEnabled()
        assert not w.reach.open_window.isEnabled()
