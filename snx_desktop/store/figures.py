"""Reads for the Home page: sums and short lists computed by SQLite over the cached records.

The Home page sums the cached sales by status and sales state and lists the rep's open
activities of today and the overdue ones. Loading tens of thousands of records into Python to
look at four fields each would take a second; here SQLite picks the fields out
(``json_extract``), adds them up and returns a few rows. Dates compare as text in their wire
form (``YYYY-MM-DDTHH:MM:SS``; a space instead of the ``T`` and ``MM/DD/YYYY`` dates are read
too). Amounts are read as numbers after dropping thousands commas, spaces and a ``$`` sign.

These run on any connection's :class:`~.cache.Cache`; the services run them in the store
writer's thread (its ``read`` jobs), away from the event loop.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .cache import Cache
from .types import Record, check_kind

__all__ = ["DueActivities", "SalesSum", "due_activities", "records_where", "sales_sums"]


def _path(key: str) -> str:
    return "$." + json.dumps(key)


def _text(param: str) -> str:
    return f"coalesce(CAST(json_extract(data, {param}) AS TEXT), '')"


def _iso(expr: str) -> str:
    """``expr`` (a date or date-time as text) in the sortable ``YYYY-MM-DDTHH:MM:SS`` form."""
    return (
        f"(CASE WHEN {expr} LIKE '__/__/____%' THEN substr({expr}, 7, 4) || '-' || "
        f"substr({expr}, 1, 2) || '-' || substr({expr}, 4, 2) ELSE replace({expr}, ' ', 'T') END)"
    )


def _amount(expr: str) -> str:
    return f"CAST(replace(replace(replace({expr}, ',', ''), ' ', ''), '$', '') AS REAL)"


@dataclass(frozen=True)
class SalesSum:
    """The cached sales of one status and sales state: how many, what amount, and those of
    them open (status "0") and closing in the week and in the month asked for."""

    status: str
    state: str
    count: int
    amount: float
    week_count: int
    week_amount: float
    month_count: int
    month_amount: float


def sales_sums(
    cache: Cache,
    keys: tuple[str, str, str, str],
    week: tuple[str, str],
    month: tuple[str, str],
) -> list[SalesSum]:
    """Sums of the cached sales by (status, sales state); ``keys`` are the field ids of the
    status, sales state, amount and close date; ``week`` and ``month`` the first and last day
    (``YYYY-MM-DD``) of the periods whose open sales are counted as closing."""
    status, state, amount, close = keys
    # each field read once per record (a materialized table), then summed
    fields = (
        f"SELECT {_text(':status')} AS s, {_text(':state')} AS st, "
        f"{_amount(_text(':amount'))} AS a, substr({_iso(_text(':close'))}, 1, 10) AS d "
        "FROM records WHERE kind = 'sale'"
    )
    week_in = "s = '0' AND d BETWEEN :week0 AND :week1"
    month_in = "s = '0' AND d BETWEEN :month0 AND :month1"
    sql = (
        f"WITH f AS MATERIALIZED ({fields}) "
        "SELECT s, st, count(*), total(a), "
        f"sum({week_in}), total(CASE WHEN {week_in} THEN a ELSE 0 END), "
        f"sum({month_in}), total(CASE WHEN {month_in} THEN a ELSE 0 END) "
        "FROM f GROUP BY s, st"
    )
    params = {
        "status": _path(status),
        "state": _path(state),
        "amount": _path(amount),
        "close": _path(close),
        "week0": week[0],
        "week1": week[1],
        "month0": month[0],
        "month1": month[1],
    }
    conn = cache._db.conn  # the store's own package
    return [
        SalesSum(
            str(s), str(st), int(n), float(a), int(wn or 0), float(wa), int(mn or 0), float(ma)
        )
        for s, st, n, a, wn, wa, mn, ma in conn.execute(sql, params)
    ]


@dataclass(frozen=True)
class DueActivities:
    """The open activities due by the end of today: how many, how many of them overdue, and
    the first ``limit`` of them (today's first by time, then the latest overdue ones) with
    their ids among them that are overdue."""

    total: int
    overdue: int
    records: list[tuple[str, Record]]
    overdue_ids: frozenset[str]


def due_activities(cache: Cache, me: str | None, now: str, limit: int) -> DueActivities:
    """The cached activities not completed, starting before the day after ``now``
    (``YYYY-MM-DDTHH:MM:SS``), scheduled for ``me`` (or for no one; anyone's when ``me`` is
    None)."""
    check_kind("activity")
    today = now[:10]
    mine = "AND owner IN ('', :me)" if me else ""
    # each field read once per record (a materialized table), then filtered and sorted
    start, end = _text(":start"), _text(":end")
    finish = _iso(f"coalesce(nullif({end}, ''), {start})")
    fields = (
        f"SELECT id, {_iso(start)} AS start, {finish} AS finish, "
        f"lower({_text(':timeless')}) IN ('true', '1', 'yes', 'on') AS timeless, "
        f"lower({_text(':completed')}) IN ('true', '1', 'yes', 'on') AS done, "
        f"{_text(':owner')} AS owner "
        "FROM records WHERE kind = 'activity' AND json_extract(data, :start) <> ''"
    )
    overdue = "(CASE WHEN timeless THEN substr(finish, 1, 10) < :today ELSE finish < :now END)"
    due = f"WITH f AS MATERIALIZED ({fields}) SELECT id, start, {overdue} AS late FROM f "
    due += f"WHERE start < :tomorrow AND NOT done {mine}"
    params = {
        "start": _path("start-time"),
        "end": _path("end-time"),
        "timeless": _path("timeless"),
        "completed": _path("completed"),
        "owner": _path("schedule-for"),
        "me": me or "",
        "today": today,
        "now": now,
        "tomorrow": today + "T99",  # after every time of today
    }
    conn = cache._db.conn  # the store's own package
    rows = conn.execute(due, params).fetchall()
    total, late = len(rows), sum(1 for _rid, _start, is_late in rows if is_late)
    # today's first by time, then the latest overdue ones
    todays = sorted((r for r in rows if r[1] >= today), key=lambda r: (r[1], r[0]))
    earlier = sorted((r for r in rows if r[1] < today), key=lambda r: r[1], reverse=True)
    first = (todays + earlier)[:limit]
    found = cache.get_records("activity", [str(r[0]) for r in first])
    records = [(str(r[0]), found[str(r[0])].value) for r in first if str(r[0]) in found]
    return DueActivities(total, late, records, frozenset(str(r[0]) for r in first if r[2]))


def records_where(
    cache: Cache, kind: str, key: str, value: str, *, limit: int = 100_000
) -> list[tuple[str, Record]]:
    """The cached records of ``kind`` whose ``key`` reads ``value`` as text ("" matches a
    record without it), in the order they were cached."""
    check_kind(kind)
    conn = cache._db.conn  # the store's own package
    rows = conn.execute(
        "SELECT id, data FROM records WHERE kind = ? "
        "AND coalesce(CAST(json_extract(data, ?) AS TEXT), '') = ? ORDER BY rid LIMIT ?",
        (kind, _path(key), value, limit),
    ).fetchall()
    return [(str(rid), json.loads(data)) for rid, data in rows]
