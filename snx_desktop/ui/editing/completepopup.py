"""One click to complete an activity, wherever the rep sees it.

Every activity table (the Activities list, a contact's or group's Activities tab) and the
Agenda have a complete box; the activity's details have a Complete button. Either opens a
small popup under the row (not a dialog: the window stays usable, nothing waits in a nested
event loop) that asks for the result: Enter completes, Esc cancels and unchecks the box,
"Complete and schedule next" completes and opens a new activity prefilled as the follow-up.
:class:`OneClick` connects the views of one window to the popup for a signed-in account.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QHideEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from snx_desktop import messages
from snx_desktop.api.values import as_bool
from snx_desktop.models.roles import Roles

if TYPE_CHECKING:
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.types import Change
    from snx_desktop.ui.mainwindow import MainWindow

__all__ = ["CompletePopup", "OneClick"]

log = logging.getLogger(__name__)

Uncheck = Callable[[str], None]


class CompletePopup(QFrame):
    """Asks for an activity's result; ``finished(outcome)``: "done", "next" or "cancelled"."""

    finished = Signal(str)

    def __init__(
        self, services: AccountServices, activity: Mapping[str, object], parent: QWidget
    ) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("completePopup")
        self.setAccessibleName("Complete activity")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.services = services
        self.activity = dict(activity)
        self.outcome = ""
        self.change: Change | None = None
        self._task: asyncio.Future[Change | None] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        subject = str(activity.get("regarding", "") or "(no subject)")
        title = QLabel(f"Complete “{subject}”", self)
        title.setObjectName("completePopupTitle")
        title.setWordWrap(True)
        layout.addWidget(title)
        self.result_edit = QLineEdit(self)
        self.result_edit.setObjectName("completeResult")
        self.result_edit.setAccessibleName("Result")
        self.result_edit.setPlaceholderText("What came of it (saved as a note)")
        self.result_edit.setMinimumWidth(320)
        self.result_edit.returnPressed.connect(lambda: self.submit(schedule_next=False))
        layout.addWidget(self.result_edit)
        row = QHBoxLayout()
        self.done_button = QPushButton("&Complete", self)
        self.done_button.setObjectName("completePopupDone")
        self.done_button.setAccessibleName("Complete")
        self.done_button.setDefault(True)
        self.next_button = QPushButton("Complete and schedule &next", self)
        self.next_button.setObjectName("completePopupNext")
        self.next_button.setAccessibleName("Complete and schedule next")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("completePopupCancel")
        self.cancel_button.setAccessibleName("Cancel")
        self.done_button.clicked.connect(lambda: self.submit(schedule_next=False))
        self.next_button.clicked.connect(lambda: self.submit(schedule_next=True))
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.done_button)
        row.addWidget(self.next_button)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)

    def show_at(self, where: QPoint) -> None:
        self.adjustSize()
        self.move(where)
        self.show()
        self.result_edit.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit(schedule_next=False)
            return
        super().keyPressEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        # a click outside closes a popup: like Esc, nothing is completed
        super().hideEvent(event)
        if not self.outcome:
            self._end("cancelled")

    def cancel(self) -> None:
        self._end("cancelled")

    def submit(self, *, schedule_next: bool) -> None:
        if self.outcome or self._task is not None:
            return
        self._task = asyncio.ensure_future(self.complete(schedule_next=schedule_next))

    async def complete(self, *, schedule_next: bool = False) -> Change | None:
        """Queue the completion with the typed result (sent at once when online)."""
        aid = str(self.activity.get("id") or self.activity.get("activity-id") or "")
        try:
            self.change = await self.services.writes.complete_activity(
                aid, self.result_edit.text().strip(), origin=self
            )
        except Exception as exc:
            log.info("completing an activity refused: %s", type(exc).__name__)
            messages.error(str(exc) or "The activity could not be completed.")
            self._end("cancelled")
            return None
        self._end("next" if schedule_next else "done")
        return self.change

    def _end(self, outcome: str) -> None:
        if self.outcome:
            return
        self.outcome = outcome
        self.hide()
        self.finished.emit(outcome)
        self.deleteLater()


