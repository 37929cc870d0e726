"""Browsing: cache first, revalidation, offline paging and search, details in one request."""

from __future__ import annotations

import asyncio

import pytest
from support.fields import C_LAST, C_RECORD_ID, C_TITLE, S_DETAILS

from snx_desktop.services import Change, ConnState, OfflineError

from .conftest import OpenServices

pytestmark = pytest.mark.asyncio


async def test_cache_first_then_revalidate(sandbox: object, open_services: OpenServices) -> None:
    svc = await open_services(sandbox)
    assert svc.browse.cached_page("contact", "", 0, 50) is None
    page = await svc.browse.fetch_page("contact", "", 0, 50)
    assert not page.from_cache
    assert page.total >= 300
    assert len(page.records) == 50
    assert all(r["id"] for r in page.records)
    cached = svc.browse.cached_page("contact", "", 0, 50)
    assert cached is not None
    assert cached.from_cache
    assert cached.ids == page.ids
    assert cached.fetched_at is not None

    # somebody else changes a contact on the server: revalidation reports it on the hub
    target = page.records[3]["id"]
    seen: list[Change] = []
    svc.changes.connect(seen.append)
    await svc.client.update_contact(
        match_by_field_data={C_RECORD_ID: target}, contact_field_data={C_TITLE: "Chief Revalidator"}
    )
    again = await svc.browse.fetch_page("contact", "", 0, 50)
    assert again.records[3][C_TITLE] == "Chief Revalidator"
    assert any(c.kind == "contact" and target in c.ids for c in seen)
    cached_again = svc.browse.cached_page("contact", "", 0, 50)
    assert cached_again is not None
    assert cached_again.records[3][C_TITLE] == "Chief Revalidator"


async def test_offline_paging_and_search_from_cache(
    sandbox: object, open_services: OpenServices
) -> None:
    svc = await open_services(sandbox)
    first = await svc.browse.fetch_page("contact", "", 0, 100)
    second = await svc.browse.fetch_page("contact", "", 100, 100)
    svc.network.down = True  # type: ignore[attr-defined]
    requests = svc.network.requests  # type: ignore[attr-defined]

    # the first request that fails turns the state offline; answers come from the cache
    page = await svc.browse.fetch_page("contact", "", 100, 100)
    assert page.from_cache
    assert page.ids == second.ids
    assert svc.connectivity.state is ConnState.OFFLINE
    with pytest.raises(OfflineError) as err:
        await svc.browse.fetch_page("contact", "", 200, 100)
    assert "not in the local cache" in str(err.value)

    # search as you type: local full-text index over what is cached
    someone = first.records[7]
    last_name = someone[C_LAST]
    hits = svc.browse.search_local("contact", last_name[:3].lower())
    assert someone["id"] in hits.ids
    # a filtered list never fetched online is answered by the local index too
    filtered = await svc.browse.fetch_page("contact", last_name, 0, 20)
    assert filtered.from_cache
    assert someone["id"] in filtered.ids
    assert svc.network.requests == requests  # type: ignore[attr-defined]

    # back online: the probe notices, the state flips, the network answers again
    svc.network.down = False  # type: ignore[attr-defined]
    await asyncio.wait_for(svc.connectivity.wait_online(), 10)
    fresh = await svc.browse.fetch_page("contact", "", 200, 100)
    assert not fresh.from_cache


async def test_work_offline_switch(sandbox: object, open_services: OpenServices) -> None:
    svc = await open_services(sandbox)
    await svc.browse.fetch_page("group", "", 0, 50)
    states: list[ConnState] = []
    svc.connectivity.changed.connect(states.append)
    svc.connectivity.set_work_offline(True)
    requests = svc.network.requests  # type: ignore[attr-defined]
    page = await svc.browse.fetch_page("group", "", 0, 50)
    assert page.from_cache
    assert svc.network.requests == requests  # type: ignore[attr-defined]
    svc.connectivity.set_work_offline(False)
    await asyncio.wait_for(svc.connectivity.wait_online(), 10)
    assert states[0] is ConnState.WORKING_OFFLINE
    assert states[-1] is ConnState.ONLINE


