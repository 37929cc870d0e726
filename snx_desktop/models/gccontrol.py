"""Garbage collection in the GUI thread only, in steps that never stall the interface.

Python's cyclic collector runs in whichever thread happens to allocate when a threshold is
crossed. If that is a worker thread (the in-process sandbox of the demo mode, a thread pool),
Qt objects caught in reference cycles are destroyed there, which Qt forbids ("Timers cannot be
stopped from another thread") and which can crash. :class:`GuiGarbageCollector` turns automatic
collection off and collects from a timer in the GUI thread instead.

A full collection walks every object of the heap (tens of milliseconds once a large list is
loaded), so the timer only collects the young generations while the app is busy; a full
collection that is due waits until the app has been idle (few allocations) for ``idle_ticks``
ticks in a row, or at most ``max_full_delay`` seconds. After each full collection everything
still alive moves into the permanent generation (``gc.freeze``), so the next one walks only
what was made since: one forced in the middle of a long scroll stays short. What was frozen
is given back to the collector (``gc.unfreeze``, then a full collection) only when the app is
idle, at most every ``thaw_interval`` seconds, so cycles among old objects are still freed.
``freeze_when_idle()`` (at start-up) keeps what start-up built frozen until the first thaw.
"""

from __future__ import annotations

import gc
import logging
import time

from PySide6.QtCore import QObject, QTimer

__all__ = ["GuiGarbageCollector"]

log = logging.getLogger(__name__)


class GuiGarbageCollector(QObject):
    """Collects from a GUI-thread timer when the collector's thresholds are crossed."""

    def __init__(
        self,
        parent: QObject | None = None,
        interval_ms: int = 100,
        max_full_delay: float = 120.0,
        idle_ticks: int = 10,
        thaw_interval: float = 600.0,
    ) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._was_enabled = gc.isenabled()
        self.max_full_delay = max_full_delay
        self.idle_ticks = idle_ticks
        self.thaw_interval = thaw_interval
        self._thawed_at = time.monotonic()
        self._full_due_since: float | None = None
        self._quiet = 0  # ticks in a row with few allocations
        self._freeze = False
        #: full collections made (for diagnostics)
        self.full_collections = 0

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()

    def freeze_when_idle(self) -> None:
        """At the next idle moment, collect fully, then leave every object still alive out of
        later collections (call it at start-up: most of what it builds lives until the end)."""
        self._freeze = True
        if self._full_due_since is None:
            self._full_due_since = time.monotonic()

    def check(self) -> None:
        """Collect the generations whose counts crossed their thresholds (the oldest only
        once the app is idle, or when it has waited ``max_full_delay`` seconds)."""
        counts = gc.get_count()
        busy = counts[0] > self._thresholds[0]
        self._quiet = 0 if busy else self._quiet + 1
        if self._full_due_since is not None:
            now = time.monotonic()
            idle = self._quiet >= self.idle_ticks
            if idle or now - self._full_due_since > self.max_full_delay:
                self._full_due_since = None
                self.full_collections += 1
                if idle and not self._freeze and now - self._thawed_at > self.thaw_interval:
                    # idle: walk the old objects too, now that nobody waits for it
                    self._thawed_at = now
                    gc.unfreeze()
                self._freeze = False
                gc.collect(2)
                gc.freeze()
                return
        if not busy:
            return
        generation = 0
        if counts[1] > self._thresholds[1]:
            generation = 1
        if counts[2] > self._thresholds[2] and self._full_due_since is None:
            self._full_due_since = time.monotonic()
        gc.collect(generation)
