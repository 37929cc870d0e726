"""The figures of the Home page, read from the offline store (no Qt, no network).

:func:`gather` reads, in one job of the store writer's thread (a ``read`` job, so the event
loop never waits on SQLite): the cached sales by status and by sales state (count and amount),
the open sales closing this week and this month, and the rep's open activities of today and
the overdue ones. :class:`HomeService` runs it for one account and finds the cached sales
behind a bar of the pipeline chart. The records the rep opened lately are kept as a short JSON
list (:func:`with_opened`, :func:`recent_to_json`, :func:`recent_from_json`); the window keeps
it per account in its settings.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from snx_desktop.store.figures import due_activities, records_where, sales_sums

if TYPE_CHECKING:
    from snx_desktop.services.schemadata import Schema
    from snx_desktop.store import Cache, Store

__all__ = [
    "MAX_RECENT",
    "MAX_TODAY",
    "Bar",
    "Closing",
    "HomeFigures",
    "HomeService",
    "RecentRecord",
    "SalesFields",
    "gather",
    "recent_from_json",
    "recent_to_json",
    "sales_fields",
    "with_opened",
]

log = logging.getLogger(__name__)

MAX_RECENT = 10
MAX_TODAY = 50  # open activities listed at most (the Agenda has them all)
STATUS_NAMES = {"0": "Open", "1": "Won", "2": "Lost"}
STATUS_ORDER = ("0", "1", "2")
_FORMAT = "%Y-%m-%dT%H:%M:%S"


@dataclass(frozen=True)
class SalesFields:
    """The field ids of the sales' status, sales state, amount and close date."""

    status: str = "222"
    state: str = "234"
    amount: str = "225"
    close_date: str = "226"
    #: the field of a contact's name (an activity's contact is named by it)
    contact_name: str = "48"


def sales_fields(schema: Schema | None) -> SalesFields:
    """The sales fields by their labels in ``schema`` (the usual ids where it has none)."""
    default = SalesFields()
    if schema is None:
        return default
    amount = next((f.id for f in schema.table_fields("Sales") if f.type == 1), None)
    return SalesFields(
        status=schema.by_label("Sales", "Status") or default.status,
        state=schema.by_label("Sales", "Sales State") or default.state,
        amount=amount or default.amount,
        close_date=schema.by_label("Sales", "Close Date") or default.close_date,
        contact_name=schema.role("Contact", "name") or default.contact_name,
    )


@dataclass(frozen=True)
class Bar:
    """One bar of the pipeline chart: the cached sales whose ``key`` field reads ``value``."""

    key: str
    value: str
    label: str
    count: int
    amount: float


@dataclass(frozen=True)
class Closing:
    count: int = 0
    amount: float = 0.0


@dataclass(frozen=True)
class RecentRecord:
    kind: str
    id: str
    title: str


@dataclass(frozen=True)
class HomeFigures:
    """What the Home page shows (see the module)."""

    sales: int = 0
    by_status: tuple[Bar, ...] = ()
    by_state: tuple[Bar, ...] = ()
    closing_week: Closing = Closing()
    closing_month: Closing = Closing()
    #: the rep's first open activities of today and overdue ones (today's first), how many
    #: there are in all and how many of them are overdue, and the overdue ones' ids
    today: tuple[dict[str, Any], ...] = ()
    today_total: int = 0
    overdue_total: int = 0
    overdue_ids: frozenset[str] = frozenset()
    #: names of the contacts the listed activities are with, by id
    names: dict[str, str] = field(default_factory=dict)
    read_ms: float = field(default=0.0, compare=False)
    fields: SalesFields = field(default_factory=SalesFields)


def _bars(key: str, sums: Mapping[str, tuple[int, float]], order: Iterable[str]) -> list[Bar]:
    first = [v for v in order if v in sums]
    rest = sorted((v for v in sums if v not in first), key=lambda v: (-sums[v][1], v))
    out: list[Bar] = []
    for value in first + rest:
        count, amount = sums[value]
        if key == "status":
            label = STATUS_NAMES.get(value, value) or "No status"
        else:
            label = value or "No sales state"
        out.append(Bar(key, value, label, count, amount))
    return out


def _week(today: date) -> tuple[date, date]:
    start = today - timedelta(days=today.weekday())
    return start, start + timedelta(days=6)


