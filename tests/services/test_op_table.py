"""The op table: one class per write kind, found by the wire function, and the activity fields
spelled out once for the client's calls."""

from __future__ import annotations

import inspect

import pytest

from snx_desktop.api.activityfields import (
    ACTIVITY_KEYS,
    ActivityFields,
    activity_args,
    complete_args,
)
from snx_desktop.api.client import SalesNexusClient
from snx_desktop.services.ops import OP_TABLE, OpKind
from snx_desktop.services.writes import WriteQueue

from .conftest import OpenServices

QUEUE_WRITES = {
    "create_contact": "create-contact",
    "update_contact": "update-contact",
    "delete_contacts": "delete-contacts",
    "import_contacts": "import-contacts",
    "create_group": "create-group",
    "update_group": "update-group",
    "delete_groups": "delete-groups",
    "add_contacts_to_group": "add-contacts-to-group",
    "add_to_campaign": "add-to-campaign",
    "create_note": "create-note",
    "create_group_note": "create-note-for-group",
    "create_activity": "create-activity",
    "create_group_activity": "create-activity-for-group",
    "update_activity": "update-activity",
    "complete_activity": "complete-activity",
    "create_sale": "create-sales-opp",
    "upload_document": "add-doc-to-contact",
}


def test_every_queued_write_has_its_own_class_in_the_table() -> None:
    assert set(OP_TABLE) == set(QUEUE_WRITES.values())
    for name, cls in OP_TABLE.items():
        assert cls.function == name
        assert cls.send is not OpKind.send, f"{name} has no send"
        if name != "create-group":  # sent as update-group with create-if-not-updated
            assert hasattr(SalesNexusClient, name.replace("-", "_")), f"{name} is no client call"
    for method in QUEUE_WRITES:
        assert inspect.iscoroutinefunction(getattr(WriteQueue, method))


def test_activity_fields_are_the_client_calls_keywords() -> None:
    wire = set(ActivityFields.__annotations__)
    assert set(ACTIVITY_KEYS) <= wire
    every: ActivityFields = {k: "x" for k in ACTIVITY_KEYS}  # type: ignore[assignment]
    every["timeless"] = "true"
    args = activity_args(every)
    assert set(args) == {k.replace("-", "_") for k in ACTIVITY_KEYS}
    assert args["timeless"] is True
    for call in ("create_activity", "create_activity_for_group", "update_activity"):
        params = inspect.signature(getattr(SalesNexusClient, call)).parameters
        assert set(args) <= set(params), call
    done = complete_args(every)
    complete = inspect.signature(SalesNexusClient.complete_activity).parameters
    assert set(done) <= set(complete)
    assert {"start_time", "end_time", "timeless"}.isdisjoint(done)
    # no one to schedule with, nor for: left to the server
    assert "schedule_with" not in activity_args({"schedule-with": "", "schedule-for": ""})


@pytest.mark.asyncio
async def test_an_op_of_an_unknown_kind_fails_in_plain_words_and_the_rest_lands(
    sandbox: object, open_services: OpenServices
) -> None:
    svc = await open_services(sandbox)
    contacts = (await svc.browse.fetch_page("contact", "", 0, 1)).records
    with svc.store.transaction():
        odd = svc.store.outbox.append(
            "merge-contacts", {"contact-ids": []}, description="Merge two contacts"
        )
    svc.writes.wake()
    outcome = await svc.writes.wait(odd.op_id, timeout=10)
    assert not outcome.ok
    assert outcome.error == "This kind of change cannot be sent: merge-contacts."
    note = await svc.writes.create_note(contacts[0]["id"], "after the odd one")
    assert (await svc.writes.wait(note.op_id or 0, timeout=10)).ok
