"""A really damaged store (pages in the middle of the file overwritten with garbage, the header
kept) is rebuilt with its unsent changes: the app tells the rep how many were recovered, and
each of them (creates on temporary ids, notes on those ids, a queued upload with its staged
file) reaches the real sandbox over HTTP exactly once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.accounts import DEMO_EMAIL
from support.damage import overwrite_pages
from support.network import go_offline
from support.storetrouble import (
    assert_on_server_once,
    open_app,
    queue_contacts,
    signed_in_window,
)
from support.writequeue import queue_sent

from snx_desktop.store import Store, account_dir

pytestmark = [pytest.mark.asyncio, pytest.mark.qt_log_ignore("This plugin does not support")]

CACHE_TABLES = ("records", "contact_fts_data", "list_chunks", "list_index")


async def test_damaged_store_is_rebuilt_and_its_unsent_changes_sent_once(
    fresh_sandbox: Any, tmp_path: Path, user_messages: list[Any]
) -> None:
    profile = tmp_path / "profile"
    svc = await open_app(fresh_sandbox, profile)
    try:
        for start in range(0, 60, 20):
            await svc.browse.fetch_page("contact", "", start, 20)
        target = (await svc.browse.fetch_page("contact", "", 0, 1)).ids[0]
        go_offline(svc)
        emails = await queue_contacts(svc, "salvage", 4)
        doc = tmp_path / "proposal.txt"
        doc.write_text("the proposal\n" * 40, encoding="utf-8")
        await svc.writes.upload_document(target, doc)
        assert svc.writes.status.pending == 9
    finally:
        await svc.aclose()
    db = account_dir(fresh_sandbox.base_url, DEMO_EMAIL, profile) / "store.sqlite3"
    staged = list((db.parent / "outbox").iterdir())
    assert len(staged) == 1
    overwrite_pages(db, lambda name, _t: name in CACHE_TABLES, every=2)

    async with signed_in_window(fresh_sandbox, profile) as app:
        svc = app.services
        notice = svc.store_notice
        assert notice is not None, "the damage went unnoticed"
        assert notice.rebuilt
        assert notice.recovered_changes == 9
        assert notice.lost_changes == 0
        assert notice.message.startswith(
            "The offline store was damaged and has been rebuilt; 9 unsent changes were "
            "recovered and will be sent."
        )
        assert notice.message in app.shown  # the window's message bar got it
        assert notice.moved_to is not None
        assert notice.moved_to.parent.name == "corrupt"
        assert staged[0].exists()  # the queued upload's file stayed with its op

        await queue_sent(svc.writes, timeout=60, what="the queue")
        await assert_on_server_once(svc, "salvage", emails)
        docs = await svc.client.get_docs_for_contact(target)
        assert [d.file_name for d in docs.items].count("proposal.txt") == 1
        assert svc.store.integrity_check() == []
    with Store.open(fresh_sandbox.base_url, DEMO_EMAIL, profile) as again:
        assert again.notice is None  # the next start is quiet
        assert again.outbox.counts().total == 0
