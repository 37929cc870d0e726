"""Columns that fit: lists and detail tables without a sideways scrollbar at 1024×640, the whole
text of a cut cell as its tooltip, and the column chooser remembered per list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtWidgets import QTableView
from support.waiting import until
from support.windows import first_page, signed_in

from snx_desktop.ui.detailviews import DetailTab

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _fits(view: QTableView) -> bool:
    header = view.horizontalHeader()
    shown = [i for i in range(header.count()) if not header.isSectionHidden(i)]
    return (
        not view.horizontalScrollBar().isVisible()
        and header.length() <= view.viewport().width() + 1
        and len(shown) >= 2
    )


async def _resized(w: Any, width: int, height: int) -> None:
    w.resize(width, height)
    await until(lambda: w.width() == width, 5, "the window size")
    view = w.list_pane.current_view()
    await until(lambda: view.viewport().width() < width // 2, 5, "the list's new width")


@pytest.mark.asyncio
async def test_the_contact_list_fits_at_1024_without_a_sideways_scrollbar(
    sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        await first_page(s)
        await _resized(w, 1024, 640)
        view = w.list_pane.views["contact"]
        await until(lambda: _fits(view), 5, "the columns to fit")
        # the first column (the name) keeps a readable width
        assert view.columnWidth(0) >= 100


@pytest.mark.asyncio
async def test_detail_tables_fit_and_tell_cut_text_as_tooltip(sandbox: Any, tmp_path: Path) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        await first_page(s)
        await _resized(w, 1024, 640)
        detail = w.detail
        tab: DetailTab = detail.contact.activities
        for row in range(40):
            w.list_pane.select_row(row)
            await detail.wait_loaded()
            if tab.model.rowCount():
                break
        assert tab.model.rowCount() > 0
        detail.contact.tabs.setCurrentWidget(tab)
        view = tab.view
        await until(view.isVisible, 5, "the activities")
        await until(lambda: _fits(view), 5, "the activities to fit")
        # make the text column too narrow for its text: the tooltip has the whole of it
        view.setColumnWidth(2, 40)  # the subject, narrower than its text
        tips = view.findChild(QObject, "elidedTips")
        assert tips is not None
        model = view.model()
        texts = {
            tips.full_text_at(  # type: ignore[attr-defined]
                view.visualRect(model.index(0, c)).center().x(),
                view.visualRect(model.index(0, c)).center().y(),
            ): c
            for c in range(model.columnCount())
            if not view.isColumnHidden(c)
        }
        cut = [t for t in texts if t]
        assert model.index(0, 2).data() in cut
        for text in cut:
            assert text == model.index(0, texts[text]).data()


@pytest.mark.asyncio
async def test_the_column_chooser_hides_and_reorders_and_is_remembered(
    sandbox: Any, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    async with signed_in(sandbox, profile) as s:
        w = s.window
        await first_page(s, "group")
        view = w.list_pane.views["group"]
        header = view.horizontalHeader()
        labels = [str(view.model().headerData(i, Qt.Orientation.Horizontal)) for i in range(3)]
        chooser = view.findChild(QObject, "columnChooser")
        assert chooser is not None
        header.customContextMenuRequested.emit(QPoint(10, 5))
        menu = chooser.menu  # type: ignore[attr-defined]
        assert menu is not None
        assert menu.isVisible()
        entry = next(a for a in menu.actions() if a.text() == labels[1])
        assert entry.isChecked()
        entry.trigger()  # hide the second column
        assert view.isColumnHidden(1)
        header.moveSection(header.visualIndex(2), 0)  # as a drag of the third header does
        order = [header.logicalIndex(v) for v in range(header.count())]
    async with signed_in(sandbox, profile) as s:
        w = s.window
        await first_page(s, "group")
        view = w.list_pane.views["group"]
        header = view.horizontalHeader()
        assert view.isColumnHidden(1)
        assert [header.logicalIndex(v) for v in range(header.count())] == order
        fitter = view.fitter  # type: ignore[attr-defined]
        assert view.isColumnHidden(0) == (0 in fitter.no_room)  # hidden only for want of room


@pytest.mark.asyncio
async def test_view_choose_columns_opens_the_current_lists_chooser(
    sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        await first_page(s, "sale")
        w.choose_columns.trigger()
        chooser = w.column_choosers["sale"]
        menu = chooser.menu
        assert menu is not None
        assert menu.isVisible()
        model = w.list_pane.views["sale"].model()
        labels = [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(3)]
        entries = [a.text() for a in menu.actions() if a.isCheckable()]
        assert entries[:3] == labels


@pytest.mark.asyncio
async def test_the_agenda_at_1024_shows_the_subjects_and_contacts_readable(
    sandbox: Any, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        await first_page(s)
        await until(lambda: w.list_pane.agenda is not None, 10, "the agenda")
        w.navigation.select("agenda")
        agenda = w.list_pane.agenda
        assert agenda is not None
        await until(lambda: bool(agenda.items()), 30, "agenda items")
        tree = agenda.tree
        w.resize(1280, 800)
        await until(lambda: not tree.isColumnHidden(3), 5, "the wide agenda")
        w.resize(1024, 640)
        await until(lambda: w.width() == 1024, 5, "the window size")
        # Type and Status give way; the subject and the contact share the room
        await until(lambda: tree.isColumnHidden(2) and tree.isColumnHidden(3), 5, "narrow")
        metrics = tree.fontMetrics()
        assert tree.columnWidth(1) >= metrics.horizontalAdvance("Quarterly review") + 8
        assert tree.columnWidth(4) >= metrics.horizontalAdvance("Jessica Roberts") + 8
        assert tree.header().length() <= tree.viewport().width() + 1


@pytest.mark.asyncio
async def test_a_long_name_and_address_keep_the_window_at_1024(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    from support.fields import C_COMPANY, C_EMAIL, C_NAME, C_TITLE

    async with signed_in(fresh_sandbox, tmp_path) as s:
        w = s.window
        await first_page(s)
        await _resized(w, 1024, 640)
        email = (
            "alexandra.konstantinopoulou-whitfield.procurement"
            "@international-consolidated-holdings.example.com"
        )
        made = await s.services.writes.create_contact(
            {
                C_NAME: "Alexandra Konstantinopoulou-Whitfield van der Berg",
                C_TITLE: "Senior Vice President of Strategic Procurement",
                C_COMPANY: "International Consolidated Holdings Inc.",
                C_EMAIL: email,
            }
        )
        assert w.list_pane.select_row(0)
        assert w.detail.record_id == made.ids[0]
        header = w.detail.contact.header
        await until(lambda: header.email.toolTip() == email, 5, "the header")
        await until(lambda: header.isVisible(), 5, "the header shown")
        # the header asks for less than the address: it never makes the window wider than
        # the screen (the address is cut at the pane's edge, whole in its tooltip)
        assert header.minimumSizeHint().width() < header.fontMetrics().horizontalAdvance(email)
        assert w.minimumSizeHint().width() <= 1024
        assert w.width() == 1024
        assert header.geometry().right() <= w.detail.width()


@pytest.mark.asyncio
async def test_the_documents_table_fits_at_1024(fresh_sandbox: Any, tmp_path: Path) -> None:
    async with signed_in(fresh_sandbox, tmp_path / "profile") as s:
        w = s.window
        await first_page(s)
        await until(lambda: w.features.uploads is not None, 10, "the features")
        await _resized(w, 1024, 640)
        assert w.list_pane.select_row(0)
        await w.detail.wait_loaded()
        name = "Signed framework agreement with every annex and the price list of 2027.txt"
        path = tmp_path / name
        path.write_text("agreed\n", encoding="utf-8")
        uploads = w.features.uploads
        assert uploads is not None
        jobs = uploads.add(w.detail.record_id, [path])
        await uploads.wait_all(jobs, timeout=20)
        docs = w.detail.contact.documents_widget
        assert docs is not None
        w.detail.contact.tabs.setCurrentWidget(w.detail.contact.documents)
        view = docs.view
        await until(view.isVisible, 5, "the documents")
        model = view.model()
        await until(
            lambda: any(model.index(r, 0).data() == name for r in range(model.rowCount())),
            10,
            "the new document",
        )
        await until(lambda: _fits(view), 5, "the documents to fit")
