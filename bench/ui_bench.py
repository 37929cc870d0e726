"""Benchmark of the main window over the real stack (sandbox over HTTP, services, store, Qt).

Figures (one ``name: value unit`` line each):
* requests made while scrolling the contact list to the end, against ceil(N / page size);
* the longest event-loop stall while scrolling, measured by a 5 ms timer heartbeat;
* RSS growth while scrolling to the end;
* HTTP requests to open a contact with all its tabs (goal 1);
* the longest event-loop stall while a search is typed into the contact list, a key every
  120 ms, until its first page is on screen;
* start to first rows from the cache: the app itself (``python -m snx_desktop --offline`` on
  the account cached by the scrolling run, remembered in its profile) from starting the
  process to its log line saying the first contact rows were painted, against starting a
  process that shows an empty PySide6 window with a table, measured the same way in the same
  run (goal <= 2x); both from compiled bytecode, best of five.

Default: 20,000 contacts (about a minute); ``--full``: 100,000.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import MB, app_like_qt, percentile, rss_bytes, run_in_qt_loop, start_sandbox

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

SEARCH_TYPED = "smith"  # typed into the contact search, one key at a time
TYPING_PACE_S = 0.12  # between two keys: a fast typist

FIRST_ROWS = re.compile(r"first (\d+) contact rows on screen at ([0-9.]+)")


def _child_env(env: dict[str, str], pycache: str) -> dict[str, str]:
    """The children run as an installed app does: from compiled bytecode (``pip install`` and
    the packaged app ship it; a source checkout run with PYTHONDONTWRITEBYTECODE would pay
    for compiling every module on every start)."""
    full = dict(os.environ, **env, PYTHONPYCACHEPREFIX=pycache)
    full.pop("PYTHONDONTWRITEBYTECODE", None)
    return full


def _timed_child(code: str, env: dict[str, str]) -> float:
    full = dict(env, BENCH_T0=repr(time.time()))
    done = subprocess.run(
        [sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return float(done.stdout.strip().splitlines()[-1])


def _timed_app(server_url: str, profile: Path, env: dict[str, str]) -> float:
    """The real app started offline on the cached account (remembered in the profile): the
    time from starting the process to its log line saying the first contact rows were
    painted. The app goes on loading, opens the first contact and quits (``--screenshot``)."""
    shot = profile / "bench-shot.png"
    args = [sys.executable, "-m", "snx_desktop", "--server", server_url]
    args += ["--profile", str(profile), "--offline", "--log-level", "INFO"]
    args += ["--screenshot", str(shot)]
    t0 = time.time()
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    found = FIRST_ROWS.search(done.stderr)
    if found is None:
        raise RuntimeError("the app did not report its first rows:\n" + done.stderr[-2000:])
    return float(found.group(2)) - t0


def _remember_account(profile: Path, server_url: str) -> None:
    """Save the demo account as remembered in the profile's settings, as a sign-in with
    "remember me" does (the secret itself is not needed to start offline)."""
    from PySide6.QtCore import QSettings

    from snx_desktop.ui.signin import KnownAccount, save_account

    settings = QSettings(str(profile / "settings.ini"), QSettings.Format.IniFormat)
    save_account(settings, KnownAccount(server_url, "demo@example.com", remember=True))


class Heartbeat:
    """A 5 ms Qt timer; the longest gap between its ticks is the longest stall.

    It also keeps every gap (for counts and percentiles) and the main thread's CPU time
    inside the longest one: a stall with little CPU time in it was spent waiting (for other
    processes on a busy machine, or for the GIL), not working."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.longest = 0.0
        self.longest_cpu = 0.0
        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self._timer = QTimer()
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        cpu = time.thread_time()
        gap = now - self._last
        self.gaps.append(gap)
        if gap > self.longest:
            self.longest = gap
            self.longest_cpu = cpu - self._last_cpu
        self._last = now
        self._last_cpu = cpu

    def over(self, seconds: float) -> int:
        """How many gaps were longer than ``seconds``."""
        return sum(1 for g in self.gaps if g > seconds)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self.longest = 0.0
        self.longest_cpu = 0.0
        self.gaps = []
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()


