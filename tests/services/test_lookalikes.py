"""After a lost answer, the look-up for a created record never adopts a colleague's look-alike.

Another user (``alex``, signed in over HTTP with a client of their own) makes a record that
looks exactly like the one our rep then makes offline; our create reaches the server but its
answer is lost. The look-up that follows must find our record, not theirs: the ids the look-up
read found before the first send are kept in the op and skipped.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from support.accounts import ALEX_EMAIL, ALEX_PASSWORD
from support.fields import (
    C_EMAIL,
    C_FIRST,
    C_LAST,
    C_NAME,
    G_DESCRIPTION,
    G_NAME,
    S_CONTACT,
    S_DETAILS,
    S_STATUS,
)
from support.network import go_offline, go_online
from support.waiting import until
from support.writequeue import queue_sent

from snx_desktop.api import SalesNexusClient
from snx_desktop.services import AppServices, OpStateChange
from snx_desktop.store.outbox import OpState

from .conftest import OpenServices

pytestmark = pytest.mark.asyncio

JANE_EMAIL = "jane.lookalike@example.org"
# Alex typed a middle initial into the full name: the look-alike lists before ours, so a look-up
# that took the first match would take theirs.
ALEX_JANE = {
    C_NAME: "Jane A. Look-Alike",
    C_FIRST: "Jane",
    C_LAST: "Look-Alike",
    C_EMAIL: JANE_EMAIL,
}
OUR_JANE = {C_FIRST: "Jane", C_LAST: "Look-Alike", C_EMAIL: JANE_EMAIL}


@asynccontextmanager
async def signed_in_as_alex(server: Any) -> AsyncIterator[SalesNexusClient]:
    async with SalesNexusClient(server.base_url) as alex:
        await alex.login(ALEX_EMAIL, ALEX_PASSWORD)
        yield alex


def fault_once(svc: AppServices, server: Any, method: str, fault: str) -> list[bool]:
    """The next call of the client's ``method`` runs with the sandbox fault ``fault`` at 1
    (``drop_after_rate``: the server applies it and the answer is lost; ``drop_rate``: the
    connection drops before it is applied). Returns a list that gets an item once it ran."""
    original = getattr(svc.client, method)
    hit: list[bool] = []

    async def once(*args: object, **kwargs: object) -> object:
        if hit:
            return await original(*args, **kwargs)
        setattr(server.faults, fault, 1.0)
        try:
            return await original(*args, **kwargs)
        finally:
            setattr(server.faults, fault, 0.0)
            hit.append(True)

    setattr(svc.client, method, once)
    return hit


def stall_calls(svc: AppServices, server: Any, method: str, seconds: float) -> asyncio.Event:
    """From now on the client's ``method`` runs with the sandbox holding each request for
    ``seconds`` before it runs the call (``stall_rate`` at 1 for that request); the event is
    set once such a request is on its way."""
    original = getattr(svc.client, method)
    on_the_wire = asyncio.Event()

    async def stalled(*args: object, **kwargs: object) -> object:
        server.faults.stall_s = seconds
        server.faults.stall_rate = 1.0
        on_the_wire.set()
        try:
            return await original(*args, **kwargs)
        finally:
            server.faults.stall_rate = 0.0

    setattr(svc.client, method, stalled)
    return on_the_wire


def stored_op(db: Path, op_id: int) -> tuple[str, dict[str, Any]] | None:
    """(state, params) of an op as committed in the store file, read on a connection of its own."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        row = conn.execute("SELECT state, params FROM outbox WHERE op_id = ?", (op_id,)).fetchone()
    return None if row is None else (str(row[0]), json.loads(row[1]))


async def test_a_colleagues_lookalike_contact_is_not_taken_for_ours(
    fresh_sandbox: Any, open_services: OpenServices
) -> None:
    svc = await open_services(fresh_sandbox)
    go_offline(svc)
    async with signed_in_as_alex(fresh_sandbox) as alex:
        theirs = (await alex.create_contact(contact_field_data=ALEX_JANE)).id

        new = await svc.writes.create_contact(OUR_JANE)
        tmp = new.ids[0]
        await svc.writes.create_note(tmp, "Met Jane at the fair")
        lost = fault_once(svc, fresh_sandbox, "create_contact", "drop_after_rate")
        go_online(svc, probe=False)
        await queue_sent(svc.writes, timeout=30, what="the queue drained")
        assert lost, "the create was never sent"

        found = await alex.get_contacts(filter_value=JANE_EMAIL)
        assert found.total == 2  # theirs and ours: ours was made once, theirs left alone
        ours = svc.store.cache.resolve_id(tmp)
        assert ours != theirs
        assert set(found.ids) == {theirs, ours}
        assert [n.details for n in (await alex.get_notes_for_contact(ours)).items] == [
            "Met Jane at the fair"
        ]
        assert (await alex.get_notes_for_contact(theirs)).total == 0


