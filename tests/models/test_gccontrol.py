"""The GUI's garbage collector: reference cycles made in a worker thread are collected in the
GUI thread; a full collection that falls due while the app is busy walks only what was made
since the last one (the rest is frozen), and everything is walked again once the app is idle."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from snx_desktop.models.gccontrol import GuiGarbageCollector


class Cycle:
    """Half of a reference cycle; says in which thread it was collected."""

    collected_in: list[str] = []  # noqa: RUF012 - shared on purpose

    def __init__(self) -> None:
        self.other: object = self

    def __del__(self) -> None:
        Cycle.collected_in.append(threading.current_thread().name)


@pytest.fixture
def collector(qapp: QApplication) -> Iterator[GuiGarbageCollector]:
    thresholds = gc.get_threshold()
    # a youngest generation larger than what other tests' leftover threads allocate meanwhile
    gc.set_threshold(5000, 2, 2)
    gc.collect()
    made = GuiGarbageCollector(qapp, interval_ms=50, idle_ticks=3, thaw_interval=3600.0)
    try:
        yield made
    finally:
        made.stop()
        made.deleteLater()
        gc.set_threshold(*thresholds)
        gc.unfreeze()
        gc.enable()
        gc.collect()


def test_cycles_made_in_a_worker_thread_are_collected_in_the_gui_thread(
    collector: GuiGarbageCollector, qtbot: QtBot
) -> None:
    Cycle.collected_in = []
    collector.start()

    def make_cycles() -> None:
        for _ in range(20_000):  # far past the youngest generation's threshold
            Cycle()

    worker = threading.Thread(target=make_cycles, name="worker")
    worker.start()
    worker.join()
    assert Cycle.collected_in == []  # nothing was collected in the worker
    qtbot.waitUntil(lambda: len(Cycle.collected_in) == 20_000, timeout=10_000)
    assert set(Cycle.collected_in) == {threading.main_thread().name}


def test_full_collections_while_busy_walk_only_what_is_new(
    collector: GuiGarbageCollector, qtbot: QtBot
) -> None:
    collector.start()
    collector.freeze_when_idle()
    qtbot.waitUntil(lambda: collector.thaws == 1, timeout=10_000)  # start-up: all, at idle
    frozen = gc.get_freeze_count()
    assert frozen > 0

    kept: list[list[object]] = []
    busy = QTimer()
    busy.setInterval(2)
    busy.timeout.connect(lambda: kept.append([[] for _ in range(4000)]))
    busy.start()
    try:
        full = collector.full_collections
        qtbot.waitUntil(lambda: collector.full_collections >= full + 2, timeout=20_000)
        assert collector.thaws == 1  # busy: the frozen objects were not walked again
        assert gc.get_freeze_count() > frozen  # what survived joined the frozen ones
    finally:
        busy.stop()

    collector.thaw_interval = 0.0
    qtbot.waitUntil(lambda: collector.thaws >= 2, timeout=10_000)  # idle: all walked again