def _month(today: date) -> tuple[date, date]:
    start = today.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following - timedelta(days=1)


def _days(period: tuple[date, date]) -> tuple[str, str]:
    return period[0].isoformat(), period[1].isoformat()


def gather(
    cache: Cache, fields: SalesFields, me: str | None, now: datetime, limit: int = MAX_TODAY
) -> HomeFigures:
    """Every figure of the Home page from ``cache`` (see the module); runs in any thread."""
    began = time.perf_counter()
    today = now.date()
    keys = (fields.status, fields.state, fields.amount, fields.close_date)
    sums = sales_sums(cache, keys, _days(_week(today)), _days(_month(today)))
    by_status: dict[str, tuple[int, float]] = {}
    by_state: dict[str, tuple[int, float]] = {}
    week, month = [0, 0.0], [0, 0.0]
    for row in sums:
        for table, value in ((by_status, row.status), (by_state, row.state)):
            n, total = table.get(value, (0, 0.0))
            table[value] = (n + row.count, total + row.amount)
        week = [week[0] + row.week_count, week[1] + row.week_amount]
        month = [month[0] + row.month_count, month[1] + row.month_amount]
    due = due_activities(cache, me, now.strftime(_FORMAT), limit)
    with_ids = {str(r.get("schedule-with", "") or "") for _rid, r in due.records} - {""}
    contacts = cache.get_records("contact", sorted(with_ids))
    names = {
        rid: str(c.value.get(fields.contact_name, "") or "").strip() for rid, c in contacts.items()
    }
    return HomeFigures(
        sales=sum(n for n, _a in by_status.values()),
        by_status=tuple(_bars("status", by_status, STATUS_ORDER)),
        by_state=tuple(_bars("state", by_state, ())),
        closing_week=Closing(int(week[0]), float(week[1])),
        closing_month=Closing(int(month[0]), float(month[1])),
        today=tuple({**record, "id": rid} for rid, record in due.records),
        today_total=due.total,
        overdue_total=due.overdue,
        overdue_ids=due.overdue_ids,
        names={k: v for k, v in names.items() if v},
        read_ms=(time.perf_counter() - began) * 1000,
        fields=fields,
    )


def recent_from_json(text: object) -> list[RecentRecord]:
    """The recently opened records kept as JSON text (none when it is not readable)."""
    try:
        raw = json.loads(str(text or "[]"))
    except ValueError:
        return []
    if not isinstance(raw, list):
        return []
    return [
        RecentRecord(str(r.get("kind", "")), str(r.get("id", "")), str(r.get("title", "")))
        for r in raw
        if isinstance(r, dict) and r.get("id") and r.get("kind")
    ][:MAX_RECENT]


def recent_to_json(recent: Iterable[RecentRecord]) -> str:
    return json.dumps([{"kind": r.kind, "id": r.id, "title": r.title} for r in recent])


def with_opened(recent: Iterable[RecentRecord], opened: RecentRecord) -> list[RecentRecord]:
    """``opened`` first, then the others (it once), at most ``MAX_RECENT``."""
    rest = [r for r in recent if (r.kind, r.id) != (opened.kind, opened.id)]
    return [opened, *rest][:MAX_RECENT]


class HomeService:
    """The Home page's figures for one account's store (see the module)."""

    def __init__(self, store: Store, schema: Any) -> None:
        self._store = store
        self._schema = schema  # the account's SchemaService (``current``)

    def _fields(self) -> tuple[SalesFields, str | None]:
        schema: Schema | None = getattr(self._schema, "current", None)
        return sales_fields(schema), (schema.me if schema is not None else None)

    async def figures(self, now: datetime | None = None) -> HomeFigures:
        """Every figure, read in the store writer's thread."""
        fields, me = self._fields()
        return await self._store.writer.read(gather, fields, me, now or datetime.now())

    async def sales_where(self, key: str, value: str) -> list[dict[str, Any]]:
        """The cached sales of one bar (``key`` is "status" or "state"), each with its id."""
        fields, _me = self._fields()
        field_id = fields.status if key == "status" else fields.state
        found = await self._store.writer.read(records_where, "sale", field_id, value)
        return [{**record, "id": rid} for rid, record in found]
