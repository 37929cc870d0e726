"""A replay in a child process: run to its end there, watched through its store file from
here and killed half-way."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from support.waiting import within


async def replay_to_the_end(writes: Any) -> Any:
    """Wait until the write queue ``writes`` is empty or stuck (a failed or conflicting op),
    looking again each time its status changes; its status then."""
    changed = asyncio.Event()
    stop = writes.status_changed.connect(lambda _status: changed.set())
    try:
        while True:
            changed.clear()
            status = writes.status
            if not status.pending or status.failed or status.conflicts:
                return status
            await changed.wait()
    finally:
        stop()


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

    def there() -> bool:
        left, sending = outbox_counts(db)
        return bool(0 <= left <= most_left and sending) or child.poll() is not None

    await within(there, timeout, step=0.005)  # another process's file: no event to await
    assert child.poll() is None, child.communicate()[0].decode()
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    return outbox_counts(db)[0]
