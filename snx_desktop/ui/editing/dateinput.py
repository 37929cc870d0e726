"""A date editor in the user's format, with a calendar, that may also be left empty.

`DateField` is a `QDateEdit` showing the locale's short date with a four-digit year
(``24.12.2026``, ``24/12/2026``, ``12/24/2026``) and a calendar popup whose weeks start on the
locale's first weekday. An optional field starts empty ("No date"); Delete empties it again.
It reads and writes the wire form (``YYYY-MM-DDTHH:MM:SS``) and keeps the time of day a value
came with, so changing only the day never drops it.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QDateEdit, QWidget

from snx_desktop.api.values import format_datetime, parse_datetime
from snx_desktop.models.localefmt import app_locale, date_display_format, date_edit_format

__all__ = ["EMPTY_DATE", "DateField"]

#: the value an empty field holds (shown as "No date"); no rep's date is this old
EMPTY_DATE = QDate(1000, 1, 1)
NO_DATE = "No date"


class DateField(QDateEdit):
    """A date in the user's format with a calendar popup; ``optional`` fields may be empty."""

    def __init__(self, parent: QWidget | None = None, *, optional: bool = True) -> None:
        super().__init__(parent)
        locale = app_locale()
        self.optional = optional
        self._time = QTime(0, 0)
        self.setLocale(locale)
        self.setCalendarPopup(True)
        self.setDisplayFormat(date_edit_format(locale))
        self.calendarWidget().setFirstDayOfWeek(locale.firstDayOfWeek())
        self.setMaximumDate(QDate(9999, 12, 31))
        hint = f"A date such as {locale.toString(QDate(2026, 12, 24), date_edit_format(locale))}"
        if optional:
            self.setMinimumDate(EMPTY_DATE)
            self.setSpecialValueText(NO_DATE)
            self.setDate(EMPTY_DATE)
            hint += "; Delete leaves it empty"
        else:
            self.setDate(QDate.currentDate())
        self.setToolTip(hint + ".")

    # -- empty ---------------------------------------------------------------------------------
    def is_empty(self) -> bool:
        return self.optional and self.date() == EMPTY_DATE

    def clear_date(self) -> None:
        if self.optional:
            self.setDate(EMPTY_DATE)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.optional and event.key() == Qt.Key.Key_Delete:
            self.clear_date()
            event.accept()
            return
        if self.is_empty() and event.text().isdigit():
            # typing into an empty field starts from today, in the field's own order
            self.setDate(QDate.currentDate())
            self.setCurrentSectionIndex(0)
            self.setSelectedSection(self.sectionAt(0))
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        super().mousePressEvent(event)
        if self.is_empty():
            # the calendar opens on this month, not on the empty value's
            today = QDate.currentDate()
            self.calendarWidget().setCurrentPage(today.year(), today.month())

    def complete(self) -> bool:
        """Whether what is shown is a whole date (not a half-typed one)."""
        return self.hasAcceptableInput()

    # -- the wire ------------------------------------------------------------------------------
    def set_wire(self, text: str) -> bool:
        """Show a wire date-time (empty for ""); False when ``text`` is not a date."""
        parsed = parse_datetime(text) if text.strip() else None
        if parsed is None:
            self.clear_date()
            self._time = QTime(0, 0)
            return not text.strip()
        self._time = QTime(parsed.hour, parsed.minute, parsed.second)
        self.setDate(QDate(parsed.year, parsed.month, parsed.day))
        return True

    def wire(self) -> str:
        """The date as the API writes it (``YYYY-MM-DDTHH:MM:SS``), "" when empty."""
        if self.is_empty():
            return ""
        day, time = self.date(), self._time
        moment = datetime(
            day.year(), day.month(), day.day(), time.hour(), time.minute(), time.second()
        )
        return format_datetime(moment)

    def shown(self) -> str:
        """The date as lists show it (``4. März 2026``), "" when empty."""
        if self.is_empty():
            return ""
        locale = app_locale()
        return locale.toString(self.date(), date_display_format(locale))
