"""Benchmark of the Home page over a large offline copy (sandbox over HTTP, services, store, Qt).

The demo user signs in to a sandbox (in a child process); the offline store is then filled
through the store writer with N contacts, one sale each and two activities each (some of them
the rep's, due today or overdue), as priming would leave it. The window shows Contacts; then,
five times, Home is selected and the time to the pipeline chart painted with the new figures
is taken, while a 5 ms Qt timer heartbeat records the longest event-loop stall.

Figures (``name: value unit``): ``home_open`` (median of five, ms; goal < 100 ms),
``home_open_worst`` (ms), ``home_read`` (the store read alone, in the writer's thread, ms),
``home_stall`` (longest event-loop stall while opening Home, ms; goal < 16.7 ms).

Default: 20,000 contacts; ``--full``: 100,000.

    .venv/bin/python bench/home_bench.py [--full] [--contacts N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import app_like_qt, figure, run_in_qt_loop, start_sandbox

FMT = "%Y-%m-%dT%H:%M:%S"
STATES = ("Prospecting", "Qualification", "Proposal", "Negotiation")
CHUNK = 5000


def working_set(contacts: int, me: str, seed: int = 5) -> dict[str, list[tuple[str, Any]]]:
    """Contacts, one sale each and two activities each, as the store keeps them."""
    rng = random.Random(seed)
    now = datetime.now().replace(microsecond=0)
    out: dict[str, list[tuple[str, Any]]] = {"contact": [], "sale": [], "activity": []}
    for i in range(contacts):
        cid = f"bench-c{i:06d}"
        out["contact"].append(
            (cid, {"48": f"Contact {i}", "51": f"Company {i % 997}", "contact-id": cid})
        )
        status = rng.choices(("0", "1", "2"), (6, 3, 2))[0]
        state = {"0": rng.choice(STATES), "1": "Closed Won", "2": "Closed Lost"}[status]
        close = now + timedelta(days=rng.randint(-120, 120))
        out["sale"].append(
            (
                f"bench-s{i:06d}",
                {
                    "220": cid,
                    "222": status,
                    "234": state,
                    "225": f"{rng.randint(5, 500) * 100}.00",
                    "226": close.strftime(FMT),
                    "231": "Annual licence",
                },
            )
        )
        for j in range(2):
            start = now + timedelta(hours=rng.randint(-24 * 60, 24 * 60))
            out["activity"].append(
                (
                    f"bench-a{i:06d}-{j}",
                    {
                        "activity-id": f"bench-a{i:06d}-{j}",
                        "type": rng.choice(("call", "meeting", "todo")),
                        "regarding": "Follow-up",
                        "start-time": start.strftime(FMT),
                        "end-time": (start + timedelta(minutes=30)).strftime(FMT),
                        "completed": "true" if rng.random() < 0.6 else "false",
                        "schedule-for": me if rng.random() < 0.2 else "someone-else",
                        "schedule-with": cid,
                    },
                )
            )
    return out


async def in_process(server: Any, profile: Path, contacts: int) -> None:
    tests = Path(__file__).resolve().parents[1] / "tests"
    sys.path.insert(0, str(tests))  # support.*
    from support.waiting import until  # type: ignore[import-not-found]
    from support.windows import first_page, signed_in  # type: ignore[import-not-found]
    from ui_bench import Heartbeat

    async with signed_in(server, profile) as s:
        w, svc = s.window, s.services
        await first_page(s)
        me = svc.schema.current.me or ""
        began = time.perf_counter()
        for kind, pairs in working_set(contacts, me).items():
            for i in range(0, len(pairs), CHUNK):
                await svc.store.writer.put_records(kind, pairs[i : i + CHUNK])
        figure("store_filled", time.perf_counter() - began, "s", 1)
        await until(lambda: w.features.home is not None, 30, "the Home page")
        home = w.features.home
        assert home is not None
        view = home.view
        view.refresh()  # the store was filled behind Home's back: read it once
        await until(lambda: view.figures is not None and view.figures.sales >= contacts, 60, "")
        figures = await home.home.figures()
        figure("home_read", figures.read_ms, "ms", 1)
        print(f"home_sales: {figures.sales} sales, {len(figures.today)} activities today")
        beat = Heartbeat()
        times: list[float] = []
        stall = 0.0
        state = {"figures": False}
        done: list[asyncio.Future[None]] = []

        def on_figures() -> None:
            state["figures"] = True

        def on_paint() -> None:  # the first paint after the new figures were set
            if state["figures"] and done and not done[-1].done():
                done[-1].set_result(None)

        view.figuresShown.connect(on_figures)
        view.chart.painted.connect(on_paint)
        for _ in range(5):
            w.navigation.select("contact")
            await asyncio.sleep(0.3)
            state["figures"] = False
            done.append(asyncio.get_running_loop().create_future())
            beat.start()
            t0 = time.perf_counter()
            w.navigation.select("home")
            await asyncio.wait_for(done[-1], 30)
            times.append((time.perf_counter() - t0) * 1000)
            await asyncio.sleep(0.05)
            beat.stop()
            stall = max(stall, beat.longest * 1000)
        print("home_open_runs: " + ", ".join(f"{t:.1f}" for t in times) + " ms")
        figure("home_open", statistics.median(times), "ms", 1)
        figure("home_open_worst", max(times), "ms", 1)
        figure("home_stall", stall, "ms", 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="100,000 contacts")
    parser.add_argument("--contacts", type=int, default=0)
    args = parser.parse_args()
    contacts = args.contacts or (100_000 if args.full else 20_000)

    app = app_like_qt()
    # in its own process: a server thread here would show up as event-loop stalls
    server = start_sandbox(wait_s=300, contacts=200, seed=5)
    print(f"contacts: {contacts} cached")
    try:
        with tempfile.TemporaryDirectory(prefix="snx-home-bench-") as tmp:
            run_in_qt_loop(app, in_process(server, Path(tmp), contacts))
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
