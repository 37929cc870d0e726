"""Safe defaults: document downloads take the login token in a header only (never in the
address, which ends up in logs), and the command warns when it listens beyond loopback (its
demo passwords are public)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from support.sandboxapi import Api


def _document(api: Api) -> tuple[str, str]:
    cid = api.first_contact()
    added = api.call(
        "add-doc-to-contact",
        **{"contact-id": cid, "file-name": "plan.txt", "base64-data": "cGxhbg=="},
    )
    docs = api.call("get-docs-for-contact", **{"contact-id": cid})["document-list"]
    return added["document-id"], docs["document-info"][added["document-id"]]["url"]


def test_a_download_takes_the_token_from_the_authorization_header_only(fresh_api: Api) -> None:
    api = fresh_api
    doc_id, url = _document(api)
    # the address the answer gives carries no token
    assert url == f"{api.handle.base_url}/documents/{doc_id}"
    assert api.token not in url
    bearer = {"Authorization": f"Bearer {api.token}"}
    ok = api.client.get(url, headers=bearer)
    assert ok.status_code == 200
    assert ok.content == b"plan"
    for params in ({"login-token": api.token}, {"LOGIN-TOKEN": api.token}, {"login-token": ""}):
        for headers in ({}, bearer):  # refused even beside a valid header: the token leaked
            refused = api.client.get(url, params=params, headers=headers)
            assert refused.status_code == 401, (params, headers)
            assert refused.headers["content-type"].startswith("application/json")
            body = refused.json()
            assert body["error-code"] == "INVALID_TOKEN"
            assert "Authorization: Bearer" in body["error"]
            assert refused.content != b"plan"
    bare = api.client.get(url)
    assert bare.status_code == 401
    assert bare.json()["error-code"] == "INVALID_TOKEN"


def _stderr_until(proc: subprocess.Popen[str], marker: str, timeout: float) -> list[str]:
    assert proc.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if marker in line:
            break
    return lines


def _run(host: str) -> list[str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            *("-m", "snx_desktop.sandbox"),
            *("--host", host, "--port", "0", "--contacts", "0"),
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        return _stderr_until(proc, "/api/call-v1", 30)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_the_command_warns_when_it_listens_beyond_loopback() -> None:
    # nothing connects: the test only reads what the command says when it starts
    lines = _run("0.0.0.0")
    assert any("/api/call-v1" in line for line in lines), lines
    warnings = [line for line in lines if " WARNING " in line]
    assert len(warnings) == 1, lines
    assert "0.0.0.0" in warnings[0]
    assert "public demo passwords" in warnings[0]
    loopback = _run("127.0.0.1")
    assert any("/api/call-v1" in line for line in loopback), loopback
    assert not any(" WARNING " in line for line in loopback), loopback
