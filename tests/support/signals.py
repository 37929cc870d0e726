"""Waiting on signals and events from ``async def`` tests.

The counterpart of ``qtbot.waitSignal`` for tests that run on the qasync loop, where a nested
Qt loop would starve the tasks the test awaits: the wait is an asyncio future resolved by a
slot connected to a Qt signal (or to one of the services' events, such as the write queue's
``status_changed``), with a deadline, and the slot is disconnected afterwards.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any


def _each(signals: Any) -> Sequence[Any]:
    return tuple(signals) if isinstance(signals, (tuple, list)) else (signals,)


def _connect(signal: Any, slot: Callable[..., None]) -> Callable[[], None]:
    """Connect ``slot`` to a Qt signal or a services event; the function that disconnects it."""
    handle = signal.connect(slot)
    if callable(handle):  # a services event hands back its own disconnect
        return handle  # type: ignore[no-any-return]
    return lambda: signal.disconnect(slot)


async def when(
    signals: Any,
    condition: Callable[[], object],
    timeout: float = 20.0,
    what: str = "a condition",
) -> None:
    """Wait until ``condition`` holds: checked now, then after each emission of ``signals``
    (one signal or event, or several) that can make it true; fail the test after ``timeout``
    seconds. An emission from another thread is checked in the loop's own thread."""
    if condition():
        return
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    own_thread = threading.get_ident()

    def check(*_args: object) -> None:
        if threading.get_ident() != own_thread:
            loop.call_soon_threadsafe(check)
        elif not done.done() and condition():
            done.set_result(None)

    disconnects = [_connect(signal, check) for signal in _each(signals)]
    try:
        await asyncio.wait_for(done, timeout)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None
    finally:
        for disconnect in disconnects:
            disconnect()


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

    disconnect = _connect(signal, record)
    try:
        yield seen
        try:
            await asyncio.wait_for(done, timeout)
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}") from None
    finally:
        disconnect()
