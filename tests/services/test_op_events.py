"""Op state events (`WriteQueue.ops_changed`, `follow`) and batched contact names."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.fields import C_NAME, C_TITLE
from support.waiting import until
from support.writequeue import queue_sent

from snx_desktop.services import OpStateChange, UploadProgress

from .conftest import OpenServices

pytestmark = pytest.mark.asyncio


async def test_ops_changed_follows_every_state(
    fresh_sandbox: object, open_services: OpenServices
) -> None:
    svc = await open_services(fresh_sandbox)
    w = svc.writes
    cid = (await svc.browse.fetch_page("contact", "", 0, 1)).ids[0]
    seen: list[OpStateChange] = []
    w.ops_changed.connect(seen.append)

    note = await w.create_note(cid, "state events")
    await until(lambda: any(c.op_id == note.op_id and c.state == "done" for c in seen))
    states = [(c.previous, c.state) for c in seen if c.op_id == note.op_id]
    assert states == [(None, "queued"), ("queued", "sending"), ("sending", "done")]
    done = [c for c in seen if c.op_id == note.op_id][-1]
    assert done.ok is True
    assert done.error is None
    assert done.op == "create-note"
    assert done.view is None
    assert seen[0].view == "waiting"

    gone = await w.update_contact("00000000-0000-0000-0000-00000000abcd", {C_TITLE: "x"})
    await until(lambda: any(c.op_id == gone.op_id and c.state == "failed" for c in seen))
    failed = next(c for c in seen if c.op_id == gone.op_id and c.state == "failed")
    assert failed.error
    assert "no longer exists" in failed.error
    assert failed.target == ("contact", "00000000-0000-0000-0000-00000000abcd")
    await w.discard(gone.op_id or 0)
    last = [c for c in seen if c.op_id == gone.op_id][-1]
    assert (last.state, last.ok, last.error) == ("done", False, "Discarded.")

    # offline: queued and nothing else until the network is back
    svc.connectivity.set_work_offline(True)
    queued = await w.create_note(cid, "later")
    assert [c.state for c in seen if c.op_id == queued.op_id] == ["queued"]
    svc.connectivity.set_work_offline(False)
    await until(lambda: [c for c in seen if c.op_id == queued.op_id][-1].state == "done")


async def test_follow_an_upload_op(
    fresh_sandbox: object, open_services: OpenServices, tmp_path: Path
) -> None:
    svc = await open_services(fresh_sandbox)
    cid = (await svc.browse.fetch_page("contact", "", 0, 1)).ids[0]
    path = tmp_path / "report.bin"
    path.write_bytes(b"\x01" * 600_000)
    svc.connectivity.set_work_offline(True)
    change = await svc.writes.upload_document(cid, path)
    states: list[str] = []
    progress: list[UploadProgress] = []
    svc.writes.follow(change.op_id or 0, lambda c: states.append(c.state), progress.append)
    svc.connectivity.set_work_offline(False)
    await until(lambda: "done" in states, timeout=30)
    assert states == ["sending", "done"]
    assert progress[0].sent == 0
    assert progress[-1].sent == progress[-1].total == 600_000
    assert all(p.op_id == change.op_id for p in progress)
    # following stopped at done: a later op is not reported
    await svc.writes.create_note(cid, "after the upload")
    await queue_sent(svc.writes)
    assert states == ["sending", "done"]


async def test_contact_names_cache_first_then_one_request(
    fresh_sandbox: object, open_services: OpenServices
) -> None:
    svc = await open_services(fresh_sandbox)
    page = await svc.browse.fetch_page("contact", "", 0, 5)  # cached with names
    cached_ids = page.ids
    listing = await svc.client.get_contacts(start_after=20, page_size=8)  # not cached
    uncached = listing.ids
    assert not svc.store.cache.get_records("contact", uncached)
    unknown = "00000000-0000-4000-8000-00000000dead"
    fresh_sandbox.reset_counters()  # type: ignore[attr-defined]

    names = await svc.browse.contact_names([*cached_ids, *uncached, unknown])
    assert fresh_sandbox.requests == 1  # type: ignore[attr-defined]
    assert fresh_sandbox.calls["get-contact-info"] == 9  # type: ignore[attr-defined]
    assert set(names) == set(cached_ids) | set(uncached)
    assert all(names.values())
    for c in listing.items:
        assert names[c.contact_id] == c.field_data[C_NAME]
    # written to the cache: asking again needs no request, and works offline
    assert set(svc.store.cache.get_records("contact", uncached)) == set(uncached)
    again = await svc.browse.contact_names(uncached)
    assert again == {i: names[i] for i in uncached}
    assert fresh_sandbox.requests == 1  # type: ignore[attr-defined]

    svc.connectivity.set_work_offline(True)
    more = (await svc.client.get_contacts(start_after=40, page_size=3)).ids
    offline = await svc.browse.contact_names([cached_ids[0], *more])
    assert offline == {cached_ids[0]: names[cached_ids[0]]}
