"""Uploads as queued write ops, over real HTTP to the sandbox: a big upload goes beside the
ordered queue (a note written meanwhile is not held behind it), and uploads journaled before
the app stopped are sent, or fail with a reason when their file was moved."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.documents import documents_on_server
from support.fields import C_NAME
from support.network import Network
from support.sandboxes import running_sandbox
from support.waiting import until

from snx_desktop.services.uploads import FailReason, JobState, UploadManager

from .conftest import OpenServices

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    """A private sandbox for this module (the uploads here stay out of the shared one)."""
    with running_sandbox(contacts=5, seed=6) as server:
        yield server


class HeldUploads(Network):
    """Real HTTP, except that a big POST body stops after its first 64 KB until ``release``
    is set; ``held`` counts the bodies stopped so far."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.held = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        length = int(request.headers.get("content-length", "0") or 0)
        if request.method == "POST" and length > 100_000:
            request.stream = _Held(request.stream, self)
        return await super().handle_async_request(request)


class _Held(httpx.AsyncByteStream):
    def __init__(self, inner: Any, network: HeldUploads) -> None:
        self._inner = inner
        self._network = network

    async def __aiter__(self) -> AsyncIterator[bytes]:
        sent = 0
        stopped = False
        async for part in self._inner:
            yield part
            sent += len(part)
            if sent >= 64 * 1024 and not stopped and not self._network.release.is_set():
                stopped = True
                self._network.held += 1
                await self._network.release.wait()


async def _new_contact(svc: Any, name: str) -> str:
    return str((await svc.client.create_contact(contact_field_data={C_NAME: name})).id)


async def test_a_big_upload_does_not_hold_a_note_written_meanwhile(
    sandbox: Any, open_services: OpenServices, tmp_path: Path
) -> None:
    network = HeldUploads()
    svc = await open_services(sandbox, network)
    manager = UploadManager.for_services(svc)
    try:
        cid = await _new_contact(svc, "Big Catalogue")
        big = tmp_path / "catalogue.pdf"
        big.write_bytes(os.urandom(900_000))
        (job,) = manager.add(cid, [big])
        await until(lambda: network.held == 1)
        note = await svc.writes.create_note(cid, "written while the catalogue uploads")
        outcome = await svc.writes.wait(note.op_id or 0, timeout=20)
        assert outcome.ok
        # the note landed while the upload, a queued op too, is still on the wire
        assert job.state is JobState.SENDING
        assert [(p.op, p.state) for p in svc.writes.pending()] == [
            ("add-doc-to-contact", "sending")
        ]
        network.release.set()
        done = await manager.wait(job.job_id, timeout=30)
        assert done.state is JobState.DONE
        assert await documents_on_server(svc.client, cid) == {"catalogue.pdf": big.read_bytes()}
        notes = [n.details for n in (await svc.client.get_notes_for_contact(cid)).items]
        assert notes.count("written while the catalogue uploads") == 1
    finally:
        await manager.aclose()


async def test_uploads_journaled_when_the_app_stopped_are_sent_or_fail_with_a_reason(
    sandbox: Any, open_services: OpenServices, tmp_path: Path
) -> None:
    """Two uploads are on the wire (named by the rep's files, not copied) when the app stops.
    At the next start the one whose file is still there is sent, once; the one whose file was
    moved fails, saying so, and nothing is sent for it."""
    profile = tmp_path / "profile"
    network = HeldUploads()
    svc = await open_services(sandbox, network, profile)
    manager = UploadManager.for_services(svc)
    cid = await _new_contact(svc, "Stopped Mid Upload")
    kept = tmp_path / "kept.pdf"
    kept.write_bytes(os.urandom(300_000))
    moved = tmp_path / "moved.pdf"
    moved.write_bytes(os.urandom(300_000))
    jobs = manager.add(cid, [kept, moved])
    await until(lambda: network.held == 2)  # both at once
    assert all(j.state is JobState.SENDING for j in jobs)
    assert svc.store.outbox.staged_files() == set()  # no copy of an online upload
    await manager.aclose()
    await svc.aclose()  # the app stops while both are being sent
    moved.rename(tmp_path / "elsewhere.pdf")

    again = await open_services(sandbox, profile=profile)
    await until(lambda: [p.state for p in again.writes.pending()] == ["failed"], timeout=30)
    (failed,) = again.writes.pending()
    assert failed.op == "add-doc-to-contact"
    assert "“moved.pdf” was moved or changed before it was sent" in failed.error
    assert await documents_on_server(again.client, cid) == {"kept.pdf": kept.read_bytes()}


async def test_a_file_moved_before_its_turn_fails_saying_so_and_retry_sends_it(
    sandbox: Any, open_services: OpenServices, tmp_path: Path
) -> None:
    """One upload slot, held by a big file: the next file waits for it. Moved meanwhile, that
    file fails with the reason (nothing sent); put back, Retry sends its op again."""
    network = HeldUploads()
    svc = await open_services(sandbox, network)
    manager = UploadManager.for_services(svc, concurrency=1)
    try:
        cid = await _new_contact(svc, "One Slot")
        big = tmp_path / "big.pdf"
        big.write_bytes(os.urandom(300_000))
        small = tmp_path / "small.txt"
        small.write_bytes(b"small file " * 100)
        first, second = manager.add(cid, [big, small])
        await until(lambda: network.held == 1)
        assert second.state is JobState.WAITING  # for the upload slot
        small.rename(tmp_path / "away.txt")
        network.release.set()
        await manager.wait(second.job_id, timeout=30)
        assert second.state is JobState.FAILED
        assert second.reason is FailReason.MISSING
        assert "“small.txt” was moved or changed before it was sent" in second.error
        assert await manager.wait(first.job_id, timeout=30) is first
        assert first.state is JobState.DONE
        (tmp_path / "away.txt").rename(small)
        op_id = second.op_id
        manager.retry(second.job_id)
        await manager.wait(second.job_id, timeout=30)
        assert second.state is JobState.DONE
        assert second.op_id == op_id  # the same op, sent again
        assert await documents_on_server(svc.client, cid) == {
            "big.pdf": big.read_bytes(),
            "small.txt": small.read_bytes(),
        }
        assert svc.writes.pending() == []
    finally:
        await manager.aclose()
