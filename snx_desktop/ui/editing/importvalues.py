"""CSV values written in the rep's language, turned into the API's forms before an import.

A spreadsheet saved under German settings writes "1.234,56" and "24.12.1980"; sent as they
are, the server would read 1.23456 and no date at all. `read_import_rows` reads the number,
amount and percent cells of the mapped fields with the app's locale and the date cells in the
locale's date format, and writes them as the API does (``1234.56``, ``1980-12-24T00:00:00``).
Cells already in the API's forms (this app's own exports) stay as they are. A number that the
locale and the API's form would read differently ("1.234" under German settings: 1234 or
1.234?) is never guessed: its row is set aside and the report says why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from PySide6.QtCore import QDate, QLocale

from snx_desktop.api.values import format_datetime, format_number
from snx_desktop.models.localefmt import app_locale, date_edit_format, parse_local_number
from snx_desktop.services.csvio import ImportRows
from snx_desktop.ui.editing.validation import (
    FIELD_CURRENCY,
    FIELD_DATE,
    FIELD_NUMBER,
    FIELD_PERCENT,
)

__all__ = ["read_import_rows"]

_NUMBER_TYPES = (FIELD_CURRENCY, FIELD_NUMBER, FIELD_PERCENT)
_WIRE_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


class _TwoWays(ValueError):
    """A cell the locale and the API's form read as two different numbers."""


def _number(text: str, locale: QLocale) -> str:
    wire = float(text) if _WIRE_NUMBER.match(text) else None
    local = parse_local_number(text, locale)
    if local is None:
        return text  # the API's form already, or text the server judges
    if wire is not None and wire != local:
        raise _TwoWays(text)
    return format_number(local)


def _date(text: str, locale: QLocale) -> str:
    day = QDate.fromString(text, date_edit_format(locale))
    if not day.isValid():
        day = locale.toDate(text, QLocale.FormatType.ShortFormat)
    if not day.isValid():
        return text  # the API's form (this app's exports), or text the server judges
    return format_datetime(datetime(day.year(), day.month(), day.day()))


def read_import_rows(
    rows: ImportRows,
    types: Mapping[str, int],
    labels: Mapping[str, str],
    locale: QLocale | None = None,
) -> ImportRows:
    """``rows`` with their numbers and dates in the API's forms (``types``: field id -> type);
    rows holding a number that reads two ways are skipped with a reason naming the field."""
    loc = locale if locale is not None else app_locale()
    out = ImportRows([], [], list(rows.skipped))
    for row, line in zip(rows.rows, rows.lines, strict=True):
        read: dict[str, Any] = {}
        reason = ""
        for fid, value in row.items():
            kind = types.get(fid)
            text = value.strip() if isinstance(value, str) else ""
            if not text or fid == "_toMatch":
                read[fid] = value
                continue
            try:
                if kind in _NUMBER_TYPES:
                    read[fid] = _number(text, loc)
                elif kind == FIELD_DATE:
                    read[fid] = _date(text, loc)
                else:
                    read[fid] = value
            except _TwoWays:
                reason = (
                    f"“{text}” in {labels.get(fid, fid)} could be read two ways; "
                    "write it with its decimals, for example "
                    f"{loc.toString(1234.5, 'f', 2)}."
                )
                break
        if reason:
            out.skipped.append((line, reason))
            continue
        out.rows.append(read)
        out.lines.append(line)
    out.skipped.sort()
    return out
