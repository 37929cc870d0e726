"""The window's actions (each with its shortcut) and the menus that hold every one of them.

Also the wording of the work-offline switch (:func:`work_offline_wording`): the menu item, the
toolbar button and the status bar's button all say what pressing them does ("Work offline",
or "Go online" while working offline), from this one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QActionEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMenuBar, QWidget

from snx_desktop.ui.iconset import get_icon
from snx_desktop.ui.navigation import SECTIONS

__all__ = [
    "SwitchWording",
    "WindowActions",
    "apply_work_offline_wording",
    "build_actions",
    "follow_work_offline",
    "work_offline_wording",
]


@dataclass(frozen=True)
class SwitchWording:
    """What the work-offline switch says in one state."""

    label: str  # buttons and accessible names
    menu_text: str  # the menu item (with its mnemonic)
    tooltip: str  # tooltip and status tip


_WORK_OFFLINE = SwitchWording(
    "Work offline",
    "&Work offline",
    "Work without the network; changes are queued and sent later",
)
_GO_ONLINE = SwitchWording(
    "Go online",
    "&Go online",
    "Stop working offline and send the queued changes",
)


def work_offline_wording(working_offline: bool) -> SwitchWording:
    """The switch says what pressing it does: go offline, or (while offline) go back online."""
    return _GO_ONLINE if working_offline else _WORK_OFFLINE


def apply_work_offline_wording(action: QAction) -> None:
    """Word ``action`` (and the buttons showing it) for its checked state."""
    wording = work_offline_wording(action.isChecked())
    if action.text() != wording.menu_text:
        action.setText(wording.menu_text)
    if action.toolTip() != wording.tooltip:
        action.setToolTip(wording.tooltip)
        action.setStatusTip(wording.tooltip)
    for obj in action.associatedObjects():
        if not isinstance(obj, QWidget) or isinstance(obj, QMenu):
            continue  # a menu item's accessible name is its text
        if obj.accessibleName() != wording.label:
            obj.setAccessibleName(wording.label)


class _WordingFollower(QObject):
    """Re-words the work-offline action whenever it changes.

    Qt tells the widgets holding an action about every change with an ``ActionChanged``
    event, even while the action's signals are blocked (the session sets the checked state
    that way, so that it does not echo back as a user's toggle); so this watches the menu
    that holds the action rather than its ``toggled`` signal.
    """

    def __init__(self, action: QAction, holder: QWidget) -> None:
        super().__init__(holder)
        self.setObjectName("workOfflineWording")
        self._action = action
        holder.installEventFilter(self)
        apply_work_offline_wording(action)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ActionChanged
            and isinstance(event, QActionEvent)
            and event.action() is self._action
        ):
            apply_work_offline_wording(self._action)
        return False


def follow_work_offline(action: QAction, holder: QWidget) -> None:
    """Keep ``action`` worded for its checked state; ``holder`` is a widget (a menu) that
    shows the action for as long as it lives."""
    _WordingFollower(action, holder)


@dataclass
class WindowActions:
    switch_account: QAction
    sign_out: QAction
    work_offline: QAction
    make_offline: QAction
    quit: QAction
    find: QAction
    new_record: QAction
    delete: QAction
    refresh: QAction
    previous: QAction
    next: QAction
    sections: dict[str, QAction]
    check_server: QAction
    about: QAction
    open_log_folder: QAction
    copy_diagnostics: QAction

    def all(self) -> list[QAction]:
        fixed = [
            self.switch_account,
            self.sign_out,
            self.work_offline,
            self.make_offline,
            self.quit,
            self.find,
            self.new_record,
            self.delete,
            self.refresh,
            self.previous,
            self.next,
            self.check_server,
            self.about,
            self.open_log_folder,
            self.copy_diagnostics,
        ]
        return fixed + list(self.sections.values())


def _action(
    window: QMainWindow,
    name: str,
    text: str,
    shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    icon: str = "",
    tip: str = "",
) -> QAction:
    action = QAction(text, window)
    action.setObjectName(name)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if icon:
        action.setIcon(get_icon(icon))
    action.setToolTip(tip or text.replace("&", "").replace("…", ""))
    action.setStatusTip(tip or text.replace("&", "").replace("…", ""))
    return action


def build_actions(window: QMainWindow, menubar: QMenuBar) -> WindowActions:
    """Create the actions, put each in a menu, and return them."""
    acts = WindowActions(
        switch_account=_action(window, "actionSwitchAccount", "&Switch account…", None, "sign-in"),
        sign_out=_action(window, "actionSignOut", "Sign &out", None, "sign-out"),
        work_offline=_action(
            window, "actionWorkOffline", "&Work offline", "Ctrl+Shift+O", "offline"
        ),
        make_offline=_action(
            window,
            "actionMakeOffline",
            "&Make available offline",
            None,
            "sync",
            "Save all contacts, groups and your activities on this computer",
        ),
        quit=_action(window, "actionQuit", "&Quit", QKeySequence.StandardKey.Quit),
        find=_action(window, "actionFind", "&Find…", "Ctrl+F", "search", "Search the current list"),
        new_record=_action(window, "actionNew", "&New…", "Ctrl+N", "add", "New record"),
        delete=_action(window, "actionDelete", "&Delete", "Delete", "delete", "Delete"),
        refresh=_action(
            window, "actionRefresh", "&Refresh", "F5", "refresh", "Reload the list from the server"
        ),
        previous=_action(window, "actionPrevious", "&Previous record", "Alt+Up"),
        next=_action(window, "actionNext", "Ne&xt record", "Alt+Down"),
        sections={},
        check_server=_action(
            window,
            "actionCheckServer",
            "&Check server…",
            tip="Compare the server's answers with what this app expects (read-only)",
        ),
        about=_action(window, "actionAbout", "&About SalesNexus Desktop"),
        open_log_folder=_action(
            window,
            "actionOpenLogFolder",
            "Open &log folder",
            tip="Show the folder with this app's log files",
        ),
        copy_diagnostics=_action(
            window,
            "actionCopyDiagnostics",
            "Copy &diagnostics",
            tip="Copy versions, settings and the last log lines for support (no passwords)",
        ),
    )
    acts.work_offline.setCheckable(True)
    acts.quit.setShortcuts([QKeySequence(QKeySequence.StandardKey.Quit), QKeySequence("Ctrl+Q")])
    # the lists keep Ctrl+1 .. Ctrl+7; Home, first in the navigation, is Alt+Home
    numbers = {k: n for n, k in enumerate((s[0] for s in SECTIONS if s[0] != "home"), start=1)}
    for key, label, icon in SECTIONS:
        shortcut = f"Ctrl+{numbers[key]}" if key in numbers else "Alt+Home"
        acts.sections[key] = _action(
            window, f"actionShow_{key}", label, shortcut, icon, f"Show {label.lower()}"
        )

    file_menu = menubar.addMenu("&File")
    file_menu.setObjectName("menuFile")
    file_menu.addAction(acts.switch_account)
    file_menu.addAction(acts.sign_out)
    file_menu.addSeparator()
    file_menu.addAction(acts.work_offline)
    follow_work_offline(acts.work_offline, file_menu)
    file_menu.addAction(acts.make_offline)
    file_menu.addSeparator()
    file_menu.addAction(acts.quit)

    edit_menu = menubar.addMenu("&Edit")
    edit_menu.setObjectName("menuEdit")
    edit_menu.addAction(acts.find)
    edit_menu.addSeparator()
    edit_menu.addAction(acts.new_record)
    edit_menu.addAction(acts.delete)

    view_menu = menubar.addMenu("&View")
    view_menu.setObjectName("menuView")
    for action in acts.sections.values():
        view_menu.addAction(action)
    view_menu.addSeparator()
    view_menu.addAction(acts.previous)
    view_menu.addAction(acts.next)
    view_menu.addSeparator()
    view_menu.addAction(acts.refresh)

    help_menu = menubar.addMenu("&Help")
    help_menu.setObjectName("menuHelp")
    help_menu.addAction(acts.check_server)
    help_menu.addAction(acts.open_log_folder)
    help_menu.addAction(acts.copy_diagnostics)
    help_menu.addSeparator()
    help_menu.addAction(acts.about)
    return acts
