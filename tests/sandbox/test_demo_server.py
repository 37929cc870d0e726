"""The demo mode's server runs in a child process tied to the app's: it serves the demo data
over HTTP on loopback, stops with the app, and is never left behind when the app is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from support.sandboxapi import Api
from support.waiting import until_blocking

from snx_desktop.demoserver import start_demo_server


def _running(pid: int) -> bool:
    """True while process ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _signs_in(base_url: str) -> bool:
    """The demo user gets a login token from the server at ``base_url``."""
    with httpx.Client(timeout=10) as client:
        return bool(Api(SimpleNamespace(base_url=base_url), client).login())


def test_the_demo_server_serves_from_a_child_process_and_stops_with_stop() -> None:
    server = start_demo_server(30)
    try:
        pid = server.process.pid
        assert pid != os.getpid()
        assert server.base_url.startswith("http://127.0.0.1:")
        assert _signs_in(server.base_url)
    finally:
        server.stop()
    assert server.process.returncode is not None
    assert not _running(pid)
    with pytest.raises(httpx.ConnectError):
        httpx.post(server.base_url + "/api/call-v1", json=[{"function": "greet"}], timeout=5)


def test_the_demo_server_ends_when_its_parent_is_killed(tmp_path: Path) -> None:
    parent_code = (
        "import sys, time\n"
        "from snx_desktop.demoserver import start_demo_server\n"
        "server = start_demo_server(20)\n"
        "print(server.process.pid, server.base_url, flush=True)\n"
        "time.sleep(600)  # a parent that lives until the test kills it\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", parent_code], stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        child_pid, base_url = parent.stdout.readline().split()
        assert _signs_in(base_url)
        parent.send_signal(signal.SIGKILL)  # no chance to stop anything itself
        parent.wait(10)
        until_blocking(lambda: not _running(int(child_pid)), 20, "the orphaned server to stop")
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
