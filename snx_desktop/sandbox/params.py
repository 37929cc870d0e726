"""Parsing and validation of call parameters (strict formats, liberal scalar types)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from .catalogue import FIELDS_BY_ID
from .errors import invalid, missing

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 50
MAX_VALUE_CHARS = 100_000
MAX_TEXT_CHARS = 1_000_000
_MAX_OFFSET = 10**12
# A whole number with more digits than this is read as "more than any list holds": a huge
# page-size is clamped like any page-size over the maximum, a huge start-after lies past the
# end of every list (an empty page). Python's int() refuses numerals over 4300 digits and
# SQLite integers end at 2**63, so such numerals never reach either.
_MAX_DIGITS = 15

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_COLOR = re.compile(r"^[0-9a-fA-F]{6}$")
_INT = re.compile(r"[+-]?[0-9]+")

_DATETIME_IN = (
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%Y-%m-%d",
    "%m/%d/%Y",
)


class Params:
    """The ``parameters`` object of one call with typed accessors.

    Every accessor raises ``CallError`` with ``MISSING_PARAMETER`` or ``INVALID_PARAMETER``.
    """

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def has(self, name: str) -> bool:
        return name in self.raw

    def present(self, name: str) -> bool:
        """Given and not an empty string / null."""
        value = self.raw.get(name)
        return value is not None and value != ""

    def text(
        self, name: str, *, required: bool = False, default: str = "", limit: int = MAX_TEXT_CHARS
    ) -> str:
        if name not in self.raw or self.raw[name] is None:
            if required:
                raise missing(name)
            return default
        value = scalar_text(self.raw[name], name)
        if required and value == "":
            raise missing(name)
        if len(value) > limit:
            raise invalid(name, f"longer than {limit} characters")
        return value

    def guid(self, name: str, *, required: bool = False) -> str:
        value = self.text(name, required=required, limit=100).strip()
        if value == "":
            return ""
        return guid(value, name)

    def boolean(self, name: str, default: bool = False) -> bool:
        if name not in self.raw:
            return default
        return boolean(self.raw[name], name, default)

    def integer(self, name: str, default: int, *, minimum: int = 0) -> int:
        if name not in self.raw or self.raw[name] in (None, ""):
            return default
        value = self.raw[name]
        if isinstance(value, bool):
            raise invalid(name, "expected a whole number")
        if isinstance(value, float):
            if not value.is_integer():
                raise invalid(name, "expected a whole number")
            value = int(value)
        if isinstance(value, str):
            value = whole_number(value.strip(), name)
        if not isinstance(value, int):
            raise invalid(name, "expected a whole number")
        if value < minimum:
            raise invalid(name, f"must be {minimum} or more")
        return value

    def paging(self) -> tuple[str, int, int]:
        """``(filter-value, offset, page-size)`` with the contract's defaults and clamping: a
        page-size over the maximum is clamped, a start-after past the end gives an empty page,
        however many digits either has."""
        flt = self.text("filter-value", limit=1000).strip()
        offset = min(self.integer("start-after", 0), _MAX_OFFSET)
        size = min(self.integer("page-size", DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
        return flt, offset, size

    def guid_list(self, name: str) -> list[str]:
        if name not in self.raw or self.raw[name] is None:
            raise missing(name)
        value = self.raw[name]
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip().startswith("[") else [value]
            except (ValueError, RecursionError):
                raise invalid(name, "expected an array of ids") from None
        if not isinstance(value, list):
            raise invalid(name, "expected an array of ids")
        if len(value) > 100_000:
            raise invalid(name, "too many ids")
        out: list[str] = []
        for item in value:
            if not isinstance(item, str):
                raise invalid(name, "every id must be a GUID string")
            out.append(guid(item.strip(), name))
        return out

    def object(self, name: str, *, required: bool = True) -> dict[str, Any] | None:
        if name not in self.raw or self.raw[name] is None or self.raw[name] == "":
            if required:
                raise missing(name)
            return None
        value = self.raw[name]
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except (ValueError, RecursionError):
                raise invalid(name, "expected an object") from None
        if not isinstance(value, dict):
            raise invalid(name, "expected an object")
        return value


def whole_number(text: str, name: str) -> int:
    """A whole number written in ASCII digits; one of more than ``_MAX_DIGITS`` significant
    digits reads as plus or minus ``10**_MAX_DIGITS`` (every caller clamps far below that)."""
    if not _INT.fullmatch(text):
        raise invalid(name, "expected a whole number")
    sign = -1 if text[0] == "-" else 1
    digits = text.lstrip("+-").lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS:
        return sign * 10**_MAX_DIGITS
    return sign * int(digits)


def field_id(value: object) -> int | None:
    """A field id given as text or a whole number, or None when it cannot be one (nested
    values, booleans, fractions, signs, non-ASCII digits, more digits than any id has)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 10**9 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and 0 <= value < 10**9 else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text.lstrip("0")) > 9:
        return None
    return int(text)


def scalar_text(value: Any, name: str) -> str:
    """A parameter value as text: strings as they are, numbers and booleans converted."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise invalid(name, "not a finite number")
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if value is None:
        return ""
    raise invalid(name, "expected a text value")


def guid(value: str, name: str) -> str:
    if not _GUID.match(value):
        raise invalid(name, f"{value[:60]!r} is not a GUID")
    return value.lower()


def boolean(value: Any, name: str, default: bool = False) -> bool:
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return default
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no"):
            return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise invalid(name, "expected true or false")


def color(value: str, name: str) -> str:
    value = value.strip().lstrip("#")
    if not _COLOR.match(value):
        raise invalid(name, "expected a colour as RRGGBB hex")
    return value.upper()


def parse_datetime(value: str, name: str) -> datetime:
    text = " ".join(value.strip().split())
    for fmt in _DATETIME_IN:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise invalid(name, f"{value[:40]!r} is not a date-time (use YYYY-MM-DDTHH:MM:SS)")


def format_datetime(value: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` with a four-digit year for every year (strftime writes the year
    1 as ``1``, which no reader of the contract's format would take)."""
    return value.isoformat(timespec="seconds")


def field_map(name: str, raw: dict[str, Any], table: str, *, writing: bool) -> dict[int, str]:
    """A field map (field id -> text) checked against the catalogue for ``table``."""
    out: dict[int, str] = {}
    for key, value in raw.items():
        key_text = str(key).strip()
        fid = field_id(key_text)
        if fid is None:
            raise invalid(name, f"{key_text[:40]!r} is not a field id")
        fdef = FIELDS_BY_ID.get(fid)
        if fdef is None or fdef.table != table:
            raise invalid(name, f"{fid} is not a field of the {table} table")
        if writing and fdef.read_only:
            raise invalid(name, f"field {fid} ({fdef.label}) is read-only")
        text = scalar_text(value, name)
        if len(text) > MAX_VALUE_CHARS:
            raise invalid(name, f"the value of field {fid} is too long")
        out[fid] = text
    return out


def has_bad_text(value: Any, depth: int = 0) -> bool:
    """True when a JSON value holds text that cannot be stored (lone surrogates) or nests
    deeper than any call needs."""
    if depth > 20:
        return True
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(
            has_bad_text(k, depth + 1) or has_bad_text(v, depth + 1) for k, v in value.items()
        )
    if isinstance(value, list):
        return any(has_bad_text(v, depth + 1) for v in value)
    return False


def norm(value: str) -> str:
    """The form used for matching: trimmed, case-folded."""
    return value.strip().casefold()
