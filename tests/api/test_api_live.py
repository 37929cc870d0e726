"""Every client method against the real sandbox over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.fields import (
    C_COMPANY,
    C_EMAIL,
    C_NAME,
    C_PHONE,
    S_CONTACT,
    S_DETAILS,
    S_STATE,
    S_STATUS,
)
from support.network import CountingTransport
from support.scripted import base_url_of

from snx_desktop.api import (
    ConnectionFailedError,
    InvalidLoginError,
    InvalidParameterError,
    NotFoundError,
    OutcomeUnknownError,
    PayloadTooLargeError,
    ProtocolError,
    RequestTimeoutError,
    SalesNexusClient,
    ServerError,
    SessionExpiredError,
    is_offline,
)

pytestmark = pytest.mark.asyncio

MISSING = "00000000-0000-4000-8000-000000000000"


async def _fields(client: SalesNexusClient) -> dict[tuple[str, str], str]:
    """(table, role) -> field id."""
    fields = await client.get_all_fields()
    return {(f.table_name, f.role): f.unique_id for f in fields if f.role}


async def test_public_calls_and_login(live: SalesNexusClient) -> None:
    greeting, echo = await asyncio.gather(live.greet(), live.echo('ᵉᶜʰᵒ "quoted" ü'))
    assert greeting.message
    assert echo.data == 'ᵉᶜʰᵒ "quoted" ü'
    assert live.token


async def test_wrong_password(sandbox: Any) -> None:
    async with SalesNexusClient(base_url_of(sandbox)) as client:
        with pytest.raises(InvalidLoginError) as info:
            await client.login(DEMO_EMAIL, "not-the-password")
    assert "not-the-password" not in str(info.value)
    assert info.value.code == "INVALID_LOGIN"


async def test_catalogue_calls(live: SalesNexusClient) -> None:
    fields, layouts, users, campaigns = await asyncio.gather(
        live.get_all_fields(), live.get_user_layouts(), live.get_users(), live.get_campaigns()
    )
    tables = {f.table_name for f in fields}
    assert {"Contact", "Group", "Sales", "Activity", "Note"} <= tables
    by_id = fields.by_id()
    assert by_id[C_NAME].role == "name"
    assert by_id[C_EMAIL].role == "email"
    assert any(f.role == "record-id" and f.read_only for f in fields)
    assert layouts.items
    assert all(set(layout.field_ids) <= set(by_id) for layout in layouts)
    assert any(u.email_address == DEMO_EMAIL for u in users)
    assert {u.security_level for u in users} <= {"admin", "user"}
    assert campaigns.items
    assert all(c.campaign_id and c.name for c in campaigns)


async def test_contacts_paging_filter_and_detail(live: SalesNexusClient) -> None:
    first = await live.get_contacts(start_after=0, page_size=50)
    second = await live.get_contacts(start_after=50, page_size=50)
    both = await live.get_contacts(start_after=0, page_size=100)
    assert first.total == both.total >= 300
    assert first.ids + second.ids == both.ids
    walked = [c.contact_id async for c in live.iter_records("get-contacts", page_size=120)]
    assert len(walked) == first.total
    assert walked[:100] == both.ids

    someone = first.items[3]
    name = someone.field_data[C_NAME]
    found = await live.get_contacts(filter_value=name.split()[-1].upper(), page_size=500)
    assert someone.contact_id in found.ids

    cid = someone.contact_id
    info, notes, sales, docs = await asyncio.gather(
        live.get_contact_info(cid.upper()),
        live.get_notes_for_contact(cid),
        live.get_sales_for_contact(cid),
        live.get_docs_for_contact(cid),
    )
    assert info.contact_id == cid
    assert info.field_data[C_NAME] == name
    assert all(n.contact_id == cid for n in notes)
    assert all(s.field_data.get(S_CONTACT) == cid for s in sales)
    assert all(d.contact_id == cid for d in docs)
    with pytest.raises(NotFoundError) as missing:
        await live.get_contact_info(MISSING)
    assert missing.value.function == "get-contact-info"
    with pytest.raises(InvalidParameterError):
        await live.get_contact_info("not-a-guid")


async def test_five_calls_make_one_http_request(sandbox: Any) -> None:
    counting = CountingTransport()
    async with SalesNexusClient(base_url_of(sandbox), transport=counting) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        page = await client.get_contacts(page_size=1)
        cid = page.ids[0]
        counting.requests.clear()
        results = await asyncio.gather(
            client.get_contact_info(cid),
            client.get_notes_for_contact(cid),
            client.get_sales_for_contact(cid),
            client.get_docs_for_contact(cid),
            client.greet(),
        )
    assert len(counting.requests) == 1
    assert results[0].contact_id == cid


async def test_contact_writes(fresh_live: SalesNexusClient) -> None:
    live = fresh_live
    roles = await _fields(live)
    record_id = roles[("Contact", "record-id")]
    stamp = os.urandom(4).hex()
    created = await live.create_contact(
        contact_field_data={
            int(C_NAME): f"Zed Api{stamp}",
            int(C_EMAIL): f"zed{stamp}@example.com",
            int(C_COMPANY): "Acme",
        }
    )
    cid = created.id
    updated = await live.update_contact(
        match_by_field_data={record_id: cid}, contact_field_data={int(C_COMPANY): "Acme Two"}
    )
    assert updated.updated_count == 1
    assert updated.ids == [cid]
    assert not updated.created
    info = await live.get_contact_info(cid)
    assert info.field_data[C_COMPANY] == "Acme Two"
    made = await live.update_contact(
        match_by_field_data={int(C_EMAIL): f"nobody{stamp}@example.com"},
        contact_field_data={int(C_NAME): f"New Person{stamp}"},
        create_if_not_updated=True,
    )
    assert made.created
    assert made.updated_count == 0
    assert len(made.ids) == 1
    with pytest.raises(InvalidParameterError):
        await live.update_contact(match_by_field_data={}, contact_field_data={int(C_COMPANY): "x"})

    imported = await live.import_contacts(
        [
            {
                "_toMatch": [int(C_EMAIL)],
                C_EMAIL: f"zed{stamp}@example.com",
                C_PHONE: "281-555-5554",
            },
            {
                "_toMatch": [int(C_EMAIL)],
                C_EMAIL: f"imp{stamp}@example.com",
                C_NAME: f"Imp {stamp}",
            },
        ],
        create_if_not_updated=True,
        match_nulls=False,
    )
    assert imported.updated_count == 1
    assert imported.created_count == 1
    assert cid in imported.contact_ids
    assert (await live.get_contact_info(cid)).field_data[C_PHONE] == "281-555-5554"

    note = await live.create_note(details=f"called {stamp}", contact_id=cid, type=2)
    sale = await live.create_sales_opp(
        sales_field_data={
            int(S_CONTACT): cid,
            int(S_DETAILS): f"deal {stamp}",
            int(S_STATUS): 0,
            int(S_STATE): "Proposal",
        }
    )
    notes, sales = await asyncio.gather(
        live.get_notes_for_contact(cid), live.get_sales_for_contact(cid)
    )
    assert note.id in notes.ids
    assert notes.by_id()[note.id].type == "2"
    assert sale.id in sales.ids
    assert sales.by_id()[sale.id].field_data[S_DETAILS] == f"deal {stamp}"

    gone = await live.delete_contacts([made.ids[0], MISSING])
    assert gone.deleted_count == 1
    assert gone.not_found == [MISSING]
    with pytest.raises(NotFoundError):
        await live.delete_contacts([MISSING])
    with pytest.raises(InvalidParameterError):
        await live.delete_contacts(["bad id"])


async def test_groups(fresh_live: SalesNexusClient) -> None:
    live = fresh_live
    roles = await _fields(live)
    name_field = roles[("Group", "name")]
    record_field = roles[("Group", "record-id")]
    groups = await live.get_groups(page_size=5)
    assert groups.items
    gid = groups.ids[0]
    info, members, acts, sales, notes = await asyncio.gather(
        live.get_group_info(gid),
        live.get_contacts_for_group(gid),
        live.get_activities_for_group(gid, start_after=0, page_size=10),
        live.get_sales_for_group(gid),
        live.get_notes_for_group(gid),
    )
    assert info.group_id == gid
    assert info.field_data[name_field] == groups.items[0].field_data[name_field]
    assert all(a.group_id == gid for a in acts)
    assert isinstance(members.total, int)
    assert isinstance(sales.total, int)
    assert isinstance(notes.total, int)
    pages = [p async for p in live.iter_pages("get-groups", page_size=3)]
    assert sum(len(p) for p in pages) == pages[0].total

    stamp = os.urandom(4).hex()
    made = await live.update_group(
        match_by_field_data={name_field: f"Team {stamp}"},
        group_field_data={name_field: f"Team {stamp}"},
        create_if_not_updated=True,
    )
    assert made.created
    new_gid = made.ids[0]
    renamed = await live.update_group(
        match_by_field_data={record_field: new_gid},
        group_field_data={name_field: f"Team {stamp} B"},
    )
    assert renamed.ids == [new_gid]
    contacts = await live.get_contacts(page_size=3)
    added = await live.add_contacts_to_group(new_gid, [*contacts.ids, MISSING])
    assert added.added_count == 3
    assert MISSING in added.skipped
    again = await live.add_contacts_to_group(new_gid, contacts.ids[:1])
    assert again.added_count == 0
    members = await live.get_contacts_for_group(new_gid)
    assert set(members.ids) == set(contacts.ids)

    note = await live.create_note_for_group(details="kick-off", group_id=new_gid, type=1)
    start = datetime(2030, 1, 2, 9, 30)
    act = await live.create_activity_for_group(
        new_gid,
        regarding="Quarterly",
        details="review",
        color="FF8800",
        start_time=start,
        end_time=start + timedelta(hours=1),
        type="meeting",
        timeless=False,
    )
    notes, acts = await asyncio.gather(
        live.get_notes_for_group(new_gid), live.get_activities_for_group(new_gid)
    )
    assert note.id in notes.ids
    assert act.id in acts.ids
    assert acts.by_id()[act.id].start == start

    deleted = await live.delete_groups([new_gid])
    assert deleted.deleted_count == 1
    with pytest.raises(NotFoundError):
        await live.get_group_info(new_gid)


async def test_activities(fresh_live: SalesNexusClient) -> None:
    live = fresh_live
    page = await live.get_activities(page_size=20)
    assert page.total >= len(page.items) > 0
    users = await live.get_users()
    me = next(u.user_id for u in users if u.email_address == DEMO_EMAIL)
    other = next(u.user_id for u in users if u.email_address != DEMO_EMAIL)
    theirs = await live.get_activities(page_size=5, user_id=other)
    assert all(a.schedule_for == other for a in theirs)
    assert all(a.schedule_for == me for a in page)

    contact = (await live.get_contacts(page_size=1)).ids[0]
    start = datetime(2031, 5, 6, 10, 0)
    made = await live.create_activity(
        schedule_with=contact,
        regarding="Demo call",
        details="walk through",
        color="00AA11",
        start_time=start,
        end_time=start + timedelta(minutes=30),
        type="call",
        timeless=False,
    )
    info = await live.get_activity_info(made.id)
    assert (info.regarding, info.type, info.schedule_with) == ("Demo call", "call", contact)
    assert info.schedule_for == me
    assert not info.completed
    moved = await live.update_activity(made.id, regarding="Demo call (moved)", timeless=True)
    assert moved.id == made.id
    assert (await live.get_activity_info(made.id)).timeless
    done = await live.complete_activity(made.id, result="went well")
    assert done.activity_id == made.id
    info = await live.get_activity_info(made.id)
    assert info.completed
    assert info.result == "went well"
    notes = await live.get_notes_for_contact(contact)
    assert done.note_id in notes.ids
    assert "went well" in notes.by_id()[done.note_id].details
    walked = [a async for a in live.iter_records("get-activities", page_size=50)]
    assert len(walked) == page.total + 1
    with pytest.raises(NotFoundError):
        await live.get_activity_info(MISSING)


async def test_campaigns_and_sales(fresh_live: SalesNexusClient) -> None:
    live = fresh_live
    campaigns = await live.get_campaigns()
    camp = campaigns.items[0]
    contacts = await live.get_contacts(start_after=10, page_size=2)
    first = await live.add_to_campaign(camp.campaign_id, contacts.ids)
    second = await live.add_to_campaign(camp.campaign_id, contacts.ids)
    assert first.added_count + len(first.skipped) == 2
    assert second.added_count == 0
    assert set(second.skipped) == set(contacts.ids)

    sales = await live.get_sales(page_size=10)
    assert sales.total >= len(sales.items) > 0
    pages = [p async for p in live.iter_pages("get-sales", page_size=40)]
    assert sum(len(p) for p in pages) == sales.total
    assert all(s.sales_id for s in sales)
    raw = await live.call("get-sales", {"page-size": 2})
    assert raw["sales-list"]


async def test_upload_download_roundtrip(fresh_live: SalesNexusClient, tmp_path: Path) -> None:
    live = fresh_live
    cid = (await live.get_contacts(start_after=20, page_size=1)).ids[0]
    data = os.urandom(3 * 1024 * 1024 + 7)
    src = tmp_path / "report.bin"
    src.write_bytes(data)
    seen: list[tuple[int, int]] = []
    doc = await live.add_doc_to_contact(
        cid, "report ü.bin", src, progress=lambda s, t: seen.append((s, t))
    )
    assert seen[-1] == (len(data), len(data))
    docs = await live.get_docs_for_contact(cid)
    meta = docs.by_id()[doc.id]
    assert meta.file_name == "report ü.bin"
    assert meta.size == len(data)
    assert meta.url
    dest = tmp_path / "out" / "copy.bin"
    dest.parent.mkdir()
    got: list[tuple[int, int | None]] = []
    n = await live.download_document(meta.url, dest, progress=lambda a, b: got.append((a, b)))
    assert n == len(data)
    assert dest.read_bytes() == data
    assert not (tmp_path / "out" / "copy.bin.part").exists()
    buf = io.BytesIO()
    await live.download_document(meta.url, buf)
    assert buf.getvalue() == data
    # from a binary stream, and an empty file
    small = await live.add_doc_to_contact(cid, "s.txt", io.BytesIO(b"hello"))
    docs = await live.get_docs_for_contact(cid)
    assert docs.by_id()[small.id].size == 5
    # the sandbox treats an empty base64-data as missing: a typed refusal, not a crash
    with pytest.raises(InvalidParameterError):
        await live.add_doc_to_contact(cid, "e.txt", io.BytesIO(b""))
    with pytest.raises(NotFoundError):
        await live.add_doc_to_contact(MISSING, "x.txt", io.BytesIO(b"x"))


async def test_cancel_upload_mid_way(sandbox_factory: Callable[..., Any], tmp_path: Path) -> None:
    server = sandbox_factory(contacts=5, seed=3)
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(24 * 1024 * 1024))
    async with SalesNexusClient(base_url_of(server)) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        cid = (await client.get_contacts(page_size=1)).ids[0]
        before = (await client.get_docs_for_contact(cid)).ids
        started = asyncio.Event()
        sent: list[int] = []

        def progress(s: int, t: int) -> None:
            sent.append(s)
            if s > 1024 * 1024:
                started.set()

        task = asyncio.ensure_future(client.add_doc_to_contact(cid, "big", src, progress=progress))
        await asyncio.wait_for(started.wait(), 20)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        stopped_at = max(sent)
        await asyncio.sleep(0.1)  # time for reads that must not come: no event to await
        assert max(sent) == stopped_at < src.stat().st_size
        after = (await client.get_docs_for_contact(cid)).ids
    assert after == before


async def test_document_over_the_limit(sandbox_factory: Callable[..., Any]) -> None:
    server = sandbox_factory(contacts=3, seed=2, max_document_bytes=1000, max_body_bytes=100_000)
    async with SalesNexusClient(base_url_of(server)) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        cid = (await client.get_contacts(page_size=1)).ids[0]
        with pytest.raises(PayloadTooLargeError):
            await client.add_doc_to_contact(cid, "a.bin", io.BytesIO(b"x" * 2000))
        with pytest.raises(PayloadTooLargeError) as whole:
            await client.add_doc_to_contact(cid, "b.bin", io.BytesIO(b"x" * 200_000))
        assert whole.value.http_status == 413


async def test_expiry_relogin_and_replay(fresh_sandbox: Any) -> None:
    asked = {"n": 0}

    async def credentials() -> tuple[str, str]:
        asked["n"] += 1
        return (DEMO_EMAIL, DEMO_PASSWORD)

    counting = CountingTransport()
    async with SalesNexusClient(
        base_url_of(fresh_sandbox), credentials=credentials, transport=counting
    ) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        old = client.token
        cid = (await client.get_contacts(page_size=1)).ids[0]
        assert fresh_sandbox.expire_tokens() >= 1
        info, note = await asyncio.gather(
            client.get_contact_info(cid), client.create_note(details="after expiry", contact_id=cid)
        )
        assert client.token != old
        notes = await client.get_notes_for_contact(cid)
    assert asked["n"] == 1
    assert info.contact_id == cid
    assert list(notes.ids).count(note.id) == 1


async def test_expiry_without_credentials(fresh_sandbox: Any) -> None:
    async with SalesNexusClient(base_url_of(fresh_sandbox)) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        fresh_sandbox.expire_tokens()
        with pytest.raises(SessionExpiredError) as info:
            await client.get_users()
    assert info.value.code == "INVALID_TOKEN"


async def test_permanent_token(sandbox_factory: Callable[..., Any]) -> None:
    perm = "perm-" + os.urandom(8).hex()
    server = sandbox_factory(contacts=5, seed=5, permanent_tokens=[perm])
    async with SalesNexusClient(base_url_of(server), token=perm) as client:
        assert (await client.get_contacts()).total == 5
        server.expire_tokens()
        assert (await client.get_users()).items
    async with SalesNexusClient(base_url_of(server), token="perm-unknown") as client:
        with pytest.raises(SessionExpiredError):
            await client.get_users()


async def test_faults_reads_retry_writes_do_not(fresh_sandbox: Any) -> None:
    faults = fresh_sandbox.faults
    async with SalesNexusClient(base_url_of(fresh_sandbox), backoff=0.0, retries=2) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        cid = (await client.get_contacts(page_size=1)).ids[0]

        faults.update({"garbage_rate": 1.0})
        with pytest.raises(ProtocolError):
            await client.get_users()
        faults.clear()
        faults.update({"error_rate": 1.0})
        with pytest.raises(ServerError):
            await client.get_users()
        with pytest.raises(OutcomeUnknownError):
            await client.create_note(details="x", contact_id=cid)
        faults.clear()
        faults.update({"drop_rate": 1.0})
        with pytest.raises((ConnectionFailedError, OutcomeUnknownError)) as dropped:
            await client.get_users()
        assert is_offline(dropped.value)
        faults.clear()

        # the answer to a write is lost after it ran: unknown, and it did land exactly once
        before = (await client.get_notes_for_contact(cid)).total
        faults.update({"drop_after_rate": 1.0})
        with pytest.raises(OutcomeUnknownError) as unknown:
            await client.create_note(details="landed?", contact_id=cid)
        assert is_offline(unknown.value)
        faults.clear()
        after = await client.get_notes_for_contact(cid)
        assert after.total == before + 1

        # intermittent failures: reads get through on retries
        faults.update({"drop_rate": 0.3, "error_rate": 0.1, "garbage_rate": 0.1})
    async with SalesNexusClient(base_url_of(fresh_sandbox), backoff=0.0, retries=12) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        pages = await asyncio.gather(
            *(client.get_contacts(start_after=i, page_size=5) for i in range(8))
        )
        faults.clear()
    assert [p.start_after for p in pages] == list(range(8))


async def test_server_gone_is_offline(unused_tcp_port: int) -> None:
    async with SalesNexusClient(
        f"http://127.0.0.1:{unused_tcp_port}", token="t", backoff=0.0, retries=1
    ) as client:
        with pytest.raises(ConnectionFailedError) as info:
            await client.create_note(details="x", contact_id=MISSING)
    assert is_offline(info.value)


async def test_download_refuses_foreign_origin_token(live: SalesNexusClient) -> None:
    with pytest.raises(ValueError):
        await live.download_document("http://10.1.2.3/doc", io.BytesIO())
    sent: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, content=b"abc")

    async with SalesNexusClient(
        "https://a.example", token="secret-token", transport=httpx.MockTransport(handler)
    ) as client:
        buf = io.BytesIO()
        await client.download_document("https://b.example/doc", buf)
        await client.download_document("/documents/1", buf)
    assert "authorization" not in sent[0].headers
    assert sent[1].headers["authorization"] == "Bearer secret-token"
    assert "secret-token" not in str(sent[1].url)


async def test_stalled_server_times_out(fresh_sandbox: Any) -> None:
    async with SalesNexusClient(
        base_url_of(fresh_sandbox), timeout=0.3, retries=1, backoff=0.0
    ) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        cid = (await client.get_contacts(page_size=1)).ids[0]
        fresh_sandbox.faults.update({"stall_rate": 1.0, "stall_s": 1.0})
        try:
            with pytest.raises(RequestTimeoutError) as read:
                await client.get_users()
            with pytest.raises(OutcomeUnknownError) as write:
                await client.create_note(details="slow", contact_id=cid)
        finally:
            fresh_sandbox.faults.clear()
        assert client.online is False
        assert (await client.greet()).message
        assert client.online is True
    assert is_offline(read.value)
    assert isinstance(write.value.reason, RequestTimeoutError)
