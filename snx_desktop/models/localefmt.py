"""Numbers, amounts, percentages and dates in the user's language (``QLocale()``).

What a rep types is read here and what a rep reads is written here: "1,5" is one and a half
under German settings and is refused under US English, where "1,234.56" is a number. The
wire keeps the API's forms whatever the language (:mod:`snx_desktop.api.values`); this module
only turns them into text for people and back.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

__all__ = [
    "app_locale",
    "date_display_format",
    "date_edit_format",
    "datetime_edit_format",
    "number_example",
    "number_message",
    "number_text",
    "parse_local_number",
    "qdate_time",
]

_CURRENCY_SIGNS = ("$", "€", "£", "¥", "CHF")
_SPACES = re.compile(r"[ \u00a0\u202f]")


def app_locale() -> QLocale:
    """The app's locale (``QLocale()``: the system's unless the app set one); US English
    when none is configured (the C locale)."""
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return locale


def qdate_time(dt: datetime) -> QDateTime:
    return QDateTime(QDate(dt.year, dt.month, dt.day), QTime(dt.hour, dt.minute, dt.second))


# --- numbers -------------------------------------------------------------------------------


def _bare(text: str, locale: QLocale) -> str:
    """``text`` without currency and percent signs; spaces between digits kept only where the
    locale groups thousands with a space."""
    out = text.strip()
    signs = (
        locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencySymbol),
        locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencyIsoCode),
        locale.percent(),
        "%",
        *_CURRENCY_SIGNS,
    )
    for sign in signs:
        if sign:
            out = out.replace(sign, "")
    out = out.strip()
    group = locale.groupSeparator()
    if _SPACES.fullmatch(group or "x"):
        out = _SPACES.sub(group, out)
    return out


def parse_local_number(text: str, locale: QLocale | None = None) -> float | None:
    """A number as a person types it in ``locale`` (the app's by default): its decimal and
    thousands separators, a currency or percent sign around it; ``None`` when it cannot be
    read that way (``"1,5"`` under US English, ``"1.5"`` under German)."""
    loc = locale if locale is not None else app_locale()
    bare = _bare(text, loc)
    if not bare:
        return None
    number, ok = loc.toDouble(bare)
    if not ok or not math.isfinite(number):
        return None
    return float(number)


def number_text(value: float, locale: QLocale | None = None) -> str:
    """``value`` written for people in ``locale``: ``1.234,56`` (German), ``1,234.56`` (US)."""
    loc = locale if locale is not None else app_locale()
    shortest = QLocale.FloatingPointPrecisionOption.FloatingPointShortest
    return loc.toString(float(value), "f", int(shortest))


def number_example(locale: QLocale | None = None) -> str:
    return number_text(1234.56, locale)


def number_message(text: str, label: str, locale: QLocale | None = None) -> str:
    """Why ``text`` is refused for the number field ``label``, or "" when it can be read."""
    if not text.strip() or parse_local_number(text, locale) is not None:
        return ""
    return f"{label} must be a number written like {number_example(locale)}."


# --- dates ---------------------------------------------------------------------------------


def date_edit_format(locale: QLocale | None = None) -> str:
    """The locale's short date format with a four-digit year (``dd.MM.yyyy``, ``M/d/yyyy``)."""
    loc = locale if locale is not None else app_locale()
    fmt = loc.dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in fmt:
        fmt = fmt.replace("yy", "yyyy")
    return fmt


def datetime_edit_format(locale: QLocale | None = None) -> str:
    """:func:`date_edit_format` and the locale's short time (``dd.MM.yyyy HH:mm``)."""
    loc = locale if locale is not None else app_locale()
    return f"{date_edit_format(loc)} {loc.timeFormat(QLocale.FormatType.ShortFormat)}"


def date_display_format(locale: QLocale | None = None) -> str:
    """The locale's long date without the weekday, the month abbreviated: ``MMM d, yyyy``
    (US), ``d MMM yyyy`` (British), ``d. MMM yyyy`` (German). Month names are never
    mistaken for days."""
    loc = locale if locale is not None else app_locale()
    fmt = loc.dateFormat(QLocale.FormatType.LongFormat)
    fmt = re.sub(r"d{4}[,.]?\s*", "", fmt).strip(" ,")
    return fmt.replace("MMMM", "MMM")
