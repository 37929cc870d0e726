"""The agenda by day (overdue marked) and reminders from the local store, offline too."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from snx_desktop.ui.editing.agenda import AgendaView, ReminderNotifier
from snx_desktop.ui.editing.agendadata import agenda_days, due_reminders, is_overdue

from .conftest import QT_IGNORE

pytestmark = [pytest.mark.asyncio, QT_IGNORE]

FMT = "%Y-%m-%dT%H:%M:%S"


def act(aid: str, start: datetime, minutes: int = 30, **kw: str) -> dict[str, str]:
    return {
        "id": aid,
        "start-time": start.strftime(FMT),
        "end-time": (start + timedelta(minutes=minutes)).strftime(FMT),
        "schedule-for": kw.pop("who", "me"),
        "completed": kw.pop("completed", "false"),
        "timeless": kw.pop("timeless", "false"),
        "regarding": aid,
        **kw,
    }


async def test_agenda_days_and_due_reminders_rules() -> None:
    now = datetime(2026, 12, 1, 10, 0)
    acts = [
        act("past-open", now - timedelta(days=2)),
        act("past-done", now - timedelta(days=2), completed="true"),
        act("earlier-today", now - timedelta(hours=2)),
        act("soon", now + timedelta(minutes=10)),
        act("allday", now.replace(hour=0), 0, timeless="true"),
        act("tomorrow", now + timedelta(days=1)),
        act("someone-else", now + timedelta(minutes=5), who="other"),
        act("far", now + timedelta(days=40)),
    ]
    days = agenda_days(acts, user_id="me", now=now)
    by_day = {d.day: [i.activity["id"] for i in d.items] for d in days}
    assert by_day == {
        (now - timedelta(days=2)).date(): ["past-open"],
        now.date(): ["allday", "earlier-today", "soon"],
        (now + timedelta(days=1)).date(): ["tomorrow"],
    }
    assert [i.overdue for d in days for i in d.items] == [True, False, True, False, False]
    assert is_overdue(act("x", now - timedelta(days=1), 0, timeless="true"), now)
    seen: set[str] = set()
    due = due_reminders(acts, user_id="me", now=now, seen=seen)
    assert [a["id"] for a in due] == ["allday", "soon"]
    assert due_reminders(acts, user_id="me", now=now, seen=seen) == []  # once each


async def test_agenda_view_and_reminders_offline(
    sandbox: Any, open_services: Any, qtbot: Any
) -> None:
    svc = await open_services(sandbox)
    await svc.browse.fetch_page("activity", "", 0, 1000)  # the rep's activities, cached
    cid = (await svc.browse.fetch_page("contact", "", 0, 3)).records[0]["id"]
    now = datetime.now().replace(microsecond=0)
    svc.connectivity.set_work_offline(True)
    late = await svc.writes.create_activity(
        cid,
        type="call",
        regarding="Agenda overdue call",
        start_time=(now - timedelta(hours=3)).strftime(FMT),
        end_time=(now - timedelta(hours=2)).strftime(FMT),
    )
    soon = await svc.writes.create_activity(
        cid,
        type="meeting",
        regarding="Agenda meeting soon",
        start_time=(now + timedelta(minutes=10)).strftime(FMT),
        end_time=(now + timedelta(minutes=70)).strftime(FMT),
    )
    view = AgendaView(svc, now=lambda: now)
    qtbot.addWidget(view)
    rows = {item.text(1): item for item in view.items()}
    assert rows["Agenda overdue call"].text(3) == "Overdue"
    assert rows["Agenda overdue call"].foreground(1).color().name() == "#c0392b"
    assert rows["Agenda meeting soon"].text(3) == ""
    assert "overdue" in view.summary.text()
    assert view.tree.topLevelItem(0) is not None

    notices: list[str] = []
    notifier = ReminderNotifier(svc, now=lambda: now)
    notifier.notice.connect(notices.append)
    assert not notifier.uses_tray()  # offscreen: no system tray, in-app notice instead
    due = notifier.check_now()
    assert soon.ids[0] in [a["id"] for a in due]
    assert late.ids[0] not in [a["id"] for a in due]
    assert any("Agenda meeting soon" in n and "in 10 min" in n for n in notices)
    assert notifier.check_now() == []  # each activity is reminded once
    notifier.stop()
    view.detach()
