"""Field catalogue and layouts as the models see them, and how values are shown to people.

``FieldDef``/``LayoutDef`` are read from the services' field info or tolerantly from the API's
dicts. :class:`Column` carries one prepared renderer, so a model's
``data()`` is a dispatch, never a lookup. Values the user should not see (record ids, GUIDs)
are hidden or replaced by names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, QLocale

from snx_desktop.api import values as wire_values
from snx_desktop.models.localefmt import app_locale, date_display_format, number_text, qdate_time

if TYPE_CHECKING:
    from snx_desktop.services.schemadata import FieldInfo

__all__ = [
    "Column",
    "FieldDef",
    "LayoutDef",
    "Lookups",
    "columns_for_table",
    "field_from",
    "format_date",
    "format_datetime",
    "format_time",
    "format_value",
    "is_guid",
    "layout_from",
    "parse_datetime",
]

GUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)

# get-all-fields type codes
TEXT, CURRENCY, DATE, NUMBER, PHONE, TIME, CHECKBOX, PERCENT, IMAGE = range(9)

_HIDDEN_ROLES = {"record-id"}


def is_guid(value: object) -> bool:
    return isinstance(value, str) and bool(GUID_RE.match(value))


def _get(raw: Mapping[str, object], *names: str, default: object = "") -> object:
    """The value of the first of ``names`` that ``raw`` has."""
    for name in names:
        if name in raw:
            return raw[name]
    return default


@dataclass(frozen=True)
class FieldDef:
    id: str
    table: str
    label: str
    type: int = TEXT
    read_only: bool = False
    role: str = ""


@dataclass(frozen=True)
class LayoutDef:
    id: str
    name: str
    table: str
    is_default: bool
    field_ids: tuple[str, ...]


def field_from(obj: FieldInfo | Mapping[str, object]) -> FieldDef:
    """A FieldDef from the services' field info or from a field of an API answer."""
    if not isinstance(obj, Mapping):
        return FieldDef(obj.id, obj.table, obj.label, obj.type, obj.read_only, obj.role)
    try:
        kind = int(str(_get(obj, "type", "field_type", default=0) or 0))
    except ValueError:
        kind = TEXT
    return FieldDef(
        id=str(_get(obj, "unique-id", "id", "field_id")),
        table=str(_get(obj, "table-name", "table", "table_name")),
        label=str(_get(obj, "label", "name")),
        type=kind,
        read_only=wire_values.as_bool(_get(obj, "read-only", "read_only", default=False)),
        role=str(_get(obj, "role", default="") or ""),
    )


def layout_from(raw: Mapping[str, object]) -> LayoutDef:
    """A LayoutDef from a layout of an API answer (its field ids a list or a text)."""
    ids = _get(raw, "field-ids", "field_ids", default=()) or ()
    if isinstance(ids, str):
        ids = [s for s in re.split(r"[,\s]+", ids) if s]
    return LayoutDef(
        id=str(_get(raw, "layout-id", "id", "layout_id")),
        name=str(_get(raw, "name")),
        table=str(_get(raw, "table-name", "table", "table_name")),
        is_default=wire_values.as_bool(_get(raw, "is-default", "is_default", default=False)),
        field_ids=tuple(str(i) for i in ids) if isinstance(ids, Iterable) else (),
    )


def parse_datetime(value: str) -> datetime | None:
    """A wire date-time as the lists read it: any form the contract allows, or a value that
    starts with a date."""
    return wire_values.parse_datetime(value, leading_date=True)


def _qdt(dt: datetime) -> QDateTime:
    return qdate_time(dt)


def _locale() -> QLocale:
    return app_locale()


def _date_text(dt: datetime) -> str:
    """``Mar 4, 2026`` (US), ``4 Mar 2026`` (British), ``4. März 2026`` (German): the
    locale's order with the month's name, never ambiguous."""
    locale = _locale()
    return locale.toString(_qdt(dt).date(), date_display_format(locale))


def format_datetime(value: str) -> str:
    """``2026-03-04T14:30:00`` -> ``Mar 4, 2026 2:30 PM`` (date and time in the user's
    format)."""
    dt = parse_datetime(value) if value else None
    if dt is None:
        return value
    if dt.hour == 0 and dt.minute == 0 and dt.second == 0:
        return _date_text(dt)
    locale = _locale()
    time_text = locale.toString(_qdt(dt).time(), locale.timeFormat(QLocale.FormatType.ShortFormat))
    return f"{_date_text(dt)} {time_text}"


