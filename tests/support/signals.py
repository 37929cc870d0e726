"""Waiting on signals and events from ``async def`` tests.

The counterpart of ``qtbot.waitSignal`` for tests that run on the qasync loop, where a nested
Qt loop would starve the tasks the test awaits: the wait is an asyncio future resolved by a
slot connected to a Qt signal (or to one of the services' events, such as the write queue's
``status_changed``, or given to a subscribe function), with a deadline, and the slot is
disconnected afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any


def _each(signals: Any) -> Sequence[Any]:
    return tuple(signals) if isinstance(signals, (tuple, list)) else (signals,)


def _connect(signal: Any, slot: Callable[..., None]) -> Callable[[], None]:
    """Connect ``slot`` to a Qt signal, a services event or a subscribe function (such as
    ``store.subscribe_problem``); the function that disconnects it."""
    if not hasattr(signal, "connect"):  # a subscribe function: it returns the unsubscribe
        return signal(slot)  # type: ignore[no-any-return]
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
    seconds. The check after an emission runs in the loop's next turn, in its own thread:
    never in the middle of the work that emitted (a list half rebuilt), nor in a worker."""
    if condition():
        return
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    # emptied when the wait ends: a check still queued then holds no widget of the test (a Qt
    # object kept alive by a loop that ended would be destroyed later in whatever thread)
    waiting_on = [condition]

    def check() -> None:
        if waiting_on and not done.done() and waiting_on[0]():
            done.set_result(None)

    def emitted_now(*_args: object) -> None:
        loop.call_soon_threadsafe(check)

    disconnects = [_connect(signal, emitted_now) for signal in _each(signals)]
    try:
        await asyncio.wait_for(done, timeout)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None
    finally:
        for disconnect in disconnects:
            disconnect()
        waiting_on.clear()


def model_changes(model: Any) -> tuple[Any, ...]:
    """The signals a Qt item model emits when what it shows changes."""
    return (
        model.rowsInserted,
        model.rowsRemoved,
        model.modelReset,
        model.dataChanged,
        model.layoutChanged,
    )


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
