"""Conflicts: an update made offline meets a server that moved; each resolution holds."""

from __future__ import annotations

import pytest
from support.fields import C_COMPANY, C_RECORD_ID, C_TITLE
from support.signals import when
from support.writequeue import queue_sent

from .conftest import OpenServices

pytestmark = pytest.mark.asyncio

TITLE, COMPANY = C_TITLE, C_COMPANY


async def test_conflict_detected_and_resolved_both_ways(
    fresh_sandbox: object, open_services: OpenServices
) -> None:
    svc = await open_services(fresh_sandbox)
    page = await svc.browse.fetch_page("contact", "", 0, 10)
    a, b, c = (r["id"] for r in page.records[:3])
    base_title = {r["id"]: r[TITLE] for r in page.records[:3]}

    svc.connectivity.set_work_offline(True)
    op_a = (await svc.writes.update_contact(a, {TITLE: "Mine A", COMPANY: "Mine Co A"})).op_id
    op_b = (await svc.writes.update_contact(b, {TITLE: "Mine B", COMPANY: "Mine Co B"})).op_id
    op_c = (await svc.writes.update_contact(c, {TITLE: "Mine C"})).op_id
    pending = {p.op_id: p for p in svc.writes.pending()}
    assert pending[op_a or 0].changes[TITLE] == (base_title[a], "Mine A")  # old -> new

    # behind our back, someone changes the titles on the server
    for rid, value in ((a, "Theirs A"), (b, "Theirs B"), (c, "Theirs C")):
        await svc.client.update_contact(
            match_by_field_data={C_RECORD_ID: rid}, contact_field_data={TITLE: value}
        )

    svc.connectivity.set_work_offline(False)
    await when(svc.writes.status_changed, lambda: svc.writes.status.conflicts == 3)
    conflicts = {x.op_id: x for x in svc.writes.conflicts()}
    ca = conflicts[op_a or 0]
    assert ca.target == ("contact", a)
    assert set(ca.fields) == {TITLE}  # the company did not move on the server
    assert (ca.fields[TITLE].base, ca.fields[TITLE].theirs, ca.fields[TITLE].mine) == (
        base_title[a],
        "Theirs A",
        "Mine A",
    )
    # nothing was written while in conflict
    assert (await svc.client.get_contact_info(a)).field_data[COMPANY] != "Mine Co A"

    await svc.writes.resolve(op_a or 0, {TITLE: "mine"})
    await svc.writes.resolve(op_b or 0, {TITLE: "theirs"})
    await svc.writes.resolve(op_c or 0, {TITLE: "theirs"})  # nothing of mine left: dropped
    await queue_sent(svc.writes)

    info_a = (await svc.client.get_contact_info(a)).field_data
    info_b = (await svc.client.get_contact_info(b)).field_data
    info_c = (await svc.client.get_contact_info(c)).field_data
    assert (info_a[TITLE], info_a[COMPANY]) == ("Mine A", "Mine Co A")
    assert (info_b[TITLE], info_b[COMPANY]) == ("Theirs B", "Mine Co B")
    assert info_c[TITLE] == "Theirs C"
    # the cache agrees with the server
    assert svc.browse.cached_detail("contact", b).fields[TITLE] == "Theirs B"  # type: ignore[union-attr]
    assert svc.browse.cached_detail("contact", c).fields[TITLE] == "Theirs C"  # type: ignore[union-attr]


async def test_activity_update_conflict(fresh_sandbox: object, open_services: OpenServices) -> None:
    svc = await open_services(fresh_sandbox)
    acts = await svc.browse.fetch_page("activity", "", 0, 5)
    aid = acts.records[0]["id"]
    svc.connectivity.set_work_offline(True)
    op = (await svc.writes.update_activity(aid, {"regarding": "mine"})).op_id or 0
    await svc.client.update_activity(aid, regarding="theirs")
    svc.connectivity.set_work_offline(False)
    await when(svc.writes.status_changed, lambda: svc.writes.status.conflicts == 1)
    assert svc.writes.conflicts()[0].fields["regarding"].theirs == "theirs"
    await svc.writes.resolve(op, {"regarding": "mine"})
    await queue_sent(svc.writes)
    assert (await svc.client.get_activity_info(aid)).regarding == "mine"
