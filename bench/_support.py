"""What the bench scripts share: a server in a child process (started on a free loopback port,
waited for until it answers, stopped), this process's resident set and its peak, percentiles
and the ``name: value unit`` figure lines.

The scripts run as ``python bench/<name>.py`` from any folder; each puts this folder on
``sys.path`` and imports ``_support``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

MB = 1024 * 1024
DEMO = ("demo@example.com", "demo")


def figure(name: str, value: float, unit: str, digits: int = 3) -> None:
    """Print one figure as ``name: value unit``."""
    print(f"{name}: {value:.{digits}f} {unit}", flush=True)


def percentile(samples: list[float], share: float) -> float:
    """The sample at ``share`` (0..1) of the sorted samples, nearest rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --- memory ---------------------------------------------------------------------------------------


def rss_bytes() -> int:
    """This process's resident set now."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class RssSampler(threading.Thread):
    """Samples this process's resident set every few milliseconds; keeps the peak."""

    def __init__(self, interval: float = 0.005) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak = rss_bytes()
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak = max(self.peak, rss_bytes())
            time.sleep(self.interval)

    def stop(self) -> int:
        """Stop sampling; the peak resident set seen, in bytes."""
        self._halt.set()
        self.join()
        self.peak = max(self.peak, rss_bytes())
        return self.peak


# --- servers in child processes ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """``command`` (which serves on ``port``) in a child process; returns once it answers a
    ``greet`` call on ``/api/call-v1``. Use as a context manager or call ``stop()``."""

    def __init__(self, command: list[str], port: int, wait_s: float = 60.0) -> None:
        self.base_url = f"http://127.0.0.1:{port}"
        self.api_url = self.base_url + "/api/call-v1"
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            try:
                httpx.post(self.api_url, json=[{"function": "greet"}], timeout=1)
                return
            except httpx.HTTPError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        self.proc.kill()
        self.proc.wait()
        raise SystemExit(f"the server at {self.base_url} did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


def start_sandbox(wait_s: float = 60.0, **options: object) -> ServerProcess:
    """``python -m snx_desktop.sandbox`` in a child process; each option is the command's flag
    of that name (``max_document_bytes=5`` -> ``--max-document-bytes 5``)."""
    port = free_port()
    command = [sys.executable, "-m", "snx_desktop.sandbox", "--port", str(port)]
    # ``--flag=value``: a value may start with "-" (a random token does, now and then)
    command += [f"--{name.replace('_', '-')}={value}" for name, value in options.items()]
    return ServerProcess(command, port, wait_s)


def start_script(code: str, wait_s: float = 60.0) -> ServerProcess:
    """``python -c code PORT`` in a child process: a server script taking its port as argument."""
    port = free_port()
    return ServerProcess([sys.executable, "-c", code, str(port)], port, wait_s)


# --- files ----------------------------------------------------------------------------------------


def make_file(path: Path, size: int) -> None:
    """A file of ``size`` random bytes, written a megabyte at a time."""
    with path.open("wb") as handle:
        left = size
        while left:
            n = min(MB, left)
            handle.write(os.urandom(n))
            left -= n


async def file_chunks(path: Path, chunk: int = 192 * 1024) -> AsyncIterator[bytes]:
    """The file's bytes as they are, ``chunk`` bytes at a time (a raw request body)."""
    with path.open("rb") as handle:
        while data := handle.read(chunk):
            yield data


# --- the app's Qt loop ----------------------------------------------------------------------------


def app_like_qt() -> Any:
    """The QApplication with the app's garbage collector running, as the app starts them
    (a bench measuring event-loop stalls must pay what the app pays)."""
    from PySide6.QtWidgets import QApplication

    from snx_desktop.models.gccontrol import GuiGarbageCollector

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    GuiGarbageCollector(app).start()
    return app


def run_in_qt_loop(app: Any, coro: Any) -> Any:
    """Run ``coro`` to its end on a qasync loop over ``app`` (Qt before qasync)."""
    import qasync

    with qasync.QEventLoop(app) as loop:
        return loop.run_until_complete(coro)
