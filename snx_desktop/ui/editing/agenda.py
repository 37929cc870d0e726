"""The agenda pane and the reminder notifier, both fed by the activities in the offline store.

`AgendaView` lists the signed-in rep's activities by day (today and the next two weeks, plus
older ones still open), overdue ones marked in red with "Overdue", each with a complete box
(``completeRequested`` when the rep checks one). Day names and dates are in the user's
language; weeks start on the locale's first weekday (a day that opens a new week says so).
`ReminderNotifier` checks the local store on a `QTimer` (online or offline alike) and reminds
about activities that are due: a tray message where the desktop has a system tray, else an
in-app notice (its ``notice`` signal and an information message).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSystemTrayIcon,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from snx_desktop import messages
from snx_desktop.api.values import as_bool
from snx_desktop.models.localefmt import app_locale
from snx_desktop.models.schema import format_date, format_time
from snx_desktop.ui.editing.agendadata import (
    agenda_days,
    due_reminders,
    reminder_text,
    week_start,
)

if TYPE_CHECKING:
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.types import Change, Record

__all__ = ["AgendaView", "ReminderNotifier", "cached_activities"]

log = logging.getLogger(__name__)

ACTIVITY_ROLE = int(Qt.ItemDataRole.UserRole) + 1
#: on a day's heading: the first day of its week (the locale's first weekday), a `date`
WEEK_ROLE = int(Qt.ItemDataRole.UserRole) + 2
OVERDUE = QColor("#c0392b")
TYPE_NAMES = {"call": "Call", "meeting": "Meeting", "todo": "To-do"}
MAX_CACHED = 1_000_000


def cached_activities(services: AccountServices) -> list[Record]:
    """Every activity in the offline store (no network)."""
    page = services.browse.search_local("activity", "", limit=MAX_CACHED)
    return [dict(r) for r in page.records]


#: px: an agenda narrower than this hides its Type and Status columns
NARROW_AGENDA = 520


def _me(services: AccountServices) -> str | None:
    schema = services.schema.current
    return schema.me if schema is not None else None


class AgendaView(QWidget):
    """Activities by day; ``activityActivated(dict)`` on double-click or Enter."""

    activityActivated = Signal(object)
    summaryChanged = Signal(str)
    #: an open activity's complete box was checked: its id and record
    completeRequested = Signal(str, object)

    def __init__(
        self,
        services: AccountServices,
        parent: QWidget | None = None,
        *,
        now: Callable[[], datetime] = datetime.now,
        days_ahead: int = 14,
        name_for: Callable[[str], str] | None = None,
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
        self.tree.setHeaderLabels(["Time", "Activity", "Type", "Status", "With"])
        # the complete box, then a time such as "12:30 PM" in full
        time_width = self.tree.fontMetrics().horizontalAdvance("12:30 PM")
        self.tree.setColumnWidth(0, max(110, time_width + 72))
        self.tree.setUniformRowHeights(True)
        self.tree.header().setStretchLastSection(False)
        # the subject and the contact share the room left: no sideways scrolling at 1024 px
        for col in (1, 4):
            self.tree.header().setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        for col in (2, 3):
            self.tree.header().setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setAlternatingRowColors(True)
        layout.addWidget(self.tree, 1)
        self.empty = QLabel(self)
        self.empty.setObjectName("agendaEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setEnabled(False)
        self.empty.hide()
        layout.addWidget(self.empty, 1)
        #: names of contacts by id (the window's lookups); "" when unknown
        self._name_for = name_for
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        self.show_completed.toggled.connect(lambda _c: self.refresh())
        self.refresh_button.clicked.connect(self.refresh)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemChanged.connect(self._item_changed)
        self._disconnect = services.changes.connect(self._changed)
        self.refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # narrow (1024 px): the subject and the contact take the room of Type and Status
        # (overdue rows are red and counted per day; both are in the details of the row)
        narrow = self.width() < NARROW_AGENDA
        for col in (2, 3):
            self.tree.setColumnHidden(col, narrow)

    def detach(self) -> None:
        if self._disconnect is not None:
            self._disconnect()
            self._disconnect = None

    def _changed(self, change: Change) -> None:
        if change.kind in ("activity", "note", "contact"):
            try:
                self._timer.start()
            except RuntimeError:
                self.detach()

    def schedule_refresh(self) -> None:
        """Refresh once the current burst of events is over."""
        self._timer.start()

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        activity = item.data(0, ACTIVITY_ROLE)
        if isinstance(activity, dict):
            self.activityActivated.emit(activity)

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        activity = item.data(0, ACTIVITY_ROLE)
        if column != 0 or not isinstance(activity, dict):
            return
        if item.checkState(0) == Qt.CheckState.Checked and not as_bool(
            str(activity.get("completed", ""))
        ):
            self.completeRequested.emit(str(activity.get("id", "")), activity)

    def uncheck(self, activity_id: str) -> None:
        """The rep cancelled: the activity's box is unchecked again."""
        for item in self.items():
            activity = item.data(0, ACTIVITY_ROLE)
            if isinstance(activity, dict) and activity.get("id") == activity_id:
                self.tree.blockSignals(True)
                item.setCheckState(0, Qt.CheckState.Unchecked)
                self.tree.blockSignals(False)

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
        selected = self.current_activity_id()
        self.tree.blockSignals(True)  # the complete boxes are set, not checked by the rep
        self.tree.clear()
        bold = QFont(self.tree.font())
        bold.setBold(True)
        overdue_total = 0
        count = 0
        today_item: QTreeWidgetItem | None = None
        current: QTreeWidgetItem | None = None
        locale = app_locale()
        first_weekday = int(locale.firstDayOfWeek().value)
        week = None
        for day in days:
            weekday = locale.dayName(day.day.isoweekday(), QLocale.FormatType.LongFormat)
            label = f"{weekday}, {format_date(day.day.isoformat())}"
            if day.day == now.date():
                label = f"Today, {format_date(day.day.isoformat())}"
            elif day.day == now.date() + timedelta(days=1):
                label = f"Tomorrow, {format_date(day.day.isoformat())}"
            n = len(day.items)
            label += f" · {n} {'activity' if n == 1 else 'activities'}"
            if day.overdue_count:
                label += f", {day.overdue_count} overdue"
            head = QTreeWidgetItem([label, "", "", "", ""])
            this_week = week_start(day.day, first_weekday)
            head.setData(0, WEEK_ROLE, this_week)
            if week is not None and this_week != week:
                head.setToolTip(0, f"A new week starts: {format_date(this_week.isoformat())}")
            week = this_week
            if today_item is None and day.day >= now.date():
                today_item = head
            head.setFont(0, bold)
            if day.overdue_count:
                head.setForeground(0, QBrush(OVERDUE))
            for it in day.items:
                act = it.activity
                when = "All day" if it.timeless or it.start is None else format_time(it.start)
                status = "Overdue" if it.overdue else ("Done" if it.completed else "")
                child = QTreeWidgetItem(
                    [
                        when,
                        str(act.get("regarding", "") or "(no subject)"),
                        TYPE_NAMES.get(str(act.get("type", "")), str(act.get("type", ""))),
                        status,
                        self._with(act),
                    ]
                )
                child.setData(0, ACTIVITY_ROLE, act)
                child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                done = Qt.CheckState.Checked if it.completed else Qt.CheckState.Unchecked
                child.setCheckState(0, done)
                child.setToolTip(0, "Completed" if it.completed else "Check to complete it")
                if act.get("id") == selected and selected:
                    current = child
                # the whole subject and name, where a narrow window cuts them
                child.setToolTip(1, child.text(1))
                child.setToolTip(4, child.text(4))
                if it.overdue:
                    for col in range(5):
                        child.setForeground(col, QBrush(OVERDUE))
                    child.setToolTip(1, f"{child.text(1)}\nOverdue: not completed and already over")
                head.addChild(child)
                count += 1
                overdue_total += int(it.overdue)
            self.tree.addTopLevelItem(head)
            head.setFirstColumnSpanned(True)
        self.tree.expandAll()
        self.tree.blockSignals(False)
        if current is not None:  # the same activity stays selected after a change
            self.tree.setCurrentItem(current)
        elif today_item is not None:  # overdue days come first: show today at the top
            self.tree.scrollToItem(today_item, QTreeWidget.ScrollHint.PositionAtTop)
        text = f"{count} {'activity' if count == 1 else 'activities'}"
        if overdue_total:
            text += f", {overdue_total} overdue"
        if not count:
            text = "Nothing planned"
            self.empty.setText(
                "Nothing planned for the next two weeks.\n"
                "Activities appear here once they are saved on this computer: open "
                "Activities, or use File ▸ Make available offline."
            )
        self.tree.setVisible(bool(count))
        self.empty.setVisible(not count)
        self.summary.setText(text)
        self.summaryChanged.emit(text)

    def _with(self, activity: Mapping[str, str]) -> str:
        rid = str(activity.get("schedule-with", "") or "")
        if not rid or self._name_for is None:
            return ""
        try:
            return self._name_for(rid)
        except Exception:
            log.debug("no name for an activity's contact", exc_info=True)
            return ""

    def current_activity_id(self) -> str:
        item = self.tree.currentItem()
        activity = item.data(0, ACTIVITY_ROLE) if item is not None else None
        return str(activity.get("id", "")) if isinstance(activity, dict) else ""

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
        services: AccountServices,
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

    def check_now(self) -> list[Record]:
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
