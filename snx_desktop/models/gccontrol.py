"""Garbage collection in the GUI thread only.

Python's cyclic collector runs in whichever thread happens to allocate when a threshold is
crossed. If that is a worker thread (the in-process sandbox of the demo mode, a thread pool),
Qt objects caught in reference cycles are destroyed there, which Qt forbids ("Timers cannot be
stopped from another thread") and which can crash. :class:`GuiGarbageCollector` turns automatic
collection off and collects from a timer in the GUI thread instead.
"""

from __future__ import annotations

import gc
import logging

from PySide6.QtCore import QObject, QTimer

__all__ = ["GuiGarbageCollector"]

log = logging.getLogger(__name__)


class GuiGarbageCollector(QObject):
    """Collects from a GUI-thread timer when the collector's thresholds are crossed."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._was_enabled = gc.isenabled()

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()

    def check(self) -> None:
        """Collect the generations whose counts crossed their thresholds."""
        counts = gc.get_count()
        if counts[0] <= self._thresholds[0]:
            return
        generation = 0
        if counts[1] > self._thresholds[1]:
            generation = 1
        if counts[2] > self._thresholds[2]:
            generation = 2
        gc.collect(generation)
