"""A replay in a child process, watched through its store file and killed half-way."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path


def outbox_counts(db: Path) -> tuple[int, int]:
    """(ops left, ops being sent), read from the store file of the other process;
    ``(-1, 0)`` while it cannot be read."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            left = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
            sending = conn.execute(
                "SELECT count(*) FROM outbox WHERE state = 'sending'"
            ).fetchone()[0]
            return int(left), int(sending)
    except sqlite3.Error:
        return -1, 0


async def kill_mid_request(
    child: subprocess.Popen[bytes], db: Path, most_left: int, timeout: float
) -> int:
    """Wait until ``child`` has at most ``most_left`` ops left and one out on the wire, kill it
    with SIGKILL there; the ops left after it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left, sending = outbox_counts(db)
        if (0 <= left <= most_left and sending) or child.poll() is not None:
            break
        await asyncio.sleep(0.005)
    assert child.poll() is None, child.communicate()[0].decode()
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    return outbox_counts(db)[0]
