"""The client on the application's loop (qasync), checked in a child process.

A qasync loop in this process would leave Qt socket notifiers and timers behind for the
plain-asyncio tests that follow (seen as a crash in a later test's event processing), so
the check runs ``qasync_child.py`` in a process of its own, over real HTTP to a sandbox.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_batching_upload_and_download_on_a_qasync_loop() -> None:
    child = Path(__file__).with_name("qasync_child.py")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, str(child)], capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["loop"].startswith("qasync")
    assert seen["gather_requests"] == 1  # five calls issued together: one HTTP request
    assert seen["batch_requests"] == 1  # explicit batch across an await: one request
    assert seen["info_ok"]
    assert seen["lists_ok"]
    assert seen["sales_ok"]
    assert seen["batch_ok"]
    assert seen["roundtrip_ok"]
