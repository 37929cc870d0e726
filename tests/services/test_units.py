"""The pure parts: the observer, the three-way comparison, the connection state machine."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

import pytest
from support.waiting import until

from snx_desktop.services import (
    Connectivity,
    ConnState,
    Event,
    FieldConflict,
    connectivity,
    find_conflicts,
)
from snx_desktop.services.conflicts import already_applied, resolve


def test_event_connect_emit_disconnect(caplog: pytest.LogCaptureFixture) -> None:
    ev: Event[int] = Event("test")
    got: list[int] = []
    disconnect = ev.connect(got.append)

    def broken(_: int) -> None:
        raise RuntimeError("listener bug")

    ev.connect(broken)
    also: list[int] = []
    ev.connect(also.append)
    with caplog.at_level(logging.ERROR):
        ev.emit(1)
    assert got == [1]
    assert also == [1]
    assert "listener failed" in caplog.text
    disconnect()
    disconnect()  # twice is harmless
    ev.emit(2)
    assert got == [1]
    assert also == [1, 2]


def test_three_way_comparison() -> None:
    base = {"a": "1", "b": "x", "c": "same", "d": ""}
    theirs = {"a": "2", "b": "x", "c": "mine-c", "d": " "}
    mine = {"a": "3", "b": "y", "c": "mine-c", "d": "new", "e": "no base"}
    conflicts = find_conflicts(base, theirs, mine)
    assert conflicts == {"a": FieldConflict("1", "2", "3")}
    assert not already_applied(theirs, mine)
    assert already_applied({"a": " 3 "}, {"a": "3"})

    changes, new_base = resolve(mine, {"a": "2"}, conflicts, {"a": "theirs"})
    assert "a" not in changes
    assert changes["b"] == "y"
    changes, new_base = resolve(mine, {"a": "2"}, conflicts, {"a": "mine"})
    assert changes["a"] == "3"
    assert new_base == {"a": "2"}
    with pytest.raises(ValueError, match="no choice"):
        resolve(mine, {"a": "2"}, conflicts, {})


class _ScheduleRecorder:
    """Stands in for the connectivity module's ``asyncio`` and ``random``: every wait the probe
    loop asks for is recorded, and the jitter is pinned to its middle, so the backoff schedule is
    read from the code's own numbers rather than from a clock."""

    def __init__(self) -> None:
        self.timeouts: list[float] = []
        self.jitter_bounds: list[tuple[float, float]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    def wait_for(self, aw: Awaitable[Any], timeout: float | None) -> Awaitable[Any]:
        assert timeout is not None
        self.timeouts.append(timeout)
        return asyncio.wait_for(aw, timeout)

    def uniform(self, a: float, b: float) -> float:
        self.jitter_bounds.append((a, b))
        return (a + b) / 2


@pytest.mark.asyncio
async def test_connectivity_states_and_probe_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    reachable = False
    schedule = _ScheduleRecorder()
    monkeypatch.setattr(connectivity, "asyncio", schedule)
    monkeypatch.setattr(connectivity, "random", schedule)

    async def probe() -> None:
        calls.append(len(schedule.timeouts))  # how many waits came before this probe
        if not reachable:
            raise OSError("down")

    conn = Connectivity(probe, min_interval=0.01, max_interval=0.08)
    seen: list[ConnState] = []
    conn.changed.connect(seen.append)
    conn.start()
    assert conn.is_online
    await asyncio.sleep(0.05)  # time for probes that must not come while online
    assert calls == []  # no probing while online
    conn.report_failure("boom")
    assert conn.state == ConnState.OFFLINE
    assert conn.last_error == "boom"
    await until(lambda: len(calls) >= 6, 5, "six probes while offline")
    assert len(calls) >= 6
    assert calls[:6] == [1, 2, 3, 4, 5, 6]  # one wait before each probe, none skipped
    # Each failed probe doubles the wait, up to the cap; the jitter is within +-20 %.
    assert schedule.timeouts[:6] == pytest.approx([0.01, 0.02, 0.04, 0.08, 0.08, 0.08])
    assert set(schedule.jitter_bounds) == {(0.8, 1.2)}
    reachable = True
    await asyncio.wait_for(conn.wait_online(), 2)
    conn.set_work_offline(True)
    probes = len(calls)
    conn.report_success()  # a stray success does not end "work offline"
    await asyncio.sleep(0.1)  # time for probes that must not come while working offline
    assert conn.state.value == "working-offline"
    assert len(calls) == probes
    conn.set_work_offline(False)
    await asyncio.wait_for(conn.wait_online(), 2)
    assert seen == [
        ConnState.OFFLINE,
        ConnState.ONLINE,
        ConnState.WORKING_OFFLINE,
        ConnState.OFFLINE,
        ConnState.ONLINE,
    ]
    await conn.aclose()
