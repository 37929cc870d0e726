"""Wire values, read and written in one place: text, booleans, numbers and date-times.

The client's results, the services, the item models and the editing dialogs all read a
server's booleans, numbers and date-times through these functions, so every part of the app
accepts the same forms. This module imports nothing heavy (no Qt, no httpx): the first paint
uses it. Separate from :mod:`snx_desktop.api.results` (which re-exports some of them) so that
the services can use them without loading every result type.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

__all__ = [
    "as_bool",
    "as_int",
    "as_text",
    "format_datetime",
    "format_number",
    "parse_datetime",
    "parse_number",
]


# --- liberal scalars -------------------------------------------------------------------------


def as_text(value: Any) -> str:
    """A value as text: ``None`` -> ``""``, booleans -> ``"true"``/``"false"``, numbers
    without a trailing ``.0``; objects and lists as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


_TRUE_WORDS = frozenset({"true", "1", "yes", "y", "t", "on"})


def as_bool(value: Any) -> bool:
    """``"true"``, ``true``, ``"1"``, ``1``, ``"yes"``, ``"y"``, ``"t"``, ``"on"`` (any case,
    spaces around) and non-zero numbers are true; anything else is false."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_WORDS
    return False


def as_int(value: Any, default: int = 0) -> int:
    """A count from a number or a numeric string; ``default`` when it is neither."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value and abs(value) != float("inf") else default
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return default
            return int(number) if number == number and abs(number) != float("inf") else default
    return default


def parse_number(value: Any) -> float | None:
    """A number from a number or from text as people and servers write it: spaces, thousands
    commas, a currency sign ($ € £) or a percent sign around the digits are ignored; ``None``
    when it is empty or not a number."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    text = as_text(value).strip().replace(",", "").replace(" ", "")
    for sign in ("$", "€", "£", "%"):
        text = text.replace(sign, "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def format_number(value: float) -> str:
    """The wire form of a number: a dot before the decimals, no thousands separators, no
    trailing ``.0`` (``1234.56``, ``15``, ``-0.5``), whatever the user's language."""
    if value.is_integer():
        return str(int(value))
    return repr(value)


_DT_FORMATS = (
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%Y-%m-%d",
    "%m/%d/%Y",
)


def parse_datetime(value: Any, *, leading_date: bool = False) -> datetime | None:
    """A naive (account-local) date-time from any of the contract's forms
    (``YYYY-MM-DDTHH:MM[:SS]``, ``YYYY-MM-DD HH:MM[:SS]``, ``MM/DD/YYYY h:mm[:ss] AM/PM``, a
    date alone, or ISO 8601 with a zone, which is dropped); ``None`` when the value is empty
    or not a date. With ``leading_date``, a value that only starts with ``YYYY-MM-DD`` gives
    that day (how the lists read odd server values)."""
    text = as_text(value).strip()
    if not text:
        return None
    for fmt in _DT_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        if not leading_date:
            return None
        try:
            return datetime.strptime(text[:10], "%Y-%m-%d")
        except ValueError:
            return None
    return parsed.replace(tzinfo=None)


def format_datetime(value: datetime) -> str:
    """The wire form of a date-time: ``YYYY-MM-DDTHH:MM:SS``."""
    return value.strftime("%Y-%m-%dT%H:%M:%S")
