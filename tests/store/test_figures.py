"""The Home page's sums and lists as SQLite computes them over the cached records: amounts
with thousands commas and a currency sign, close dates in each of the contract's forms, and
the rep's open activities of today and the overdue ones (completed ones, a colleague's and
tomorrow's left out; today's first, then the latest overdue)."""

from __future__ import annotations

from snx_desktop.store import Store
from snx_desktop.store.figures import due_activities, records_where, sales_sums

KEYS = ("222", "234", "225", "226")
WEEK = ("2026-12-07", "2026-12-13")
MONTH = ("2026-12-01", "2026-12-31")


def sale(status: str, state: str, amount: str, close: str) -> dict[str, str]:
    return {"222": status, "234": state, "225": amount, "226": close}


def test_sales_are_summed_by_status_and_state_with_their_closing_dates(store: Store) -> None:
    store.cache.put_records(
        "sale",
        [
            ("s1", sale("0", "Proposal", "1,200.00", "2026-12-08T10:00:00")),  # this week
            ("s2", sale("0", "Proposal", "$300", "12/20/2026")),  # this month
            ("s3", sale("0", "Negotiation", "50.5", "2026-12-13 17:00")),  # Sunday: this week
            ("s4", sale("1", "Closed Won", "1000", "2026-12-09T00:00:00")),  # won: not "closing"
            ("s5", sale("0", "Proposal", "", "2027-01-02")),  # next year, no amount
            ("s6", {"231": "no status at all"}),
        ],
    )
    sums = {(s.status, s.state): s for s in sales_sums(store.cache, KEYS, WEEK, MONTH)}
    assert set(sums) == {("0", "Proposal"), ("0", "Negotiation"), ("1", "Closed Won"), ("", "")}
    proposal = sums[("0", "Proposal")]
    assert (proposal.count, proposal.amount) == (3, 1500.0)
    assert (proposal.week_count, proposal.week_amount) == (1, 1200.0)
    assert (proposal.month_count, proposal.month_amount) == (2, 1500.0)
    negotiation = sums[("0", "Negotiation")]
    assert (negotiation.week_count, negotiation.month_count) == (1, 1)
    won = sums[("1", "Closed Won")]
    assert (won.count, won.amount, won.week_count, won.month_count) == (1, 1000.0, 0, 0)
    assert sums[("", "")].count == 1
    assert [rid for rid, _r in records_where(store.cache, "sale", "234", "Proposal")] == [
        "s1",
        "s2",
        "s5",
    ]
    assert [rid for rid, _r in records_where(store.cache, "sale", "222", "")] == ["s6"]


def activity(start: str, **more: str) -> dict[str, str]:
    return {"start-time": start, "schedule-for": "me", "regarding": "x", **more}


def test_due_activities_are_the_reps_open_ones_of_today_and_the_overdue_ones(
    store: Store,
) -> None:
    now = "2026-12-08T12:00:00"
    store.cache.put_records(
        "activity",
        [
            ("later-today", activity("2026-12-08T15:00:00")),
            ("this-morning", activity("2026-12-08T09:00:00", **{"end-time": "2026-12-08T09:30"})),
            ("all-day-today", activity("2026-12-08", timeless="true")),
            ("last-week", activity("2026-12-01T10:00:00")),
            ("yesterday", activity("12/07/2026 10:00 AM")),
            ("done", activity("2026-12-08T08:00:00", completed="true")),
            ("colleagues", activity("2026-12-08T08:00:00", **{"schedule-for": "someone"})),
            ("nobodys", activity("2026-12-08T16:00:00", **{"schedule-for": ""})),
            ("tomorrow", activity("2026-12-09T08:00:00")),
            ("no-start", activity("")),
        ],
    )
    due = due_activities(store.cache, "me", now, limit=50)
    order = [rid for rid, _r in due.records]
    assert order == [
        "all-day-today",
        "this-morning",
        "later-today",
        "nobodys",
        "yesterday",
        "last-week",
    ]
    assert due.total == 6
    assert due.overdue_ids == {"this-morning", "yesterday", "last-week"}
    assert due.overdue == 3
    first = due_activities(store.cache, "me", now, limit=2)
    assert (first.total, [rid for rid, _r in first.records]) == (6, order[:2])
    everyone = due_activities(store.cache, None, now, limit=50)
    assert "colleagues" in {rid for rid, _r in everyone.records}