async def test_a_colleagues_lookalike_sale_is_not_taken_for_ours(
    fresh_sandbox: Any, open_services: OpenServices
) -> None:
    svc = await open_services(fresh_sandbox)
    cid = (await svc.browse.fetch_page("contact", "", 0, 1)).ids[0]
    await svc.browse.load_detail("contact", cid)  # the cache knows the sales before alex's
    go_offline(svc)
    deal = {S_CONTACT: cid, S_STATUS: "0", S_DETAILS: "Look-alike deal, 40 seats"}
    async with signed_in_as_alex(fresh_sandbox) as alex:
        theirs = (await alex.create_sales_opp(sales_field_data=deal)).id

        new = await svc.writes.create_sale(deal)
        lost = fault_once(svc, fresh_sandbox, "create_sales_opp", "drop_after_rate")
        go_online(svc, probe=False)
        await queue_sent(svc.writes, timeout=30, what="the queue drained")
        assert lost, "the create was never sent"

        sales = (await alex.get_sales_for_contact(cid)).items
        alike = [s.sales_id for s in sales if s.field_data[S_DETAILS] == deal[S_DETAILS]]
        ours = svc.store.cache.resolve_id(new.ids[0])
        assert len(alike) == 2
        assert ours != theirs
        assert set(alike) == {theirs, ours}


async def test_stopped_while_looking_a_new_group_up_it_is_never_merged_into_theirs(
    fresh_sandbox: Any, open_services: OpenServices, tmp_path: Path
) -> None:
    """The app stops while the look-up read before a group's first send is out: the group was
    not sent, so after a restart it is looked up again and refused as a duplicate name (the
    server keeps one group per name), rather than taken for alex's group."""
    profile = tmp_path / "restart"
    svc = await open_services(fresh_sandbox, profile=profile)
    go_offline(svc)
    name = "Look-Alike Prospects"
    async with signed_in_as_alex(fresh_sandbox) as alex:
        done = await alex.update_group(
            match_by_field_data={G_NAME: name},
            group_field_data={G_DESCRIPTION: "alex's prospects"},
            create_if_not_updated=True,
        )
        theirs = done.ids[0]

        new = await svc.writes.create_group({G_NAME: name})
        note = await svc.writes.create_group_note(new.ids[0], "Kick-off call booked")
        looking = stall_calls(svc, fresh_sandbox, "get_groups", 2.0)
        reads_before = fresh_sandbox.calls.get("get-groups", 0)
        go_online(svc, probe=False)
        await asyncio.wait_for(looking.wait(), 30)
        await svc.aclose()  # the app stops while the read is out

        again = await open_services(fresh_sandbox, profile=profile)
        op_id = new.op_id or 0

        def settled() -> bool:
            p = again.writes.get(op_id)
            return p is None or p.state == "failed"

        await until(settled, timeout=30, what="the group write settled")
        failed = again.writes.get(op_id)
        assert failed is not None, "the group write was taken for alex's group"
        assert failed.state == "failed"
        assert "already exists" in (failed.error or "")
        held = again.writes.get(note.op_id or 0)
        assert held is not None
        assert held.state == "blocked"
        assert (await alex.get_notes_for_group(theirs)).total == 0
        assert (await alex.get_groups(filter_value=name)).ids == [theirs]
        # the stalled read, the one after the restart and ours: the server is done with them
        await until(lambda: fresh_sandbox.calls.get("get-groups", 0) >= reads_before + 3)


async def test_the_look_up_is_committed_before_the_create_goes_out(
    fresh_sandbox: Any, open_services: OpenServices
) -> None:
    svc = await open_services(fresh_sandbox)
    go_offline(svc)
    async with signed_in_as_alex(fresh_sandbox) as alex:
        theirs = (await alex.create_contact(contact_field_data=ALEX_JANE)).id
    new = await svc.writes.create_contact(OUR_JANE)
    op_id = new.op_id or 0
    made_before = fresh_sandbox.calls.get("create-contact", 0)  # alex's
    on_the_wire = stall_calls(svc, fresh_sandbox, "create_contact", 3.0)
    go_online(svc, probe=False)
    await asyncio.wait_for(on_the_wire.wait(), 30)
    # the create is out and held by the server; what the store file holds now was committed
    assert fresh_sandbox.calls.get("create-contact", 0) == made_before
    assert fresh_sandbox.calls.get("get-contacts", 0) >= 1
    stored = stored_op(svc.store.path, op_id)
    assert stored is not None
    state, params = stored
    assert state == "sending"
    assert theirs in params["existing"]
    await queue_sent(svc.writes, timeout=30, what="the create landed")
    assert svc.store.cache.resolve_id(new.ids[0]) != theirs


