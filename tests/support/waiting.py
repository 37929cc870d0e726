"""Polling a condition while the event loop (asyncio or qasync) keeps running, or, with no
loop to keep running, from a plain test."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


async def within(condition: Callable[[], object], timeout: float, step: float = 0.02) -> bool:
    """Poll ``condition`` every ``step`` seconds: True once it holds, False after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(step)
    return True


async def until(
    condition: Callable[[], object],
    timeout: float = 20.0,
    what: str = "a condition",
    step: float = 0.02,
) -> None:
    """Poll ``condition`` until it holds; fail the test after ``timeout`` seconds."""
    if not await within(condition, timeout, step):
        raise AssertionError(f"timed out waiting for {what}")


def within_blocking(condition: Callable[[], object], timeout: float, step: float = 0.02) -> bool:
    """Poll ``condition`` without an event loop (another thread or process makes it true):
    True once it holds, False after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


def until_blocking(
    condition: Callable[[], object],
    timeout: float = 20.0,
    what: str = "a condition",
    step: float = 0.02,
) -> None:
    """Poll ``condition`` without an event loop; fail the test after ``timeout`` seconds."""
    if not within_blocking(condition, timeout, step):
        raise AssertionError(f"timed out waiting for {what}")


async def eventually(
    probe: Callable[[], Awaitable[object]],
    timeout: float = 20.0,
    what: str = "a condition",
    step: float = 0.1,
) -> None:
    """Await ``probe`` every ``step`` seconds until it returns something true (a question
    only a server can answer, which no local event announces); fail the test after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not await probe():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(step)
