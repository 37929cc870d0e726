"""A write the server applied, whose answer the store cannot record because the disk stopped
taking writes at that moment: the op is never marked failed (a failed op can be sent again by
hand, which would duplicate it); the same commit is tried again until the disk takes writes,
then the op is done, its temporary id mapped, and what was queued behind it lands on the right
record, each exactly once, over real HTTP to the sandbox.

The disk: the store's files made immutable with ``chattr +i`` (root ignores file modes) right
after the server answered the create and before the client reads the answer.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.accounts import DEMO_EMAIL
from support.fields import C_EMAIL, C_NAME
from support.network import Network
from support.storetrouble import open_app
from support.waiting import until
from support.writequeue import queue_sent

from snx_desktop.store import account_dir

pytestmark = [pytest.mark.asyncio, pytest.mark.qt_log_ignore("This plugin does not support")]


def _chattr(flag: str, paths: list[Path]) -> None:
    done = subprocess.run(
        ["chattr", flag, *map(str, paths)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"chattr {flag} is not possible here: {done.stderr.strip()}")


class FreezeAfterCreate(Network):
    """Real HTTP; once the server has answered a ``create-contact``, the store's files are made
    immutable before the answer is handed to the client."""

    def __init__(self) -> None:
        super().__init__()
        self.files: list[Path] = []
        self.frozen = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if not self.frozen and self.files and b'"create-contact"' in request.content:
            await response.aread()
            _chattr("+i", self.files)
            self.frozen = True
        return response

    def thaw(self) -> None:
        _chattr("-i", self.files)


async def test_a_landed_create_the_store_cannot_record_is_recorded_later_never_failed(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    network = FreezeAfterCreate()
    svc = await open_app(fresh_sandbox, tmp_path / "profile", network)
    try:
        await svc.browse.fetch_page("contact", "", 0, 20)
        folder = account_dir(fresh_sandbox.base_url, DEMO_EMAIL, tmp_path / "profile")
        db = folder / "store.sqlite3"
        network.files = [p for p in (db, db.with_name(db.name + "-wal"), folder) if p.exists()]
        email = "unrecorded@store-trouble.example"
        try:
            change = await svc.writes.create_contact({C_NAME: "Unrecorded Answer", C_EMAIL: email})
            await until(lambda: network.frozen, timeout=20, what="the create to be answered")
            # the answer came, the store refuses to record it: the op waits, never failed
            await until(
                lambda: svc.store_problem is not None, timeout=20, what="the store to refuse"
            )
            assert svc.writes.status.failed == 0
        finally:
            network.thaw()
        await queue_sent(svc.writes, timeout=30, what="the queue")
        assert svc.writes.status.failed == 0
        found = await svc.client.get_contacts(filter_value=email)
        assert found.total == 1
        real = found.items[0].contact_id
        assert svc.store.cache.resolve_id(change.ids[0]) == real

        # a note written afterwards on the (temporary) id lands on that one contact
        await svc.writes.create_note(change.ids[0], "after the frozen disk")
        await queue_sent(svc.writes, timeout=30, what="the note")
        notes = await svc.client.get_notes_for_contact(real)
        assert [n.details for n in notes.items] == ["after the frozen disk"]
        assert (await svc.client.get_contacts(filter_value=email)).total == 1
    finally:
        network.thaw()
        await svc.aclose()
