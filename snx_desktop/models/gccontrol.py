"""Garbage collection in the GUI thread only, in steps that never stall the interface.

Python's cyclic collector runs in whichever thread happens to allocate when a threshold is
crossed. If that is a worker thread (the store's writer, a thread pool), Qt objects caught in
reference cycles are destroyed there, which Qt forbids ("Timers cannot be stopped from another
thread") and which can crash. :class:`GuiGarbageCollector` turns automatic collection off and
collects from a timer in the GUI thread instead, the generations whose thresholds were crossed.

After each full collection everything still alive moves into the permanent generation
(``gc.freeze``), so the next one walks only what was made since: a full collection that falls
in the middle of a long scroll stays short (a couple of milliseconds where walking the whole
heap of a loaded list takes twenty and more). What was frozen is given back to the collector
(``gc.unfreeze``, then a full collection) only when the app has been idle (few allocations)
for ``idle_ticks`` ticks in a row, at most every ``thaw_interval`` seconds, so cycles among
old objects are still freed. ``freeze_when_idle()`` (at start-up) makes the first idle moment
such a walk of everything start-up built, which then stays out of later collections (until
then a full collection that falls due waits for it).
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
        idle_ticks: int = 10,
        thaw_interval: float = 600.0,
    ) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._was_enabled = gc.isenabled()
        self.idle_ticks = idle_ticks
        self.thaw_interval = thaw_interval
        self._thawed_at = time.monotonic()
        self._quiet = 0  # ticks in a row with few allocations
        self._walk_all_when_idle = False
        #: full collections made (for diagnostics)
        self.full_collections = 0
        #: collections that walked the whole heap, frozen part included (for diagnostics)
        self.thaws = 0

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()

    def freeze_when_idle(self) -> None:
        """At the next idle moment, collect everything, then leave every object still alive
        out of later collections (call it at start-up: most of what it builds lives until
        the end)."""
        self._walk_all_when_idle = True

    def check(self) -> None:
        """Collect the generations whose counts crossed their thresholds; when idle and due,
        walk the frozen objects too."""
        counts = gc.get_count()
        busy = counts[0] > self._thresholds[0]
        self._quiet = 0 if busy else self._quiet + 1
        now = time.monotonic()
        if self._quiet >= self.idle_ticks and (
            self._walk_all_when_idle or now - self._thawed_at > self.thaw_interval
        ):
            self._walk_all_when_idle = False
            self._thawed_at = now
            self.thaws += 1
            gc.unfreeze()
            self._collect_all()
            return
        if not busy:
            return
        if counts[2] > self._thresholds[2] and not self._walk_all_when_idle:
            self._collect_all()
        else:
            gc.collect(1 if counts[1] > self._thresholds[1] else 0)

    def _collect_all(self) -> None:
        self.full_collections += 1
        gc.collect(2)
        gc.freeze()
