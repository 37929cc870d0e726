"""The command palette widget on its own: answers for text typed past are dropped, more
matches for the same text keep the highlighted line, the keys steer the list."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from support.waiting import until

from snx_desktop.ui.palette import CommandPalette, PaletteItem

pytestmark = [pytest.mark.asyncio, pytest.mark.qt_log_ignore("This plugin does not support")]


def contact(name: str) -> PaletteItem:
    return PaletteItem(name, "Contact", "contact", name.lower())


def window_with_palette(qtbot: Any) -> tuple[QWidget, CommandPalette, list[QAction]]:
    window = QWidget()
    window.resize(800, 600)
    qtbot.addWidget(window)
    action = QAction("&Refresh", window)
    action.setObjectName("actionRefresh")
    action.setShortcut(QKeySequence("F5"))
    actions = [action]
    palette = CommandPalette(window, lambda: actions)
    window.show()
    return window, palette, actions


async def test_answers_for_text_typed_past_are_dropped(qtbot: Any) -> None:
    _window, palette, _actions = window_with_palette(qtbot)
    release: dict[str, asyncio.Event] = {"a": asyncio.Event(), "ab": asyncio.Event()}

    async def find(text: str) -> AsyncIterator[list[PaletteItem]]:
        await release[text].wait()
        yield [contact(f"Match for {text}")]

    palette.finder = find
    palette.open_palette()
    completed: list[str] = []
    palette.listCompleted.connect(completed.append)
    QTest.keyClicks(palette.edit, "a")
    QTest.keyClicks(palette.edit, "b")
    release["ab"].set()
    await until(lambda: "ab" in completed, 5, "the answer for 'ab'")
    release["a"].set()  # the answer for the older text comes last
    for _ in range(5):
        await asyncio.sleep(0)
    assert [i.title for i in palette.items()] == ["Match for ab"]
    assert completed == ["ab"]


async def test_more_matches_keep_the_highlighted_line(qtbot: Any) -> None:
    _window, palette, actions = window_with_palette(qtbot)
    more = asyncio.Event()

    async def find(text: str) -> AsyncIterator[list[PaletteItem]]:
        first = [contact("Ann Lee"), contact("Anna Roy")]
        yield first
        await more.wait()
        yield [*first, PaletteItem("Annual plan", "Sale", "sale", "s1")]

    palette.finder = find
    shown: list[str] = []
    palette.listUpdated.connect(shown.append)
    palette.open_palette()
    QTest.keyClicks(palette.edit, "an")
    await until(lambda: "an" in shown, 5, "the first matches")
    assert palette.current() == contact("Ann Lee")
    QTest.keyClick(palette.edit, Qt.Key.Key_Down)
    assert palette.current() == contact("Anna Roy")
    more.set()
    await until(lambda: len(palette.items()) == 3, 5, "the sale to join")
    assert palette.current() == contact("Anna Roy")
    QTest.keyClick(palette.edit, Qt.Key.Key_Down)
    QTest.keyClick(palette.edit, Qt.Key.Key_Down)  # stays on the last line
    assert palette.current() == PaletteItem("Annual plan", "Sale", "sale", "s1")
    chosen: list[PaletteItem] = []
    palette.chosen.connect(chosen.append)
    QTest.keyClick(palette.edit, Qt.Key.Key_Return)
    assert [c.key for c in chosen] == ["s1"]
    assert not palette.isVisible()
    # an action matches by its name, with its shortcut; a disabled one is not offered
    palette.open_palette()
    QTest.keyClicks(palette.edit, "refr")
    await until(lambda: any(i.kind == "action" for i in palette.items()), 5, "the action")
    assert [(i.title, i.hint) for i in palette.items() if i.kind == "action"] == [("Refresh", "F5")]
    actions[0].setEnabled(False)
    palette.edit.setText("refre")
    await until(lambda: len(palette.items()) == 3, 5, "the records alone")
    assert all(i.kind != "action" for i in palette.items())