class OneClick(QObject):
    """Connects a window's activity boxes and the details' Complete button to the popup."""

    def __init__(self, window: MainWindow, services: AccountServices) -> None:
        super().__init__(window)
        self.window = window
        self.services = services
        self.popup: CompletePopup | None = None
        self._tasks: set[asyncio.Future[object]] = set()
        lp, detail = window.list_pane, window.detail
        sources: list[tuple[QAbstractItemView, object]] = [
            (lp.views["activity"], lp.models["activity"]),
            (detail.contact.activities.view, detail.contact.activities_model),
            (detail.group.activities.view, detail.group.activities_model),
        ]
        self._connections: list[tuple[object, Callable[[str, object], None]]] = []
        for view, model in sources:
            uncheck: Uncheck = model.uncheck  # type: ignore[attr-defined]

            def ask(
                rid: str, record: object, v: QAbstractItemView = view, u: Uncheck = uncheck
            ) -> None:
                self.ask(record, _below_row(v, rid), u)

            model.completeRequested.connect(ask)  # type: ignore[attr-defined]
            self._connections.append((model, ask))
        agenda = lp.agenda
        if agenda is not None:

            def ask_agenda(rid: str, record: object) -> None:
                tree = agenda.tree
                item = tree.currentItem()
                rect = tree.visualItemRect(item) if item is not None else tree.rect()
                self.ask(record, tree.viewport().mapToGlobal(rect.bottomLeft()), agenda.uncheck)

            agenda.completeRequested.connect(ask_agenda)
            self._connections.append((agenda, ask_agenda))
        self.button = QPushButton("&Complete…", detail.record)
        self.button.setObjectName("completeActivityButton")
        self.button.setAccessibleName("Complete activity")
        self.button.setToolTip("Complete this activity with its result")
        self.button.clicked.connect(self.complete_shown)
        detail.record.header.add_tool(self.button)
        detail.recordOpened.connect(self._update_button)
        detail.detailLoaded.connect(self._update_button)
        self._disconnect = services.changes.connect(self._changed)
        self._update_button()

    def detach(self) -> None:
        self._disconnect()
        for source, slot in self._connections:
            try:
                source.completeRequested.disconnect(slot)  # type: ignore[attr-defined]
            except (RuntimeError, TypeError):
                log.debug("already disconnected")
        self._connections.clear()
        detail = self.window.detail
        for signal in (detail.recordOpened, detail.detailLoaded):
            try:
                signal.disconnect(self._update_button)
            except (RuntimeError, TypeError):
                log.debug("already disconnected")
        self.button.hide()
        self.button.deleteLater()
        if self.popup is not None:
            self.popup.cancel()

    def _changed(self, change: Change) -> None:
        if change.kind == "activity":
            try:
                self._update_button()
            except RuntimeError:  # the window is gone
                self._disconnect()

    def _shown_activity(self) -> Mapping[str, object] | None:
        detail = self.window.detail
        if detail.kind != "activity" or not detail.record_id:
            return None
        try:
            cached = self.services.store.cache.get_record("activity", detail.record_id)
        except Exception:
            log.debug("reading the open activity failed", exc_info=True)
            cached = None
        return {**(cached.value if cached is not None else {}), "id": detail.record_id}

    def _update_button(self, *_args: object) -> None:
        activity = self._shown_activity()
        self.button.setVisible(activity is not None)
        done = activity is not None and as_bool(str(activity.get("completed", "")))
        self.button.setEnabled(activity is not None and not done)
        self.button.setText("Completed" if done else "&Complete…")
        self.button.setToolTip(
            "This activity is completed" if done else "Complete this activity with its result"
        )

    def complete_shown(self) -> CompletePopup | None:
        """The Complete button of the open activity's details."""
        activity = self._shown_activity()
        if activity is None:
            return None
        where = self.button.mapToGlobal(QPoint(0, self.button.height()))
        return self.ask(activity, where, lambda _rid: None)

    def ask(self, record: object, where: QPoint, uncheck: Uncheck) -> CompletePopup | None:
        """Open the popup for ``record`` at ``where``; ``uncheck(id)`` when it is cancelled."""
        if not isinstance(record, Mapping):
            return None
        if self.popup is not None:
            self.popup.cancel()
        activity = dict(record)
        rid = str(activity.get("id") or activity.get("activity-id") or "")
        popup = CompletePopup(self.services, activity, self.window)
        self.popup = popup

        def finished(outcome: str) -> None:
            if self.popup is popup:
                self.popup = None
            uncheck(rid)  # a completed activity's box stays checked: it is completed
            if outcome == "next":
                self._spawn(self._schedule_next(activity))

        popup.finished.connect(finished)
        popup.show_at(where)
        return popup

    def _spawn(self, coro: Coroutine[object, None, object]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _schedule_next(self, activity: Mapping[str, object]) -> None:
        from snx_desktop.ui.editing import commands
        from snx_desktop.ui.editing.activitydialog import next_activity_prefill

        prefill = next_activity_prefill({k: str(v) for k, v in activity.items()})
        await commands.new_activity(
            self.window,
            self.services,
            contact_id=str(activity.get("schedule-with", "") or ""),
            group_id=str(activity.get("group-id", "") or ""),
            prefill=prefill,
        )


def _below_row(view: QAbstractItemView, record_id: str) -> QPoint:
    """Where the popup goes: under the row of ``record_id`` (under the current row else)."""
    model = view.model()
    index = view.currentIndex()
    if model is not None:
        for row in range(model.rowCount()):
            candidate = model.index(row, 0)
            if candidate.data(Roles.RECORD_ID) == record_id:
                index = candidate
                break
    rect = view.visualRect(index) if index.isValid() else view.rect()
    return view.viewport().mapToGlobal(rect.bottomLeft())
