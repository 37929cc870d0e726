"""A write the server refuses for lack of permission (``PERMISSION_DENIED``) ends failed in the
write queue with the server's sentence, as a refused write and not a crash, and every other
queued write still lands: signed in as a ``user`` of the sandbox, over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.accounts import ALEX_EMAIL, ALEX_PASSWORD, DEMO_EMAIL, DEMO_PASSWORD
from support.fields import C_NAME, C_OWNER
from support.waiting import until

from .conftest import OpenServices

pytestmark = pytest.mark.asyncio

USER_EMAIL, USER_PASSWORD = ALEX_EMAIL, ALEX_PASSWORD  # a "user" of the demo data
OWNER_FIELD = C_OWNER


def _call(server: Any, function: str, **params: Any) -> dict[str, Any]:
    body = [{"function": function, "parameters": params}]
    [element] = httpx.post(server.api_url, json=body, timeout=20).json()
    assert "result" in element, element
    result: dict[str, Any] = element["result"]
    return result


def _demo_session(server: Any) -> tuple[str, str]:
    token = _call(
        server, "get-login-token", **{"email-address": DEMO_EMAIL, "password": DEMO_PASSWORD}
    )["login-token"]
    users = _call(server, "get-users", **{"login-token": token})["user-list"]["user-info"]
    demo = next(u["user-id"] for u in users.values() if u["email-address"] == DEMO_EMAIL)
    return token, demo


async def test_a_delete_refused_for_permission_fails_alone_with_the_servers_words(
    fresh_sandbox: Any, open_services: OpenServices
) -> None:
    token, demo = _demo_session(fresh_sandbox)
    info = _call(fresh_sandbox, "get-contacts", **{"login-token": token, "page-size": "1000"})[
        "contact-list"
    ]["contact-info"]
    demos = [cid for cid, fields in info.items() if fields[OWNER_FIELD] == demo]
    theirs, noted, also_noted = demos[0], demos[1], demos[2]

    svc = await open_services(fresh_sandbox, account=USER_EMAIL, password=USER_PASSWORD)
    w = svc.writes
    first = await w.create_note(noted, "queued before the refused delete")
    refused = await w.delete_contacts([theirs])
    made = await w.create_contact({C_NAME: "Made After The Refusal"})
    last = await w.create_note(also_noted, "queued after the refused delete")

    outcome = await w.wait(refused.op_id or 0, timeout=30)
    assert not outcome.ok
    assert outcome.error is not None
    assert "You can delete only contacts you manage" in outcome.error
    assert "Dana Demo" in outcome.error
    for change in (first, made, last):
        assert (await w.wait(change.op_id or 0, timeout=30)).ok
    await until(lambda: w.status.pending == 1, timeout=30, what="the other writes to land")

    # what Pending changes shows: the one refused write, failed, with the server's sentence
    [left] = w.pending()
    assert left.op_id == refused.op_id
    assert left.op == "delete-contacts"
    assert left.state == "failed"
    assert left.error is not None
    assert "You can delete only contacts you manage" in left.error
    assert w.status.failed == 1

    # and on the server: nothing deleted, everything else there once
    still = _call(fresh_sandbox, "get-contact-info", **{"login-token": token, "contact-id": theirs})
    assert still["field-data"][OWNER_FIELD] == demo
    for cid, text in ((noted, "queued before"), (also_noted, "queued after")):
        notes = _call(
            fresh_sandbox, "get-notes-for-contact", **{"login-token": token, "contact-id": cid}
        )["note-list"]["note-info"]
        assert sum(n["details"].startswith(text) for n in notes.values()) == 1
    found = _call(
        fresh_sandbox,
        "get-contacts",
        **{"login-token": token, "filter-value": "Made After The Refusal"},
    )["contact-list"]
    assert found["total-record-count"] == "1"