async def test_a_failed_look_up_sends_nothing_and_the_create_waits(
    fresh_sandbox: Any, open_services: OpenServices
) -> None:
    svc = await open_services(fresh_sandbox)
    go_offline(svc)
    new = await svc.writes.create_contact({C_NAME: "Offline Olga", C_EMAIL: "olga@example.org"})
    op_id = new.op_id or 0
    states: list[str] = []

    def seen(change: OpStateChange) -> None:
        if change.op_id == op_id:
            states.append(change.state)

    svc.writes.ops_changed.connect(seen)
    original = svc.client.get_contacts
    refused: list[BaseException] = []

    async def dropped(*args: object, **kwargs: object) -> object:
        fresh_sandbox.faults.drop_rate = 1.0
        try:
            return await original(*args, **kwargs)
        except Exception as exc:
            refused.append(exc)
            raise
        finally:
            fresh_sandbox.faults.drop_rate = 0.0
            svc.client.get_contacts = original  # type: ignore[method-assign]

    svc.client.get_contacts = dropped  # type: ignore[method-assign]
    go_online(svc, probe=False)
    await until(lambda: refused, timeout=30, what="the look-up read failed")
    op = svc.store.outbox.get(op_id)
    assert op is not None
    assert op.state is OpState.QUEUED
    assert "existing" not in op.params
    await queue_sent(svc.writes, timeout=30, what="the create landed")
    # it went out once, after a look-up that worked; it never was of unknown outcome
    assert "sent-unknown" not in states
    assert states.count("sending") == 1
    assert (await svc.client.get_contacts(filter_value="olga@example.org")).total == 1


async def test_a_colleagues_lookalike_note_is_not_taken_for_ours(
    fresh_sandbox: Any, open_services: OpenServices
) -> None:
    """Notes are told apart by their author: a note alex wrote, however alike, is not ours."""
    svc = await open_services(fresh_sandbox)
    cid = (await svc.browse.fetch_page("contact", "", 0, 1)).ids[0]
    async with signed_in_as_alex(fresh_sandbox) as alex:
        theirs = (await alex.create_note(contact_id=cid, details="Left a voicemail")).id
        lost = fault_once(svc, fresh_sandbox, "create_note", "drop_rate")
        new = await svc.writes.create_note(cid, "Left a voicemail")
        await queue_sent(svc.writes, timeout=30, what="the note landed")
        assert lost, "the note was never sent"
        ours = svc.store.cache.resolve_id(new.ids[0])
        assert ours != theirs
        notes = (await alex.get_notes_for_contact(cid)).items
        assert sorted(n.note_id for n in notes if n.details == "Left a voicemail") == sorted(
            [theirs, ours]
        )


async def test_a_colleagues_lookalike_group_activity_is_not_taken_for_ours(
    fresh_sandbox: Any, open_services: OpenServices
) -> None:
    """A group's activities are told apart by whom they are scheduled for."""
    svc = await open_services(fresh_sandbox)
    gid = (await svc.browse.fetch_page("group", "", 0, 1)).ids[0]
    times = {"start_time": "2027-03-02T09:00:00", "end_time": "2027-03-02T09:30:00"}
    async with signed_in_as_alex(fresh_sandbox) as alex:
        theirs = (
            await alex.create_activity_for_group(
                gid, type="call", regarding="Quarterly call", **times
            )
        ).id
        lost = fault_once(svc, fresh_sandbox, "create_activity_for_group", "drop_rate")
        new = await svc.writes.create_group_activity(
            gid, type="call", regarding="Quarterly call", **times
        )
        await queue_sent(svc.writes, timeout=30, what="the call landed")
        assert lost, "the activity was never sent"
        ours = svc.store.cache.resolve_id(new.ids[0])
        assert ours != theirs
        acts = (await alex.get_activities_for_group(gid, page_size=1000)).items
        alike = {a.activity_id for a in acts if a.regarding == "Quarterly call"}
        assert alike == {theirs, ours}


async def test_look_alikes_the_cache_knows_are_remembered_when_journaling(
    fresh_sandbox: Any, open_services: OpenServices
) -> None:
    svc = await open_services(fresh_sandbox)
    async with signed_in_as_alex(fresh_sandbox) as alex:
        theirs = (await alex.create_contact(contact_field_data=ALEX_JANE)).id
    assert (await svc.browse.fetch_page("contact", JANE_EMAIL, 0, 10)).ids == [theirs]
    go_offline(svc)
    new = await svc.writes.create_contact({**OUR_JANE, C_EMAIL: JANE_EMAIL.upper()})
    op = svc.store.outbox.get(new.op_id or 0)
    assert op is not None
    assert op.params["known"] == [theirs]
