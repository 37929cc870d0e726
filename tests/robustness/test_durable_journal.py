"""A change the rep saw accepted survives a power loss: every commit that journals a write into
the outbox, or changes its state (sending, done and the remap of temporary ids), runs with
``PRAGMA synchronous = FULL`` on the store's connection, which then goes back to NORMAL; cache
writes stay NORMAL: details on the store's connection, list pages on the store writer's.

The level is read from the connection itself at the moment each COMMIT runs (a trace
callback on the real connection), through the app's own write queue and browse service.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.fields import C_EMAIL, C_NAME
from support.network import go_offline, go_online
from support.storetrouble import CommitTrace, open_app
from support.writequeue import queue_sent

FULL, NORMAL = 2, 1


@pytest.mark.asyncio
async def test_journal_commits_are_synced_and_cache_commits_are_not(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    svc = await open_app(fresh_sandbox, tmp_path / "profile")
    try:
        await svc.browse.fetch_page("contact", "", 0, 20)
        first = await svc.browse.fetch_page("contact", "", 20, 20)  # opens the writer's connection
        writer = svc.browse.page_writer
        assert writer is not None
        trace = CommitTrace(svc.store._db.conn)
        writer_trace = CommitTrace(writer._db.conn)

        go_offline(svc)
        change = await svc.writes.create_contact(
            {C_NAME: "Durable Dora", C_EMAIL: "dora@d.example"}
        )
        await svc.writes.create_note(change.ids[0], "written to the disk before it is shown")
        assert trace.levels_of("INSERT INTO outbox") == [FULL, FULL]
        assert svc.store.pragma("synchronous") == NORMAL  # back after the journal commit

        go_online(svc)
        await queue_sent(svc.writes, timeout=30, what="the queue to drain")
        sending = trace.levels_of("UPDATE outbox SET state = ")
        assert len(sending) >= 2
        assert set(sending) == {FULL}  # "sending" is on the disk before the request goes out
        assert trace.levels_of("DELETE FROM outbox WHERE op_id") == [FULL, FULL]  # done
        remaps = trace.levels_of("INTO id_map")  # temporary ids replaced, in the same commits
        assert remaps
        assert set(remaps) == {FULL}

        trace.commits.clear()
        writer_trace.commits.clear()
        await svc.browse.fetch_page("group", "", 0, 20)  # a first page: the writer's connection
        await svc.browse.fetch_page("contact", "", 40, 20)  # scrolled: the writer's too
        await svc.browse.load_detail("contact", first.ids[0])  # the store's connection
        pages = [
            lvl
            for lvl, stmts in trace.commits
            if any("INSERT INTO records" in s for s in stmts)
            and not any("outbox" in s for s in stmts)
        ]
        assert pages
        assert set(pages) == {NORMAL}
        assert not trace.levels_of("list_chunks")  # no list page on the store's own
        written = writer_trace.levels_of("INSERT INTO records")
        assert len(written) == 2
        assert set(written) == {NORMAL}
        trace.stop()
        writer_trace.stop()
    finally:
        await svc.aclose()
