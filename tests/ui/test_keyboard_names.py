"""Every action is in the README's shortcut table with its keys, and every interactive control
of the window, its menus and its dialogs has an accessible name."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QMenu, QWidget
from support.waiting import until
from support.windows import first_page, settings_in, signed_in

from snx_desktop.ui.rowmenus import MENU_KEY

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

README = Path(__file__).resolve().parents[2] / "README.md"
#: keys in the table that are not an action's shortcut
OTHER_KEYS = {MENU_KEY, "Return"}


def _table() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    start = text.index("| Keys | What it does |")
    rows: list[tuple[str, str]] = []
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        keys, what = (cell.strip() for cell in line.strip("|").split("|", 1))
        rows.append((keys, what.strip(" |")))
    return rows


def _plain(text: str) -> str:
    return text.replace("&", "").replace("…", "").strip()


def _keys(text: str) -> str:
    return QKeySequence(text).toString(QKeySequence.SequenceFormat.PortableText)


def test_the_readme_shortcut_table_has_every_action_and_its_keys(
    qtbot: Any, tmp_path: Path
) -> None:
    from snx_desktop.ui.mainwindow import MainWindow

    window = MainWindow(settings=settings_in(tmp_path))
    qtbot.addWidget(window)
    rows = _table()
    menus = {
        a: m.title().replace("&", "")
        for m in window.menuBar().findChildren(QMenu)
        for a in m.actions()
    }
    actions = list(
        dict.fromkeys(
            window.actions_.all()
            + list(window.features.actions.values())
            + [a for a in menus if not a.isSeparator()]
        )
    )
    assert window.choose_columns in actions
    table_keys = {_keys(k) for k, _w in rows if k != "—"}
    action_keys: set[str] = set()
    for action in actions:
        keys = [s for s in action.shortcuts() if not s.isEmpty()]
        name = _plain(action.text()).casefold()
        if keys:
            for key in keys:
                portable = key.toString(QKeySequence.SequenceFormat.PortableText)
                action_keys.add(portable)
                row = [w for k, w in rows if k != "—" and _keys(k) == portable]
                assert row, f"{portable} ({name}) is missing from the README"
                assert name in _plain(row[0]).casefold(), (portable, name, row)
        else:
            menu = menus[action]
            assert any(
                k == "—" and name in _plain(w).casefold() and f"({menu} menu)" in w for k, w in rows
            ), f"{name} ({menu} menu) is missing from the README"
    assert table_keys - action_keys == {_keys(k) for k in OTHER_KEYS}


def _unnamed(widgets: list[QWidget], where: str) -> set[str]:
    missing: set[str] = set()
    for widget in widgets:
        if not widget.isVisible() or not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        if type(widget).__name__ in ("QScrollBar", "QSplitterHandle", "QTabBar", "QMenu"):
            continue
        parent = widget.parentWidget()
        if widget.objectName().startswith("qt_") and parent is not None and parent.accessibleName():
            continue  # Qt's own part of a named control (the text field of a date box)
        iface = QAccessible.queryAccessibleInterface(widget)
        name = widget.accessibleName() or (iface.text(QAccessible.Text.Name) if iface else "")
        if not name.strip():
            missing.add(f"{where}: {type(widget).__name__} {widget.objectName()!r}")
    return missing


def _visible_dialog() -> QDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            return widget
    return None


@pytest.mark.asyncio
async def test_the_dialogs_and_menus_name_their_controls(sandbox: Any, tmp_path: Path) -> None:
    async with signed_in(sandbox, tmp_path) as s:
        w = s.window
        acts = w.features.actions
        await first_page(s)
        await until(lambda: acts["actionImportCsv"].isEnabled(), 10, "features")
        w.list_pane.select_row(1)
        await w.detail.wait_loaded()
        missing: set[str] = set()
        for name in (
            "actionNew",
            "actionAddNote",
            "actionNewActivity",
            "actionNewSale",
            "actionAddToGroup",
            "actionAddToCampaign",
            "actionExportCsv",
            "actionImportCsv",
            "actionDeleteShown",
        ):
            action = acts.get(name) or w.actions_.new_record
            assert action.isEnabled(), name
            action.trigger()
            await until(_visible_dialog, 10, f"the dialog of {name}")
            dialog = _visible_dialog()
            assert dialog is not None
            await asyncio.sleep(0.05)
            missing |= _unnamed(dialog.findChildren(QWidget), type(dialog).__name__)
            dialog.reject()
            await until(lambda: _visible_dialog() is None, 5, "the dialog to close")
        # the row menu and the column chooser are menus of named entries
        view = w.list_pane.views["contact"]
        w.row_menus.show_current(view, lambda i: w.row_menus._list_entries("contact", i))
        menu = w.row_menus.menu
        assert menu is not None
        assert menu.accessibleName()
        assert all(_plain(a.text()) for a in menu.actions() if not a.isSeparator())
        menu.close()
        # the help page's buttons
        w.detail.clear()
        missing |= _unnamed(w.help.findChildren(QWidget), "help")
        assert sorted(missing) == []
