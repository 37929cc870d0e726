"""PagedTableModel: placeholder, no duplicate pages, generations, cache first, failures.

The page source here is a small in-memory list (the model is the thing under test); the
same model over the real services and sandbox is tested in tests/ui.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem
from support.waiting import until

from snx_desktop.models.paging import Page, PagedTableModel
from snx_desktop.models.roles import FetchState, Roles
from snx_desktop.models.schema import Column
from snx_desktop.models.sortproxy import LoadedRowsSortProxy


class ListSource:
    """Pages over a list; ``gate`` holds network answers until set; counts requests."""

    def __init__(self, n: int, page_size: int = 10, *, cached_pages: int = 0) -> None:
        self.rows = [{"id": f"id-{i:04d}", "name": f"Name {i:04d}", "n": str(i)} for i in range(n)]
        self._page_size = page_size
        self.cached_pages = cached_pages
        self.requests: list[int] = []
        self.gate: asyncio.Event | None = None
        self.fail: Exception | None = None
        self.rename = ""

    @property
    def page_size(self) -> int:
        return self._page_size

    def _page(self, index: int, *, cached: bool) -> Page:
        start = index * self._page_size
        rows = [dict(r) for r in self.rows[start : start + self._page_size]]
        if not cached and self.rename:
            for r in rows:
                r["name"] = self.rename + r["name"]
        return Page(index, rows, len(self.rows), fetched_at=1000.0 + index, from_cache=cached)

    def cached_page(self, index: int) -> Page | None:
        return self._page(index, cached=True) if index < self.cached_pages else None

    async def fetch_page(self, index: int) -> Page:
        self.requests.append(index)
        if self.gate is not None:
            await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        await asyncio.sleep(0)  # a fetch that yields to the loop, as a real one does
        return self._page(index, cached=False)


COLUMNS = [Column("name", "Name"), Column("n", "Number", 3)]


def _model(source: Any) -> PagedTableModel:
    return PagedTableModel(COLUMNS, source)


@pytest.mark.asyncio
async def test_scroll_to_the_end_fetches_each_page_once(qtmodeltester: Any) -> None:
    source = ListSource(95, page_size=10)
    model = _model(source)
    qtmodeltester.check(model)
    while await model.load_next():
        pass
    assert model.rowCount() == 95
    assert source.requests == list(range(math.ceil(95 / 10)))
    assert model.requests == 10
    assert not model.canFetchMore(QModelIndex())
    assert model.index(94, 0).data() == "Name 0094"
    assert model.index(94, 0).data(Roles.RECORD)["id"] == "id-0094"
    assert model.index(3, 0).data(Roles.RECORD_ID) == "id-0003"
    assert model.index(3, 0).data(Roles.FETCH_STATE) is FetchState.LOADED


@pytest.mark.asyncio
async def test_placeholder_row_while_loading_and_no_duplicate_request(qtmodeltester: Any) -> None:
    source = ListSource(30, page_size=10)
    source.gate = asyncio.Event()
    model = _model(source)
    qtmodeltester.check(model)
    model.fetchMore(QModelIndex())
    await until(lambda: source.requests, 5, "the page asked for")
    assert model.rowCount() == 1
    placeholder = model.index(0, 0)
    assert placeholder.data(Roles.FETCH_STATE) is FetchState.LOADING
    assert placeholder.data() == "Loading…"
    assert not (model.flags(placeholder) & Qt.ItemFlag.ItemIsSelectable)
    for _ in range(5):  # a view asking again and again while the page loads
        assert not model.canFetchMore(QModelIndex())
        model.fetchMore(QModelIndex())
    assert source.requests == [0]
    source.gate.set()
    await model.wait_idle()
    # (the model tester itself fetches more after each change; no page is asked twice)
    assert source.requests == list(range(len(source.requests)))
    assert model.rowCount() == 10 * len(source.requests)


@pytest.mark.asyncio
async def test_page_of_an_old_generation_is_dropped(qtmodeltester: Any) -> None:
    old = ListSource(30)
    old.gate = asyncio.Event()
    model = _model(old)
    qtmodeltester.check(model)
    model.fetchMore(QModelIndex())
    await until(lambda: old.requests, 5, "the page asked for")
    new = ListSource(5)
    new.rows = [{"id": f"new-{i}", "name": f"New {i}", "n": str(i)} for i in range(5)]
    generation = model.generation
    model.set_source(new)
    assert model.generation == generation + 1
    assert model.rowCount() == 0
    old.gate.set()  # the old page arrives late (its task was cancelled)
    await model.load_next()
    await asyncio.sleep(0.01)  # time for the old page to show if it could: it must not
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
        f"New {i}" for i in range(5)
    ]


@pytest.mark.asyncio
async def test_cached_page_shows_at_once_then_the_network_replaces_it(qtmodeltester: Any) -> None:
    source = ListSource(25, cached_pages=3)
    source.rename = "fresh "
    source.gate = asyncio.Event()
    model = _model(source)
    qtmodeltester.check(model)
    model.fetchMore(QModelIndex())
    await until(lambda: source.requests, 5, "the page asked for")
    assert model.rowCount() == 10  # cached rows, no placeholder
    assert model.index(0, 0).data() == "Name 0000"
    assert model.index(0, 0).data(Roles.FETCH_STATE) is FetchState.STALE
    source.gate.set()
    await model.wait_idle()
    assert model.index(0, 0).data() == "fresh Name 0000"
    assert model.index(0, 0).data(Roles.FETCH_STATE) is FetchState.LOADED
    assert model.oldest_age() == 1000.0


@pytest.mark.asyncio
async def test_cached_page_kept_when_the_network_fails(qtmodeltester: Any) -> None:
    source = ListSource(25, cached_pages=3)
    source.fail = ConnectionError("offline")
    model = _model(source)
    qtmodeltester.check(model)
    failures: list[str] = []
    model.loadFailed.connect(failures.append)
    while await model.load_next():
        pass
    assert model.rowCount() == 25
    assert failures == ["offline"] * 3
    assert model.index(24, 0).data(Roles.FETCH_STATE) is FetchState.STALE


@pytest.mark.asyncio
async def test_failed_page_becomes_an_error_row_and_retry_loads_it(qtmodeltester: Any) -> None:
    source = ListSource(15)
    source.fail = RuntimeError("The server is not answering.")
    model = _model(source)
    qtmodeltester.check(model)
    await model.load_next()
    assert model.rowCount() == 1
    row = model.index(0, 0)
    assert row.data(Roles.FETCH_STATE) is FetchState.FAILED
    assert "The server is not answering." in row.data()
    assert not model.canFetchMore(QModelIndex())
    source.fail = None
    model.retry()
    await model.wait_idle()
    assert model.index(0, 0).data() == "Name 0000"
    assert source.requests[:2] == [0, 0]  # the failed page, then its retry
    assert 1 not in source.requests[:2]


@pytest.mark.asyncio
async def test_pending_role_and_sort_proxy_keeps_placeholder_last(qtmodeltester: Any) -> None:
    source = ListSource(20)
    pending = {"id-0003"}
    model = PagedTableModel(COLUMNS, source, is_pending=pending.__contains__)
    proxy = LoadedRowsSortProxy()
    proxy.setSourceModel(model)
    await model.load_next()
    assert model.index(3, 0).data(Roles.PENDING) is True
    assert model.index(4, 0).data(Roles.PENDING) is False
    source.gate = asyncio.Event()
    asked = len(source.requests)
    model.fetchMore(QModelIndex())
    await until(lambda: len(source.requests) > asked, 5, "the next page asked for")
    proxy.sort(1, Qt.SortOrder.DescendingOrder)
    last = proxy.index(proxy.rowCount() - 1, 0)
    assert last.data(Roles.FETCH_STATE) is FetchState.LOADING
    assert proxy.index(0, 1).data() == "9"  # numbers sort as numbers
    proxy.sort(1, Qt.SortOrder.AscendingOrder)
    assert proxy.index(proxy.rowCount() - 1, 0).data(Roles.FETCH_STATE) is FetchState.LOADING
    qtmodeltester.check(proxy)
    source.gate.set()
    await model.wait_idle()
    assert proxy.rowCount() == 20


@pytest.mark.asyncio
async def test_empty_list(qtmodeltester: Any) -> None:
    model = _model(ListSource(0))
    qtmodeltester.check(model)
    await model.load_next()
    assert model.rowCount() == 0
    assert model.total == 0
    assert not model.canFetchMore(QModelIndex())


@pytest.mark.asyncio
async def test_rows_far_away_leave_memory_and_are_read_again(qtmodeltester: Any) -> None:
    source = ListSource(95, page_size=10)
    by_id = {r["id"]: r for r in source.rows}
    asked: list[list[str]] = []

    def lookup(ids: list[str]) -> dict[str, Any]:
        asked.append(ids)
        return {i: dict(by_id[i]) for i in ids}

    model = PagedTableModel(COLUMNS, source, lookup=lookup, max_resident=25)
    while await model.load_next():
        pass
    assert model.rowCount() == 95
    assert model.resident_count <= 25
    assert asked == [] or all(asked)
    asked.clear()
    assert model.index(0, 0).data() == "Name 0000"  # read again, with its neighbours
    assert len(asked) == 1
    assert "id-0000" in asked[0]
    assert model.index(1, 0).data() == "Name 0001"  # a neighbour: no second read
    assert len(asked) == 1
    assert model.record_id(50) == "id-0050"
    assert model.row_of("id-0050") == 50
    assert model.resident_count <= 25 + 100
    qtmodeltester.check(model)  # still a valid model with rows coming and going


class _Delegate(QStyledItemDelegate):
    def option(self, index: QModelIndex) -> QStyleOptionViewItem:
        """What the delegate reads of a cell to paint it (all its roles in one span)."""
        option = QStyleOptionViewItem()
        self.initStyleOption(option, index)
        return option


@pytest.mark.asyncio
async def test_a_painted_cell_reads_its_text_and_the_pending_mark_in_one_span() -> None:
    source = ListSource(20)
    pending = {"id-0003"}
    model = PagedTableModel(COLUMNS, source, is_pending=pending.__contains__)
    proxy = LoadedRowsSortProxy()
    proxy.setSourceModel(model)
    await model.load_next()
    delegate = _Delegate()
    for view_model in (model, proxy):
        marked = delegate.option(view_model.index(3, 0))
        assert marked.text == "Name 0003"
        assert marked.font.italic()  # unsent changes: the row's first cell in italics
        assert delegate.option(view_model.index(3, 1)).text == "3"
        assert not delegate.option(view_model.index(3, 1)).font.italic()
        plain = delegate.option(view_model.index(4, 0))
        assert plain.text == "Name 0004"
        assert not plain.font.italic()
    proxy.sort(1, Qt.SortOrder.DescendingOrder)
    top = delegate.option(proxy.index(0, 0))
    assert top.text == "Name 0009"  # numbers sort as numbers: 9 is the largest of page one
    source.gate = asyncio.Event()
    model.fetchMore(QModelIndex())
    await asyncio.sleep(0.01)
    first = delegate.option(model.index(0, 0))
    text_colour = first.palette.color(QPalette.ColorRole.Text).rgba()
    loading = delegate.option(model.index(model.rowCount() - 1, 0))
    assert loading.text == "Loading…"
    assert loading.palette.color(QPalette.ColorRole.Text).rgba() != text_colour  # greyed
    after = delegate.option(model.index(0, 0))  # the next cell the delegate paints
    assert after.palette.color(QPalette.ColorRole.Text).rgba() == text_colour  # not grey
    source.gate.set()
    await model.wait_idle()
