"""Offline crash, app level: 200 writes made offline in the app (contacts created, updated,
added to a group, with notes; notes, calls and uploads on existing contacts); the app is
killed with SIGKILL while it replays them; restarted online, all 200 land once, in order.

Both runs go through the app's own sign-in path (``AccountFlow.open_account`` ->
``AppServices.open`` with the profile folder); the replay runs in a child process
(``app_child.py``) so that it can really be killed. Order is checked in the sandbox's own
tables (row ids are the order the server stored things in).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.fields import C_EMAIL, C_NAME, C_TITLE
from support.qtobjects import dispose
from support.replay import kill_mid_request, outbox_counts

from snx_desktop.store import Store
from snx_desktop.ui.accountflow import AccountFlow
from snx_desktop.ui.mainwindow import MainWindow
from snx_desktop.ui.signin import SignInRequest

pytestmark = [pytest.mark.asyncio, pytest.mark.qt_log_ignore("This plugin does not support")]

CHILD = Path(__file__).with_name("app_child.py")
CREDENTIALS = (DEMO_EMAIL, DEMO_PASSWORD)
NEW = 40  # contacts created offline; with their notes, updates, memberships: 200 writes


def _child(profile: Path, server: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), "replay", str(profile), server.base_url, *CREDENTIALS],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.timeout(200)
async def test_sigkill_during_replay_then_restart_lands_all_200_once_in_order(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    server = sandbox_factory(contacts=60, seed=13)
    profile = tmp_path / "profile"
    profile.mkdir()
    settings_path = profile / "settings.ini"

    # 1. the app signs in, goes offline, and the rep makes 200 writes
    from PySide6.QtCore import QSettings

    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    ctrl = AccountFlow(window=window, settings=settings, profile=profile, on_quit=lambda _c: None)
    expected_notes: list[str] = []
    expected_contacts: list[str] = []
    expected_acts: list[str] = []
    expected_docs: list[str] = []
    doc_contact: dict[str, str] = {}  # file name -> the contact it was attached to
    files = tmp_path / "files"
    files.mkdir()
    try:
        error = await ctrl.open_account(
            SignInRequest(server=server.base_url, email=DEMO_EMAIL, password=DEMO_PASSWORD)
        )
        assert error is None
        svc = ctrl.services
        existing = (await svc.browse.fetch_page("contact", "", 0, 60)).ids
        group = (await svc.browse.fetch_page("group", "", 0, 5)).ids[0]
        svc.connectivity.set_work_offline(True)
        w = svc.writes
        for i in range(NEW):
            ch = await w.create_contact(
                {C_NAME: f"Crash {i:03d}", C_EMAIL: f"crash{i:03d}@kill.example"}
            )
            expected_contacts.append(f"crash{i:03d}@kill.example")
            new = ch.ids[0]
            await w.create_note(new, f"crash note {i:03d} a")
            expected_notes.append(f"crash note {i:03d} a")
            await w.update_contact(new, {C_TITLE: f"Title {i:03d}"})
            await w.add_contacts_to_group(group, [new])
            if i % 4 == 1:
                doc = files / f"crash-doc-{i:03d}.txt"
                doc.write_text(f"crash document {i:03d}\n" * 40, encoding="utf-8")
                await w.upload_document(existing[i], doc)
                expected_docs.append(doc.name)
                doc_contact[doc.name] = existing[i]
            elif i % 4 == 3:
                await w.create_note(existing[i], f"crash note {i:03d} b")
                expected_notes.append(f"crash note {i:03d} b")
            else:
                await w.create_activity(
                    existing[i],
                    type="call",
                    regarding=f"crash call {i:03d}",
                    start_time="2026-12-08T09:00:00",
                    end_time="2026-12-08T09:15:00",
                )
                expected_acts.append(f"crash call {i:03d}")
        assert w.status.pending == 200
        db = svc.store.path
    finally:
        await ctrl.close()
        dispose(window)

    # 2. the app replays online in its own process and is killed half-way, mid-request
    server.faults.update({"latency_ms": 15})
    child = _child(profile, server)
    left = await kill_mid_request(child, db, most_left=130, timeout=90)
    assert 0 < left < 200, left

    # 3. restarted online: the rest lands, nothing twice, nothing out of order
    server.faults.update({"latency_ms": 0})
    child = _child(profile, server)
    out, _ = await asyncio.to_thread(child.communicate, timeout=150)
    assert child.returncode == 0, out.decode()
    assert outbox_counts(db)[0] == 0

    db_server = server.state.db
    contacts = [
        r["data"]
        for r in db_server.all(
            "SELECT data FROM contacts WHERE data LIKE '%@kill.example%' ORDER BY rid"
        )
    ]
    import json

    emails = [json.loads(d)[C_EMAIL] for d in contacts]
    assert emails == expected_contacts  # each once, in the order made
    titles = {json.loads(d)[C_EMAIL]: json.loads(d)[C_TITLE] for d in contacts}
    assert titles == {f"crash{i:03d}@kill.example": f"Title {i:03d}" for i in range(NEW)}
    notes = [
        r["details"]
        for r in db_server.all(
            "SELECT details FROM notes WHERE details LIKE 'crash note %' ORDER BY rid"
        )
    ]
    assert notes == expected_notes
    acts = [
        r["regarding"]
        for r in db_server.all(
            "SELECT regarding FROM activities WHERE regarding LIKE 'crash call %' ORDER BY rid"
        )
    ]
    assert acts == expected_acts
    docs = db_server.all(
        "SELECT file_name, content, contact_id FROM documents"
        " WHERE file_name LIKE 'crash-doc-%' ORDER BY rid"
    )
    # uploads go two at a time beside the ordered queue: each lands once, on its contact,
    # in whatever order the two of a moment finish
    assert sorted(r["file_name"] for r in docs) == sorted(expected_docs)
    assert {r["file_name"]: r["contact_id"] for r in docs} == doc_contact
    for r in docs:
        assert bytes(r["content"]) == (files / r["file_name"]).read_bytes()
    ids = {
        r["id"] for r in db_server.all("SELECT id FROM contacts WHERE data LIKE '%@kill.example%'")
    }
    members = {
        r["contact_id"]
        for r in db_server.all("SELECT contact_id FROM group_members WHERE group_id = ?", [group])
    }
    assert ids <= members
    # every new contact's note is on that contact
    note_owner = {
        r["details"]: r["contact_id"]
        for r in db_server.all(
            "SELECT details, contact_id FROM notes WHERE details LIKE 'crash note % a'"
        )
    }
    by_email = {
        json.loads(r["data"])[C_EMAIL]: r["id"]
        for r in db_server.all("SELECT id, data FROM contacts WHERE data LIKE '%@kill.example%'")
    }
    for i in range(NEW):
        assert note_owner[f"crash note {i:03d} a"] == by_email[f"crash{i:03d}@kill.example"]

    # 4. the store the killed process left is intact
    store = Store.open(server.base_url, DEMO_EMAIL, profile, check="full")
    try:
        assert store.notice is None
        assert store.integrity_check(full=True) == []
        assert str(store.pragma("journal_mode")) == "wal"
        assert str(store.pragma("foreign_keys")) == "1"
        assert store.outbox.counts().total == 0
    finally:
        store.close()
