"""The Home page: the rep's day and pipeline at a glance, from the offline store.

:class:`HomeView` (``homeView``) shows today's and overdue activities, each with a complete
box; the pipeline picture (:class:`~snx_desktop.ui.pipelinechart.PipelineChart`); the open
sales closing this week and this month; the records opened lately; and the changes waiting to
be sent, with the conflicts among them (a link opens Pending changes). Its figures are read by
:class:`~snx_desktop.services.home.HomeService` in the store writer's thread, so the event loop
never waits on them, and read again a moment after any change lands (``services.changes``),
online or offline alike.

:class:`HomeBinding` puts the view on the list pane's Home page for one signed-in account and
connects it to the window: a box opens the complete popup, a bar lists its sales in the Sales
list, a recent record opens in the detail pane, and every record the rep opens is remembered
(per account, in the window's settings).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from snx_desktop.api.values import parse_datetime
from snx_desktop.models.schema import CURRENCY, format_date, format_time, format_value
from snx_desktop.services.home import (
    Bar,
    HomeFigures,
    HomeService,
    RecentRecord,
    recent_from_json,
    recent_to_json,
    with_opened,
)
from snx_desktop.ui.pipelinechart import PipelineChart

if TYPE_CHECKING:
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.types import Change, QueueStatus
    from snx_desktop.ui.mainwindow import MainWindow

__all__ = ["HomeBinding", "HomeView", "money"]

log = logging.getLogger(__name__)

RECORD_ROLE = int(Qt.ItemDataRole.UserRole) + 1
OVERDUE = QColor("#c0392b")
TYPE_NAMES = {"call": "Call", "meeting": "Meeting", "todo": "To-do"}
TODAY_ROWS = 8  # rows of the list shown before it scrolls
KIND_NAMES = {"contact": "Contact", "group": "Group", "activity": "Activity", "sale": "Sale"}


def money(amount: float) -> str:
    return format_value(f"{amount:.2f}", CURRENCY)


def _sales(count: int) -> str:
    return f"{count:,} {'sale' if count == 1 else 'sales'}"


def _heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    return label


class HomeView(QScrollArea):
    """The Home page (see the module); ``figuresShown`` once new figures are on screen."""

    completeRequested = Signal(str, object)  # activity id, record
    barClicked = Signal(object)  # Bar
    recordRequested = Signal(str, str)  # kind, record id
    pendingRequested = Signal()
    figuresShown = Signal()

    def __init__(
        self,
        home: HomeService,
        parent: QWidget | None = None,
        *,
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("homeView")
        self.setAccessibleName("Home")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.home = home
        self.now = now
        self.figures: HomeFigures | None = None
        self._task: asyncio.Future[None] | None = None
        self._again = False
        self._closed = False
        body = QWidget(self)
        body.setObjectName("homeBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)

        self.today_title = _heading("Today", body)
        layout.addWidget(self.today_title)
        self.today = QListWidget(body)
        self.today.setObjectName("homeToday")
        self.today.setAccessibleName("Today's and overdue activities")
        self.today.setUniformItemSizes(True)
        self.today.setSizeAdjustPolicy(QListWidget.SizeAdjustPolicy.AdjustToContents)
        self.today.itemChanged.connect(self._item_changed)
        self.today.itemActivated.connect(self._activity_activated)
        row_height = self.today.fontMetrics().height() + 4
        self.today.setMaximumHeight(row_height * TODAY_ROWS + 2 * self.today.frameWidth() + 4)
        layout.addWidget(self.today)

        layout.addWidget(_heading("Pipeline", body))
        self.chart = PipelineChart(money, body)
        self.chart.barClicked.connect(self.barClicked)
        layout.addWidget(self.chart)
        self.closing = QLabel(body)
        self.closing.setObjectName("homeClosing")
        self.closing.setAccessibleName("Sales closing soon")
        self.closing.setWordWrap(True)
        layout.addWidget(self.closing)

        layout.addWidget(_heading("Recently opened", body))
        self.recent = QListWidget(body)
        self.recent.setObjectName("homeRecent")
        self.recent.setAccessibleName("Recently opened records")
        self.recent.setSizeAdjustPolicy(QListWidget.SizeAdjustPolicy.AdjustToContents)
        self.recent.itemClicked.connect(self._recent_chosen)
        self.recent.itemActivated.connect(self._recent_chosen)
        self.recent.setMaximumHeight(row_height * 6 + 2 * self.recent.frameWidth() + 4)
        layout.addWidget(self.recent)

        self.pending = QLabel(body)
        self.pending.setObjectName("homePending")
        self.pending.setAccessibleName("Pending changes")
        self.pending.setTextFormat(Qt.TextFormat.RichText)
        self.pending.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.pending.linkActivated.connect(lambda _link: self.pendingRequested.emit())
        layout.addWidget(self.pending)
        layout.addStretch(1)
        self.setWidget(body)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(50)  # a burst of changes: one read
        self._timer.timeout.connect(self.refresh)
        self.set_queue(0, 0)

    # -- reading ----------------------------------------------------------------------------
    def schedule_refresh(self) -> None:
        """Read the figures again once the current burst of changes is over."""
        if not self._closed:
            self._timer.start()

    def refresh(self) -> None:
        """Read the figures (in the store writer's thread) and show them; one read at a time."""
        if self._closed:
            return
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.ensure_future(self._read())

    def close_view(self) -> None:
        """No more reads (the account's services are closing)."""
        self._closed = True
        self._timer.stop()
        if self._task is not None:
            self._task.cancel()

    async def _read(self) -> None:
        while not self._closed:
            self._again = False
            try:
                figures = await self.home.figures(self.now())
            except Exception:
                log.exception("reading the Home page's figures failed")
                return
            try:
                self.show_figures(figures)
            except RuntimeError:  # the view is gone
                return
            if not self._again:
                return

    def show_now(self) -> None:
        """The page is shown: its figures (kept current by the changes) at once, then read
        again in the background (pages fetched meanwhile may have added sales)."""
        if self.figures is not None:
            self.figuresShown.emit()
        self.refresh()

    def show_figures(self, figures: HomeFigures) -> None:
        if figures == self.figures:
            self.figuresShown.emit()
            return  # nothing new: nothing laid out again
        self.figures = figures
        self._show_today(figures)
        self.chart.set_groups(
            [("By status", figures.by_status), ("By sales state", figures.by_state)]
        )
        week, month = figures.closing_week, figures.closing_month
        self.closing.setText(
            f"Closing this week: {_sales(week.count)}, {money(week.amount)}\n"
            f"Closing this month: {_sales(month.count)}, {money(month.amount)}"
        )
        self.closing.setToolTip("Open sales whose close date falls this week (Monday to Sunday)")
        self.figuresShown.emit()

    def _show_today(self, figures: HomeFigures) -> None:
        self.today.blockSignals(True)  # the boxes are set, not checked by the rep
        self.today.clear()
        now = self.now()
        for activity in figures.today:
            rid = str(activity.get("id", ""))
            overdue = rid in figures.overdue_ids
            text = self._activity_text(activity, overdue, now, figures.names)
            item = QListWidgetItem(text, self.today)
            item.setData(RECORD_ROLE, dict(activity))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setToolTip("Check to complete it; double-click to open it")
            if overdue:
                item.setForeground(QBrush(OVERDUE))
        more = figures.today_total - len(figures.today)
        if more > 0:
            rest = QListWidgetItem(f"… and {more:,} more in the Agenda", self.today)
            rest.setFlags(Qt.ItemFlag.NoItemFlags)
        if not figures.today:
            empty = QListWidgetItem("Nothing due today.", self.today)
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
        self.today.blockSignals(False)
        late = figures.overdue_total
        due = figures.today_total - late
        parts = [f"{due:,} due"] if due else []
        parts += [f"{late:,} overdue"] if late else []
        self.today_title.setText("Today" + (" · " + ", ".join(parts) if parts else ""))

    def _activity_text(
        self,
        activity: Mapping[str, Any],
        overdue: bool,
        now: datetime,
        names: Mapping[str, str],
    ) -> str:
        start = parse_datetime(activity.get("start-time"))
        if start is None or str(activity.get("timeless", "")).lower() in ("true", "1"):
            when = "All day"
        else:
            when = format_time(start)
        if start is not None and start.date() != now.date():
            when = f"{format_date(start.date().isoformat())} {when}"
        kind = TYPE_NAMES.get(str(activity.get("type", "")), "Activity")
        subject = str(activity.get("regarding", "") or "(no subject)")
        text = f"{when}  {kind}: {subject}"
        name = names.get(str(activity.get("schedule-with", "") or ""), "")
        if name:
            text += f" — {name}"
        return f"Overdue · {text}" if overdue else text

    def show_recent(self, recent: Sequence[RecentRecord]) -> None:
        self.recent.clear()
        for record in recent:
            kind = KIND_NAMES.get(record.kind, record.kind.title())
            item = QListWidgetItem(f"{record.title or '(no name)'}  ·  {kind}", self.recent)
            item.setData(RECORD_ROLE, (record.kind, record.id))
        if not recent:
            empty = QListWidgetItem("Records you open appear here.", self.recent)
            empty.setFlags(Qt.ItemFlag.NoItemFlags)

    def set_queue(self, pending: int, conflicts: int) -> None:
        """The changes waiting to be sent and the conflicts among them."""
        if not pending and not conflicts:
            self.pending.setText("Every change is sent.")
            return
        text = f"{pending:,} {'change' if pending == 1 else 'changes'} waiting to be sent"
        if conflicts:
            text += f", {conflicts:,} in conflict"
        self.pending.setText(f'{text}: <a href="pending">see Pending changes</a>')

    # -- the rep's clicks -------------------------------------------------------------------
    def _item_changed(self, item: QListWidgetItem) -> None:
        activity = item.data(RECORD_ROLE)
        if isinstance(activity, dict) and item.checkState() == Qt.CheckState.Checked:
            self.today.setCurrentItem(item)
            self.completeRequested.emit(str(activity.get("id", "")), activity)

    def _activity_activated(self, item: QListWidgetItem) -> None:
        activity = item.data(RECORD_ROLE)
        if isinstance(activity, dict):
            self.recordRequested.emit("activity", str(activity.get("id", "")))

    def uncheck(self, activity_id: str) -> None:
        """The popup closed: the box is unchecked (a completed activity leaves the list)."""
        for item in self.today_items():
            activity = item.data(RECORD_ROLE)
            if isinstance(activity, dict) and activity.get("id") == activity_id:
                self.today.blockSignals(True)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.today.blockSignals(False)
        self.schedule_refresh()

    def today_items(self) -> list[QListWidgetItem]:
        items = (self.today.item(i) for i in range(self.today.count()))
        return [i for i in items if i is not None and isinstance(i.data(RECORD_ROLE), dict)]

    def _recent_chosen(self, item: QListWidgetItem) -> None:
        target = item.data(RECORD_ROLE)
        if isinstance(target, tuple) and len(target) == 2:
            self.recordRequested.emit(str(target[0]), str(target[1]))

    def popup_point(self) -> QPoint:
        """Where the complete popup goes: under the current activity."""
        item = self.today.currentItem()
        rect = self.today.visualItemRect(item) if item is not None else self.today.rect()
        return self.today.viewport().mapToGlobal(rect.bottomLeft())


class HomeBinding(QObject):
    """The Home page of one signed-in account in ``window`` (see the module)."""

    def __init__(self, window: MainWindow, services: AccountServices) -> None:
        super().__init__(window)
        self.window = window
        self.services = services
        self.home = HomeService(services.store, services.schema)
        lp = window.list_pane
        self.view = HomeView(self.home, lp.home_page)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        lp.home_placeholder.hide()
        layout = lp.home_page.layout()
        assert layout is not None
        layout.addWidget(self.view)
        self._tasks: set[asyncio.Future[Any]] = set()
        v = self.view
        v.completeRequested.connect(self._complete)
        v.barClicked.connect(lambda bar: self._spawn(self.show_bar(bar)))
        v.recordRequested.connect(self._open)
        v.pendingRequested.connect(lambda: window.navigation.select("pending"))
        window.detail.recordOpened.connect(self._opened)
        window.navigation.sectionChanged.connect(self._section)
        self._disconnects = [
            services.changes.connect(self._changed),
            services.writes.status_changed.connect(self._queue),
        ]
        status = services.writes.status
        v.set_queue(status.pending, status.conflicts)
        self._recent_key = f"home/recent/{services.account}"
        self.recent = recent_from_json(window.settings.value(self._recent_key, "[]"))
        v.show_recent(self.recent)
        v.refresh()

    def detach(self) -> None:
        self.view.close_view()
        for disconnect in self._disconnects:
            disconnect()
        self._disconnects.clear()
        for task in list(self._tasks):
            task.cancel()
        for signal, slot in (
            (self.window.detail.recordOpened, self._opened),
            (self.window.navigation.sectionChanged, self._section),
        ):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                log.debug("already disconnected")
        lp = self.window.list_pane
        layout = lp.home_page.layout()
        if layout is not None:
            layout.removeWidget(self.view)
        self.view.hide()
        self.view.deleteLater()
        lp.home_placeholder.show()

    def _spawn(self, coro: Coroutine[Any, None, Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _section(self, kind: str) -> None:
        if kind == "home":
            self.view.show_now()

    def _changed(self, change: Change) -> None:
        if change.kind in ("activity", "sale", "contact", "group"):
            try:
                self.view.schedule_refresh()
            except RuntimeError:  # the window is gone
                self.detach()

    def _queue(self, status: QueueStatus) -> None:
        try:
            self.view.set_queue(status.pending, status.conflicts)
        except RuntimeError:
            self.detach()

    # -- the rep's clicks -------------------------------------------------------------------
    def _complete(self, _rid: str, record: object) -> None:
        one_click = self.window.features.one_click
        if one_click is None:
            self.view.uncheck(_rid)
            return
        one_click.ask(record, self.view.popup_point(), self.view.uncheck)

    async def show_bar(self, bar: Bar) -> None:
        """The sales of ``bar`` in the Sales list (from the store; the status line says so)."""
        records = await self.home.sales_where(bar.key, bar.value)
        what = "status" if bar.key == "status" else "sales state"
        text = f"{_sales(len(records))} with {what} “{bar.label}”, saved on this computer"
        self.window.navigation.select("sale")
        self.window.list_pane.show_records("sale", records, text)

    def _open(self, kind: str, record_id: str) -> None:
        if kind in ("activity", "sale"):
            cached = self.services.store.cache.get_record(kind, record_id)
            row = {**(cached.value if cached is not None else {}), "id": record_id}
            self.window.detail.open_record(kind, record_id, row)
        else:
            self.window.detail.open_record(kind, record_id, None)

    def _opened(self, kind: str, record_id: str) -> None:
        """A record the rep opened goes first in the recently opened ones (kept per account
        in the window's settings)."""
        if kind not in KIND_NAMES or not record_id or not self._disconnects:
            return
        try:
            cached = self.services.store.cache.get_record(kind, record_id)  # one row
            title = self._title(kind, record_id, cached.value if cached is not None else {})
        except Exception:
            log.warning("naming an opened record failed", exc_info=True)
            title = ""
        self.recent = with_opened(self.recent, RecentRecord(kind, record_id, title))
        self.window.settings.setValue(self._recent_key, recent_to_json(self.recent))
        self.view.show_recent(self.recent)

    def _title(self, kind: str, record_id: str, record: Mapping[str, Any]) -> str:
        if kind in ("contact", "group"):
            from snx_desktop.models.sources import SchemaView

            table = "Contact" if kind == "contact" else "Group"
            return SchemaView(self.services.schema.current).display_name(table, record)
        if kind == "activity":
            return str(record.get("regarding", "") or "")
        schema = self.services.schema.current
        key = schema.by_label("Sales", "Details") if schema is not None else None
        return str(record.get(key or "231", "") or "") or "Sale"
