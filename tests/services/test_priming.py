"""Priming the working set: progress, cancel, a full run, then an incremental run."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from snx_desktop.services import Progress

from .conftest import OpenServices

pytestmark = pytest.mark.asyncio


async def test_priming_progress_cancel_and_incremental(
    fresh_sandbox: object, open_services: OpenServices
) -> None:
    svc = await open_services(fresh_sandbox)
    seen: list[Progress] = []
    svc.priming.progress.connect(seen.append)

    # 1. cancel once the details stage has begun: what was fetched stays
    job = svc.priming.start(page_size=10, details_per_request=3)
    cancel_at = asyncio.get_running_loop().create_future()

    detail_steps: list[Progress] = []

    def watch(p: Progress) -> None:
        if p.stage == "contact details":
            detail_steps.append(p)
            if len(detail_steps) >= 6 and not cancel_at.done():
                cancel_at.set_result(None)

    svc.priming.progress.connect(watch)
    await asyncio.wait_for(cancel_at, 30)
    job.cancel()
    cancelled = await job.wait()
    assert cancelled.cancelled
    assert cancelled.contacts == 60
    assert 0 < cancelled.details_fetched < 60
    assert seen[-1].stage == "cancelled"

    # 2. a full run: every contact, group and activity of the user is cached, with details
    full = await svc.priming.start(page_size=10, details_per_request=3).wait()
    assert not full.cancelled
    assert full.error is None
    assert full.contacts == 60
    assert full.groups >= 1
    assert full.activities >= 1
    assert full.details_skipped >= cancelled.details_fetched  # the cancelled run's work is kept
    assert full.details_fetched + full.details_skipped == full.contacts + full.groups
    done = [p for p in seen if p.stage == "done"][-1]
    assert done.done == done.total
    # progress never goes backwards within the run
    last_start = max(i for i, p in enumerate(seen) if p.stage == "schema")
    run = seen[last_start:]
    assert all(a.done <= b.done for a, b in itertools.pairwise(run))

    # everything is there offline
    svc.connectivity.set_work_offline(True)
    page = await svc.browse.fetch_page("contact", "", 50, 10)
    assert page.from_cache
    assert len(page.records) == 10
    contact = page.records[0]["id"]
    detail = await svc.browse.load_detail("contact", contact)
    assert not detail.partial or detail.documents == []  # notes and sales primed
    server_notes = None
    svc.connectivity.set_work_offline(False)
    await asyncio.wait_for(svc.connectivity.wait_online(), 10)
    server_notes = await svc.client.get_notes_for_contact(contact)
    assert {n["id"] for n in detail.notes} == set(server_notes.ids)

    # 3. an incremental run fetches no details again and keeps unchanged lists
    before = svc.client.requests_sent
    again = await svc.priming.start(page_size=10, details_per_request=3).wait()
    assert again.details_fetched == 0
    assert again.details_skipped == full.contacts + full.groups
    assert again.lists_skipped == 3
    assert svc.client.requests_sent - before <= 4  # schema + first page of each list


async def test_priming_writes_from_a_worker_thread(
    fresh_sandbox: object, open_services: OpenServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from snx_desktop.store.cache import Cache

    svc = await open_services(fresh_sandbox)
    loop_thread = threading.get_ident()
    writes: list[tuple[str, int]] = []
    for name in ("put_records", "put_list_page", "put_children"):
        original = getattr(Cache, name)

        def spy(self: Cache, *args: object, _n: str = name, _o: object = original, **kw: object):  # type: ignore[no-untyped-def]
            writes.append((_n, threading.get_ident()))
            return _o(self, *args, **kw)  # type: ignore[operator]

        monkeypatch.setattr(Cache, name, spy)
    result = await svc.priming.start(page_size=10, details_per_request=5).wait()
    monkeypatch.undo()
    assert result.error is None
    assert result.contacts == 60
    assert {n for n, _ in writes} == {"put_records", "put_list_page", "put_children"}
    assert all(t != loop_thread for _, t in writes)  # none on the loop thread
    # and the loop's own connection sees all of it
    page = svc.browse.cached_page("contact", "", 0, 60)
    assert page is not None
    assert len(page.records) == 60
    detail = svc.browse.cached_detail("contact", page.ids[0])
    assert detail is not None
