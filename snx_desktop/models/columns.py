"""Column sets for every list the app shows, each with a prepared renderer.

Contacts, groups and sales take their columns from the user's default layout; activities,
notes, documents, campaigns and pending changes have fixed columns. Raw ids never reach the
screen: users, contacts and groups are shown by name through :class:`Lookups`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import partial

from snx_desktop.api.values import as_bool
from snx_desktop.api.values import format_datetime as wire_datetime
from snx_desktop.models.completecheck import complete_column
from snx_desktop.models.schema import (
    DATE,
    Column,
    FieldDef,
    LayoutDef,
    Lookups,
    columns_for_table,
    format_date,
    format_datetime,
    format_time,
    parse_datetime,
    sort_key,
)

__all__ = [
    "NOTE_TYPES",
    "SALES_STATUS",
    "activity_columns",
    "campaign_columns",
    "document_columns",
    "format_moment",
    "list_columns",
    "note_columns",
    "pending_columns",
    "sales_columns",
]

NOTE_TYPES = {"1": "Note", "2": "Call", "3": "Meeting", "4": "To-do", "5": "E-mail"}
ACTIVITY_TYPES = {"call": "Call", "meeting": "Meeting", "todo": "To-do"}
SALES_STATUS = {"0": "Open", "1": "Won", "2": "Lost"}
SALES_STATUS_FIELD = "222"
SALES_CONTACT_FIELD = "220"
SALES_GROUP_FIELD = "221"

Record = Mapping[str, object]


def _text(record: Record, key: str) -> str:
    value = record.get(key, "")
    return "" if value is None else str(value)


def _one_line(text: str, limit: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def format_moment(value: str, *, all_day: bool = False) -> str:
    """A point in time with its time of day, midnight included (``Mar 4, 2026 12:00 AM``);
    the date alone for an all-day activity or a value that carries no time."""
    dt = parse_datetime(value) if value else None
    if dt is None:
        return value
    if all_day or len(value.strip()) <= 10:
        return format_date(value)
    return f"{format_date(value)} {format_time(dt)}"


def _activity_when(record: Record) -> str:
    return format_moment(_text(record, "start-time"), all_day=as_bool(record.get("timeless", "")))


class _WhenColumn(Column):
    """An activity's start shown with its time (midnight too), sorted by date and time."""

    def sort_value(self, record: Mapping[str, object]) -> float | str:
        return sort_key(record.get(self.key, ""), DATE)


def note_columns(lookups: Lookups) -> list[Column]:
    return [
        Column("created-date", "Date", DATE),
        Column(
            "type",
            "Type",
            render=lambda r: NOTE_TYPES.get(_text(r, "type"), _text(r, "type").title()),
        ),
        Column("details", "Note", render=lambda r: _one_line(_text(r, "details"))),
        Column("user-id", "By", render=lambda r: lookups.name_for(_text(r, "user-id"))),
    ]


def activity_state(record: Record, now: datetime | None = None) -> str:
    if as_bool(record.get("completed", "")):
        return "Done"
    end = parse_datetime(_text(record, "end-time")) or parse_datetime(_text(record, "start-time"))
    if end is not None and end < (now or datetime.now()):
        return "Overdue"
    return "Open"


def activity_columns(lookups: Lookups, *, with_contact: bool = True) -> list[Column]:
    cols = [
        complete_column(),
        _WhenColumn("start-time", "When", DATE, render=_activity_when),
        Column(
            "type",
            "Type",
            render=lambda r: ACTIVITY_TYPES.get(_text(r, "type"), _text(r, "type").title()),
        ),
        Column("regarding", "Regarding", render=lambda r: _one_line(_text(r, "regarding"), 80)),
    ]
    if with_contact:
        cols.append(
            Column(
                "schedule-with",
                "With",
                render=lambda r: lookups.name_for(_text(r, "schedule-with"), resolve=True),
            )
        )
    cols.append(Column("completed", "Status", render=activity_state))
    cols.append(
        Column("schedule-for", "For", render=lambda r: lookups.name_for(_text(r, "schedule-for")))
    )
    return cols


def document_columns() -> list[Column]:
    def size(r: Record) -> str:
        try:
            from snx_desktop.dnd import format_size  # loaded with the first document shown

            return format_size(int(_text(r, "size") or 0))
        except ValueError:
            return _text(r, "size")

    return [
        Column("file-name", "Name"),
        Column("size", "Size", render=size),
        Column("created-date", "Added", DATE),
    ]


def campaign_columns() -> list[Column]:
    return [Column("name", "Campaign"), Column("member-count", "Members", 3)]


def _status(record: Record, *, key: str) -> str:
    return SALES_STATUS.get(_text(record, key), _text(record, key))


def _linked(lookups: Lookups, record: Record, *, key: str) -> str:
    return lookups.name_for(_text(record, key), resolve=True)


def sales_columns(
    fields: Sequence[FieldDef], layouts: Sequence[LayoutDef], lookups: Lookups
) -> list[Column]:
    """Sales columns from the Sales layout; status as Open/Won/Lost, links as names."""
    out: list[Column] = []
    for col in columns_for_table("Sales", fields, layouts):
        if col.key == SALES_STATUS_FIELD:
            out.append(Column(col.key, col.label, render=partial(_status, key=col.key)))
        elif col.key in (SALES_CONTACT_FIELD, SALES_GROUP_FIELD):
            out.append(Column(col.key, col.label, render=partial(_linked, lookups, key=col.key)))
        else:
            out.append(col)
    if not out:
        out = [
            Column(
                SALES_STATUS_FIELD,
                "Status",
                render=lambda r: SALES_STATUS.get(_text(r, SALES_STATUS_FIELD), ""),
            ),
            Column("231", "Details"),
        ]
    return out


def list_columns(
    kind: str, fields: Sequence[FieldDef], layouts: Sequence[LayoutDef], lookups: Lookups
) -> list[Column]:
    """The columns of the main list of ``kind`` (contact, group, activity, sale, campaign)."""
    if kind == "contact":
        return columns_for_table("Contact", fields, layouts) or [Column("48", "Name")]
    if kind == "group":
        return columns_for_table("Group", fields, layouts) or [Column("name", "Name")]
    if kind == "activity":
        return activity_columns(lookups)
    if kind == "sale":
        return sales_columns(fields, layouts, lookups)
    if kind == "campaign":
        return campaign_columns()
    raise ValueError(f"unknown list kind {kind!r}")


def pending_columns() -> list[Column]:
    def when(r: Record) -> str:
        value = r.get("created_at")
        if isinstance(value, int | float) and value:
            return format_datetime(wire_datetime(datetime.fromtimestamp(value)))
        return ""

    def changes(r: Record) -> str:
        ch = r.get("changes") or {}
        if not isinstance(ch, Mapping):
            return ""
        parts = [f"{k}: {old or '—'} → {new or '—'}" for k, (old, new) in list(ch.items())[:4]]
        return "; ".join(parts)

    state_names = {
        "waiting": "Waiting",
        "blocked": "Held",
        "sending": "Sending…",
        "failed": "Failed",
        "conflict": "Conflict",
    }
    return [
        Column("summary", "Change", render=lambda r: _one_line(_text(r, "summary"), 100)),
        Column("changes", "Details", render=changes),
        Column("state", "State", render=lambda r: state_names.get(_text(r, "state"), "")),
        Column("error", "Error", render=lambda r: _one_line(_text(r, "error"), 100)),
        Column("created_at", "Queued", render=when),
    ]
