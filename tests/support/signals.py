"""Waiting on Qt signals from ``async def`` GUI tests.

The counterpart of ``qtbot.waitSignal`` for tests that run on the qasync loop, where a nested
Qt loop would starve the tasks the test awaits: the wait is an asyncio future resolved by a
slot connected to the signal, with a deadline, and the slot is disconnected afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any


def _each(signals: Any) -> Sequence[Any]:
    return tuple(signals) if isinstance(signals, (tuple, list)) else (signals,)


async def when(
    signals: Any,
    condition: Callable[[], object],
    timeout: float = 20.0,
    what: str = "a condition",
) -> None:
    """Wait until ``condition`` holds: checked now, then after each emission of ``signals``
    (one signal or several) that can make it true; fail the test after ``timeout`` seconds."""
    if condition():
        return
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def check(*_args: object) -> None:
        if not done.done() and condition():
            done.set_result(None)

    for signal in _each(signals):
        signal.connect(check)
    try:
        await asyncio.wait_for(done, timeout)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None
    finally:
        for signal in _each(signals):
            signal.disconnect(check)


@asynccontextmanager
async def emitted(
    signal: Any,
    timeout: float = 20.0,
    what: str = "a signal",
    check: Callable[..., bool] | None = None,
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """``async with emitted(model.idle): start_something()``: connect to ``signal`` before the
    block runs, and on leaving it wait until ``signal`` was emitted (with arguments that
    ``check`` accepts, if given); the list yielded gets the arguments of every emission."""
    seen: list[tuple[Any, ...]] = []
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def record(*args: object) -> None:
        seen.append(args)
        if not done.done() and (check is None or check(*args)):
            done.set_result(None)

    signal.connect(record)
    try:
        yield seen
        try:
            await asyncio.wait_for(done, timeout)
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}") from None
    finally:
        signal.disconnect(record)
