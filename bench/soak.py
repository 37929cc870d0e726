"""Fault soak: mixed writes through the app's write queue against a faulty sandbox.

The sandbox drops 10% of connections, answers 10% with HTTP 500 and 5% with garbage, and
stalls 2 s now and then (2% of requests); 5% more requests run and then lose their answer, and
5% more run and then answer an undecodable body (not JSON, cut off, nested 100,000 deep,
invalid UTF-8).
The scripted session (contacts created and updated, notes, activities, group membership,
small uploads, and ~4% writes the server must refuse) runs with the main window attached
(offscreen), so that failures take the app's path to the user. Afterwards a clean client
checks every write on the server. The session itself is ``tests/support/soak.py``
(the suite runs it with 120 writes).

Prints one ``name: value`` line each: writes_sent, landed, lost, duplicated, failed_and_shown,
crashes; then the expected failures, what was left in the queue, the undecodable answers sent
and the time taken.

    python bench/soak.py                 # 250 writes, about a minute
    python bench/soak.py --full          # 1,000 writes (several minutes)
    python bench/soak.py --writes 200    # any size
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # support.*

import qasync
from PySide6.QtWidgets import QApplication
from support.soak import CrashWatch, SoakReport, run_soak

from snx_desktop.sandbox import start_in_thread


async def soak(writes: int, seed: int) -> SoakReport:
    server = await asyncio.to_thread(start_in_thread, contacts=200, seed=seed)
    try:
        with tempfile.TemporaryDirectory(prefix="snx-soak-") as tmp:
            files = Path(tmp) / "files"
            files.mkdir()
            return await run_soak(
                server,
                Path(tmp) / "profile",
                files,
                writes=writes,
                seed=seed,
                settle_timeout=max(300.0, writes * 1.0),
                watch=CrashWatch(),
            )
    finally:
        await asyncio.to_thread(server.stop)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=None, help="writes in the session")
    parser.add_argument("--full", action="store_true", help="the full 1,000-write soak")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        writes = args.writes or (1000 if args.full else 250)
        report = loop.run_until_complete(soak(writes, args.seed))
    for line in report.lines():
        print(line)
    print(f"expected_failures: {report.expected_failures}")
    print(f"unexpected_failures: {report.unexpected_failures}")
    print(f"queue_left: {report.queue_left}")
    print(f"queue_left_not_failed: {report.queue_left_not_failed}")
    undecodable = report.undecodable_answers
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(undecodable.items()))
    print(f"undecodable_answers: {sum(undecodable.values())} ({kinds})")
    print(f"store_integrity: {'ok' if not report.integrity else 'DAMAGED'}")
    print(f"seconds: {report.seconds:.1f} s")
    for problem in report.problems[:20]:
        print(f"# {problem}", file=sys.stderr)
    bad = (
        report.lost
        or report.duplicated
        or report.crashes
        or report.failed_not_shown
        or report.unexpected_failures
        or report.queue_left_not_failed
        or report.integrity
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