def format_time(dt: datetime) -> str:
    """A time of day in the user's short format (``2:30 PM``), as the lists show it."""
    locale = _locale()
    return locale.toString(_qdt(dt).time(), locale.timeFormat(QLocale.FormatType.ShortFormat))


def format_date(value: str) -> str:
    dt = parse_datetime(value) if value else None
    return _date_text(dt) if dt is not None else value


@dataclass
class Lookups:
    """Names for ids that would otherwise be shown raw (users, contacts, groups)."""

    users: dict[str, str] = field(default_factory=dict)
    contacts: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    resolver: Callable[[str], str] | None = None  # asked for ids not in the tables

    def name_for(self, value: str, *, resolve: bool = False) -> str:
        """The name for an id; ``resolve`` asks :attr:`resolver` for a linked record's name."""
        if not value:
            return ""
        key = value.lower()
        for table in (self.users, self.contacts, self.groups):
            if key in table:
                return table[key]
        if resolve and self.resolver is not None:
            try:
                name = self.resolver(key)
            except Exception:
                name = ""
            self.contacts[key] = name
            return name
        return ""


def format_value(value: object, kind: int = TEXT, lookups: Lookups | None = None) -> str:
    """One value as a person should read it; GUIDs become names or disappear."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else ""
    text = str(value)
    if not text:
        return ""
    if is_guid(text):
        return lookups.name_for(text) if lookups is not None else ""
    if kind == CURRENCY:
        amount = wire_values.parse_number(text)
        return text if amount is None else _locale().toCurrencyString(amount)
    if kind == DATE:
        return format_datetime(text)
    if kind == CHECKBOX:
        return "Yes" if wire_values.as_bool(text) else ""
    if kind in (NUMBER, PERCENT):
        number = wire_values.parse_number(text)
        if number is None:
            return text if kind == NUMBER or text.endswith("%") else f"{text}%"
        shown = number_text(number, _locale())
        return f"{shown}{_locale().percent()}" if kind == PERCENT else shown
    if kind == TEXT and len(text) >= 10 and text[4:5] == "-" and text[7:8] == "-":
        dt = parse_datetime(text)
        if dt is not None:
            return format_datetime(text)
    return text


def sort_key(value: object, kind: int = TEXT) -> float | str:
    """A value that sorts naturally: numbers as numbers, dates as ISO text, text folded."""
    text = "" if value is None else str(value)
    if kind in (CURRENCY, NUMBER, PERCENT):
        return wire_values.parse_number(text) or 0.0
    if kind == DATE:
        dt = parse_datetime(text)
        return dt.isoformat() if dt else ""
    return text.casefold()


@dataclass(frozen=True)
class Column:
    """One column: the record key it reads, its header and its prepared renderer."""

    key: str
    label: str
    kind: int = TEXT
    render: Callable[[Mapping[str, object]], str] | None = None
    width_hint: int = 0

    def display(self, record: Mapping[str, object], lookups: Lookups | None = None) -> str:
        if self.render is not None:
            return self.render(record)
        return format_value(record.get(self.key, ""), self.kind, lookups)

    def sort_value(self, record: Mapping[str, object]) -> float | str:
        if self.render is not None:
            return self.render(record).casefold()
        return sort_key(record.get(self.key, ""), self.kind)


def columns_for_table(
    table: str,
    fields: Iterable[FieldDef],
    layouts: Sequence[LayoutDef],
    *,
    limit: int = 0,
) -> list[Column]:
    """Columns from the default layout of ``table`` (the first layout when none is default).

    Fields with role ``record-id`` are left out. With no layout, every field of the table.
    """
    by_id = {f.id: f for f in fields if f.table.lower() == table.lower()}
    candidates = [lay for lay in layouts if lay.table.lower() == table.lower()]
    chosen = next((lay for lay in candidates if lay.is_default), None) or (
        candidates[0] if candidates else None
    )
    ids = list(chosen.field_ids) if chosen else list(by_id)
    out: list[Column] = []
    for fid in ids:
        fdef = by_id.get(fid)
        if fdef is None or fdef.role in _HIDDEN_ROLES or fdef.type == IMAGE:
            continue
        out.append(Column(key=fdef.id, label=fdef.label, kind=fdef.type))
        if limit and len(out) >= limit:
            break
    return out


def format_age(fetched_at: float | None, now: float | None = None) -> str:
    """How old data is, for people: ``just now``, ``5 min ago``, ``3 h ago``, ``2 days ago``."""
    import time

    if not fetched_at:
        return "never updated"
    seconds = max(0.0, (now if now is not None else time.time()) - fetched_at)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return "1 day ago" if days == 1 else f"{days} days ago"
