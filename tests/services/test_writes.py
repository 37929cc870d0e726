"""Every write the API has, through the queue, checked on the server; failures and sessions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.fields import (
    C_EMAIL,
    C_NAME,
    C_RECORD_ID,
    C_TITLE,
    G_DESCRIPTION,
    G_NAME,
    S_CONTACT,
    S_DETAILS,
    S_STATUS,
)
from support.waiting import until
from support.writequeue import queue_sent

from snx_desktop.api import SalesNexusClient
from snx_desktop.services import Change, OpOutcome, UploadProgress, WriteRefused
from snx_desktop.services.documents import check_file

from .conftest import OpenServices

pytestmark = pytest.mark.asyncio


async def test_every_write_lands(
    sandbox: object, open_services: OpenServices, tmp_path: Path
) -> None:
    svc = await open_services(sandbox)
    w, c = svc.writes, svc.client
    hub: list[Change] = []
    svc.changes.connect(hub.append)
    contacts = (await svc.browse.fetch_page("contact", "", 0, 10)).records
    cid, cid2 = contacts[0]["id"], contacts[1]["id"]
    await svc.browse.load_detail("contact", cid)

    new = await w.create_contact({C_NAME: "Every Write", C_EMAIL: "every.write@example.org"})
    group = await w.create_group({G_NAME: "Every Write Group", G_DESCRIPTION: "made by the queue"})
    await w.add_contacts_to_group(group.ids[0], [new.ids[0], cid])
    await w.update_group(group.ids[0], {G_DESCRIPTION: "edited"})
    await w.create_group_note(group.ids[0], "group note", type=2)
    await w.create_group_activity(
        group.ids[0],
        type="meeting",
        regarding="group meeting",
        contact_id=new.ids[0],
        start_time="2026-12-02T09:00:00",
        end_time="2026-12-02T10:00:00",
        color="#00aa00",
    )
    act = await w.create_activity(
        new.ids[0],
        type="todo",
        regarding="send offer",
        start_time="2026-12-03T09:00:00",
        end_time="2026-12-03T09:00:00",
        details="the big one",
    )
    await w.update_activity(act.ids[0], {"details": "the bigger one"})
    done = await w.complete_activity(act.ids[0], "offer sent")
    await w.create_sale({S_CONTACT: new.ids[0], S_STATUS: "1", S_DETAILS: "won deal"})
    camp = (await svc.browse.list_campaigns())[0]
    await w.add_to_campaign(camp["id"], [new.ids[0]])
    doc = tmp_path / "offer.txt"
    doc.write_bytes(b"offer bytes " * 100)
    await w.upload_document(new.ids[0], doc)
    imp = await w.import_contacts(
        [
            {"_toMatch": [int(C_EMAIL)], C_EMAIL: "import.one@example.org", C_NAME: "Import One"},
            {
                "_toMatch": [int(C_EMAIL)],
                C_EMAIL: "every.write@example.org",
                C_TITLE: "Imported Title",
            },
        ],
        create_if_not_updated=True,
    )
    await w.update_contact(cid2, {C_TITLE: "Queue Title"})
    await w.delete_contacts([contacts[9]["id"]])
    # shown at once, before anything was sent
    gdetail = svc.browse.cached_detail("group", group.ids[0])
    assert gdetail is not None
    assert any(n["details"] == "group note" for n in gdetail.notes)
    outcome = await w.wait(imp.op_id or 0, timeout=30)
    assert outcome.ok
    assert outcome.result["created-count"] == 1
    assert outcome.result["updated-count"] == 1
    await until(lambda: w.status.pending == 0, timeout=30)

    real = svc.store.cache.resolve_id(new.ids[0])
    gid = svc.store.cache.resolve_id(group.ids[0])
    info = (await c.get_contact_info(real)).field_data
    assert info[C_NAME] == "Every Write"
    assert info[C_TITLE] == "Imported Title"
    ginfo = (await c.get_group_info(gid)).field_data
    assert ginfo[G_NAME] == "Every Write Group"
    assert ginfo[G_DESCRIPTION] == "edited"
    assert {real, cid} <= set((await c.get_contacts_for_group(gid)).ids)
    gnotes = (await c.get_notes_for_group(gid)).items
    assert [(n.details, n.type) for n in gnotes if n.details == "group note"] == [
        ("group note", "2")
    ]
    gacts = (await c.get_activities_for_group(gid)).items
    assert [(a.regarding, a.color.upper(), a.schedule_with) for a in gacts] == [
        ("group meeting", "00AA00", real)
    ]
    aid = svc.store.cache.resolve_id(act.ids[0])
    a = await c.get_activity_info(aid)
    assert a.completed
    assert a.result == "offer sent"
    assert a.details == "the bigger one"
    notes = (await c.get_notes_for_contact(real)).items
    assert any("offer sent" in n.details for n in notes)  # complete-activity wrote it
    sales = (await c.get_sales_for_contact(real)).items
    assert [(s.field_data[S_STATUS], s.field_data[S_DETAILS]) for s in sales] == [("1", "won deal")]
    docs = (await c.get_docs_for_contact(real)).items
    assert [(d.file_name, d.size) for d in docs] == [("offer.txt", 1200)]
    assert docs[0].url
    got = tmp_path / "back.txt"
    await c.download_document(docs[0].url, got)
    assert got.read_bytes() == doc.read_bytes()
    assert (await c.get_contacts(filter_value="import.one@example.org")).total == 1
    assert (await c.get_contact_info(cid2)).field_data[C_TITLE] == "Queue Title"
    assert (await c.get_contacts(filter_value=contacts[9][C_EMAIL])).total == 0
    assert (await c.get_campaigns()).by_id()[camp["id"]].member_count >= 1
    # the hub said what changed, with the remaps
    assert any(h.action == "remapped" and h.id_map == {new.ids[0]: real} for h in hub)
    assert any(h.kind == "activity" and h.action == "completed" for h in hub)
    assert done.op_id is not None


async def test_refused_and_failed_writes(sandbox: object, open_services: OpenServices) -> None:
    svc = await open_services(sandbox)
    w = svc.writes
    with pytest.raises(WriteRefused):
        await w.update_contact(
            "00000000-0000-0000-0000-000000000001", {C_RECORD_ID: "x"}
        )  # read-only
    with pytest.raises(WriteRefused):
        await w.create_activity("x", type="lunch", regarding="r")
    with pytest.raises(WriteRefused):
        await w.create_note("x", "   ")

    outcomes: list[OpOutcome] = []
    w.op_done.connect(outcomes.append)
    gone = await w.update_contact("00000000-0000-0000-0000-00000000abcd", {C_TITLE: "x"})
    dup = await w.create_group({G_NAME: "Dup Name"})
    await until(lambda: len(outcomes) == 2)
    # the cache holds a group of that name: refused at once, by the name field
    with pytest.raises(WriteRefused) as refused:
        await w.create_group({G_NAME: "dup name "})
    assert refused.value.field == G_NAME
    assert "already exists" in str(refused.value)
    # a group the cache does not know yet (made elsewhere): refused when sent
    await svc.client.update_group(
        match_by_field_data={G_NAME: "Made Elsewhere"},
        group_field_data={G_NAME: "Made Elsewhere"},
        create_if_not_updated=True,
    )
    dup2 = await w.create_group({G_NAME: "made elsewhere "})
    after = await w.create_note(
        (await svc.browse.fetch_page("contact", "", 0, 1)).ids[0], "goes on"
    )
    await until(lambda: w.status.failed == 2 and len(outcomes) == 4)
    by_op = {o.op_id: o for o in outcomes}
    assert not by_op[gone.op_id or 0].ok
    assert "no longer exists" in (by_op[gone.op_id or 0].error or "")
    assert by_op[dup.op_id or 0].ok
    assert not by_op[dup2.op_id or 0].ok
    assert "already exists" in (by_op[dup2.op_id or 0].error or "")
    assert by_op[after.op_id or 0].ok  # a failed write does not block the others
    failed = [p for p in w.pending() if p.state == "failed"]
    assert {p.op_id for p in failed} == {gone.op_id, dup2.op_id}
    assert all(p.error for p in failed)
    # retry fails again for good; discard removes it and reverts the cache
    await w.retry(gone.op_id or 0)
    await until(lambda: w.status.failed == 2 and w.status.pending == 2)
    await w.discard(gone.op_id or 0)
    await w.discard(dup2.op_id or 0)
    assert w.status.pending == 0
    assert svc.browse.cached_detail("group", dup2.ids[0]) is None
    assert (await svc.client.get_groups(filter_value="dup name")).total == 1
    assert (await svc.client.get_groups(filter_value="made elsewhere")).total == 1


async def test_undo_before_sent(sandbox: object, open_services: OpenServices) -> None:
    svc = await open_services(sandbox)
    page = await svc.browse.fetch_page("contact", "", 0, 3)
    cid, old = page.ids[0], page.records[0][C_TITLE]
    svc.connectivity.set_work_offline(True)
    new = await svc.writes.create_contact({C_NAME: "Never Sent"})
    note = await svc.writes.create_note(new.ids[0], "on a contact never sent")
    upd = await svc.writes.update_contact(cid, {C_TITLE: "undone title"})
    assert svc.browse.cached_detail("contact", cid).fields[C_TITLE] == "undone title"  # type: ignore[union-attr]
    await svc.writes.undo(upd.op_id or 0)
    assert svc.browse.cached_detail("contact", cid).fields[C_TITLE] == old  # type: ignore[union-attr]
    await svc.writes.undo(new.op_id or 0)  # takes the note on it along
    assert svc.writes.status.pending == 0
    assert svc.browse.cached_detail("contact", new.ids[0]) is None
    assert note.op_id not in {p.op_id for p in svc.writes.pending()}


async def test_unknown_outcome_never_duplicates(
    fresh_sandbox: object, open_services: OpenServices, tmp_path: Path
) -> None:
    """The server applies each write but the answer is lost; the look-up finds it."""
    svc = await open_services(fresh_sandbox)
    faults = fresh_sandbox.faults  # type: ignore[attr-defined]
    w = svc.writes
    cid = (await svc.browse.fetch_page("contact", "", 0, 1)).ids[0]
    gid = (await svc.browse.fetch_page("group", "", 0, 1)).ids[0]
    upload = tmp_path / "lost-answer.pdf"
    upload.write_bytes(b"%PDF lost answer")

    async def lost_answer(method: str, make: Callable[[], Awaitable[Change]]) -> str:
        """Queue a write; its wire call is executed by the server but the answer is lost."""
        original = getattr(svc.client, method)
        lost: list[bool] = []

        async def once_lost(*args: object, **kwargs: object) -> object:
            faults.drop_after_rate = 0.0 if lost else 1.0
            try:
                return await original(*args, **kwargs)
            finally:
                faults.drop_after_rate = 0.0
                lost.append(True)

        setattr(svc.client, method, once_lost)
        try:
            change = await make()
            await until(lambda: w.get(change.op_id or 0) is None, timeout=30)
        finally:
            setattr(svc.client, method, original)
        assert lost, f"{method} was never sent"
        real: str = svc.store.cache.resolve_id(change.ids[0])
        return real

    real_contact = await lost_answer(
        "create_contact",
        lambda: w.create_contact({C_NAME: "Lost Answer", C_EMAIL: "lost.answer@example.org"}),
    )
    await lost_answer("create_note", lambda: w.create_note(cid, "a note whose answer was lost"))
    await lost_answer(
        "create_activity",
        lambda: w.create_activity(
            cid,
            type="call",
            regarding="lost answer call",
            start_time="2026-12-04T11:00:00",
            end_time="2026-12-04T11:30:00",
        ),
    )
    await lost_answer(
        "create_sales_opp",
        lambda: w.create_sale({S_CONTACT: cid, S_DETAILS: "lost answer deal", S_STATUS: "0"}),
    )
    await lost_answer("update_group", lambda: w.create_group({G_NAME: "Lost Answer Group"}))
    await lost_answer(
        "create_note_for_group", lambda: w.create_group_note(gid, "group note, answer lost")
    )
    await lost_answer("add_doc_to_contact", lambda: w.upload_document(cid, upload))

    c = svc.client
    assert (await c.get_contacts(filter_value="lost.answer@example.org")).ids == [real_contact]
    notes = [n.details for n in (await c.get_notes_for_contact(cid)).items]
    assert notes.count("a note whose answer was lost") == 1
    acts = await c.get_activities(filter_value="lost answer call")
    assert acts.total == 1
    sales = [s.field_data[S_DETAILS] for s in (await c.get_sales_for_contact(cid)).items]
    assert sales.count("lost answer deal") == 1
    assert (await c.get_groups(filter_value="Lost Answer Group")).total == 1
    gnotes = [n.details for n in (await c.get_notes_for_group(gid)).items]
    assert gnotes.count("group note, answer lost") == 1
    docs = [d.file_name for d in (await c.get_docs_for_contact(cid)).items]
    assert docs.count("lost-answer.pdf") == 1


async def test_session_expiry_pauses_then_resumes(
    fresh_sandbox: object, open_services: OpenServices
) -> None:
    # signed in with a token only and no way to sign in again: the queue must ask
    async with SalesNexusClient(fresh_sandbox.base_url) as tmp:  # type: ignore[attr-defined]
        token = await tmp.login(DEMO_EMAIL, DEMO_PASSWORD)
    svc = await open_services(fresh_sandbox, password=None, token=token)
    asked: list[None] = []
    svc.writes.sign_in_needed.connect(asked.append)
    cid = (await svc.browse.fetch_page("contact", "", 0, 1)).ids[0]
    fresh_sandbox.expire_tokens()  # type: ignore[attr-defined]
    ch = await svc.writes.create_note(cid, "written while the session expired")
    await until(lambda: bool(asked))
    assert svc.writes.status.paused
    assert svc.writes.status.pending == 1
    p = svc.writes.get(ch.op_id or 0)
    assert p is not None
    assert p.state == "waiting"
    await svc.client.login(DEMO_EMAIL, DEMO_PASSWORD)  # the app's sign-in dialog did this
    svc.writes.resume()
    await queue_sent(svc.writes)
    notes = [n.details for n in (await svc.client.get_notes_for_contact(cid)).items]
    assert notes.count("written while the session expired") == 1


async def test_session_expiry_with_remembered_password(
    fresh_sandbox: object, open_services: OpenServices
) -> None:
    svc = await open_services(fresh_sandbox)  # signed in with e-mail and password
    cid = (await svc.browse.fetch_page("contact", "", 0, 1)).ids[0]
    fresh_sandbox.expire_tokens()  # type: ignore[attr-defined]
    await svc.writes.create_note(cid, "re-login carries on")
    await queue_sent(svc.writes)
    assert not svc.writes.status.paused


async def test_sign_out_sends_first_then_wipes(
    fresh_sandbox: object, open_services: OpenServices
) -> None:
    svc = await open_services(fresh_sandbox)
    cid = (await svc.browse.fetch_page("contact", "", 0, 1)).ids[0]
    folder = svc.store.dir
    svc.network.down = True  # type: ignore[attr-defined]
    await svc.writes.create_note(cid, "sent at sign-out")
    result = await svc.sign_out(timeout=0.5)
    assert not result.wiped
    assert len(result.left) == 1
    assert folder.exists()
    svc.network.down = False  # type: ignore[attr-defined]
    forgotten: list[bool] = []
    result = await svc.sign_out(timeout=20, forget_secret=lambda: forgotten.append(True))
    assert result.wiped
    assert result.left == []
    assert result.sent == 1
    assert forgotten == [True]
    assert not folder.exists()
    async with SalesNexusClient(fresh_sandbox.base_url) as c:  # type: ignore[attr-defined]
        await c.login(DEMO_EMAIL, DEMO_PASSWORD)
        notes = [n.details for n in (await c.get_notes_for_contact(cid)).items]
    assert notes.count("sent at sign-out") == 1


async def test_upload_progress_cancel_and_retry(
    fresh_sandbox: object, open_services: OpenServices, tmp_path: Path
) -> None:
    svc = await open_services(fresh_sandbox)
    cid = (await svc.browse.fetch_page("contact", "", 0, 1)).ids[0]
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(range(256)) * 4096 * 8)  # 8 MiB
    fresh_sandbox.faults.latency_ms = 50  # type: ignore[attr-defined]
    progress: list[UploadProgress] = []
    svc.writes.upload_progress.connect(progress.append)
    ch = await svc.writes.upload_document(cid, big)
    await until(lambda: bool(progress))
    await svc.writes.cancel(ch.op_id or 0)
    pending = svc.writes.get(ch.op_id or 0)
    assert pending is not None
    assert pending.state == "failed"
    assert pending.error == "Cancelled."
    fresh_sandbox.faults.latency_ms = 0  # type: ignore[attr-defined]
    await svc.writes.retry(ch.op_id or 0)
    await queue_sent(svc.writes, timeout=60)
    assert progress[-1].sent == progress[-1].total == big.stat().st_size
    docs = [(d.file_name, d.size) for d in (await svc.client.get_docs_for_contact(cid)).items]
    assert docs.count(("big.bin", big.stat().st_size)) == 1
    # the uploaded file was moved into the document cache
    real = svc.store.cache.resolve_id(ch.ids[0])
    cached = svc.store.documents.get(real)
    assert cached is not None
    assert cached.read_bytes() == big.read_bytes()


async def test_a_file_the_queue_cannot_take_is_refused_in_the_upload_lists_words(
    sandbox: object, open_services: OpenServices, tmp_path: Path
) -> None:
    svc = await open_services(sandbox)
    cid = (await svc.browse.fetch_page("contact", "", 0, 1)).ids[0]
    folder = tmp_path / "folder"
    folder.mkdir()
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    for path in (folder, empty, tmp_path / "gone.txt"):
        with pytest.raises(WriteRefused) as refused:
            await svc.writes.upload_document(cid, path)
        assert str(refused.value) == check_file(path).message
    assert svc.writes.status.pending == 0
