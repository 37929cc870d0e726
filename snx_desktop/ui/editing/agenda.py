"""The agenda pane and the reminder notifier, both fed by the activities in the offline store.

`AgendaView` lists the signed-in rep's activities by day (today and the next two weeks, plus
older ones still open), overdue ones marked in red with "Overdue". `ReminderNotifier` checks
the local store on a `QTimer` (online or offline alike) and reminds about activities that are
due: a tray message where the desktop has a system tray, else an in-app notice (its ``notice``
signal and an information message).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSystemTrayIcon,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from snx_desktop import messages
from snx_desktop.ui.editing.agendadata import (
    agenda_days,
    due_reminders,
    reminder_text,
)

__all__ = ["AgendaView", "ReminderNotifier", "cached_activities"]

log = logging.getLogger(__name__)

ACTIVITY_ROLE = int(Qt.ItemDataRole.UserRole) + 1
OVERDUE = QColor("#c0392b")
TYPE_NAMES = {"call": "Call", "meeting": "Meeting", "todo": "To-do"}
MAX_CACHED = 1_000_000


def cached_activities(services: Any) -> list[dict[str, Any]]:
    """Every activity in the offline store (no network)."""
    page = services.browse.search_local("activity", "", limit=MAX_CACHED)
    return [dict(r) for r in page.records]


def _me(services: Any) -> str | None:
    schema = services.schema.current
    return getattr(schema, "me", None) if schema is not None else None


class AgendaView(QWidget):
    """Activities by day; ``activityActivated(dict)`` on double-click or Enter."""

    activityActivated = Signal(object)

    def __init__(
        self,
        services: Any,
        parent: QWidget | None = None,
        *,
        now: Callable[[], datetime] = datetime.now,
        days_ahead: int = 14,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("agendaView")
        self.setAccessibleName("Agenda")
        self.services = services
        self.now = now
        self.days_ahead = days_ahead
        self._disconnect: Callable[[], None] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        top = QHBoxLayout()
        self.summary = QLabel(self)
        self.summary.setObjectName("agendaSummary")
        self.summary.setAccessibleName("Agenda summary")
        top.addWidget(self.summary, 1)
        self.show_completed = QCheckBox("Show &completed", self)
        self.show_completed.setObjectName("agendaShowCompleted")
        self.show_completed.setAccessibleName("Show completed activities")
        top.addWidget(self.show_completed)
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setObjectName("agendaRefresh")
        self.refresh_button.setAccessibleName("Refresh agenda")
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("agendaTree")
        self.tree.setAccessibleName("Activities by day")
        self.tree.setHeaderLabels(["Time", "Activity", "Type", "Status"])
        self.tree.setColumnWidth(0, 160)
        self.tree.setColumnWidth(1, 320)
        layout.addWidget(self.tree, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        self.show_completed.toggled.connect(lambda _c: self.refresh())
        self.refresh_button.clicked.connect(self.refresh)
        self.tree.itemActivated.connect(self._activated)
        changes = getattr(services, "changes", None)
        if changes is not None:
            self._disconnect = changes.connect(self._changed)
        self.refresh()

    def detach(self) -> None:
        if self._disconnect is not None:
            self._disconnect()
            self._disconnect = None

    def _changed(self, change: Any) -> None:
        if getattr(change, "kind", "") in ("activity", "note", "contact"):
            try:
                self._timer.start()
            except RuntimeError:
                self.detach()

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        activity = item.data(0, ACTIVITY_ROLE)
        if isinstance(activity, dict):
            self.activityActivated.emit(activity)

    def refresh(self) -> None:
        now = self.now()
        try:
            activities = cached_activities(self.services)
        except Exception:
            log.exception("reading cached activities failed")
            return
        days = agenda_days(
            activities,
            user_id=_me(self.services),
            now=now,
            days_ahead=self.days_ahead,
            include_completed=self.show_completed.isChecked(),
        )
        self.tree.clear()
        bold = QFont(self.tree.font())
        bold.setBold(True)
        overdue_total = 0
        count = 0
        for day in days:
            label = "Today" if day.day == now.date() else day.day.strftime("%A %d %B %Y")
            if day.day == now.date() + timedelta(days=1):
                label = "Tomorrow"
            n = len(day.items)
            label += f" · {n} {'activity' if n == 1 else 'activities'}"
            if day.overdue_count:
                label += f", {day.overdue_count} overdue"
            head = QTreeWidgetItem([label, "", "", ""])
            head.setFont(0, bold)
            if day.overdue_count:
                head.setForeground(0, QBrush(OVERDUE))
            for it in day.items:
                act = it.activity
                when = "All day" if it.timeless or it.start is None else f"{it.start:%H:%M}"
                status = "Overdue" if it.overdue else ("Done" if it.completed else "")
                child = QTreeWidgetItem(
                    [
                        when,
                        str(act.get("regarding", "") or "(no subject)"),
                        TYPE_NAMES.get(str(act.get("type", "")), str(act.get("type", ""))),
                        status,
                    ]
                )
                child.setData(0, ACTIVITY_ROLE, act)
                if it.overdue:
                    for col in range(4):
                        child.setForeground(col, QBrush(OVERDUE))
                    child.setToolTip(1, "Overdue: not completed and already over")
                head.addChild(child)
                count += 1
                overdue_total += int(it.overdue)
            self.tree.addTopLevelItem(head)
            head.setFirstColumnSpanned(True)
        self.tree.expandAll()
        text = f"{count} {'activity' if count == 1 else 'activities'}"
        if overdue_total:
            text += f", {overdue_total} overdue"
        self.summary.setText(text)

    def items(self) -> list[QTreeWidgetItem]:
        """The activity rows (not the day headers), in order."""
        out: list[QTreeWidgetItem] = []
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            if head is None:
                continue
            out.extend(c for c in (head.child(j) for j in range(head.childCount())) if c)
        return out


class ReminderNotifier(QObject):
    """Checks the store for due activities every ``interval_ms``; reminds about each once."""

    notice = Signal(str)
    reminded = Signal(list)

    def __init__(
        self,
        services: Any,
        parent: QObject | None = None,
        *,
        tray: QSystemTrayIcon | None = None,
        interval_ms: int = 60_000,
        lead: timedelta = timedelta(minutes=15),
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reminderNotifier")
        self.services = services
        self.tray = tray
        self.lead = lead
        self.now = now
        self.seen: set[str] = set()
        self.timer = QTimer(self)
        self.timer.setObjectName("reminderTimer")
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check_now)

    def start(self) -> None:
        self.timer.start()
        QTimer.singleShot(0, self.check_now)

    def stop(self) -> None:
        self.timer.stop()

    def uses_tray(self) -> bool:
        tray = self.tray
        return (
            tray is not None
            and QSystemTrayIcon.isSystemTrayAvailable()
            and QSystemTrayIcon.supportsMessages()
            and tray.isVisible()
        )

    def check_now(self) -> list[dict[str, Any]]:
        now = self.now()
        try:
            due = due_reminders(
                cached_activities(self.services),
                user_id=_me(self.services),
                now=now,
                lead=self.lead,
                seen=self.seen,
            )
        except Exception:
            log.exception("checking reminders failed")
            return []
        for act in due:
            text = reminder_text(act, now)
            if self.uses_tray():
                assert self.tray is not None
                self.tray.showMessage(
                    "SalesNexus reminder", text, QSystemTrayIcon.MessageIcon.Information, 15000
                )
            else:
                self.notice.emit(text)
                messages.info(text)
        if due:
            self.reminded.emit(due)
        return due
