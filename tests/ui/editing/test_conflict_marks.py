"""A conflict shows where the rep looks: its list row, the detail header, a banner with
Resolve…, the dialog naming the record and the fields, and one "Conflict" in the visible
Pending changes list (``pendingList``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QTreeWidget, QWidget
from support.fields import C_RECORD_ID, C_TITLE
from support.waiting import until
from support.windows import first_page, signed_in

from snx_desktop.models.liverows import CONFLICT_TIP
from snx_desktop.ui.editing.conflictdialog import ConflictDialog

from .conftest import QT_IGNORE

pytestmark = [pytest.mark.asyncio, QT_IGNORE]


def conflict_dialog() -> ConflictDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, ConflictDialog) and widget.isVisible():
            return widget
    return None


def row_texts(tree: QTreeWidget) -> list[str]:
    out: list[str] = []
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        assert item is not None
        out += [item.text(0), item.text(1)]
        out += [item.child(j).text(0) for j in range(item.childCount())]  # type: ignore[union-attr]
    return out


async def test_a_conflict_is_marked_in_the_row_header_banner_and_pending_list(
    fresh_sandbox: Any, server_client: Any, tmp_path: Path, qtbot: Any
) -> None:
    async with signed_in(fresh_sandbox, tmp_path / "profile") as s:
        w, svc = s.window, s.services
        w.resize(1024, 640)
        await first_page(s)
        await until(lambda: w.features.conflict_banner is not None, 5, "the features")
        banner = w.features.conflict_banner
        assert banner is not None
        model = w.list_pane.models["contact"]
        assert w.list_pane.select_row(2)
        rid = w.list_pane.selected_ids()[0]
        await until(lambda: w.detail.record_id == rid, 5, "the open contact")
        await w.detail.wait_loaded()
        name = w.detail.contact.header.name.text()
        row = model.row_of(rid)
        assert model.index(row, 0).data(Qt.ItemDataRole.DecorationRole) is None
        assert not banner.isVisible()

        svc.connectivity.set_work_offline(True)
        await svc.writes.update_contact(rid, {C_TITLE: "Title Typed Here"})
        client = await server_client(fresh_sandbox)
        await client.update_contact(
            match_by_field_data={C_RECORD_ID: rid}, contact_field_data={C_TITLE: "Their Title"}
        )
        svc.connectivity.set_work_offline(False)
        await until(lambda: svc.writes.status.conflicts == 1, 20, "the conflict")

        # the row, the header and the banner say so
        await until(lambda: banner.isVisible(), 5, "the banner")
        assert name in banner.text.text()
        assert "Title" in banner.text.text()
        assert model.index(row, 0).data(Qt.ItemDataRole.DecorationRole) is not None
        assert model.index(row, 1).data(Qt.ItemDataRole.ToolTipRole) == CONFLICT_TIP
        assert w.detail.contact.header.conflict.isVisible()

        # the visible pending list is `pendingList`, and says "Conflict" once
        w.navigation.select("pending")
        lists = w.findChildren(QWidget, "pendingList")
        assert len(lists) == 1
        assert isinstance(lists[0], QTreeWidget)
        pending = lists[0]
        assert pending.isVisible()
        assert pending.accessibleName()
        await until(lambda: "Conflict" in row_texts(pending), 5, "the conflict row")
        texts = row_texts(pending)
        assert sum(t.lower().count("conflict") for t in texts) == 1
        top = pending.topLevelItem(0)
        assert top is not None
        summary = top.text(0)
        whole = svc.writes.pending()[0].summary
        assert whole.startswith(summary)
        assert name in summary
        assert top.toolTip(0) == whole
        fits = pending.fontMetrics().horizontalAdvance(summary) + 40
        assert fits <= pending.visualItemRect(top).width()
        # at 1024 px the window keeps its width, and the lines under the change wrap, uncut
        assert w.width() == 1024
        line = pending.fontMetrics().lineSpacing()
        for j in range(top.childCount()):
            child = top.child(j)
            assert child is not None
            rect = pending.visualItemRect(child)
            room = (rect.height() // line) * rect.width()
            assert pending.fontMetrics().horizontalAdvance(child.text(0)) < room

        # Resolve… on the banner: the dialog names the record and the field
        qtbot.mouseClick(banner.resolve_button, Qt.MouseButton.LeftButton)
        await until(lambda: conflict_dialog() is not None, 5, "the conflict dialog")
        dialog = conflict_dialog()
        assert dialog is not None
        intro = dialog.findChild(QLabel, "conflictIntro")
        assert intro is not None
        assert f"“{name}”" in intro.text()
        assert "Title" in intro.text()
        dialog.choose(C_TITLE, "mine")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        await until(lambda: svc.writes.status.pending == 0, 20, "the resolved change to go")
        await until(lambda: not banner.isVisible(), 5, "the banner to go")
        assert model.index(row, 0).data(Qt.ItemDataRole.DecorationRole) is None
        assert not w.detail.contact.header.conflict.isVisible()
        assert (await client.get_contact_info(rid)).field_data[C_TITLE] == "Title Typed Here"
