"""Cheap start-up (lazy httpx client, lazy package imports) and drops over an in-process
ASGI transport behaving like dropped sockets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD

from snx_desktop.api import (
    ConnectionFailedError,
    OutcomeUnknownError,
    SalesNexusClient,
    is_offline,
)
from snx_desktop.sandbox import SandboxConfig, create_app


def test_importing_services_does_not_load_the_client() -> None:
    code = (
        "import sys, snx_desktop.services, snx_desktop.api.errors\n"
        "print('httpx' in sys.modules, 'snx_desktop.api.client' in sys.modules)\n"
        "from snx_desktop.api import SalesNexusClient, redact, Batch, BinarySource\n"
        "print('httpx' in sys.modules, SalesNexusClient.__module__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[0] == "False False"
    assert out[1] == "True snx_desktop.api.client"


class Recording(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.requests = 0
        self.closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        rid = json.loads(request.content)[0]["request-id"]
        body = json.dumps([{"request-id": rid, "result": {"message": "hi"}}]).encode()
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    async def aclose(self) -> None:
        self.closed = True


@pytest.mark.asyncio
async def test_http_client_is_made_on_first_use_and_closed() -> None:
    unused = Recording()
    client = SalesNexusClient("https://crm.example", transport=unused)
    await client.aclose()
    assert unused.requests == 0
    assert unused.closed  # closing never-used client still closes the given transport

    used = Recording()
    async with SalesNexusClient("https://crm.example", transport=used) as client:
        assert (await client.greet()).message == "hi"
        assert client.http is client.http  # one shared AsyncClient
    assert used.requests == 1
    assert used.closed


def test_a_bad_ca_bundle_still_fails_at_construction(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    with pytest.raises(Exception):  # noqa: B017 - ssl.SSLError, as before
        SalesNexusClient("https://crm.example", ca_bundle=bad)


@pytest.mark.asyncio
async def test_in_process_drops_behave_like_lost_connections() -> None:
    app = create_app(SandboxConfig(contacts=5, seed=3))
    state = app.state.sandbox
    try:
        client = SalesNexusClient(
            "http://127.0.0.1/api/call-v1",
            transport=httpx.ASGITransport(app=app),
            retries=2,
            backoff=0.0,
        )
        async with client:
            await client.login(DEMO_EMAIL, DEMO_PASSWORD)
            cid = (await client.get_contacts(page_size=1)).ids[0]
            state.faults.update({"drop_rate": 1.0})
            with pytest.raises(ConnectionFailedError) as dropped:
                await client.get_users()
            assert is_offline(dropped.value)
            assert client.online is False
            state.faults.reset()
            before = (await client.get_notes_for_contact(cid)).total
            state.faults.update({"drop_after_rate": 1.0})
            with pytest.raises(OutcomeUnknownError):
                await client.create_note(details="landed once", contact_id=cid)
            state.faults.reset()
            assert (await client.get_notes_for_contact(cid)).total == before + 1
    finally:
        state.close()