async def _startup_collection() -> None:
    """What the app does once started (``freeze_when_idle`` of its collector): at its first
    idle moment, one full collection, then what start-up built is left out of later ones.
    The user looks at the first rows before scrolling; so does the benchmark."""
    from PySide6.QtWidgets import QApplication

    from snx_desktop.models.gccontrol import GuiGarbageCollector

    app = QApplication.instance()
    for collector in app.children() if app is not None else []:
        if isinstance(collector, GuiGarbageCollector):
            done = collector.full_collections
            collector.freeze_when_idle()
            for _ in range(300):  # at most 30 s
                if collector.full_collections > done:
                    break
                await asyncio.sleep(0.1)


async def in_process(server: Any, profile: Path, contacts: int, page_size: int) -> None:
    tests = Path(__file__).resolve().parents[1] / "tests"
    sys.path.insert(0, str(tests))  # support.*
    from support.waiting import until  # type: ignore[import-not-found]
    from support.windows import signed_in  # type: ignore[import-not-found]

    from snx_desktop.models.roles import Roles

    async with signed_in(server, profile, page_size=page_size) as s:
        w = s.window
        model = w.list_pane.models["contact"]
        view = w.list_pane.views["contact"]
        await until(lambda: model.loaded_count > 0 and not model.busy, 60, "first page")
        await _startup_collection()
        total = model.total or 0
        rss0 = rss_bytes()
        beat = Heartbeat()
        before = s.posts
        requests_before = model.requests
        beat.start()
        began = time.perf_counter()
        while model.loaded_count < total:
            view.scrollToBottom()
            await asyncio.sleep(0)
            await model.wait_idle()
        beat.stop()
        took = time.perf_counter() - began
        pages = math.ceil(total / page_size)
        print(f"contacts: {total} rows")
        print(f"scroll_requests: {model.requests - requests_before + 1} requests")
        print(f"scroll_requests_goal: {pages} requests")
        print(f"scroll_http_posts: {s.posts - before + 1} requests")
        print(f"scroll_longest_stall: {beat.longest * 1000:.1f} ms")
        print(f"scroll_longest_stall_cpu: {beat.longest_cpu * 1000:.1f} ms")
        print(f"scroll_stalls_over_50ms: {beat.over(0.050)} stalls")
        print(f"scroll_stall_p99: {percentile(beat.gaps, 0.99) * 1000:.1f} ms")
        print(f"scroll_time: {took:.1f} s")
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

        # typing a search at a fast typist's pace, until its first page is on screen
        from PySide6.QtTest import QTest

        from snx_desktop.ui.listpane import SEARCH_DELAY

        pane = w.list_pane
        pane.search_delay = SEARCH_DELAY  # as the app waits for a pause in the typing
        pane.search.setFocus()
        before = s.posts
        beat.start()
        for key in SEARCH_TYPED:
            QTest.keyClick(pane.search, key)
            await asyncio.sleep(TYPING_PACE_S)
        await until(lambda: model.loaded_count > 0 and not model.busy, 60, "search results")
        await model.wait_idle()
        beat.stop()
        print(f"search_typing_results: {model.total} rows")
        print(f"search_typing_requests: {s.posts - before} requests")
        print(f"search_typing_longest_stall: {beat.longest * 1000:.1f} ms")
        print(f"search_typing_longest_stall_cpu: {beat.longest_cpu * 1000:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="100,000 contacts")
    parser.add_argument("--contacts", type=int, default=0)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    contacts = args.contacts or (100_000 if args.full else 20_000)

    app = app_like_qt()
    t = time.perf_counter()
    # in its own process, so that its work does not hold this process's GIL (an in-process
    # server thread shows up as event-loop stalls that a real server never causes)
    server = start_sandbox(wait_s=300, contacts=contacts, seed=5)
    print(f"sandbox_start: {time.perf_counter() - t:.1f} s")
    try:
        with tempfile.TemporaryDirectory(prefix="snx-ui-bench-") as tmp:
            profile = Path(tmp)
            run_in_qt_loop(app, in_process(server, profile, contacts, args.page_size))
            _remember_account(profile, server.base_url)
            env = _child_env({}, str(profile / "pycache"))
            _timed_child(EMPTY_WINDOW, env)  # compiles the bytecode, as an install does
            _timed_app(server.base_url, profile, env)
            runs = 5
            empty = min(_timed_child(EMPTY_WINDOW, env) for _ in range(runs))
            cached = min(_timed_app(server.base_url, profile, env) for _ in range(runs))
            print(f"start_empty_window: {empty * 1000:.0f} ms")
            print(f"start_to_cached_rows: {cached * 1000:.0f} ms")
            print(f"start_ratio: {cached / empty:.2f} x")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
