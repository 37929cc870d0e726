"""How the record lists look: rows in the normal text colour, times at midnight as times."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QTableView
from support.waiting import until
from support.windows import signed_in

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _ink(view: QTableView, row: int, col: int) -> QColor:
    """The colour of the text drawn in a cell: its pixel farthest from the background."""
    model = view.model()
    assert model is not None
    rect = view.visualRect(model.index(row, col))
    image = view.viewport().grab(rect).toImage()
    base = image.pixelColor(1, 1)
    best, far = base, -1
    for x in range(image.width()):
        for y in range(image.height()):
            c = image.pixelColor(x, y)
            d = (
                abs(c.red() - base.red())
                + abs(c.green() - base.green())
                + abs(c.blue() - base.blue())
            )
            if d > far:
                best, far = c, d
    return best


def _distance(a: QColor, b: QColor) -> int:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["group", "activity", "sale", "campaign"])
async def test_rows_after_a_loading_row_are_drawn_in_the_text_colour(
    sandbox: Any, tmp_path: Path, kind: str
) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        lp = s.window.list_pane
        view = lp.views[kind]
        model = lp.models[kind]
        s.window.navigation.select(kind)
        # the "Loading…" row is painted (in the placeholder grey) before the rows arrive
        await until(lambda: model.rowCount() > 0, what="the loading row")
        view.viewport().grab()
        await until(lambda: model.loaded_count > 2 and not model.busy, what=f"{kind} rows")
        # the first column with text (an activity row starts with its complete box)
        col = 1 if kind == "activity" else 0
        ink = _ink(view, 2, col)
        text = view.palette().color(QPalette.ColorRole.Text)
        assert _distance(ink, text) < 90, (ink.name(), text.name())


@pytest.mark.asyncio
async def test_an_activity_at_midnight_shows_its_time(qtbot: Any) -> None:
    from snx_desktop.models.columns import activity_columns
    from snx_desktop.models.schema import Lookups, format_time
    from snx_desktop.ui.detailpane import DetailPane

    at_midnight = {
        "activity-id": "a1",
        "start-time": "2026-03-04T00:00:00",
        "end-time": "2026-03-04T00:30:00",
        "regarding": "Late call",
        "type": "call",
    }
    midnight = f"Mar 4, 2026 {format_time(datetime(2026, 3, 4))}"
    assert "12:00" in midnight
    when = next(c for c in activity_columns(Lookups()) if c.label == "When")
    assert when.display(at_midnight) == midnight
    all_day = {**at_midnight, "timeless": "true"}
    assert when.display(all_day) == "Mar 4, 2026"
    earlier = {**at_midnight, "start-time": "2026-03-03T23:00:00"}
    assert when.sort_value(earlier) < when.sort_value(at_midnight)

    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.open_record("activity", "a1", at_midnight)
    fm = pane.record.fields_model
    values = {fm.index(r, 0).data(): fm.index(r, 1).data() for r in range(fm.rowCount())}
    assert values["Starts"] == midnight
    await pane.wait_loaded()
