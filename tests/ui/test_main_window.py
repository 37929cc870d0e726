"""The main window against the real sandbox over HTTP: lists, search, details, offline."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtWidgets import QLabel, QMenu, QTableView, QTabWidget
from support.fields import S_CONTACT, S_DETAILS, S_STATUS
from support.signals import emitted, when
from support.waiting import until
from support.windows import Session, connection_reads, first_page, rows_shown, signed_in

from snx_desktop.models.roles import FetchState, Roles

# the offscreen platform cannot do what a window manager does; Qt says so when a window shows
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

OBJECT_NAMES = [
    "mainWindow",
    "searchField",
    "contactList",
    "groupList",
    "activityList",
    "salesList",
    "campaignList",
    "pendingList",
    "detailPane",
    "detailTabs",
    "fieldsTab",
    "notesTab",
    "activitiesTab",
    "salesTab",
    "documentsTab",
    "connectionStatus",
    "pendingCount",
]


@pytest.mark.asyncio
async def test_object_names_accessible_names_and_menus(sandbox: Any, tmp_path: Path) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        for name in OBJECT_NAMES:
            found = w if name == "mainWindow" else w.findChild(QObject, name)
            assert found is not None, name
        tabs = w.findChild(QTabWidget, "detailTabs")
        assert tabs is not None
        assert [tabs.widget(i).objectName() for i in range(tabs.count())] == [  # type: ignore[union-attr]
            "fieldsTab",
            "notesTab",
            "activitiesTab",
            "salesTab",
            "documentsTab",
        ]
        # every action with a shortcut is in a menu
        in_menus = {a for m in w.menuBar().findChildren(QMenu) for a in m.actions()}
        for action in w.actions_.all():
            assert action in in_menus, action.text()
        shortcuts = {a.shortcut().toString() for a in w.actions_.all()}
        assert {"Ctrl+F", "Ctrl+N", "F5", "Alt+Up", "Alt+Down", "Del"} <= shortcuts
        # every control that takes input has an accessible name
        from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QLineEdit

        for cls in (QLineEdit, QAbstractItemView, QAbstractButton):
            for widget in w.findChildren(cls):
                if widget.isVisibleTo(w) and widget.objectName() not in (
                    "",
                    "qt_scrollarea_viewport",
                ):
                    assert widget.accessibleName(), widget.objectName()
        status = w.findChild(QLabel, "connectionStatus")
        assert status is not None
        assert status.text() == "Online"


@pytest.mark.asyncio
async def test_scroll_to_the_end_makes_one_request_per_page(sandbox: Any, tmp_path: Path) -> None:
    async with signed_in(sandbox, tmp_path, page_size=50) as s:
        model = s.window.list_pane.models["contact"]
        view = s.window.findChild(QTableView, "contactList")
        assert view is not None
        await first_page(s)
        total = model.total
        assert total is not None
        assert total >= 300
        before = s.posts
        while model.loaded_count < total:
            loaded = model.loaded_count
            view.scrollToBottom()
            await rows_shown(model, lambda n=loaded: model.loaded_count > n, 10, "the next page")
            await model.wait_idle()
        assert model.rowCount() == total
        assert not model.canFetchMore(QModelIndex())
        pages = math.ceil(total / 50)
        assert s.posts - before == pages - 1  # the first page was loaded before
        assert model.requests == pages
        last = view.model().index(total - 1, 0)
        assert last.data(Roles.FETCH_STATE) is FetchState.LOADED
        assert "loaded" not in s.window.list_pane.status.text()


@pytest.mark.asyncio
async def test_search_shows_cached_matches_then_server_matches(
    sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path, page_size=50) as s:
        await first_page(s)
        lp = s.window.list_pane
        model = lp.models["contact"]
        first = model.record(0)
        assert first is not None
        name_field = s.binder.schema.role("Contact", "name")
        assert name_field
        last_word = str(first[name_field]).split()[-1]
        before = s.posts
        s.window.actions_.find.trigger()
        assert lp.search.hasFocus() or lp.search.isVisible()
        for i in range(1, len(last_word) + 1):  # typing, one key at a time
            lp.search.setText(last_word[:i])
            # a typist's pause, shorter than the search delay: the behaviour under test
            await asyncio.sleep(0.01)
        # cached matches (full-text index over what page 0 cached) are there at once
        await rows_shown(model, lambda: model.loaded_count > 0, 2, "cached matches")
        assert s.posts == before
        assert model.index(0, 0).data(Roles.FETCH_STATE) is FetchState.STALE
        await rows_shown(model, lambda: s.posts > before and not model.busy, 10, "server matches")
        await model.wait_idle()
        assert s.posts == before + 1  # one request for all the keystrokes
        assert model.index(0, 0).data(Roles.FETCH_STATE) is FetchState.LOADED
        for row in range(model.loaded_count):
            record = model.record(row)
            assert record is not None
            text = " ".join(str(v) for v in record.values()).lower()
            assert last_word.lower() in text
        assert f"match “{last_word}”" in lp.status.text()
        lp.search.clear()
        await rows_shown(model, lambda: model.loaded_count >= 50, 10, "full list back")


async def _contact_with_everything(s: Session) -> str:
    """A contact given a note, a sale, a document and an activity through the client."""
    client = s.services.client
    schema = s.binder.schema
    listing = await client.get_contacts(page_size=5)
    cid = listing.ids[3]
    await client.create_note(details="Called about the renewal.", contact_id=cid)
    await client.create_sales_opp(
        sales_field_data={
            schema.role("Sales", "contact-id") or S_CONTACT: cid,
            S_STATUS: "0",
            S_DETAILS: "Renewal 2027",
        }
    )
    await client.add_doc_to_contact(cid, "quote.txt", __file__)
    await client.create_activity(
        schedule_with=cid,
        regarding="Follow-up call",
        type="call",
        start_time="2026-12-01T10:00:00",
        end_time="2026-12-01T10:30:00",
    )
    return str(cid)


@pytest.mark.asyncio
async def test_open_contact_fills_every_tab_with_one_request(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(fresh_sandbox, tmp_path) as s:
        await first_page(s)
        cid = await _contact_with_everything(s)
        lp, detail = s.window.list_pane, s.window.detail
        row = lp.models["contact"].row_of(cid)
        assert row >= 0
        loaded: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def done(kind: str, rid: str, network: bool) -> None:
            if rid == cid and not loaded.done():
                loaded.set_result(network)

        detail.detailLoaded.connect(done)
        before = s.posts
        assert lp.select_row(row)
        assert await asyncio.wait_for(loaded, 10) is True
        detail.detailLoaded.disconnect(done)
        assert s.posts - before == 1
        view = detail.contact
        assert view.fields_model.rowCount() > 3
        assert view.notes_model.rowCount() >= 1
        assert view.sales_model.rowCount() >= 1
        assert view.documents_model.rowCount() >= 1
        assert view.activities_model.rowCount() >= 1
        texts = [view.notes_model.index(r, 2).data() for r in range(view.notes_model.rowCount())]
        assert "Called about the renewal." in texts
        assert view.documents_model.index(0, 0).data() == "quote.txt"
        assert view.header.email.text().startswith('<a href="mailto:')
        # header and tabs never show raw GUIDs
        for model in (view.notes_model, view.activities_model, view.sales_model):
            for r in range(model.rowCount()):
                for c in range(model.columnCount()):
                    value = str(model.index(r, c).data() or "")
                    assert cid not in value
        # opening it again shows the cached copy first (no blank tabs), then one request
        before = s.posts
        lp.select_row(row + 1)
        lp.select_row(row)
        assert view.notes_model.rowCount() >= 1
        await detail.wait_loaded()
        assert s.posts - before <= 2


@pytest.mark.asyncio
async def test_work_offline_keeps_browsing_and_searching_from_the_cache(
    sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path, page_size=50) as s:
        w = s.window
        model = w.list_pane.models["contact"]
        await first_page(s)
        await model.load_next()  # two pages cached
        first = model.record(0)
        assert first is not None
        w.list_pane.select_row(0)
        await w.detail.wait_loaded()
        w.status.work_offline.click()
        await connection_reads(s, "Working offline", 5)
        before = s.posts
        w.actions_.refresh.trigger()
        await rows_shown(
            model, lambda: model.loaded_count >= 50 and not model.busy, 5, "cached page"
        )
        while model.loaded_count < 100 and await model.load_next():
            pass
        assert model.loaded_count == 100
        assert model.index(0, 0).data(Roles.FETCH_STATE) is FetchState.STALE
        name_field = s.binder.schema.role("Contact", "name")
        assert name_field
        word = str(first[name_field]).split()[0]
        async with emitted(model.idle, 5, "the search's first page"):
            w.list_pane.search.setText(word)
        await model.wait_idle()
        assert model.loaded_count >= 1
        assert model.index(0, 0).data(Roles.FETCH_STATE) is FetchState.STALE
        w.list_pane.search.clear()
        await model.wait_idle()
        w.list_pane.select_row(0)
        await w.detail.wait_loaded()
        assert w.detail.contact.fields_model.rowCount() > 3
        assert "Offline copy" in w.detail.contact.header.state.text()
        assert s.posts == before  # nothing went to the network
        # back online: F5 goes to the server again
        w.status.work_offline.click()
        await connection_reads(s, "Online", 5)
        w.actions_.refresh.trigger()
        await rows_shown(
            model,
            lambda: model.index(0, 0).data(Roles.FETCH_STATE) is FetchState.LOADED,
            5,
            "the first page from the server",
        )
        assert s.posts > before


@pytest.mark.asyncio
async def test_lost_connection_goes_offline_and_comes_back(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(fresh_sandbox, tmp_path, page_size=20) as s:
        w = s.window
        model = w.list_pane.models["contact"]
        await first_page(s)
        fresh_sandbox.faults.drop_rate = 1.0
        w.actions_.refresh.trigger()
        await model.wait_idle()
        await when(
            s.binder.bridge.connectivityChanged,
            lambda: w.status.connection.property("offline") == "true",
            10,
            "offline",
        )
        assert model.loaded_count == 20  # the cached page is still shown
        await model.load_next()  # the next page was never cached
        last = model.index(model.rowCount() - 1, 0)
        assert last.data(Roles.FETCH_STATE) is FetchState.FAILED
        fresh_sandbox.faults.drop_rate = 0.0
        await connection_reads(s, "Online", 15)
        w.actions_.refresh.trigger()
        await rows_shown(
            model, lambda: model.loaded_count >= 20 and not model.busy, 5, "first page"
        )
        while model.loaded_count < 40 and await model.load_next():
            pass
        assert model.loaded_count == 40
        assert model.index(0, 0).data(Qt.ItemDataRole.DisplayRole)


@pytest.mark.asyncio
async def test_keyboard_previous_next_and_groups(fresh_sandbox: Any, tmp_path: Path) -> None:
    async with signed_in(fresh_sandbox, tmp_path) as s:
        w = s.window
        await first_page(s)
        w.list_pane.select_row(0)
        w.actions_.next.trigger()
        assert w.list_pane.current_view().currentIndex().row() == 1
        w.actions_.previous.trigger()
        assert w.list_pane.current_view().currentIndex().row() == 0
        await first_page(s, "group")
        opened: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        def done(kind: str, _rid: str, _net: bool) -> None:
            if not opened.done():
                opened.set_result(kind)

        w.detail.detailLoaded.connect(done)
        w.list_pane.select_row(0)
        assert await asyncio.wait_for(opened, 10) == "group"
        g = w.detail.group
        assert g.fields_model.rowCount() >= 1
        assert g.members_model.rowCount() >= 1
        assert g.header.name.text() not in ("", "(no name)")


@pytest.mark.asyncio
async def test_make_available_offline_pressed_again_while_it_runs_starts_nothing_more(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(fresh_sandbox, tmp_path, page_size=20) as s:
        await first_page(s)
        first = asyncio.ensure_future(s.binder.make_available_offline())
        await until(lambda: s.services.priming.job is not None, 5, "the priming job")
        job = s.services.priming.job
        assert await s.binder.make_available_offline() is None
        result = await asyncio.wait_for(first, 60)
        assert result is not None
        assert not result.cancelled
        assert s.services.priming.job is job  # the one job ran, no second one


@pytest.mark.asyncio
async def test_make_available_offline_then_search_everything_offline(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(fresh_sandbox, tmp_path, page_size=20) as s:
        w = s.window
        await first_page(s)
        progress: list[tuple[int, int]] = []
        s.binder.bridge.primingProgress.connect(lambda p: progress.append((p.done, p.total)))
        result = await asyncio.wait_for(s.binder.make_available_offline(), 60)
        assert result is not None
        assert not getattr(result, "cancelled", False)
        assert progress
        assert not w.status.job_bar.isVisible()
        # a contact far beyond the loaded page is found offline
        listing = await s.services.client.get_contacts(start_after=55, page_size=1)
        name_field = s.binder.schema.role("Contact", "name")
        assert name_field
        far = listing.items[0].field_data[name_field]
        w.status.work_offline.click()
        await connection_reads(s, "Working offline", 5)
        before = s.posts
        model = w.list_pane.models["contact"]
        async with emitted(model.idle, 5, "the search's first page"):
            w.list_pane.search.setText(far)
        await rows_shown(model, timeout=5, what="offline matches")
        names = [str((model.record(r) or {}).get(name_field)) for r in range(model.loaded_count)]
        assert far in names
        assert s.posts == before
