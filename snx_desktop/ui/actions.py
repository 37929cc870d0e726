"""The window's actions (each with its shortcut) and the menus that hold every one of them."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenuBar

from snx_desktop.ui.iconset import get_icon
from snx_desktop.ui.navigation import SECTIONS

__all__ = ["WindowActions", "build_actions"]


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
    about: QAction

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
            self.about,
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
        about=_action(window, "actionAbout", "&About SalesNexus Desktop"),
    )
    acts.work_offline.setCheckable(True)
    acts.quit.setShortcuts([QKeySequence(QKeySequence.StandardKey.Quit), QKeySequence("Ctrl+Q")])
    for number, (key, label, icon) in enumerate(SECTIONS, start=1):
        acts.sections[key] = _action(
            window, f"actionShow_{key}", label, f"Ctrl+{number}", icon, f"Show {label.lower()}"
        )

    file_menu = menubar.addMenu("&File")
    file_menu.setObjectName("menuFile")
    file_menu.addAction(acts.switch_account)
    file_menu.addAction(acts.sign_out)
    file_menu.addSeparator()
    file_menu.addAction(acts.work_offline)
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
    help_menu.addAction(acts.about)
    return acts
