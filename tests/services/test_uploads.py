"""UploadManager (every upload a queued write op) and DocumentFiles over real HTTP to the
sandbox; the file-name sanitiser."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.accounts import ALEX_EMAIL, ALEX_PASSWORD, DEMO_EMAIL, DEMO_PASSWORD
from support.fields import C_NAME
from support.network import Network
from support.sandboxes import running_sandbox
from support.waiting import until

from snx_desktop.api import SalesNexusClient
from snx_desktop.services.types import OpStateChange
from snx_desktop.services.uploads import (
    SIGN_IN_NOTE,
    DocumentFiles,
    FailReason,
    JobState,
    UploadManager,
    check_file,
    human_size,
    safe_file_name,
)

from .conftest import OpenServices


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    """A private sandbox for this module (the uploads here stay out of the shared one)."""
    with running_sandbox(contacts=20, seed=5) as server:
        yield server


RESERVED = ["CON", "PRN", "AUX", "NUL", "COM1", "COM9", "LPT1", "LPT9", "CONIN$", "CONOUT$"]


# ====================================================================== sanitiser
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\system.ini", "system.ini"),
        ("C:\\Users\\x\\Desktop\\a b.txt", "a b.txt"),
        ("/abs/path/", "path"),
        ("..", "document"),
        (".", "document"),
        ("", "document"),
        ("   ", "document"),
        ("...", "document"),
        (".bashrc", "bashrc"),
        ("name. . .", "name"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("nul.tar.gz", "_nul.tar.gz"),
        ("Com1 .txt", "_Com1 .txt"),
        ("console.txt", "console.txt"),
        ('a<b>c:d"e|f?g*h.txt', "a_b_c_d_e_f_g_h.txt"),
        ("tab\there\nnew\rline.txt", "tab here new line.txt"),
        ("bell\x07\x00nul\x7f.txt", "bellnul.txt"),
        ("right\u202eto\u200bleft.txt", "righttoleft.txt"),
        ("Ångström.txt", "Ångström.txt"),
    ],
)
def test_safe_file_name_examples(raw: str, expected: str) -> None:
    assert safe_file_name(raw) == expected


def test_safe_file_name_caps_length_and_keeps_extension() -> None:
    long = "x" * 500 + ".pdf"
    out = safe_file_name(long)
    assert out.endswith(".pdf")
    assert len(out) <= 180
    wide = "é" * 300 + ".docx"
    out = safe_file_name(wide)
    assert out.endswith(".docx")
    assert len(out.encode("utf-8")) <= 240
    assert safe_file_name("y" * 50, max_chars=20) == "y" * 20


def test_safe_file_name_fallback() -> None:
    assert safe_file_name("////", fallback="attachment.bin") == "attachment.bin"
    assert safe_file_name("", fallback="../CON") == "_CON"
    assert safe_file_name("", fallback="") == "document"


@settings(max_examples=400, deadline=None)
@given(st.text(min_size=0, max_size=400), st.integers(min_value=1, max_value=300))
def test_safe_file_name_properties(raw: str, max_chars: int) -> None:
    out = safe_file_name(raw, max_chars=max_chars)
    assert out
    assert out not in (".", "..")
    assert "/" not in out
    assert "\\" not in out
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in out)
    assert not any(c in '<>:"|?*' for c in out)
    assert not out.startswith(".")
    assert not out.endswith((".", " "))
    assert out.split(".", 1)[0].rstrip(" ").upper() not in RESERVED
    assert len(out) <= max(16, max_chars)
    assert len(out.encode("utf-8")) <= 240
    assert safe_file_name(out, max_chars=max_chars) == out  # idempotent


def test_human_size() -> None:
    assert human_size(0) == "0 bytes"
    assert human_size(1) == "1 byte"
    assert human_size(1536) == "1.5 KB"
    assert human_size(50 * 1024 * 1024) == "50.0 MB"


# ====================================================================== checks before sending
def test_check_file_refusals(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 2048)
    folder = tmp_path / "folder"
    folder.mkdir()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    ok = tmp_path / "ok.txt"
    ok.write_bytes(b"hello")
    assert check_file(ok, 1024).ok
    assert check_file(ok, 1024).size == 5
    cases = {
        empty: FailReason.EMPTY,
        big: FailReason.TOO_LARGE,
        folder: FailReason.FOLDER,
        fifo: FailReason.UNREADABLE,
        tmp_path / "gone.txt": FailReason.MISSING,
    }
    for path, reason in cases.items():
        result = check_file(path, 1024)
        assert result.reason is reason, path
        assert path.name in result.message
    assert "2.0 KB" in check_file(big, 1024).message
    assert "1.0 KB" in check_file(big, 1024).message


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_check_file_unreadable(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_bytes(b"secret")
    locked.chmod(0)
    assert check_file(locked).reason is FailReason.UNREADABLE


# ====================================================================== helpers
async def _new_contact(client: SalesNexusClient, name: str) -> str:
    created = await client.create_contact(contact_field_data={C_NAME: name})
    return created.id


async def _server_files(client: SalesNexusClient, contact_id: str) -> dict[str, bytes]:
    docs = await client.get_docs_for_contact(contact_id)
    out: dict[str, bytes] = {}
    for doc in docs.items:
        assert doc.url
        buf = io.BytesIO()
        await client.download_document(doc.url, buf)
        out[doc.file_name] = buf.getvalue()
    return out


def _write(path: Path, size: int, seed: int = 1) -> Path:
    block = bytes((i * 7 + seed) % 256 for i in range(4096))
    with path.open("wb") as fh:
        left = size
        while left > 0:
            fh.write(block[: min(left, len(block))])
            left -= len(block)
    return path


# ====================================================================== uploads online
@pytest.mark.asyncio
async def test_several_files_upload_concurrently_and_one_failure_does_not_stop_others(
    sandbox_factory: Any, open_services: OpenServices, tmp_path: Path
) -> None:
    server = sandbox_factory(contacts=5, seed=3, max_document_bytes=300_000)
    svc = await open_services(server)
    client = svc.client
    manager = UploadManager.for_services(svc, concurrency=2)
    try:
        cid = await _new_contact(client, "Three Files")
        files = [_write(tmp_path / f"f{i}.bin", 50_000 * (i + 1), seed=i) for i in range(3)]
        too_big = _write(tmp_path / "huge.bin", 400_000)  # over the server's limit only
        empty = tmp_path / "empty.txt"
        empty.write_bytes(b"")
        seen: list[tuple[int, JobState, int]] = []
        manager.progress.connect(lambda j: seen.append((j.job_id, j.state, j.sent)))
        jobs = manager.add(cid, [*files, too_big, empty], contact_name="Three Files")
        assert jobs[-1].state is JobState.FAILED
        assert jobs[-1].reason is FailReason.EMPTY
        await manager.wait_all(jobs, timeout=30)
        states = {j.file_name: j.state for j in jobs}
        assert states == {
            "f0.bin": JobState.DONE,
            "f1.bin": JobState.DONE,
            "f2.bin": JobState.DONE,
            "huge.bin": JobState.FAILED,
            "empty.txt": JobState.FAILED,
        }
        assert jobs[3].reason is FailReason.TOO_LARGE
        assert "larger than the server accepts" in jobs[3].error
        assert all(j.document_id for j in jobs[:3])
        on_server = await _server_files(client, cid)
        assert on_server == {p.name: p.read_bytes() for p in files}
        # progress went up to the file size for every sent file
        for job in jobs[:3]:
            sent = [s for jid, st_, s in seen if jid == job.job_id and st_ is JobState.SENDING]
            assert sent
            assert max(sent) == job.size
    finally:
        await manager.aclose()


@pytest.mark.asyncio
async def test_client_limit_refuses_before_sending(
    sandbox: Any, open_services: OpenServices, tmp_path: Path
) -> None:
    svc = await open_services(sandbox)
    client = svc.client
    manager = UploadManager.for_services(svc, max_bytes=1000)
    try:
        cid = await _new_contact(client, "Limit")
        before = client.requests_sent
        big = _write(tmp_path / "big.pdf", 1001)
        folder = tmp_path / "dir"
        folder.mkdir()
        jobs = manager.add(cid, [big, folder])
        assert [j.reason for j in jobs] == [FailReason.TOO_LARGE, FailReason.FOLDER]
        assert all(j.finished for j in jobs)
        await asyncio.sleep(0.05)  # time for requests that must not come: no event to await
        assert client.requests_sent == before
        assert svc.writes.pending() == []
        assert await _server_files(client, cid) == {}
    finally:
        await manager.aclose()


@pytest.mark.asyncio
async def test_cancel_in_the_middle_stores_nothing_and_retry_sends_it(
    sandbox: Any, open_services: OpenServices, tmp_path: Path
) -> None:
    svc = await open_services(sandbox)
    client = svc.client
    manager = UploadManager.for_services(svc, progress_interval=0)
    try:
        cid = await _new_contact(client, "Cancel Me")
        path = _write(tmp_path / "big.bin", 12 * 1024 * 1024)

        def maybe_cancel(job: Any) -> None:
            if job.state is JobState.SENDING and 1024 * 1024 <= job.sent < job.size:
                manager.cancel(job.job_id)

        disconnect = manager.progress.connect(maybe_cancel)
        (job,) = manager.add(cid, [path])
        await manager.wait(job.job_id, timeout=30)
        disconnect()
        assert job.state is JobState.CANCELLED
        assert 0 < job.sent < job.size
        await asyncio.sleep(0.3)  # time for a stray upload to land: nothing must
        assert await _server_files(client, cid) == {}
        await until(lambda: svc.writes.pending() == [])  # the op is discarded
        manager.retry(job.job_id)
        again = await manager.wait(job.job_id, timeout=60)
        assert again.state is JobState.DONE
        assert await _server_files(client, cid) == {"big.bin": path.read_bytes()}
    finally:
        await manager.aclose()


@pytest.mark.asyncio
async def test_session_expired_waits_for_the_sign_in_then_the_file_goes_once(
    fresh_sandbox: Any, open_services: OpenServices, tmp_path: Path
) -> None:
    """An upload whose session expired is not failed: it waits, queued, for the sign-in like
    every other queued write (its file copied into the store meanwhile), then goes once."""
    async with SalesNexusClient(fresh_sandbox.base_url) as c:
        token = await c.login(DEMO_EMAIL, DEMO_PASSWORD)
    svc = await open_services(fresh_sandbox, password=None, token=token)  # no silent sign-in
    manager = UploadManager.for_services(svc)
    asked: list[None] = []
    svc.writes.sign_in_needed.connect(asked.append)
    states: list[JobState] = []
    manager.progress.connect(lambda j: states.append(j.state))
    try:
        cid = await _new_contact(svc.client, "Expired")
        path = _write(tmp_path / "a.txt", 100)
        content = path.read_bytes()
        fresh_sandbox.expire_tokens()
        (job,) = manager.add(cid, [path])
        await until(lambda: job.state is JobState.QUEUED and job.error == SIGN_IN_NOTE)
        assert asked
        assert "sign in" in job.status_text.lower()
        assert svc.writes.status.paused
        assert [(p.op, p.state) for p in svc.writes.pending()] == [
            ("add-doc-to-contact", "waiting")
        ]
        await until(lambda: bool(svc.store.outbox.staged_files()))
        path.rename(tmp_path / "moved.txt")  # the queued upload has its own copy
        await svc.client.login(DEMO_EMAIL, DEMO_PASSWORD)
        svc.writes.resume()
        again = await manager.wait(job.job_id, timeout=20)
        assert again.state is JobState.DONE
        assert JobState.FAILED not in states
        assert await _server_files(svc.client, cid) == {"a.txt": content}
    finally:
        await manager.aclose()


# ====================================================================== offline, via the queue
@pytest.mark.asyncio
async def test_offline_upload_is_queued_and_sent_when_back(
    sandbox: Any, open_services: OpenServices, tmp_path: Path
) -> None:
    svc = await open_services(sandbox)
    manager = UploadManager.for_services(svc)
    try:
        cid = await _new_contact(svc.client, "Offline Upload")
        path = _write(tmp_path / "notes.txt", 70_000, seed=5)
        svc.connectivity.set_work_offline(True)
        (job,) = manager.add(cid, [path], contact_name="Offline Upload")
        await until(lambda: job.state is JobState.QUEUED)
        assert job.op_id is not None
        path.unlink()  # the store has its own copy
        pending = svc.writes.pending()
        assert [p.op for p in pending] == ["add-doc-to-contact"]
        cached = svc.store.cache.get_children("contact", cid, "document")
        assert cached is not None
        assert [r["file-name"] for _, r in cached.value] == ["notes.txt"]
        svc.connectivity.set_work_offline(False)
        await manager.wait(job.job_id, timeout=30)
        assert job.state is JobState.DONE
        assert job.document_id
        files = await _server_files(svc.client, cid)
        assert list(files) == ["notes.txt"]
        assert len(files["notes.txt"]) == 70_000
        assert svc.writes.pending() == []
    finally:
        await manager.aclose()


@pytest.mark.asyncio
async def test_connection_lost_hands_the_file_to_the_queue(
    sandbox: Any, open_services: OpenServices, tmp_path: Path
) -> None:
    network = Network()
    svc = await open_services(sandbox, network)
    manager = UploadManager.for_services(svc)
    try:
        cid = await _new_contact(svc.client, "Cable Pulled")
        path = _write(tmp_path / "deal.pdf", 30_000)
        network.down = True
        (job,) = manager.add(cid, [path])
        await until(lambda: job.state is JobState.QUEUED)
        assert "Connection lost" in job.status_text or "Offline" in job.status_text
        network.down = False
        await manager.wait(job.job_id, timeout=30)
        assert job.state is JobState.DONE
        assert await _server_files(svc.client, cid) == {"deal.pdf": path.read_bytes()}
    finally:
        await manager.aclose()


@pytest.mark.asyncio
async def test_contact_created_offline_gets_its_document(
    sandbox: Any, open_services: OpenServices, tmp_path: Path
) -> None:
    svc = await open_services(sandbox)
    manager = UploadManager.for_services(svc)
    try:
        svc.connectivity.set_work_offline(True)
        change = await svc.writes.create_contact({C_NAME: "Made Offline"})
        tmp_id = change.ids[0]
        path = _write(tmp_path / "card.vcf", 900)
        (job,) = manager.add(tmp_id, [path], contact_name="Made Offline")
        await until(lambda: job.state is JobState.QUEUED)
        svc.connectivity.set_work_offline(False)
        await manager.wait(job.job_id, timeout=30)
        assert job.state is JobState.DONE
        real = svc.store.cache.resolve_id(tmp_id)
        assert real != tmp_id
        assert job.contact_id == real
        assert manager.jobs_for(real) == [job]
        assert await _server_files(svc.client, real) == {"card.vcf": path.read_bytes()}
    finally:
        await manager.aclose()


@pytest.mark.asyncio
async def test_cancel_a_queued_upload_discards_it(
    sandbox: Any, open_services: OpenServices, tmp_path: Path
) -> None:
    svc = await open_services(sandbox)
    manager = UploadManager.for_services(svc)
    try:
        cid = await _new_contact(svc.client, "Never Mind")
        svc.connectivity.set_work_offline(True)
        (job,) = manager.add(cid, [_write(tmp_path / "x.txt", 10)])
        await until(lambda: job.state is JobState.QUEUED)
        manager.cancel(job.job_id)
        assert job.state is JobState.CANCELLED
        await until(lambda: svc.writes.pending() == [])
        svc.connectivity.set_work_offline(False)
        await asyncio.sleep(0.2)  # online again: time for a stray upload to land, none must
        assert await _server_files(svc.client, cid) == {}
    finally:
        await manager.aclose()


# ====================================================================== downloads
@pytest.mark.asyncio
async def test_fetch_open_copy_and_save_as(
    sandbox: Any, open_services: OpenServices, tmp_path: Path
) -> None:
    svc = await open_services(sandbox)
    files = DocumentFiles(svc.client, svc.store, open_dir=tmp_path / "open")
    cid = await _new_contact(svc.client, "Downloads")
    data = os.urandom(200_000)
    await svc.client.add_doc_to_contact(cid, "CON.txt", io.BytesIO(data))
    docs = await svc.client.get_docs_for_contact(cid)
    record = dict(docs.items[0].raw)
    assert DocumentFiles.can_download(record)
    cached = await files.fetch(record)
    assert cached.read_bytes() == data
    assert svc.store.documents.get(docs.items[0].document_id) == cached
    requests = svc.network.requests  # type: ignore[attr-defined]
    opened = await files.open_copy(record)
    assert opened.name == "_CON.txt"
    assert opened.read_bytes() == data
    assert svc.network.requests == requests  # type: ignore[attr-defined]  # from the cache
    (tmp_path / "out").mkdir()
    saved = await files.save_as(record, tmp_path / "out" / "nul")
    assert saved == tmp_path / "out" / "_nul"
    assert saved.read_bytes() == data
    assert not DocumentFiles.can_download({"document-id": "tmp-1", "url": ""})


class CutUploads(Network):
    """Real HTTP, except that big POST bodies are cut off after 64 KB while ``cut`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.cut = True
        self.cuts = 0

    async def handle_async_request(self, request: Any) -> Any:
        import httpx

        length = int(request.headers.get("content-length", "0") or 0)
        if self.cut and request.method == "POST" and length > 100_000:
            seen = 0
            async for part in request.stream:
                seen += len(part)
                if seen >= 64 * 1024:
                    break
            self.cuts += 1
            raise httpx.WriteError("connection reset while sending", request=request)
        return await super().handle_async_request(request)


@pytest.mark.asyncio
async def test_connection_dropped_mid_body_queues_the_file(
    sandbox: Any, open_services: OpenServices, tmp_path: Path
) -> None:
    network = CutUploads()
    svc = await open_services(sandbox, network)
    manager = UploadManager.for_services(svc)
    try:
        cid = await _new_contact(svc.client, "Dropped Mid Body")
        path = _write(tmp_path / "slides.pdf", 900_000, seed=9)
        (job,) = manager.add(cid, [path])
        await until(lambda: job.state is JobState.QUEUED)
        assert network.cuts >= 1
        assert "Connection lost" in job.status_text
        assert await _server_files(svc.client, cid) == {}
        network.cut = False
        svc.connectivity.probe_now()
        final = await manager.wait(job.job_id, timeout=30)
        assert final.state is JobState.DONE
        assert await _server_files(svc.client, cid) == {"slides.pdf": path.read_bytes()}
    finally:
        await manager.aclose()


@pytest.mark.asyncio
async def test_a_lost_answer_never_takes_a_colleagues_identical_file_for_ours(
    fresh_sandbox: Any, open_services: OpenServices, tmp_path: Path
) -> None:
    """The answer to our upload is lost after the server stored it, and a colleague attached a
    file of the same name and size to the same contact just before: the queue looks the
    contact's documents up, finds ours, not theirs, and sends nothing twice, with no retry by
    hand."""
    svc = await open_services(fresh_sandbox)
    client = svc.client
    manager = UploadManager.for_services(svc)
    try:
        cid = await _new_contact(client, "Shared Contact")
        path = _write(tmp_path / "offer.pdf", 5000, seed=1)
        async with SalesNexusClient(fresh_sandbox.base_url) as alex:
            await alex.login(ALEX_EMAIL, ALEX_PASSWORD)
            (tmp_path / "theirs").mkdir()
            theirs = _write(tmp_path / "theirs" / "offer.pdf", 5000, seed=2)
            their_id = (await alex.add_doc_to_contact(cid, "offer.pdf", theirs)).id

        upload = client.add_doc_to_contact
        sends: list[str] = []

        async def lost_answer(*args: Any, **kwargs: Any) -> Any:
            sends.append(str(args[1]))
            fresh_sandbox.faults.drop_after_rate = 1.0 if len(sends) == 1 else 0.0
            try:
                return await upload(*args, **kwargs)
            finally:
                fresh_sandbox.faults.drop_after_rate = 0.0

        client.add_doc_to_contact = lost_answer  # type: ignore[method-assign]
        op_states: list[str] = []

        def seen(change: OpStateChange) -> None:
            op_states.append(change.state)

        svc.writes.ops_changed.connect(seen)
        (job,) = manager.add(cid, [path])
        again = await manager.wait(job.job_id, timeout=20)
        client.add_doc_to_contact = upload  # type: ignore[method-assign]
        assert "sent-unknown" in op_states  # the answer was lost: looked up, not resent
        assert sends == ["offer.pdf"]
        assert again.state is JobState.DONE
        assert again.document_id
        assert again.document_id != their_id
        docs = (await client.get_docs_for_contact(cid)).items
        assert sorted(d.document_id for d in docs) == sorted([their_id, again.document_id])
        buf = io.BytesIO()
        (ours,) = [d for d in docs if d.document_id == again.document_id]
        assert ours.url
        await client.download_document(ours.url, buf)
        assert buf.getvalue() == path.read_bytes()
    finally:
        await manager.aclose()
