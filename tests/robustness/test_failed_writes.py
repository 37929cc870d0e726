"""Writes the server refuses for good: each stays in the queue as failed, with its reason,
and the user is told (the app's path: ``op_done`` -> ``SessionBinder`` -> ``messages``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.qtobjects import dispose
from support.signals import when
from support.waiting import within

from snx_desktop.services import AppServices
from snx_desktop.ui.texts import readable_error

pytestmark = [pytest.mark.asyncio, pytest.mark.qt_log_ignore("This plugin does not support")]

MISSING = "0badc0de-0000-4000-8000-00000000abcd"


async def _open(server: Any, profile: Path) -> AppServices:
    return await AppServices.open(
        server.base_url,
        account=DEMO_EMAIL,
        password=DEMO_PASSWORD,
        profile_dir=profile,
        probe_interval=(0.05, 0.5),
    )


async def test_a_refused_write_is_failed_with_reason_and_shown(
    fresh_sandbox: Any, tmp_path: Path, user_messages: list[Any]
) -> None:
    from PySide6.QtCore import QSettings

    from snx_desktop.ui.mainwindow import MainWindow
    from snx_desktop.ui.session import SessionBinder

    svc = await _open(fresh_sandbox, tmp_path / "p")
    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    binder = SessionBinder(window, svc, DEMO_EMAIL)
    shown: list[str] = []
    window.messages.error.connect(lambda text, _d: shown.append(text))
    try:
        change = await svc.writes.create_note(MISSING, "a note for nobody")
        assert await within(lambda: svc.writes.status.failed == 1, 15)
        [op] = svc.writes.pending()
        assert op.op_id == change.op_id
        assert op.state == "failed"
        assert op.error
        assert "not found" in op.error.lower()
        # reached the window's message bar, in words for people (record ids left out)
        said = readable_error(op.error)
        await when(
            window.messages.error, lambda: any(said in t for t in shown), 5, "the error shown"
        )
        assert any(said in text for text in shown)
        assert any(said in m.text for m in user_messages if m.level.value == "error")
    finally:
        binder.close()
        await svc.aclose()
        dispose(window)


async def test_writes_held_behind_a_failed_write_show_why(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    svc = await _open(fresh_sandbox, tmp_path / "p")
    outcomes: list[Any] = []
    svc.writes.op_done.connect(outcomes.append)
    try:
        for i in range(3):
            await svc.writes.create_note(MISSING, f"held note {i}")
        assert await within(lambda: svc.writes.status.failed >= 1, 15)
        await within(lambda: svc.writes.status.failed == 3, 3)
        left = svc.writes.pending()
        assert len(left) == 3
        # the rule: "the queue is empty or holds only writes shown as failed with their
        # reason": a write that cannot go on must not look like one about to be sent
        assert [p.state != "waiting" for p in left] == [True] * 3, [
            (p.state, p.error) for p in left
        ]
        assert all(p.error for p in left)
        failed = [o for o in outcomes if not o.ok]
        assert failed, "the user was not told"
        # the user learns that later changes are held too (in the message or one each)
        assert len(failed) == 3 or any("2" in (o.error or "") for o in failed)
    finally:
        await svc.aclose()
