"""Benchmark of attaching a big document through the UploadManager with the GUI running.

The file goes through ``UploadManager`` on signed-in services (journaled as an
add-doc-to-contact op, sent by the write queue's upload lane with streamed base64, the op
naming the file rather than a copy in the store) on a qasync loop while an
``UploadListWidget`` shows its progress (offscreen) and a 5 ms QTimer heartbeat measures the
longest event-loop stall. The sandbox runs in a subprocess
(``python -m snx_desktop.sandbox``) so that only this process's memory is counted.

Figures (one ``name: value unit`` line each):
* peak RSS growth of this process during the upload (goal < 32 MB);
* upload throughput, and posting the same bytes raw (no JSON, no base64) to the same server
  on loopback in the same run, and their ratio;
* the longest event-loop stall during the upload, ``upload_longest_stall`` (goal < 16.7 ms,
  one frame at 60 Hz), and during an idle stretch of the same run for comparison.

Default: a 24 MB file (about half a minute). ``--full``: 100 MB. ``--size-mb N``: any size.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _support
from _support import DEMO, MB, RssSampler, file_chunks, make_file, rss_bytes, start_sandbox
from PySide6.QtCore import QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from snx_desktop.services import AppServices
from snx_desktop.services.uploads import JobState, UploadManager
from snx_desktop.ui.documents import UploadListWidget

figure = partial(_support.figure, digits=2)


# ---------------------------------------------------------------------- measuring
class Heartbeat:
    """A QTimer ticking every ``interval_ms``; the longest gap beyond the interval is a stall."""

    def __init__(self, interval_ms: int = 5) -> None:
        self.interval = interval_ms / 1000.0
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.longest = 0.0

    def start(self) -> None:
        self.last = time.perf_counter()
        self.longest = 0.0
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last - self.interval)
        self.last = now

    def stop(self) -> float:
        self.timer.stop()
        self._tick()
        return max(0.0, self.longest)


# ---------------------------------------------------------------------- the run
async def run(url: str, path: Path) -> None:
    size = path.stat().st_size
    services = await AppServices.open(
        url,
        account=DEMO[0],
        password=DEMO[1],
        profile_dir=path.with_name("profile"),
        client_options={"timeout": 600},
    )
    try:
        client = services.client
        cid = (await client.create_contact(contact_field_data={"48": "Bench Upload"})).id
        manager = UploadManager.for_services(services, max_bytes=size + MB)
        uploads = UploadListWidget(manager)
        uploads.resize(420, 200)
        uploads.show()

        warm = path.with_name("warm-up.bin")
        warm.write_bytes(os.urandom(300_000))
        (job,) = manager.add(cid, [warm], contact_name="Bench Upload")
        await manager.wait(job.job_id, timeout=60)

        heartbeat = Heartbeat()
        heartbeat.start()
        await asyncio.sleep(1.0)
        idle_stall = heartbeat.stop()

        base = rss_bytes()
        sampler = RssSampler()
        sampler.start()
        heartbeat.start()
        t0 = time.perf_counter()
        (job,) = manager.add(cid, [path], contact_name="Bench Upload")
        await manager.wait(job.job_id, timeout=900)
        up_time = time.perf_counter() - t0
        stall = heartbeat.stop()
        peak = sampler.stop()
        if job.state is not JobState.DONE:
            raise SystemExit(f"the upload failed: {job.error}")
        docs = await client.get_docs_for_contact(cid)
        stored = docs.by_id()[job.document_id or ""].size
        if stored != size:
            raise SystemExit(f"the server stored {stored} bytes of {size}")

        t0 = time.perf_counter()
        await client.http.post(
            client.base_url,  # the sandbox reads the body whole, then refuses it (not JSON)
            content=file_chunks(path),
            headers={"Content-Length": str(size), "Content-Type": "application/octet-stream"},
        )
        raw_time = time.perf_counter() - t0
        uploads.close_list()
        uploads.close()
        await manager.aclose()
    finally:
        await services.aclose()

    figure("upload_file_size", size / MB, "MB")
    figure("upload_peak_rss_growth", (peak - base) / MB, "MB (goal < 32)")
    figure("upload_throughput", size / MB / up_time, "MB/s")
    figure("raw_post_throughput", size / MB / raw_time, "MB/s")
    figure("upload_vs_raw_throughput_ratio", raw_time / up_time, "x")
    figure("upload_longest_stall", stall * 1000, "ms (goal < 16.7, one frame)")
    figure("ui_longest_stall_idle", idle_stall * 1000, "ms")


def quiet_qt(kind: QtMsgType, context: object, text: str) -> None:
    """Keep the offscreen platform's chatter out of the figures."""
    if "propagateSizeHints" not in text:
        print(text, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--full", action="store_true", help="upload a 100 MB file")
    parser.add_argument("--size-mb", type=int, default=None, help="file size in MB")
    args = parser.parse_args(argv)
    size_mb = args.size_mb or (100 if args.full else 24)

    import qasync  # after PySide6

    qInstallMessageHandler(quiet_qt)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    limit = (size_mb + 8) * MB
    with (
        start_sandbox(
            contacts=20, max_document_bytes=limit, max_body_bytes=limit * 2, log_level="error"
        ) as sandbox,
        tempfile.TemporaryDirectory() as tmp,
    ):
        path = Path(tmp) / f"upload-{size_mb}mb.bin"
        make_file(path, size_mb * MB)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(run(sandbox.base_url, path))
        finally:
            loop.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
