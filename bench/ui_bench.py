"""Benchmark of the main window over the real stack (sandbox over HTTP, services, store, Qt).

Figures (one ``name: value unit`` line each):
* requests made while scrolling the contact list to the end, against ceil(N / page size);
* the longest event-loop stall while scrolling, measured by a 5 ms timer heartbeat;
* RSS growth while scrolling to the end;
* HTTP requests to open a contact with all its tabs (goal 1);
* start to first rows shown from the cache (a separate process, offline), against the start
  of an empty PySide6 window measured the same way in the same run (goal <= 2x).

Default: 20,000 contacts (about a minute); ``--full``: 100,000.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import MB, rss_bytes, start_sandbox

EMPTY_WINDOW = r"""
import os, sys, time
t0 = float(os.environ["BENCH_T0"])
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView
from PySide6.QtCore import QTimer
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.setCentralWidget(QTableView()); w.resize(1280, 800); w.show()
def done():
    w.grab()
    print(f"{time.time() - t0:.4f}")
    app.quit()
QTimer.singleShot(0, done)
app.exec()
"""

FROM_CACHE = r"""
import asyncio, os, sys, time
t0 = float(os.environ["BENCH_T0"])
from PySide6.QtWidgets import QApplication
import qasync
app = QApplication(sys.argv[:1])
from pathlib import Path
from snx_desktop.services import AppServices
from snx_desktop.ui.mainwindow import MainWindow
from snx_desktop.ui.session import SessionBinder

async def main():
    services = await AppServices.open(os.environ["BENCH_URL"], account="demo@example.com",
        profile_dir=Path(os.environ["BENCH_PROFILE"]), work_offline=True, start=False)
    window = MainWindow()
    window.resize(1280, 800)
    binder = SessionBinder(window, services, "demo@example.com")
    window.show()
    model = window.list_pane.models["contact"]
    while model.loaded_count == 0:
        await asyncio.sleep(0.001)
    window.grab()
    print(f"{time.time() - t0:.4f}")
    binder.close()
    await services.aclose()

loop = qasync.QEventLoop(app)
with loop:
    loop.run_until_complete(main())
"""


def _timed_child(code: str, env: dict[str, str]) -> float:
    full = dict(os.environ, **env, BENCH_T0=repr(time.time()))
    done = subprocess.run(
        [sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return float(done.stdout.strip().splitlines()[-1])


class Heartbeat:
    """A 5 ms Qt timer; the longest gap between its ticks is the longest stall."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.longest = 0.0
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now

    def start(self) -> None:
        self._last = time.perf_counter()
        self.longest = 0.0
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()


async def in_process(server: Any, profile: Path, contacts: int, page_size: int) -> None:
    tests = Path(__file__).resolve().parents[1] / "tests"
    sys.path[:0] = [str(tests / "ui"), str(tests)]  # uikit, and the support it uses
    from uikit import signed_in, until  # type: ignore[import-not-found]

    from snx_desktop.models.roles import Roles

    async with signed_in(server, profile, page_size=page_size) as s:
        w = s.window
        model = w.list_pane.models["contact"]
        view = w.list_pane.views["contact"]
        await until(lambda: model.loaded_count > 0 and not model.busy, 60, "first page")
        total = model.total or 0
        rss0 = rss_bytes()
        beat = Heartbeat()
        before = s.posts
        requests_before = model.requests
        beat.start()
        while model.loaded_count < total:
            view.scrollToBottom()
            await asyncio.sleep(0)
            await model.wait_idle()
        beat.stop()
        pages = math.ceil(total / page_size)
        print(f"contacts: {total} rows")
        print(f"scroll_requests: {model.requests - requests_before + 1} requests")
        print(f"scroll_requests_goal: {pages} requests")
        print(f"scroll_http_posts: {s.posts - before + 1} requests")
        print(f"scroll_longest_stall: {beat.longest * 1000:.1f} ms")
        print(f"scroll_rss_growth: {(rss_bytes() - rss0) / MB:.1f} MB")
        last = view.model().index(total - 1, 0)
        assert last.data(Roles.RECORD_ID), "the last row is not loaded"

        row = min(10, total - 1)
        loaded: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        w.detail.detailLoaded.connect(
            lambda *_a: None if loaded.done() else loaded.set_result(None)
        )
        before = s.posts
        beat.start()
        w.list_pane.select_row(row)
        await asyncio.wait_for(loaded, 30)
        beat.stop()
        print(f"open_contact_requests: {s.posts - before} requests")
        print(f"open_contact_longest_stall: {beat.longest * 1000:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="100,000 contacts")
    parser.add_argument("--contacts", type=int, default=0)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    contacts = args.contacts or (100_000 if args.full else 20_000)

    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    from snx_desktop.models.gccontrol import GuiGarbageCollector

    collector = GuiGarbageCollector(app)  # as the app does
    collector.start()
    t = time.perf_counter()
    # in its own process, so that its work does not hold this process's GIL (an in-process
    # server thread shows up as event-loop stalls that a real server never causes)
    server = start_sandbox(wait_s=300, contacts=contacts, seed=5)
    print(f"sandbox_start: {time.perf_counter() - t:.1f} s")
    try:
        with tempfile.TemporaryDirectory(prefix="snx-ui-bench-") as tmp:
            profile = Path(tmp)
            loop = qasync.QEventLoop(app)
            with loop:
                loop.run_until_complete(in_process(server, profile, contacts, args.page_size))
            env = {"BENCH_URL": server.base_url, "BENCH_PROFILE": str(profile)}
            empty = min(_timed_child(EMPTY_WINDOW, env) for _ in range(3))
            cached = min(_timed_child(FROM_CACHE, env) for _ in range(3))
            print(f"start_empty_window: {empty * 1000:.0f} ms")
            print(f"start_to_cached_rows: {cached * 1000:.0f} ms")
            print(f"start_ratio: {cached / empty:.2f} x")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
