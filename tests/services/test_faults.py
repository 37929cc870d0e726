"""Writes replayed against a server that drops, fails and garbles requests: each lands once."""

from __future__ import annotations

import pytest
from support.fields import C_COMPANY, C_EMAIL, C_NAME
from support.signals import when

from .conftest import OpenServices

pytestmark = pytest.mark.asyncio


async def test_writes_under_faults_land_exactly_once(
    sandbox_factory: object, open_services: OpenServices
) -> None:
    server = sandbox_factory(contacts=40, seed=3)  # type: ignore[operator]
    svc = await open_services(server, client_options={"retries": 3, "backoff": 0.01})
    contacts = (await svc.browse.fetch_page("contact", "", 0, 40)).ids
    server.faults.update(
        {"drop_rate": 0.1, "error_rate": 0.1, "garbage_rate": 0.05, "drop_after_rate": 0.1}
    )
    made = []
    for i in range(20):
        ch = await svc.writes.create_contact(
            {C_NAME: f"Fault Person {i:02d}", C_EMAIL: f"fault{i:02d}@faults.example"}
        )
        made.append(ch.ids[0])
        await svc.writes.create_note(ch.ids[0], f"fault note {i:02d}")
        await svc.writes.update_contact(ch.ids[0], {C_COMPANY: f"Fault Co {i:02d}"})
        await svc.writes.create_note(contacts[i], f"fault existing {i:02d}")
        await svc.writes.create_activity(
            contacts[i],
            type="todo",
            regarding=f"fault todo {i:02d}",
            start_time="2026-12-05T09:00:00",
            end_time="2026-12-05T09:00:00",
        )
    await when(
        svc.writes.status_changed,
        lambda: svc.writes.status.pending == 0 or svc.writes.status.failed > 0,
        timeout=90,
    )
    assert svc.writes.status.failed == 0, svc.writes.pending()[:3]
    server.faults.clear()

    c = svc.client
    found = await c.get_contacts(filter_value="@faults.example", page_size=100)
    assert sorted(x.field_data[C_EMAIL] for x in found.items) == [
        f"fault{i:02d}@faults.example" for i in range(20)
    ]
    for x in found.items:
        i = int(x.field_data[C_EMAIL][5:7])
        assert x.field_data[C_COMPANY] == f"Fault Co {i:02d}"
        assert [n.details for n in (await c.get_notes_for_contact(x.contact_id)).items] == [
            f"fault note {i:02d}"
        ]
    for i, cid in enumerate(contacts[:20]):
        notes = [n.details for n in (await c.get_notes_for_contact(cid)).items]
        assert notes.count(f"fault existing {i:02d}") == 1
    acts = await c.get_activities(filter_value="fault todo", page_size=100)
    assert sorted(a.regarding for a in acts.items) == [f"fault todo {i:02d}" for i in range(20)]
