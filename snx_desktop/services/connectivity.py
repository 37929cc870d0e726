"""Online / offline / working-offline state, derived from failures and a light probe.

Services report network failures (`report_failure`) and successes (`report_success`); the state
goes offline on a failure and back online when a call succeeds. While offline a background task
probes the server (a cheap call such as ``greet``) with capped exponential backoff and jitter.
"Work offline" is the user's switch: nothing is sent and nothing is probed until it is turned off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from enum import StrEnum

from .events import Event

log = logging.getLogger(__name__)


class ConnState(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    WORKING_OFFLINE = "working-offline"


Probe = Callable[[], Awaitable[object]]


class Connectivity:
    """The connection state machine; `changed` fires on every state change."""

    def __init__(
        self,
        probe: Probe | None = None,
        *,
        work_offline: bool = False,
        min_interval: float = 1.0,
        max_interval: float = 60.0,
        initial: ConnState = ConnState.ONLINE,
    ) -> None:
        self._probe = probe
        self._min = min_interval
        self._max = max_interval
        self._state = ConnState.WORKING_OFFLINE if work_offline else initial
        self.changed: Event[ConnState] = Event("connectivity.changed")
        self._online = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.last_error: str | None = None
        if self._state is ConnState.ONLINE:
            self._online.set()

    # ----------------------------------------------------------------- state
    @property
    def state(self) -> ConnState:
        return self._state

    @property
    def is_online(self) -> bool:
        return self._state is ConnState.ONLINE

    @property
    def may_send(self) -> bool:
        """True unless the user chose to work offline (offline state still lets probes through)."""
        return self._state is not ConnState.WORKING_OFFLINE

    def _set(self, state: ConnState) -> None:
        if state is self._state:
            return
        log.info("connection: %s -> %s", self._state, state)
        self._state = state
        if state is ConnState.ONLINE:
            self._online.set()
        else:
            self._online.clear()
        if state is ConnState.OFFLINE:
            self._wake.set()
        self.changed.emit(state)

    def set_work_offline(self, on: bool) -> None:
        """The user's switch. Turning it off starts probing at once."""
        if on:
            self._set(ConnState.WORKING_OFFLINE)
        elif self._state is ConnState.WORKING_OFFLINE:
            self._set(ConnState.OFFLINE)
            self.probe_now()

    def report_failure(self, reason: str = "") -> None:
        """A call failed because the server could not be reached (or timed out)."""
        self.last_error = reason or None
        if self._state is ConnState.ONLINE:
            self._set(ConnState.OFFLINE)

    def report_success(self) -> None:
        """A call reached the server."""
        self.last_error = None
        if self._state is ConnState.OFFLINE:
            self._set(ConnState.ONLINE)

    async def wait_online(self) -> None:
        await self._online.wait()

    def probe_now(self) -> None:
        """Probe soon instead of waiting for the backoff (the "Retry now" button)."""
        self._wake.set()

    # ----------------------------------------------------------------- probe
    def start(self) -> None:
        if self._task is None and self._probe is not None and not self._closed:
            self._task = asyncio.create_task(self._probe_loop(), name="snx-connectivity-probe")

    async def aclose(self) -> None:
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _probe_loop(self) -> None:
        assert self._probe is not None
        delay = self._min
        while True:
            if self._state is not ConnState.OFFLINE:
                self._wake.clear()
                await self._wake.wait()
                delay = self._min
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay * random.uniform(0.8, 1.2))
            if self._state is not ConnState.OFFLINE:
                continue
            try:
                await self._probe()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Any answer at all (even an error element) proves the server is reachable;
                # the probe function itself decides what counts as unreachable by raising.
                log.debug("probe failed: %s", type(exc).__name__)
                delay = min(self._max, delay * 2)
            else:
                self.report_success()
                delay = self._min
