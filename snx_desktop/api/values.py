"""Liberal scalars of call-v1 answers: text, booleans, numbers and date-times.

Separate from :mod:`snx_desktop.api.results` (which re-exports them) so that the services can
use them without loading every result type.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

__all__ = ["as_bool", "as_int", "as_text", "format_datetime", "parse_datetime"]


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


def as_bool(value: Any) -> bool:
    """``"true"``, ``true``, ``"1"``, ``1``, ``"yes"`` are true; anything else is false."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "y", "t")
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


def parse_datetime(value: Any) -> datetime | None:
    """A naive (account-local) date-time from any of the contract's forms; ``None`` when the
    value is empty or not a date."""
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
        return None
    return parsed.replace(tzinfo=None)


def format_datetime(value: datetime) -> str:
    """The wire form of a date-time: ``YYYY-MM-DDTHH:MM:SS``."""
    return value.strftime("%Y-%m-%dT%H:%M:%S")
