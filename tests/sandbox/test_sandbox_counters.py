"""Request counters on the handle, quiet client disconnects, and drops when run in-process."""

from __future__ import annotations

import json
import logging
import socket
from typing import Any

import httpx
import pytest
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.waiting import within_blocking

from snx_desktop.sandbox import DroppedConnection, SandboxConfig, create_app

LOGIN = {
    "function": "get-login-token",
    "parameters": {"email-address": DEMO_EMAIL, "password": DEMO_PASSWORD},
}


def _token(api_url: str) -> str:
    answer = httpx.post(api_url, json=[LOGIN]).json()
    return str(answer[0]["result"]["login-token"])


def test_handle_counts_requests_and_calls(fresh_sandbox: Any) -> None:
    fresh_sandbox.reset_counters()
    assert fresh_sandbox.requests == 0
    assert fresh_sandbox.calls == {}
    token = _token(fresh_sandbox.api_url)
    with httpx.Client() as c:
        batch = [
            {"function": "get-contacts", "parameters": {"login-token": token, "page-size": "1"}},
            {"function": "greet"},
            {"function": "greet"},
        ]
        c.post(fresh_sandbox.api_url, json=batch)
        c.get(fresh_sandbox.api_url)  # 405, still a request to call-v1
        c.get(fresh_sandbox.base_url + "/_sandbox/health")  # not call-v1: not counted
    assert fresh_sandbox.requests == 3
    assert fresh_sandbox.calls == {"get-login-token": 1, "get-contacts": 1, "greet": 2}
    # a request dropped before it ran counts as a request, its calls do not
    fresh_sandbox.faults.update({"drop_rate": 1.0})
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(fresh_sandbox.api_url, json=[{"function": "greet"}])
    fresh_sandbox.faults.reset()
    assert fresh_sandbox.requests == 4
    assert fresh_sandbox.calls["greet"] == 2
    fresh_sandbox.reset_counters()
    assert fresh_sandbox.requests == 0
    assert fresh_sandbox.calls == {}


def test_client_gone_mid_upload_is_not_an_error(
    fresh_sandbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = _token(fresh_sandbox.api_url)
    head = json.dumps(
        [
            {
                "function": "add-doc-to-contact",
                "parameters": {
                    "login-token": token,
                    "contact-id": "x",
                    "file-name": "a.bin",
                    "base64-data": "",
                },
            }
        ]
    ).encode()
    body_len = len(head) + 5_000_000
    before = fresh_sandbox.requests
    with socket.create_connection((fresh_sandbox.host, fresh_sandbox.port)) as sock:
        sock.sendall(
            b"POST /api/call-v1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {body_len}\r\n\r\n".encode()
            + head[:-10]
            + b"A" * 200_000
        )
        within_blocking(lambda: fresh_sandbox.requests != before, 5, step=0.01)
    # the server notices the closed connection while reading the body
    within_blocking(lambda: any("disconnected" in r.getMessage() for r in caplog.records), 5)
    messages = [r.getMessage() for r in caplog.records]
    assert any("client disconnected" in m for m in messages), messages
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], messages
    # and it goes on serving
    assert httpx.post(fresh_sandbox.api_url, json=[{"function": "greet"}]).status_code == 200


@pytest.mark.asyncio
async def test_drop_fault_in_process_raises_dropped_connection() -> None:
    app = create_app(SandboxConfig(contacts=5, seed=3))
    state = app.state.sandbox
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as c:
            state.faults.update({"drop_rate": 1.0})
            with pytest.raises(DroppedConnection):
                await c.post("/api/call-v1", json=[{"function": "greet"}])
            state.faults.reset()
            ok = await c.post("/api/call-v1", json=[{"function": "greet"}])
            assert ok.status_code == 200
            assert state.requests == 2
            assert issubclass(DroppedConnection, ConnectionResetError)
    finally:
        state.close()
