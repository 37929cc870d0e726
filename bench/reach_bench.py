"""Benchmark of getting to records over the whole offline copy (sandbox over HTTP, services,
store, Qt), with every contact cached (*Make available offline*).

Figures (one ``name: value unit`` line each; one function per figure):
* ``palette_keystroke_p95``: from a key typed in the command palette (Ctrl+K) to its list
  showing the matches for the text so far (contacts and groups, from the full-text index;
  goal < 30 ms), and ``palette_keystroke_all_p95`` to the sales and activities joining them
  (a scan); with the longest event-loop stall while typing (``palette_longest_stall``, and the
  loop thread's CPU time in it; goal < 16.7 ms), measured by a 5 ms timer heartbeat.

Default: 20,000 contacts; ``--full``: 100,000.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import app_like_qt, figure, percentile, run_in_qt_loop, start_sandbox
from ui_bench import Heartbeat

#: typed into the palette key by key ("\b" is Backspace): names, a company, a phone's digits
PALETTE_TYPED = ("smith", "\b\b\b\b\b", "aaron da", "\b" * 8, "cobalt", "\b" * 6, "555")
TYPING_PACE_S = 0.12  # between two keys: a fast typist


async def cache_everything(session: Any) -> None:
    """Every contact, group and the rep's activities into the offline store."""
    t = time.perf_counter()
    result = await session.binder.make_available_offline()
    assert result is not None, "priming did not start"
    assert not getattr(result, "cancelled", False), "priming was cancelled"
    await session.services.browse.wait_written()
    figure("prime_all", time.perf_counter() - t, "s", 1)


async def palette_keystroke(session: Any) -> None:
    """Key typed in the palette -> its list updated for that text; the longest stall."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window = session.window
    palette = window.reach.palette
    shown: list[tuple[str, float]] = []
    done: list[tuple[str, float]] = []
    palette.listUpdated.connect(lambda text: shown.append((text, time.perf_counter())))
    palette.listCompleted.connect(lambda text: done.append((text, time.perf_counter())))
    palette.open_palette()
    beat = Heartbeat()
    first: list[float] = []
    every: list[float] = []
    beat.start()
    for chunk in PALETTE_TYPED:
        for key in chunk:
            shown.clear()
            done.clear()
            began = time.perf_counter()
            if key == "\b":
                QTest.keyClick(palette.edit, Qt.Key.Key_Backspace)
            else:
                QTest.keyClick(palette.edit, key)
            text = palette.edit.text().strip()
            while not any(t == text for t, _ in done):
                if time.perf_counter() - began > 10:
                    raise TimeoutError(f"the palette did not show {text!r}")
                await asyncio.sleep(0.001)
            first.append(next(at for t, at in shown if t == text) - began)
            every.append(next(at for t, at in done if t == text) - began)
            await asyncio.sleep(TYPING_PACE_S)
    beat.stop()
    palette.close_palette()
    figure("palette_keystrokes", len(first), "keys", 0)
    figure("palette_keystroke_p95", percentile(first, 0.95) * 1000, "ms", 1)
    figure("palette_keystroke_max", max(first) * 1000, "ms", 1)
    figure("palette_keystroke_all_p95", percentile(every, 0.95) * 1000, "ms", 1)
    figure("palette_longest_stall", beat.longest * 1000, "ms", 1)
    figure("palette_longest_stall_cpu", beat.longest_cpu * 1000, "ms", 1)


async def in_process(server: Any, profile: Path) -> None:
    tests = Path(__file__).resolve().parents[1] / "tests"
    sys.path.insert(0, str(tests))  # support.*
    from support.windows import first_page, signed_in  # type: ignore[import-not-found]

    async with signed_in(server, profile, page_size=100) as s:
        await first_page(s)
        await cache_everything(s)
        figure("contacts_cached", s.services.store.cache.count_records("contact"), "rows", 0)
        await palette_keystroke(s)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="100,000 contacts")
    parser.add_argument("--contacts", type=int, default=0)
    args = parser.parse_args()
    contacts = args.contacts or (100_000 if args.full else 20_000)

    app = app_like_qt()
    # in its own process, so that its work does not hold this process's GIL
    server = start_sandbox(wait_s=300, contacts=contacts, seed=5)
    try:
        with tempfile.TemporaryDirectory(prefix="snx-reach-bench-") as tmp:
            run_in_qt_loop(app, in_process(server, Path(tmp)))
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
