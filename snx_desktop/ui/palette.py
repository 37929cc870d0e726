"""The command palette (Ctrl+K): type to jump to any record or run any of the window's actions.

A small popup over the window, never modal: a line edit and a list under it. The window's
actions matching the words typed are listed at once, each with its shortcut; the records
(contacts, groups, sales, activities) come from the offline store through an asynchronous
``find`` (see :mod:`snx_desktop.ui.reach`), so a keystroke never waits for the store; the
quick kinds show first and the others join them (the highlighted line stays). Answers for
text the rep has typed past are dropped. Up and Down move, Enter acts, Esc closes; so does
a click anywhere else.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    import asyncio

__all__ = ["MAX_ACTIONS", "CommandPalette", "PaletteItem", "matching_actions"]

log = logging.getLogger(__name__)

MAX_ACTIONS = 8  # actions listed under the records while text is typed
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class PaletteItem:
    """One line of the palette: a record to open or an action to run."""

    title: str
    hint: str  # what it is ("Contact", "Sale") or the action's shortcut
    kind: str  # a record kind, or "action"
    key: str  # the record's id, or the action's object name
    record: dict[str, str] = field(default_factory=dict, compare=False)
    action: QAction | None = field(default=None, compare=False)


#: the records matching a text: the lists it yields each hold more kinds (the quick ones first)
Finder = Callable[[str], AsyncIterator[list[PaletteItem]]]


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").replace("…", "").strip()


def matching_actions(actions: Sequence[QAction], text: str) -> list[PaletteItem]:
    """The enabled actions whose name holds every word of ``text``, by name."""
    words = text.casefold().split()
    out: dict[str, PaletteItem] = {}
    for action in actions:
        name = _plain(action.text())
        if not name or not action.isEnabled() or not action.objectName():
            continue
        if action.objectName() == "actionCommandPalette":
            continue
        if all(w in name.casefold() for w in words):
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            out.setdefault(
                action.objectName(),
                PaletteItem(name, keys or "Action", "action", action.objectName(), action=action),
            )
    return sorted(out.values(), key=lambda item: item.title.casefold())


class _Keys(QObject):
    """Up, Down, Enter and Esc in the line edit steer the list."""

    def __init__(self, palette: CommandPalette) -> None:
        super().__init__(palette)
        self.palette = palette

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            steps = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_PageUp: -8}
            step = steps.get(Qt.Key(key), 8)
            self.palette.step(step)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.palette.act()
            return True
        if key == Qt.Key.Key_Escape:
            self.palette.close_palette()
            return True
        return False


class CommandPalette(QFrame):
    """The popup; ``chosen(PaletteItem)`` when the rep picks a line (the palette closes)."""

    chosen = Signal(object)
    #: the list now shows matches for this text (the quick kinds of records first)
    listUpdated = Signal(str)
    #: the list now shows every match for this text
    listCompleted = Signal(str)

    def __init__(
        self,
        window: QWidget,
        actions: Callable[[], Sequence[QAction]],
        find: Finder | None = None,
        recent: Callable[[], list[PaletteItem]] | None = None,
    ) -> None:
        super().__init__(window)
        self.setObjectName("commandPalette")
        self.setAccessibleName("Go to a record or run a command")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self._window = window
        self._actions = actions
        self.finder = find
        self._recent = recent
        self._generation = 0
        self._task: asyncio.Future[None] | None = None
        self._actions_shown: list[PaletteItem] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("paletteInput")
        self.edit.setAccessibleName("Record or command")
        self.edit.setPlaceholderText("Type a name, a company, a sale or a command…")
        self.edit.setClearButtonEnabled(True)
        layout.addWidget(self.edit)
        self.list = QTreeWidget(self)
        self.list.setObjectName("paletteList")
        self.list.setAccessibleName("Matching records and commands")
        self.list.setColumnCount(2)
        self.list.setHeaderHidden(True)
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.itemActivated.connect(lambda item, _col: self._act_on(item))
        self.list.itemClicked.connect(lambda item, _col: self._act_on(item))
        layout.addWidget(self.list)
        self.edit.installEventFilter(_Keys(self))
        self.edit.textChanged.connect(self._text_changed)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
        self.hide()

    # -- showing ----------------------------------------------------------------------------
    def open_palette(self) -> None:
        """Show the palette over the top of the window, empty, with the keyboard in it."""
        width = min(620, max(320, self._window.width() - 80))
        height = min(420, max(200, self._window.height() - 160))
        self.setGeometry((self._window.width() - width) // 2, 56, width, height)
        self.list.setColumnWidth(0, width - 280)
        self.show()
        self.raise_()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if self.edit.text():
            self.edit.clear()  # fills the list
        else:
            self._text_changed("")

    def close_palette(self) -> None:
        self._generation += 1
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
        self.hide()

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self.isVisible() and new is not None and not self.isAncestorOf(new):
            self.close_palette()

    # -- the list ---------------------------------------------------------------------------
    def items(self) -> list[PaletteItem]:
        out: list[PaletteItem] = []
        for row in range(self.list.topLevelItemCount()):
            line = self.list.topLevelItem(row)
            item = line.data(0, ITEM_ROLE) if line is not None else None
            if isinstance(item, PaletteItem):
                out.append(item)
        return out

    def current(self) -> PaletteItem | None:
        item = self.list.currentItem()
        value = item.data(0, ITEM_ROLE) if item is not None else None
        return value if isinstance(value, PaletteItem) else None

    def _text_changed(self, text: str) -> None:
        self._generation += 1
        generation = self._generation
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
        text = text.strip()
        if not text:
            actions = matching_actions(self._actions(), "")
            recent = self._recent() if self._recent is not None else []
            self._fill(recent + actions)
            self.listUpdated.emit(text)
            self.listCompleted.emit(text)
            return
        self._actions_shown = matching_actions(self._actions(), text)[:MAX_ACTIONS]
        if self.finder is None:
            self._fill(self._actions_shown)
            self.listUpdated.emit(text)
            self.listCompleted.emit(text)
            return
        import asyncio  # here: the palette is built for the first paint, before the loop

        self._task = asyncio.ensure_future(self._search(text, generation))

    async def _search(self, text: str, generation: int) -> None:
        import asyncio

        assert self.finder is not None
        first = True
        try:
            async for records in self.finder(text):
                if generation != self._generation:
                    return  # the rep typed on: this answer is for old text
                self._fill(records + self._actions_shown, keep=not first)
                first = False
                self.listUpdated.emit(text)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("the palette's search failed", exc_info=True)
        if generation != self._generation:
            return
        if first:
            self._fill(self._actions_shown)
            self.listUpdated.emit(text)
        self.listCompleted.emit(text)

    def _fill(self, items: Sequence[PaletteItem], *, keep: bool = False) -> None:
        """Show ``items``, the first highlighted (``keep``: the one highlighted now, if
        it is among them: more matches for the same text arrived)."""
        kept = self.current() if keep else None
        self.list.setUpdatesEnabled(False)
        self.list.clear()
        rows = []
        for each in items:
            row = QTreeWidgetItem([each.title, each.hint])
            row.setData(0, ITEM_ROLE, each)
            row.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            rows.append(row)
        self.list.addTopLevelItems(rows)
        if rows:
            at = next((r for r, i in zip(rows, items, strict=True) if i == kept), rows[0])
            self.list.setCurrentItem(at)
        self.list.setUpdatesEnabled(True)

    def step(self, step: int) -> None:
        """Move the highlighted line ``step`` lines down (up when negative), within the list."""
        count = self.list.topLevelItemCount()
        if not count:
            return
        current = self.list.currentItem()
        row = self.list.indexOfTopLevelItem(current) if current is not None else -1
        line = self.list.topLevelItem(max(0, min(count - 1, row + step)))
        if line is not None:
            self.list.setCurrentItem(line)

    def act(self) -> None:
        """Enter: open the highlighted record or run the highlighted action."""
        item = self.list.currentItem()
        if item is not None:
            self._act_on(item)

    def _act_on(self, row: QTreeWidgetItem) -> None:
        item = row.data(0, ITEM_ROLE)
        if not isinstance(item, PaletteItem):
            return
        self.close_palette()
        self.chosen.emit(item)