async def test_contact_detail_in_one_request(sandbox: object, open_services: OpenServices) -> None:
    svc = await open_services(sandbox)
    # find a contact with activities of the signed-in user
    acts = await svc.browse.fetch_page("activity", "", 0, 200)
    with_contact = [a for a in acts.records if a.get("schedule-with")]
    assert with_contact
    cid = with_contact[0]["schedule-with"]
    await svc.browse.fetch_page("contact", "", 0, 300)  # the list row is cached (e-mail known)
    assert svc.browse.cached_detail("contact", cid) is not None

    before = svc.client.requests_sent
    detail = await svc.browse.load_detail("contact", cid)
    assert svc.client.requests_sent - before == 1
    assert not detail.from_cache
    assert detail.fields["id"] == cid
    assert any(a["id"] == with_contact[0]["id"] for a in detail.activities)
    assert all(a["schedule-with"] == cid for a in detail.activities)
    assert detail.activities_complete
    server_notes = await svc.client.get_notes_for_contact(cid)
    assert {n["id"] for n in detail.notes} == set(server_notes.ids)
    dates = [n["created-date"] for n in detail.notes]
    assert dates == sorted(dates, reverse=True)

    # offline: the same detail from the cache
    svc.connectivity.set_work_offline(True)
    cached = await svc.browse.load_detail("contact", cid)
    assert cached.from_cache
    assert cached.notes == detail.notes
    assert cached.sales == detail.sales


async def test_group_detail_in_one_request(sandbox: object, open_services: OpenServices) -> None:
    svc = await open_services(sandbox)
    groups = await svc.browse.fetch_page("group", "", 0, 50)
    gid = groups.records[0]["id"]
    before = svc.client.requests_sent
    detail = await svc.browse.load_detail("group", gid)
    assert svc.client.requests_sent - before == 1
    members = await svc.client.get_contacts_for_group(gid)
    assert [m["id"] for m in detail.members] == members.ids
    assert detail.kind == "group"
    assert not detail.partial


async def test_offline_detail_missing_says_what(
    sandbox: object, open_services: OpenServices
) -> None:
    svc = await open_services(sandbox)
    page = await svc.browse.fetch_page("contact", "", 0, 5)
    svc.connectivity.set_work_offline(True)
    with pytest.raises(OfflineError, match="contact"):
        await svc.browse.load_detail("contact", "00000000-0000-0000-0000-000000000000")
    partial = await svc.browse.load_detail("contact", page.ids[0])
    assert partial.from_cache
    assert partial.partial


async def test_campaigns_and_sales_lists(sandbox: object, open_services: OpenServices) -> None:
    svc = await open_services(sandbox)
    camps = await svc.browse.fetch_page("campaign", "", 0, 10)
    assert camps.total >= 1
    assert camps.records[0]["name"]
    sales = await svc.browse.fetch_page("sale", "", 0, 10)
    assert sales.total >= 1
    assert sales.records[0]["id"]
    svc.connectivity.set_work_offline(True)
    assert (await svc.browse.fetch_page("campaign", "", 0, 10)).from_cache
    found = svc.browse.search_local("sale", sales.records[0].get(S_DETAILS, "")[:5])
    assert found.total >= 1


async def test_cache_and_queue_survive_restart(
    fresh_sandbox: object, open_services: OpenServices, tmp_path: object
) -> None:
    from pathlib import Path

    profile = Path(str(tmp_path)) / "restart"
    svc = await open_services(fresh_sandbox, profile=profile)
    page = await svc.browse.fetch_page("contact", "", 0, 30)
    svc.connectivity.set_work_offline(True)
    ch = await svc.writes.create_note(page.ids[0], "queued before the restart")
    await svc.aclose()

    again = await open_services(fresh_sandbox, profile=profile, work_offline=True)
    assert again.schema.current is not None  # the schema came from the cache
    cached = await again.browse.fetch_page("contact", "", 0, 30)
    assert cached.from_cache
    assert cached.ids == page.ids
    assert [p.op_id for p in again.writes.pending()] == [ch.op_id]
    again.connectivity.set_work_offline(False)
    await asyncio.wait_for(again.writes.flush(20), 30)
    assert again.writes.status.pending == 0


async def test_an_offline_session_makes_its_client_only_once_it_goes_online(
    sandbox: object, open_services: OpenServices, tmp_path: object
) -> None:
    from pathlib import Path

    profile = Path(str(tmp_path)) / "lazy"
    svc = await open_services(sandbox, profile=profile)
    page = await svc.browse.fetch_page("contact", "", 0, 30)
    await svc.aclose()

    again = await open_services(sandbox, profile=profile, work_offline=True)
    cached = await again.browse.fetch_page("contact", "", 0, 30)
    assert cached.ids == page.ids
    await again.writes.create_note(page.ids[0], "written offline")
    # reading the cache and queueing a change need no client (nor httpx, nor TLS)
    assert not again.lazy_client.built
    again.connectivity.set_work_offline(False)
    await asyncio.wait_for(again.writes.flush(20), 30)
    assert again.lazy_client.built
    assert again.writes.status.pending == 0
