"""200 writes made offline, then online: all land once, in order, temporary ids remapped."""

from __future__ import annotations

import pytest
from support.fields import (
    C_COMPANY,
    C_EMAIL,
    C_NAME,
    C_TITLE,
    G_DESCRIPTION,
    S_CONTACT,
    S_DETAILS,
    S_STATUS,
)
from support.writequeue import queue_sent

from snx_desktop.services import ConnState, OpOutcome, is_temp_id

from .conftest import OpenServices

pytestmark = pytest.mark.asyncio

NEW = 30  # contacts created offline; each also gets a note, an update and an activity


async def test_200_offline_writes_land_in_order(
    fresh_sandbox: object, open_services: OpenServices
) -> None:
    svc = await open_services(fresh_sandbox)
    existing = (await svc.browse.fetch_page("contact", "", 0, 60)).records
    groups = (await svc.browse.fetch_page("group", "", 0, 10)).records
    campaigns = await svc.browse.list_campaigns()
    gid = groups[0]["id"]
    for c in existing[:20]:
        await svc.browse.load_detail("contact", c["id"])

    svc.network.down = True  # type: ignore[attr-defined]
    svc.connectivity.report_failure("test: cable pulled")
    assert svc.connectivity.state is ConnState.OFFLINE

    landed: list[OpOutcome] = []
    svc.writes.op_done.connect(landed.append)
    ops: list[int] = []
    temp_contacts: list[str] = []
    for i in range(NEW):
        ch = await svc.writes.create_contact(
            {
                C_NAME: f"Offline Person {i:03d}",
                C_EMAIL: f"offline{i:03d}@bulk.example",
                C_COMPANY: "Draft",
            }
        )
        tmp = ch.ids[0]
        assert is_temp_id(tmp)
        temp_contacts.append(tmp)
        ops.append(ch.op_id or 0)
        ops.append((await svc.writes.create_note(tmp, f"first call with {i:03d}")).op_id or 0)
        ops.append(
            (await svc.writes.update_contact(tmp, {C_COMPANY: f"Company {i:03d}"})).op_id or 0
        )
        ops.append(
            (
                await svc.writes.create_activity(
                    tmp,
                    type="call",
                    regarding=f"follow up {i:03d}",
                    start_time="2026-12-01T10:00:00",
                    end_time="2026-12-01T10:30:00",
                )
            ).op_id
            or 0
        )
    # 80 more, mostly on records the server already has
    for i, c in enumerate(existing[:20]):
        ops.append((await svc.writes.update_contact(c["id"], {C_TITLE: f"Title A{i}"})).op_id or 0)
        ops.append((await svc.writes.create_note(c["id"], f"offline note {i}")).op_id or 0)
        ops.append((await svc.writes.update_contact(c["id"], {C_TITLE: f"Title B{i}"})).op_id or 0)
    for i in range(6):
        ops.append((await svc.writes.create_group_note(gid, f"group note {i}")).op_id or 0)
    for i in range(5):
        ops.append((await svc.writes.add_contacts_to_group(gid, [temp_contacts[i]])).op_id or 0)
    for i in range(5):
        ops.append(
            (
                await svc.writes.create_sale(
                    {S_CONTACT: temp_contacts[i], S_STATUS: "0", S_DETAILS: f"offline deal {i}"}
                )
            ).op_id
            or 0
        )
    ops.append((await svc.writes.add_to_campaign(campaigns[0]["id"], temp_contacts[:3])).op_id or 0)
    ops.append((await svc.writes.delete_contacts([existing[59]["id"]])).op_id or 0)
    ops.append((await svc.writes.update_group(gid, {G_DESCRIPTION: "edited offline"})).op_id or 0)
    ops.append((await svc.writes.create_note(existing[0]["id"], "note two hundred")).op_id or 0)
    assert len(ops) == 200
    assert svc.writes.status.pending == 200

    # the cache shows everything at once, offline
    detail = svc.browse.cached_detail("contact", temp_contacts[0])
    assert detail is not None
    assert detail.pending
    assert detail.fields[C_COMPANY] == "Company 000"
    assert [n["details"] for n in detail.notes] == ["first call with 000"]
    assert svc.browse.search_local("contact", "offline person 007").ids == [temp_contacts[7]]
    assert svc.browse.cached_detail("contact", existing[0]["id"]).fields[C_TITLE] == "Title B0"  # type: ignore[union-attr]

    # back online: the probe notices and the queue drains, one op at a time, in order
    svc.network.down = False  # type: ignore[attr-defined]
    await queue_sent(svc.writes, timeout=60)
    assert [o.op_id for o in landed] == sorted(ops)
    assert all(o.ok for o in landed), [o for o in landed if not o.ok]

    # the server holds each write exactly once, on the real ids
    c = svc.client
    for i in range(NEW):
        found = await c.get_contacts(filter_value=f"offline{i:03d}@bulk.example")
        assert found.total == 1
        real = found.items[0]
        assert real.field_data[C_COMPANY] == f"Company {i:03d}"
        notes = await c.get_notes_for_contact(real.contact_id)
        assert [n.details for n in notes.items] == [f"first call with {i:03d}"]
        assert svc.store.cache.resolve_id(temp_contacts[i]) == real.contact_id
    acts = await c.get_activities(filter_value="follow up", page_size=1000)
    assert sorted(a.regarding for a in acts.items) == [f"follow up {i:03d}" for i in range(NEW)]
    for i, rec in enumerate(existing[:20]):
        info = await c.get_contact_info(rec["id"])
        assert info.field_data[C_TITLE] == f"Title B{i}"  # the later update won: order kept
        notes = await c.get_notes_for_contact(rec["id"])
        assert [n.details for n in notes.items].count(f"offline note {i}") == 1
    members = await c.get_contacts_for_group(gid)
    real5 = [svc.store.cache.resolve_id(t) for t in temp_contacts[:5]]
    assert set(real5) <= set(members.ids)
    gnotes = await c.get_notes_for_group(gid)
    assert sorted(n.details for n in gnotes.items if n.details.startswith("group note")) == [
        f"group note {i}" for i in range(6)
    ]
    sales = await c.get_sales_for_contact(real5[0])
    assert [s.field_data[S_DETAILS] for s in sales.items] == ["offline deal 0"]
    assert (await c.get_group_info(gid)).field_data[G_DESCRIPTION] == "edited offline"
    assert (await c.get_contacts(filter_value=existing[59][C_EMAIL])).total == 0

    # no temporary id is left anywhere in the cache
    detail = svc.browse.cached_detail("contact", temp_contacts[0])
    assert detail is not None
    assert not is_temp_id(detail.id)
    assert not any(is_temp_id(n["id"]) for n in detail.notes)
    page = svc.browse.cached_page("contact", "", 0, 10)
    assert page is not None
    assert not any(is_temp_id(i) for i in page.ids)
