"""A replay killed with SIGKILL half-way, then restarted: every queued write lands once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.fields import C_COMPANY, C_EMAIL, C_NAME
from support.replay import kill_mid_request, outbox_counts

from snx_desktop.api import SalesNexusClient

from .conftest import OpenServices

CHILD = Path(__file__).with_name("replay_child.py")
NEW = 50  # contacts created offline, each with a note and an update; plus 50 notes elsewhere


def _child(profile: Path, base_url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(profile), base_url, DEMO_EMAIL, DEMO_PASSWORD],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.asyncio
async def test_sigkill_mid_replay_then_restart_lands_each_write_once(
    sandbox_factory: Any, open_services: OpenServices, tmp_path: Path
) -> None:
    server = sandbox_factory(contacts=60, seed=5)
    profile = tmp_path / "crash-profile"

    # 1. queue 200 writes offline, then close the app
    svc = await open_services(server, profile=profile)
    existing = (await svc.browse.fetch_page("contact", "", 0, 60)).ids
    svc.connectivity.set_work_offline(True)
    for i in range(NEW):
        ch = await svc.writes.create_contact(
            {C_NAME: f"Crash Person {i:03d}", C_EMAIL: f"crash{i:03d}@kill.example"}
        )
        await svc.writes.create_note(ch.ids[0], f"crash note {i:03d}")
        await svc.writes.update_contact(ch.ids[0], {C_COMPANY: f"Crash Co {i:03d}"})
        await svc.writes.create_note(existing[i], f"existing note {i:03d}")
    assert svc.writes.status.pending == 200
    db = svc.store.path
    await svc.aclose()

    # 2. replay in a child process, slowed down, and kill it half-way, while a request is out
    server.faults.latency_ms = 15
    child = _child(profile, server.base_url)
    left = await kill_mid_request(child, db, most_left=150, timeout=60)
    assert 0 < left < 200, left

    # 3. restart: the rest lands, and nothing twice
    server.faults.latency_ms = 0
    child = _child(profile, server.base_url)
    out, _ = child.communicate(timeout=120)
    assert child.returncode == 0, out.decode()
    assert outbox_counts(db)[0] == 0

    async with SalesNexusClient(server.base_url) as c:
        await c.login(DEMO_EMAIL, DEMO_PASSWORD)
        created = await c.get_contacts(filter_value="@kill.example", page_size=1000)
        emails = sorted(x.field_data[C_EMAIL] for x in created.items)
        assert emails == [f"crash{i:03d}@kill.example" for i in range(NEW)]
        for x in created.items:
            i = int(x.field_data[C_EMAIL][5:8])
            assert x.field_data[C_COMPANY] == f"Crash Co {i:03d}"
            notes = await c.get_notes_for_contact(x.contact_id)
            assert [n.details for n in notes.items] == [f"crash note {i:03d}"]
        for i, cid in enumerate(existing[:NEW]):
            notes = await c.get_notes_for_contact(cid)
            assert [n.details for n in notes.items].count(f"existing note {i:03d}") == 1
