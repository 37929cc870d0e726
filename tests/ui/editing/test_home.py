"""The Home page against the sandbox: first in the navigation and shown at start; the pipeline
chart adds up the same sales the server holds (checked with a client of the test's own); a
click on a bar lists exactly that bar's sales; a new sale (offline too) and a completed
activity show on Home at once, without a refresh; recently opened records open again, also
after signing in again."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.qtobjects import dispose
from support.waiting import until
from support.windows import Session, first_page, settings_in, signed_in
from support.writequeue import queue_sent

from snx_desktop.api.values import parse_number
from snx_desktop.secrets import SecretStore, memory_keyring_class
from snx_desktop.services.home import Bar
from snx_desktop.ui.accountflow import AccountFlow
from snx_desktop.ui.editing.completepopup import CompletePopup
from snx_desktop.ui.home import HomeView
from snx_desktop.ui.mainwindow import MainWindow
from snx_desktop.ui.signin import SignInDialog

from .conftest import QT_IGNORE

pytestmark = [pytest.mark.asyncio, QT_IGNORE]

FMT = "%Y-%m-%dT%H:%M:%S"
STATUS, AMOUNT = "222", "225"


async def home_of(s: Session) -> HomeView:
    await until(lambda: s.window.features.home is not None, 10, "the Home page")
    home = s.window.features.home
    assert home is not None
    await until(lambda: home.view.figures is not None, 10, "the Home figures")
    return home.view


def status_bars(view: HomeView) -> dict[str, tuple[int, float]]:
    figures = view.figures
    assert figures is not None
    return {b.value: (b.count, round(b.amount, 2)) for b in figures.by_status}


async def server_sales(client: Any) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    start: str | None = None
    while True:
        page = await client.get_sales(start_after=start, page_size=500)
        for sale in page.items:
            out[sale.sales_id] = sale.field_data
        if len(page.items) < 500:
            return out
        start = page.items[-1].sales_id


def sums(sales: Sequence[dict[str, str]]) -> dict[str, tuple[int, float]]:
    out: dict[str, tuple[int, float]] = {}
    for sale in sales:
        n, total = out.get(sale.get(STATUS, ""), (0, 0.0))
        out[sale.get(STATUS, "")] = (n + 1, round(total + (parse_number(sale[AMOUNT]) or 0), 2))
    return out


async def all_sales_cached(s: Session) -> None:
    await first_page(s, "sale")
    model = s.window.list_pane.models["sale"]
    while model.canFetchMore():
        model.fetchMore()
        await until(lambda: not model.busy, 10, "the next page of sales")


async def test_home_is_first_and_its_chart_matches_the_servers_sales_and_opens_them(
    fresh_sandbox: Any, server_client: Any, tmp_path: Path, qtbot: Any
) -> None:
    async with signed_in(fresh_sandbox, tmp_path / "profile") as s:
        w = s.window
        assert w.navigation.item(0).text() == "Home"
        view = await home_of(s)
        await all_sales_cached(s)
        client = await server_client(fresh_sandbox)
        held = await server_sales(client)
        assert held
        w.actions_.sections["home"].trigger()  # View ▸ Home (Alt+Home)
        assert w.list_pane.stack.currentWidget() is w.list_pane.home_page
        assert view.isVisible()
        expected = sums(list(held.values()))
        await until(lambda: status_bars(view) == expected, 10, "the chart of the server's sales")
        chart = view.chart
        assert "Open:" in chart.accessibleDescription()
        # a click on the "Won" bar lists exactly the server's won sales
        bars: list[Bar] = chart.bars()
        won = next(i for i, b in enumerate(bars) if b.key == "status" and b.value == "1")
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=chart.bar_rect(won).center())
        model = w.list_pane.models["sale"]
        want = {sid for sid, data in held.items() if data.get(STATUS) == "1"}
        await until(lambda: w.list_pane.section == "sale", 5, "the Sales list")
        await until(lambda: model.loaded_count == len(want), 5, "the won sales")
        shown = {model.record_id(i) for i in range(model.loaded_count)}
        assert shown == want
        assert f"{len(want)} sales with status “Won”" in w.list_pane.status.text()
        # typing a search shows the whole list again
        w.list_pane.search.setText("a")
        await until(lambda: "Won" not in w.list_pane.status.text(), 5, "the whole list")


async def test_a_new_sale_offline_changes_the_chart_at_once(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(fresh_sandbox, tmp_path / "profile") as s:
        await first_page(s)
        contact = s.window.list_pane.models["contact"].record_id(0)
        await all_sales_cached(s)
        view = await home_of(s)
        s.window.navigation.select("home")
        await until(lambda: status_bars(view).get("0", (0, 0))[0] > 0, 10, "open sales")
        before = status_bars(view)
        s.window.status.workOfflineToggled.emit(True)
        await until(lambda: not s.services.connectivity.is_online, 5, "working offline")
        await s.services.writes.create_sale(
            {"220": contact, STATUS: "0", "231": "Home chart test", AMOUNT: "1234.50"}
        )
        n, total = before["0"]
        await until(
            lambda: status_bars(view).get("0") == (n + 1, round(total + 1234.5, 2)),
            5,
            "the new sale in the chart",
        )
        assert s.services.writes.status.pending == 1
        assert "1 change waiting to be sent" in view.pending.text()


def popup() -> CompletePopup | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, CompletePopup) and widget.isVisible():
            return widget
    return None


async def test_a_completed_activity_leaves_todays_list_at_once(
    fresh_sandbox: Any, server_client: Any, tmp_path: Path, qtbot: Any
) -> None:
    async with signed_in(fresh_sandbox, tmp_path / "profile") as s:
        w, svc = s.window, s.services
        await first_page(s)
        view = await home_of(s)
        await until(lambda: w.features.one_click is not None, 10, "one-click complete")
        cid = w.list_pane.models["contact"].record_id(0)
        start = datetime.now().replace(microsecond=0) - timedelta(minutes=2)
        made = await svc.writes.create_activity(
            cid, type="call", regarding="Call from Home", start_time=start.strftime(FMT)
        )
        await queue_sent(svc.writes)
        aid = svc.store.cache.resolve_id(made.ids[0])
        w.navigation.select("home")

        def row() -> Any:
            return next((i for i in view.today_items() if "Call from Home" in i.text()), None)

        await until(lambda: row() is not None, 10, "the new call on Home")
        item = row()
        item.setCheckState(Qt.CheckState.Checked)
        await until(lambda: popup() is not None, 5, "the complete popup")
        found = popup()
        assert found is not None
        qtbot.keyClicks(found.result_edit, "Spoke to them")
        qtbot.keyClick(found.result_edit, Qt.Key.Key_Return)
        await until(lambda: row() is None, 5, "the call gone from today's list")
        await queue_sent(svc.writes)
        client = await server_client(fresh_sandbox)
        info = await client.get_activity_info(aid)
        assert info.completed
        assert info.result == "Spoke to them"


async def test_recently_opened_records_open_again_after_signing_in_again(
    fresh_sandbox: Any, tmp_path: Path, qtbot: Any
) -> None:
    profile = tmp_path / "profile"
    async with signed_in(fresh_sandbox, profile) as s:
        w = s.window
        await first_page(s)
        view = await home_of(s)
        cid = w.list_pane.models["contact"].record_id(2)
        assert w.list_pane.select_row(2)
        await until(lambda: w.detail.record_id == cid, 5, "the contact opened")
        await until(
            lambda: (
                view.recent.count() > 0
                and view.recent.item(0).data(Qt.ItemDataRole.UserRole + 1) == ("contact", cid)
            ),
            10,
            "the contact in Recent",
        )
    async with signed_in(fresh_sandbox, profile) as s:
        w = s.window
        view = await home_of(s)
        w.navigation.select("home")
        await until(lambda: view.recent.count() > 0, 10, "the recent records")
        item = view.recent.item(0)
        assert item.data(Qt.ItemDataRole.UserRole + 1) == ("contact", cid)
        rect = view.recent.visualItemRect(item)
        qtbot.mouseClick(view.recent.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        await until(lambda: w.detail.record_id == cid, 5, "the recent contact opened")
        assert w.detail.kind == "contact"


async def test_signing_in_through_the_dialog_shows_home(
    fresh_sandbox: Any, tmp_path: Path, qtbot: Any
) -> None:
    profile = tmp_path / "profile"
    profile.mkdir()
    settings = settings_in(profile)
    window = MainWindow(settings=settings)
    window.show()
    assert window.navigation.current_section() == "contact"  # before: the first list
    flow = AccountFlow(
        window=window,
        settings=settings,
        profile=profile,
        on_quit=lambda _c: None,
        secrets=SecretStore(backend=memory_keyring_class()()),
    )
    try:
        signing_in = asyncio.ensure_future(flow.start(server=fresh_sandbox.base_url))
        await until(lambda: dialog() is not None, 10, "the sign-in dialog")
        found = dialog()
        assert found is not None
        found.server.setCurrentText(fresh_sandbox.base_url)
        found.email.setText(DEMO_EMAIL)
        found.password.setText(DEMO_PASSWORD)
        qtbot.keyClick(found.password, Qt.Key.Key_Return)
        assert await asyncio.wait_for(signing_in, 20) is True
        assert window.navigation.current_section() == "home"
        assert window.list_pane.stack.currentWidget() is window.list_pane.home_page
        await until(lambda: window.features.home is not None, 10, "the Home page")
        home = window.features.home
        assert home is not None
        assert home.view.isVisible()
        # the contacts load meanwhile: Ctrl+F goes straight to them
        contacts = window.list_pane.models["contact"]
        await until(lambda: contacts.loaded_count > 0 and not contacts.busy, 15, "contacts")
        window.focus_search()
        assert window.list_pane.section == "contact"
    finally:
        await flow.close()
        dispose(window)


def dialog() -> SignInDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, SignInDialog) and widget.isVisible():
            return widget
    return None
