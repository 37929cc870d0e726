"""Activity dialogs: create or edit an activity, and complete one with a result.

`ActivityDialog` has the type (call, meeting, to-do), the subject ("regarding", required),
details, start and end in the user's date and time format with a calendar whose weeks start
on the locale's first weekday (the end may not be before the start; "all day" keeps dates
only), a
colour from `ColourPicker` sent as ``RRGGBB``, and the user it is assigned to (the signed-in
user by default). New activities go to ``create_activity`` (a contact) or
``create_group_activity`` (a group); an edit sends only what changed to ``update_activity``.
`CompleteActivityDialog` completes it with a result (the server writes the note); its
"Complete and schedule next" button asks the caller to open a prefilled new activity.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QDateTime, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from snx_desktop.api.activityfields import ActivityFields
from snx_desktop.models.localefmt import app_locale, date_edit_format, datetime_edit_format
from snx_desktop.ui.editing._dialogs import SubmitDialog, field_with_error
from snx_desktop.ui.editing.colourpicker import ColourPicker
from snx_desktop.ui.editing.recordform import truthy
from snx_desktop.ui.editing.validation import check_required

if TYPE_CHECKING:
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.types import Change

__all__ = [
    "ACTIVITY_TYPES",
    "ActivityDialog",
    "CompleteActivityDialog",
    "from_wire",
    "next_activity_prefill",
    "to_wire",
]

ACTIVITY_TYPES: tuple[tuple[str, str], ...] = (
    ("call", "Call"),
    ("meeting", "Meeting"),
    ("todo", "To-do"),
)
DEFAULT_MINUTES = {"call": 30, "meeting": 60, "todo": 0}
WIRE_FORMAT = "yyyy-MM-dd'T'HH:mm:ss"


def to_wire(value: QDateTime, *, date_only: bool = False) -> str:
    if date_only:
        return value.date().toString("yyyy-MM-dd") + "T00:00:00"
    return value.toString(WIRE_FORMAT)


def from_wire(text: str) -> QDateTime | None:
    text = (text or "").strip().replace(" ", "T")
    if not text:
        return None
    for fmt in (WIRE_FORMAT, "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd"):
        dt = QDateTime.fromString(text, fmt)
        if dt.isValid():
            return dt
    return None


def _next_full_hour() -> QDateTime:
    now = QDateTime.currentDateTime()
    start = QDateTime(now.date(), QTime(now.time().hour(), 0))
    return start.addSecs(3600)


def next_activity_prefill(activity: Mapping[str, str]) -> ActivityFields:
    """A follow-up of ``activity``: same type, subject, people and colour, a day later."""
    start = from_wire(str(activity.get("start-time", ""))) or _next_full_hour()
    end = from_wire(str(activity.get("end-time", ""))) or start
    base = QDateTime.currentDateTime()
    shift = max(1, start.daysTo(base) + 1)
    return {
        "type": str(activity.get("type", "") or "call"),
        "regarding": str(activity.get("regarding", "")),
        "details": "",
        "timeless": str(activity.get("timeless", "false")),
        "color": str(activity.get("color", "")),
        "schedule-for": str(activity.get("schedule-for", "")),
        "start-time": to_wire(start.addDays(shift)),
        "end-time": to_wire(end.addDays(shift)),
    }


class ActivityDialog(SubmitDialog["Change | None"]):
    """Create (``contact_id`` and/or ``group_id``) or edit (``activity``) an activity."""

    def __init__(
        self,
        services: AccountServices,
        parent: QWidget | None = None,
        *,
        contact_id: str = "",
        group_id: str = "",
        activity: Mapping[str, str] | None = None,
        prefill: ActivityFields | Mapping[str, str] | None = None,
    ) -> None:
        editing = activity is not None
        super().__init__(
            "Edit activity" if editing else "New activity",
            "activityDialog",
            parent,
            ok_text="&Save" if editing else "&Create",
        )
        self.services = services
        self.contact_id = contact_id
        self.group_id = group_id
        self.activity = dict(activity) if activity is not None else None
        self._end_touched = False
        schema = services.schema.current
        form = QFormLayout()
        self.type_combo = QComboBox(self)
        self.type_combo.setObjectName("activityType")
        self.type_combo.setAccessibleName("Activity type")
        for code, label in ACTIVITY_TYPES:
            self.type_combo.addItem(label, code)
        form.addRow("&Type", self.type_combo)
        self.regarding = QLineEdit(self)
        self.regarding.setObjectName("activityRegarding")
        self.regarding.setAccessibleName("Regarding")
        box, self.regarding_error = field_with_error(self.regarding, "activityRegarding")
        form.addRow("&Regarding *", box)
        self.timeless = QCheckBox("All day (no time)", self)
        self.timeless.setObjectName("activityTimeless")
        self.timeless.setAccessibleName("All day")
        form.addRow("", self.timeless)
        self.start = QDateTimeEdit(self)
        self.start.setObjectName("activityStart")
        self.start.setAccessibleName("Start")
        form.addRow("&Start", self.start)
        self.end = QDateTimeEdit(self)
        self.end.setObjectName("activityEnd")
        self.end.setAccessibleName("End")
        for edit in (self.start, self.end):
            edit.setLocale(app_locale())
            edit.setCalendarPopup(True)
            edit.calendarWidget().setFirstDayOfWeek(app_locale().firstDayOfWeek())
        end_box, self.end_error = field_with_error(self.end, "activityEnd")
        form.addRow("&End", end_box)
        self.colour = ColourPicker(self)
        form.addRow("&Colour", self.colour)
        self.user = QComboBox(self)
        self.user.setObjectName("activityUser")
        self.user.setAccessibleName("Assigned to")
        for u in schema.users if schema is not None else []:
            self.user.addItem(u.get("name") or u.get("user-id", ""), u.get("user-id", ""))
        form.addRow("Assigned &to", self.user)
        self.details = QPlainTextEdit(self)
        self.details.setObjectName("activityDetails")
        self.details.setAccessibleName("Details")
        self.details.setTabChangesFocus(True)
        form.addRow("&Details", self.details)
        self.body.addLayout(form)
        self.type_combo.currentIndexChanged.connect(self._type_changed)
        self.timeless.toggled.connect(self._timeless_changed)
        self.start.dateTimeChanged.connect(self._start_changed)
        self.end.dateTimeChanged.connect(self._end_edited)
        start: Mapping[str, str] = self.activity or {k: str(v) for k, v in (prefill or {}).items()}
        self._fill(start, schema.me if schema is not None else None)
        self._original = self.values()
        self.resize(480, 480)

    # -- filling -------------------------------------------------------------------------------
    def _fill(self, rec: Mapping[str, str], me: str | None) -> None:
        self.type_combo.blockSignals(True)
        self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(rec.get("type") or "call")))
        self.type_combo.blockSignals(False)
        self.regarding.setText(str(rec.get("regarding", "") or ""))
        self.details.setPlainText(str(rec.get("details", "") or ""))
        start = from_wire(str(rec.get("start-time", "") or "")) or _next_full_hour()
        minutes = DEFAULT_MINUTES.get(self.activity_type(), 30)
        end = from_wire(str(rec.get("end-time", "") or "")) or start.addSecs(60 * minutes)
        self.start.blockSignals(True)
        self.start.setDateTime(start)
        self.start.blockSignals(False)
        self.end.blockSignals(True)
        self.end.setDateTime(end)
        self.end.blockSignals(False)
        self._end_touched = "end-time" in rec
        self.timeless.setChecked(truthy(rec.get("timeless")))
        self._timeless_changed(self.timeless.isChecked())
        self.colour.set_colour(str(rec.get("color", "") or ""))
        user = str(rec.get("schedule-for", "") or "") or (me or "")
        index = self.user.findData(user)
        if index < 0 and user:
            self.user.addItem(user, user)
            index = self.user.count() - 1
        self.user.setCurrentIndex(max(index, 0))

    def _type_changed(self) -> None:
        if not self._end_touched:
            minutes = DEFAULT_MINUTES.get(self.activity_type(), 30)
            self.end.blockSignals(True)
            self.end.setDateTime(self.start.dateTime().addSecs(60 * minutes))
            self.end.blockSignals(False)

    def _timeless_changed(self, on: bool) -> None:
        fmt = date_edit_format() if on else datetime_edit_format()
        self.start.setDisplayFormat(fmt)
        self.end.setDisplayFormat(fmt)

    def _start_changed(self, new: QDateTime) -> None:
        # moving the start keeps the duration until the end is edited by hand
        if not self._end_touched:
            minutes = DEFAULT_MINUTES.get(self.activity_type(), 30)
            self.end.blockSignals(True)
            self.end.setDateTime(new.addSecs(60 * minutes))
            self.end.blockSignals(False)

    def _end_edited(self, _value: QDateTime) -> None:
        self._end_touched = True
        self.end_error.show_error("")

    # -- values --------------------------------------------------------------------------------
    def activity_type(self) -> str:
        return str(self.type_combo.currentData() or "call")

    def values(self) -> ActivityFields:
        timeless = self.timeless.isChecked()
        return {
            "type": self.activity_type(),
            "regarding": self.regarding.text().strip(),
            "details": self.details.toPlainText().strip(),
            "start-time": to_wire(self.start.dateTime(), date_only=timeless),
            "end-time": to_wire(self.end.dateTime(), date_only=timeless),
            "timeless": "true" if timeless else "false",
            "color": self.colour.colour(),
            "schedule-for": str(self.user.currentData() or ""),
        }

    def validate(self) -> bool:
        ok = True
        message = check_required(self.regarding.text(), "Regarding")
        self.regarding_error.show_error(message)
        if message:
            self.regarding.setFocus()
            ok = False
        if self.timeless.isChecked():
            backwards = self.end.date() < self.start.date()
        else:
            backwards = self.end.dateTime() < self.start.dateTime()
        self.end_error.show_error("The end cannot be before the start." if backwards else "")
        if backwards and ok:
            self.end.setFocus()
        ok = ok and not backwards
        if not self.colour.validate():
            if ok:
                self.colour.edit.setFocus()
            ok = False
        return ok

    def changes(self) -> ActivityFields:
        now = self.values()
        return cast(ActivityFields, {k: v for k, v in now.items() if self._original.get(k) != v})

    async def submit(self) -> Change | None:
        writes = self.services.writes
        v = self.values()
        if self.activity is not None:
            changes = self.changes()
            if not changes:
                return None
            aid = str(self.activity.get("id") or self.activity.get("activity-id") or "")
            return await writes.update_activity(aid, changes, origin=self)
        common: dict[str, Any] = {
            "type": v["type"],
            "regarding": v["regarding"],
            "start_time": v["start-time"],
            "end_time": v["end-time"],
            "details": v["details"],
            "color": v["color"],
            "timeless": v["timeless"] == "true",
            "schedule_for": v["schedule-for"] or None,
            "origin": self,
        }
        if self.group_id:
            return await writes.create_group_activity(
                self.group_id, contact_id=self.contact_id, **common
            )
        return await writes.create_activity(self.contact_id, **common)


class CompleteActivityDialog(SubmitDialog["Change"]):
    """Complete an activity with a result; ``schedule_next`` tells whether a follow-up is wanted."""

    def __init__(
        self, services: AccountServices, activity: Mapping[str, str], parent: QWidget | None = None
    ) -> None:
        super().__init__("Complete activity", "completeActivityDialog", parent, ok_text="&Complete")
        self.services = services
        self.activity = dict(activity)
        self.schedule_next = False
        form = QFormLayout()
        subject = QLabel(str(activity.get("regarding", "") or "(no subject)"), self)
        subject.setObjectName("completeRegarding")
        subject.setWordWrap(True)
        form.addRow("Regarding", subject)
        self.result_edit = QPlainTextEdit(self)
        self.result_edit.setObjectName("activityResult")
        self.result_edit.setAccessibleName("Result")
        self.result_edit.setPlaceholderText("What came of it (saved as a note)")
        self.result_edit.setTabChangesFocus(True)
        form.addRow("&Result", self.result_edit)
        self.body.addLayout(form)
        self.next_button = QPushButton("Complete and schedule &next", self)
        self.next_button.setObjectName("completeAndNextButton")
        self.next_button.setAccessibleName("Complete and schedule next")
        self.buttons.addButton(self.next_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.next_button.clicked.connect(self._complete_and_next)
        self.resize(420, 260)

    def _complete_and_next(self) -> None:
        self.schedule_next = True
        self.accept()

    def reject(self) -> None:
        self.schedule_next = False
        super().reject()

    def next_prefill(self) -> ActivityFields:
        return next_activity_prefill(self.activity)

    async def submit(self) -> Change:
        aid = str(self.activity.get("id") or self.activity.get("activity-id") or "")
        return await self.services.writes.complete_activity(
            aid, self.result_edit.toPlainText().strip(), origin=self
        )
