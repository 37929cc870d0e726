"""The main toolbar and the action buttons in a record's header.

Both show the window's own ``QAction`` objects (the ones in the menus), so a toolbar button,
a header button, a menu item and a shortcut always run the same command and share one
enabled state. Nothing here knows about services.

The toolbar never shows two buttons that say the same thing: Ctrl+N's action is worded for
the current section ("New activity…" in Activities and Agenda), and while it says what a
later toolbar action says, that later one leaves the toolbar (it stays in its menu, with its
shortcut) and comes back when the wording differs again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import QObject, QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QSizePolicy, QToolBar, QToolButton, QWidget

__all__ = [
    "HEADER_TOOLS",
    "TOOLBAR_ACTIONS",
    "actions_by_name",
    "build_toolbar",
    "header_button",
    "section_noun",
]

# the object names of the actions on the toolbar, in order ("" = a separator)
TOOLBAR_ACTIONS: tuple[str, ...] = (
    "actionNew",
    "actionAddNote",
    "actionNewActivity",
    "actionAttachFile",
    "",
    "actionRefresh",
)

# (action object name, short text on the button) per record kind shown in the detail pane
HEADER_TOOLS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "contact": (
        ("actionAddNote", "Add note"),
        ("actionNewActivity", "Schedule"),
        ("actionAttachFile", "Attach"),
        ("actionDeleteShown", "Delete"),
        ("actionOpenInNewWindow", "New window"),
    ),
    "group": (
        ("actionAddNote", "Add note"),
        ("actionNewActivity", "Schedule"),
        ("actionDeleteShown", "Delete"),
        ("actionOpenInNewWindow", "New window"),
    ),
}

_NOUNS = {
    "contact": "contact",
    "group": "group",
    "activity": "activity",
    "agenda": "activity",
    "sale": "sale",
}


def section_noun(kind: str) -> str:
    """What Ctrl+N makes in a section ("" where nothing can be made)."""
    return _NOUNS.get(kind, "")


def build_toolbar(window: QMainWindow, actions: Mapping[str, QAction]) -> QToolBar:
    """A compact toolbar of the primary actions; Work offline sits at its right end."""
    bar = QToolBar("Main toolbar", window)
    bar.setObjectName("mainToolBar")
    bar.setAccessibleName("Main toolbar")
    bar.setMovable(False)
    bar.setFloatable(False)
    bar.setIconSize(QSize(18, 18))
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    bar.toggleViewAction().setEnabled(False)  # no way to lose the toolbar by accident
    slots: list[QAction] = []  # the toolbar's items in order, separators included
    for name in TOOLBAR_ACTIONS:
        if not name:
            slots.append(bar.addSeparator())
            continue
        action = actions.get(name)
        if action is not None:
            bar.addAction(action)
            _name_button(bar, action)
            slots.append(action)
    _OneButtonPerWording(bar, slots)
    spacer = QWidget(bar)
    spacer.setObjectName("toolbarSpacer")
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    bar.addWidget(spacer)
    offline = actions.get("actionWorkOffline")
    if offline is not None:
        bar.addAction(offline)
        _name_button(bar, offline)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    return bar


class _OneButtonPerWording(QObject):
    """Takes a toolbar action off the bar while an earlier one says the same thing."""

    def __init__(self, bar: QToolBar, slots: list[QAction]) -> None:
        super().__init__(bar)
        self.setObjectName("toolbarDeduplicator")
        self._bar = bar
        self._slots = slots
        for action in slots:
            if not action.isSeparator():
                action.changed.connect(self.update)
        self.update()

    def update(self) -> None:
        bar = self._bar
        seen: set[str] = set()
        for index, action in enumerate(self._slots):
            if action.isSeparator():
                continue
            wording = _plain(action.text()).casefold()
            shown = action in bar.actions()
            duplicate = wording in seen
            seen.add(wording)
            if duplicate and shown:
                bar.removeAction(action)
            elif not duplicate and not shown:
                # back in its place: before the first later item (or what follows them)
                earlier = set(self._slots[:index])
                before = next((a for a in bar.actions() if a not in earlier), None)
                if before is None:
                    bar.addAction(action)
                else:
                    bar.insertAction(before, action)
                _name_button(bar, action)


def _name_button(bar: QToolBar, action: QAction) -> None:
    widget = bar.widgetForAction(action)
    if widget is not None:
        widget.setObjectName(f"toolbar_{action.objectName()}")
        widget.setAccessibleName(_plain(action.text()))


def header_button(action: QAction, text: str, parent: QWidget | None = None) -> QToolButton:
    """A flat button for a record header that triggers ``action`` (shown with ``text``)."""
    button = QToolButton(parent)
    button.setObjectName(f"header_{action.objectName()}")
    button.setAutoRaise(True)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setIcon(action.icon())
    button.setText(text)
    shortcut = action.shortcut().toString()
    tip = _plain(action.text()) + (f" ({shortcut})" if shortcut else "")
    button.setToolTip(tip)
    button.setAccessibleName(_plain(action.text()))
    button.setEnabled(action.isEnabled())
    button.clicked.connect(action.trigger)
    action.enabledChanged.connect(button.setEnabled)
    return button


def _plain(text: str) -> str:
    return text.replace("&", "").replace("…", "").strip()


def actions_by_name(*groups: Iterable[QAction] | Mapping[str, QAction]) -> dict[str, QAction]:
    """Every QAction of ``groups`` (lists or dicts of actions), by object name."""
    out: dict[str, QAction] = {}
    for group in groups:
        items = group.values() if isinstance(group, Mapping) else group
        for action in items:
            if action.objectName():
                out[action.objectName()] = action
    return out
