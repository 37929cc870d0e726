"""The rep's agenda and reminders, computed from cached activities (no Qt).

`agenda_days` groups the activities scheduled for one user by day, marks the overdue ones
(not completed and already over) and keeps overdue ones from earlier days at the top.
`due_reminders` picks the activities to remind about now: those starting within the lead
time (or started less than `LATE_WINDOW` ago), and all-day ones on their day, each once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from snx_desktop.api.values import as_bool, parse_datetime

__all__ = [
    "LATE_WINDOW",
    "AgendaDay",
    "AgendaItem",
    "agenda_days",
    "due_reminders",
    "is_completed",
    "is_overdue",
    "parse_wire",
    "reminder_text",
    "week_start",
]

LATE_WINDOW = timedelta(hours=1)


def week_start(day: date, first_weekday: int) -> date:
    """The first day of ``day``'s week when weeks start on ``first_weekday`` (1 Monday …
    7 Sunday, as ``QLocale.firstDayOfWeek`` counts)."""
    return day - timedelta(days=(day.isoweekday() - first_weekday) % 7)


def parse_wire(text: object) -> datetime | None:
    return parse_datetime(text)


def is_completed(activity: Mapping[str, str]) -> bool:
    return as_bool(activity.get("completed"))


def is_overdue(activity: Mapping[str, str], now: datetime) -> bool:
    """Not completed, and its end (or start) has passed; an all-day one once its day is over."""
    if is_completed(activity):
        return False
    start = parse_wire(activity.get("start-time"))
    end = parse_wire(activity.get("end-time")) or start
    if end is None:
        return False
    if as_bool(activity.get("timeless")):
        return end.date() < now.date()
    return end < now


@dataclass(frozen=True)
class AgendaItem:
    activity: dict[str, str]
    start: datetime | None
    overdue: bool
    completed: bool
    timeless: bool


@dataclass
class AgendaDay:
    day: date
    items: list[AgendaItem] = field(default_factory=list)

    @property
    def overdue_count(self) -> int:
        return sum(1 for i in self.items if i.overdue)


def agenda_days(
    activities: Iterable[Mapping[str, str]],
    *,
    user_id: str | None,
    now: datetime,
    days_ahead: int = 14,
    include_completed: bool = False,
) -> list[AgendaDay]:
    """Days from today to ``days_ahead``, plus earlier days that still hold overdue items."""
    last = now.date() + timedelta(days=days_ahead)
    days: dict[date, AgendaDay] = {}
    for act in activities:
        if user_id and str(act.get("schedule-for", "") or "") not in ("", user_id):
            continue
        start = parse_wire(act.get("start-time"))
        if start is None:
            continue
        done = is_completed(act)
        overdue = is_overdue(act, now)
        day = start.date()
        if day > last:
            continue
        if day < now.date() and not overdue:
            continue
        if done and not include_completed:
            continue
        item = AgendaItem(dict(act), start, overdue, done, as_bool(act.get("timeless")))
        days.setdefault(day, AgendaDay(day)).items.append(item)
    out = [days[d] for d in sorted(days)]
    for d in out:
        d.items.sort(key=lambda i: (not i.timeless, i.start or now, str(i.activity.get("id", ""))))
    return out


def due_reminders(
    activities: Iterable[Mapping[str, str]],
    *,
    user_id: str | None,
    now: datetime,
    lead: timedelta = timedelta(minutes=15),
    seen: set[str] | None = None,
) -> list[dict[str, str]]:
    """Activities to remind about at ``now`` (ids in ``seen`` are skipped, then added)."""
    seen = seen if seen is not None else set()
    out: list[dict[str, str]] = []
    for act in activities:
        rid = str(act.get("id") or act.get("activity-id") or "")
        if not rid or rid in seen or is_completed(act):
            continue
        if user_id and str(act.get("schedule-for", "") or "") not in ("", user_id):
            continue
        start = parse_wire(act.get("start-time"))
        if start is None:
            continue
        if as_bool(act.get("timeless")):
            due = start.date() == now.date()
        else:
            due = start - lead <= now <= start + LATE_WINDOW
        if due:
            seen.add(rid)
            out.append(dict(act))
    out.sort(key=lambda a: str(a.get("start-time", "")))
    return out


def reminder_text(activity: Mapping[str, str], now: datetime) -> str:
    start = parse_wire(activity.get("start-time"))
    subject = str(activity.get("regarding", "") or "Activity")
    kind = {"call": "Call", "meeting": "Meeting", "todo": "To-do"}.get(
        str(activity.get("type", "")), "Activity"
    )
    if start is None or as_bool(activity.get("timeless")):
        return f"{kind} today: {subject}"
    minutes = int((start - now).total_seconds() // 60)
    if minutes > 0:
        when = f"in {minutes} min"
    elif minutes == 0:
        when = "now"
    else:
        when = f"started {-minutes} min ago"
    return f"{kind} at {start:%H:%M} ({when}): {subject}"
