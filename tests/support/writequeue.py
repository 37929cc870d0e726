"""Waiting on the app's write queue: until it has sent everything it holds."""

from __future__ import annotations

from typing import Any

from support.signals import when


async def queue_sent(
    writes: Any, timeout: float = 30.0, what: str = "the queue to send everything"
) -> None:
    """Wait on ``writes.status_changed`` until the write queue ``writes`` holds nothing."""
    await when(writes.status_changed, lambda: writes.status.pending == 0, timeout, what)
