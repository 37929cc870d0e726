"""Checks of typed input for the editing dialogs (no Qt): each returns a message or "".

A message is a sentence for the person typing, shown next to the field. Values that pass are
also normalised here (a colour to upper-case ``RRGGBB``, a date to the wire form) so that the
dialogs send what the server expects.
"""

from __future__ import annotations

import re
from datetime import datetime

from snx_desktop.api.values import format_datetime, format_number, parse_datetime, parse_number

__all__ = [
    "FIELD_CURRENCY",
    "FIELD_DATE",
    "FIELD_NUMBER",
    "FIELD_PERCENT",
    "FIELD_PHONE",
    "FIELD_TEXT",
    "FIELD_TIME",
    "check_colour",
    "check_date",
    "check_email",
    "check_number",
    "check_phone",
    "check_range",
    "check_required",
    "check_time",
    "check_typed",
    "normalise_colour",
    "normalise_date",
    "normalise_number",
]

FIELD_TEXT, FIELD_CURRENCY, FIELD_DATE, FIELD_NUMBER, FIELD_PHONE, FIELD_TIME = 0, 1, 2, 3, 4, 5
FIELD_CHECKBOX, FIELD_PERCENT, FIELD_IMAGE = 6, 7, 8

_EMAIL = re.compile(r"^[^@\s,;<>()\[\]\"]+@[^@\s,;<>()\[\]\"]+\.[^@\s,;<>()\[\]\".]{2,}$")
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()./\-]*(?:\s*(?:x|ext\.?)\s*[0-9]+)?$", re.IGNORECASE)
_HEX = re.compile(r"^[0-9A-Fa-f]{6}$")


def check_required(value: str, label: str) -> str:
    return "" if value.strip() else f"{label} is required."


def check_email(value: str) -> str:
    """An empty value passes (use `check_required` for mandatory fields)."""
    text = value.strip()
    if not text:
        return ""
    if not _EMAIL.match(text):
        return f"“{text}” is not an e-mail address (expected name@example.com)."
    return ""


def check_phone(value: str) -> str:
    text = value.strip()
    if not text:
        return ""
    if not _PHONE_CHARS.match(text):
        return "A phone number may hold digits, spaces, + at the start, ( ) - . / and an extension."
    if sum(ch.isdigit() for ch in text) < 3:
        return "A phone number needs at least 3 digits."
    return ""


def normalise_colour(value: str) -> str:
    """``#3a7bd5`` -> ``3A7BD5``; the text unchanged (stripped) when it is not a colour."""
    text = value.strip().lstrip("#")
    return text.upper() if _HEX.match(text) else value.strip()


def check_colour(value: str) -> str:
    text = value.strip().lstrip("#")
    if not text:
        return ""
    if not _HEX.match(text):
        return "A colour is six hexadecimal digits, RRGGBB (for example 3A7BD5)."
    return ""


def _parse_number(value: str) -> float | None:
    return parse_number(value)


def normalise_number(value: str) -> str:
    number = _parse_number(value)
    if number is None or not value.strip():
        return value.strip()
    return format_number(number)


def check_number(value: str, label: str = "This field") -> str:
    if not value.strip():
        return ""
    return "" if _parse_number(value) is not None else f"{label} must be a number."


def _parse_date(value: str) -> datetime | None:
    return parse_datetime(value)


def normalise_date(value: str) -> str:
    parsed = _parse_date(value)
    return format_datetime(parsed) if parsed else value.strip()


def check_date(value: str, label: str = "This field") -> str:
    if not value.strip():
        return ""
    if _parse_date(value) is None:
        return f"{label} must be a date such as 2026-12-31."
    return ""


def check_time(value: str, label: str = "This field") -> str:
    text = value.strip()
    if not text:
        return ""
    for fmt in ("%H:%M", "%H:%M:%S", "%I:%M %p"):
        try:
            datetime.strptime(text, fmt)
            return ""
        except ValueError:
            continue
    return f"{label} must be a time such as 14:30."


def check_range(start: datetime, end: datetime) -> str:
    return "" if end >= start else "The end cannot be before the start."


def check_typed(value: str, field_type: int, label: str, *, is_email: bool = False) -> str:
    """The check for a schema field of type ``field_type`` (contract type codes)."""
    if is_email:
        return check_email(value)
    if field_type == FIELD_PHONE:
        return check_phone(value)
    if field_type in (FIELD_CURRENCY, FIELD_NUMBER, FIELD_PERCENT):
        return check_number(value, label)
    if field_type == FIELD_DATE:
        return check_date(value, label)
    if field_type == FIELD_TIME:
        return check_time(value, label)
    return ""
