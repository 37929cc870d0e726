"""Answers the client cannot read after the server ran the call: the sandbox's
``garbage_after_rate`` fault (over raw HTTP), and a create hit by it going through the real
write queue, which looks the create up before sending it again: it lands exactly once.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.fields import C_EMAIL, C_NAME
from support.signals import when

from snx_desktop.api import OutcomeUnknownError, SalesNexusClient
from snx_desktop.sandbox.__main__ import main as sandbox_main
from snx_desktop.sandbox.config import GARBAGE_AFTER_KINDS
from snx_desktop.services import AppServices

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


async def set_faults(server: Any, **values: float) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        answer = await http.post(f"{server.base_url}/_sandbox/faults", json=values)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


async def count_contacts(server: Any, marker: str) -> int:
    """Contacts whose text holds ``marker``, asked with a clean client (no faults on)."""
    async with SalesNexusClient(server.base_url) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        return (await client.get_contacts(filter_value=marker)).total


# --- the fault over raw HTTP ---------------------------------------------------------------------


def _post(server: Any, body: Any) -> httpx.Response:
    return httpx.post(server.api_url, json=body, timeout=10)


def _create_call(server: Any, marker: str) -> list[dict[str, Any]]:
    login = _post(
        server,
        [
            {
                "function": "get-login-token",
                "parameters": {"email-address": DEMO_EMAIL, "password": DEMO_PASSWORD},
            }
        ],
    ).json()
    token = login[0]["result"]["login-token"]
    fields = {C_NAME: f"Raw {marker}", C_EMAIL: f"{marker}@example.org"}
    return [
        {
            "function": "create-contact",
            "parameters": {"login-token": token, "contact-field-data": fields},
            "request-id": "one",
        }
    ]


def _undecodable(kind: str, server: Any, call: list[dict[str, Any]]) -> None:
    """Send ``call`` and check the answer is broken the way ``kind`` says."""
    if kind == "cut-off":
        with pytest.raises(httpx.RemoteProtocolError):
            _post(server, call)
        return
    answer = _post(server, call)
    assert answer.status_code == 200
    if kind == "not-json":
        with pytest.raises(ValueError):
            json.loads(answer.content)
    elif kind == "deep-nesting":
        assert answer.content.startswith(b"[" * 100_000)
        with pytest.raises(RecursionError):
            json.loads(answer.content)
    else:
        assert kind == "bad-utf8"
        with pytest.raises(UnicodeDecodeError):
            answer.content.decode("utf-8")


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", GARBAGE_AFTER_KINDS)
async def test_garbage_after_runs_the_call_then_answers_an_undecodable_body(
    fresh_sandbox: Any, kind: str
) -> None:
    marker = f"raw-{kind}-{secrets.token_hex(3)}"
    call = _create_call(fresh_sandbox, marker)
    faults = await set_faults(
        fresh_sandbox,
        garbage_after_rate=1.0,
        garbage_after_kind=GARBAGE_AFTER_KINDS.index(kind) + 1,
    )
    assert faults["garbage_after_rate"] == 1.0
    try:
        _undecodable(kind, fresh_sandbox, call)
    finally:
        await set_faults(fresh_sandbox, garbage_after_rate=0.0)
    assert fresh_sandbox.faults.garbage_after_sent == [kind]
    assert await count_contacts(fresh_sandbox, marker) == 1  # the call was run


@pytest.mark.asyncio
async def test_garbage_after_takes_each_kind_in_turn(fresh_sandbox: Any) -> None:
    call = _create_call(fresh_sandbox, f"turns-{secrets.token_hex(3)}")
    await set_faults(fresh_sandbox, garbage_after_rate=1.0)
    try:
        for kind in GARBAGE_AFTER_KINDS:
            _undecodable(kind, fresh_sandbox, call)
    finally:
        await set_faults(fresh_sandbox, garbage_after_rate=0.0)
    assert fresh_sandbox.faults.garbage_after_sent == list(GARBAGE_AFTER_KINDS)


@pytest.mark.asyncio
async def test_garbage_after_refuses_values_out_of_range(fresh_sandbox: Any) -> None:
    async with httpx.AsyncClient() as http:
        url = f"{fresh_sandbox.base_url}/_sandbox/faults"
        for bad in ({"garbage_after_rate": 1.5}, {"garbage_after_kind": 5}):
            assert (await http.post(url, json=bad)).status_code == 400
    assert sandbox_main(["--garbage-after-rate", "2", "--port", "0"]) == 2


# --- through the write queue ---------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", GARBAGE_AFTER_KINDS)
async def test_a_create_answered_with_garbage_lands_once_through_the_queue(
    fresh_sandbox: Any, tmp_path: Path, kind: str
) -> None:
    await set_faults(fresh_sandbox, garbage_after_kind=GARBAGE_AFTER_KINDS.index(kind) + 1)
    svc = await AppServices.open(
        fresh_sandbox.base_url,
        account=DEMO_EMAIL,
        password=DEMO_PASSWORD,
        profile_dir=tmp_path / "profile",
        client_options={"retries": 3, "backoff": 0.01, "timeout": 10.0},
        probe_interval=(0.05, 0.5),
    )
    svc.writes.retry_base = 0.02
    client = svc.client
    original = client.create_contact
    outcomes: list[BaseException | None] = []

    async def faulted_once(**kwargs: Any) -> Any:
        """The first create is answered with garbage (after the server made the contact)."""
        if outcomes:
            return await original(**kwargs)
        await set_faults(fresh_sandbox, garbage_after_rate=1.0)
        try:
            result = await original(**kwargs)
        except Exception as exc:
            outcomes.append(exc)
            raise
        finally:
            await set_faults(fresh_sandbox, garbage_after_rate=0.0)
        outcomes.append(None)
        return result

    client.create_contact = faulted_once
    marker = f"queue-{kind}-{secrets.token_hex(3)}"
    try:
        change = await svc.writes.create_contact(
            {C_NAME: f"Queue {kind}", C_EMAIL: f"{marker}@example.org"}
        )
        await when(
            svc.writes.status_changed,
            lambda: svc.writes.get(change.op_id or 0) is None,
            30,
            "the create to land",
        )
        real = svc.store.cache.resolve_id(change.ids[0])
    finally:
        await svc.aclose()
    assert outcomes
    assert isinstance(outcomes[0], OutcomeUnknownError), outcomes
    assert set(fresh_sandbox.faults.garbage_after_sent) == {kind}
    assert await count_contacts(fresh_sandbox, marker) == 1
    async with SalesNexusClient(fresh_sandbox.base_url) as check:
        await check.login(DEMO_EMAIL, DEMO_PASSWORD)
        [found] = (await check.get_contacts(filter_value=marker)).ids
    assert real == found  # the queued contact is the one on the server
