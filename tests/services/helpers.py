"""Small async helpers for the services tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def wait_until(pred: Callable[[], bool], timeout: float = 20.0, step: float = 0.02) -> None:
    """Poll ``pred`` until it holds; fail the test after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not pred():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(step)
