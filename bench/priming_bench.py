"""Benchmark of priming: how long the event loop stalls while the working set is primed.

A heartbeat task sleeps 5 ms at a time on the loop and records how late it wakes; the
longest lateness is the longest loop stall. Priming writes through the store writer's thread
(``store/writer.py``); the baseline, measured in the same run, is the heartbeat of the same
loop left idle for as long (what the shared machine alone costs the loop). It runs as the app
does: on a qasync loop in a QApplication, with the app's garbage collector (young generations
from a GUI timer, a full collection only when idle), pages of the size the app asks for.
Default: 20,000 contacts with the lists only plus details of the first 2,000 contacts
(about a minute); ``--full``: 100,000 contacts.

    .venv/bin/python bench/priming_bench.py [--full] [--contacts N] [--details]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import start_sandbox

from snx_desktop.services import AppServices
from snx_desktop.store import Store

TOKEN = "bench-token"


async def heartbeat(stalls: list[tuple[float, float]], stop: asyncio.Event) -> None:
    """Every 5 ms: how late the loop woke (ms) and the loop thread's CPU time meanwhile (ms);
    a stall with little CPU time in it was spent waiting (for the GIL, or for other processes
    on a busy machine), not working."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        t0 = loop.time()
        c0 = time.thread_time()
        await asyncio.sleep(0.005)
        late = (loop.time() - t0 - 0.005) * 1000.0
        stalls.append((late, (time.thread_time() - c0) * 1000.0))


def figures(stalls: list[tuple[float, float]]) -> dict[str, float]:
    ordered = sorted(stalls)
    return {
        "stall_max": ordered[-1][0],
        "stall_max_cpu": ordered[-1][1],
        "stall_p99": ordered[int(0.99 * (len(ordered) - 1))][0],
        "stalls_over_50ms": float(sum(1 for s in ordered if s[0] > 50)),
        "busiest_step_cpu": max(s[1] for s in ordered),
    }


async def idle(seconds: float) -> dict[str, float]:
    """The heartbeat of the loop with nothing else to do (the baseline)."""
    stalls: list[tuple[float, float]] = []
    stop = asyncio.Event()
    beat = asyncio.create_task(heartbeat(stalls, stop))
    await asyncio.sleep(seconds)
    stop.set()
    await beat
    return {"lists_s": 0.0, "details_s": 0.0, **figures(stalls)}


async def prime(url: str, profile: Path, details: bool) -> dict[str, float]:
    from snx_desktop.api import SalesNexusClient

    store = Store.open(url, "token-bench", profile)
    client = SalesNexusClient(url, token=TOKEN)
    svc = AppServices.from_parts(client, store)
    try:
        await svc.start()
        stalls: list[tuple[float, float]] = []
        stop = asyncio.Event()
        beat = asyncio.create_task(heartbeat(stalls, stop))
        t0 = time.perf_counter()
        job = svc.priming.start(details=False)
        result = await job.wait()
        lists_s = time.perf_counter() - t0
        detail_s = 0.0
        if details:
            # details of the first contacts only (the whole set would take many minutes)
            from snx_desktop.services.priming import PAGE_SIZE, _Run

            run = _Run(svc.priming, 30, 60, PAGE_SIZE, 20, 12 * 3600.0, True)
            # read where priming reads (not on the loop: the heartbeat is running)
            page = await run.read(lambda c: c.get_list_page("contact", "", 0, 2000))
            ids = [i for i in (page.ids if page else []) if i]
            t1 = time.perf_counter()
            await run._details("contact", ids)
            detail_s = time.perf_counter() - t1
        stop.set()
        await beat
        assert result.error is None, result.error
        return {
            "contacts": float(result.contacts),
            "lists_s": lists_s,
            "details_s": detail_s,
            **figures(stalls),
        }
    finally:
        await svc.aclose()
        await client.aclose()
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--full", action="store_true", help="100,000 contacts")
    ap.add_argument("--contacts", type=int, default=None)
    ap.add_argument("--no-details", action="store_true", help="lists only")
    args = ap.parse_args()
    n = args.contacts or (100_000 if args.full else 20_000)
    import qasync
    from PySide6.QtWidgets import QApplication

    from snx_desktop.models.gccontrol import GuiGarbageCollector

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    collector = GuiGarbageCollector(app)  # as the app does
    collector.start()
    with (
        start_sandbox(wait_s=900, contacts=n, permanent_token=TOKEN) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        url = server.base_url
        print(f"priming_contacts: {n} records")
        results = {}
        with qasync.QEventLoop(app) as loop:
            results["worker"] = loop.run_until_complete(
                prime(url, Path(tmp) / "worker", not args.no_details)
            )
        seconds = results["worker"]["lists_s"] + results["worker"]["details_s"]
        with qasync.QEventLoop(app) as loop:
            results["idle"] = loop.run_until_complete(idle(seconds))
        for key, unit in (
            ("lists_s", "s"),
            ("details_s", "s"),
            ("stall_max", "ms"),
            ("stall_max_cpu", "ms"),
            ("stall_p99", "ms"),
            ("busiest_step_cpu", "ms"),
            ("stalls_over_50ms", "count"),
        ):
            print(f"priming_{key}_worker_writes: {results['worker'][key]:.3f} {unit}")
            if key not in ("lists_s", "details_s"):
                print(f"priming_{key}_idle_loop: {results['idle'][key]:.3f} {unit}")
        ratio = results["worker"]["stall_max"] / max(results["idle"]["stall_max"], 1e-3)
        print(f"ratio_stall_max_priming_over_idle: {ratio:.3f} x")


if __name__ == "__main__":
    main()
