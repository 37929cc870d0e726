"""The main toolbar and the action buttons in a record's header.

Both show the window's own ``QAction`` objects (the ones in the menus), so a toolbar button,
a header button, a menu item and a shortcut always run the same command and share one
enabled state. Nothing here knows about services.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QSize, Qt
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
    ),
    "group": (
        ("actionAddNote", "Add note"),
        ("actionNewActivity", "Schedule"),
        ("actionDeleteShown", "Delete"),
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
    for name in TOOLBAR_ACTIONS:
        if not name:
            bar.addSeparator()
            continue
        action = actions.get(name)
        if action is not None:
            bar.addAction(action)
            _name_button(bar, action)
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


def actions_by_name(*groups: Any) -> dict[str, QAction]:
    """Every QAction of ``groups`` (lists, dicts, or objects with ``all()``), by object name."""
    out: dict[str, QAction] = {}
    for group in groups:
        if isinstance(group, Mapping):
            items = list(group.values())
        elif hasattr(group, "all"):
            items = list(group.all())
        else:
            items = list(group)
        for action in items:
            if isinstance(action, QAction) and action.objectName():
                out[action.objectName()] = action
    return out
