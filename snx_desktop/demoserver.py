"""The demo mode's server: the sandbox in a child process, tied to this one.

:func:`start_demo_server` runs the sandbox's own command line (``snx-desktop --run-sandbox``,
the same program as the app, so a packaged app needs nothing else) on a free loopback port
and waits for it to print its URL. The app's process then holds only the app: the server's
requests, demo data and garbage are the child's. The child stops when its standard input
closes: when :meth:`DemoServer.stop` closes it, and when this process ends in any other way
(a crash, a kill), since the system closes the pipe then.
"""

from __future__ import annotations

import logging
import queue
import subprocess
import sys
import threading
from typing import IO

__all__ = [
    "RUN_SANDBOX",
    "SANDBOX_PACKAGES",
    "DemoServer",
    "DemoServerError",
    "run_sandbox_command",
    "sandbox_missing",
    "start_demo_server",
]

log = logging.getLogger(__name__)

#: the app's command-line switch that runs the sandbox's command line instead of the app
RUN_SANDBOX = "--run-sandbox"


#: what the sandbox needs besides the app: the ``sandbox`` extra (``snx-desktop[sandbox]``)
SANDBOX_PACKAGES = ("starlette", "uvicorn")


def sandbox_missing() -> str | None:
    """Why the sandbox cannot run here (a message for the user), or None when it can."""
    import importlib.util

    def absent(name: str) -> bool:
        try:
            return importlib.util.find_spec(name) is None
        except (ImportError, ValueError):  # an import hook or a broken package says so
            return True

    missing = [name for name in SANDBOX_PACKAGES if absent(name)]
    if absent("snx_desktop.sandbox") or (missing and getattr(sys, "frozen", False)):
        return (
            "The demo is not part of this installation of SalesNexus Desktop. To try the app "
            "with demo data, install it with pip: pip install 'snx-desktop[sandbox]'"
        )
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        return (
            f"The demo server needs {' and '.join(missing)}, which {verb} not installed. "
            "Install the app with its sandbox: pip install 'snx-desktop[sandbox]'"
        )
    return None


def run_sandbox_command(argv: list[str] | None = None) -> int:
    """``snx-sandbox``: the sandbox's command line, or a message and exit status 2 when the
    sandbox is not installed."""
    problem = sandbox_missing()
    if problem is not None:
        if sys.stderr is not None:
            sys.stderr.write(problem + "\n")
        return 2
    from snx_desktop.sandbox.__main__ import main

    return main(argv)


class DemoServerError(RuntimeError):
    """The demo server could not be started."""


class DemoServer:
    """A sandbox running in a child process: its ``base_url``; :meth:`stop` ends it."""

    def __init__(self, process: subprocess.Popen[bytes], base_url: str) -> None:
        self.process = process
        self.base_url = base_url

    def stop(self, timeout: float = 10.0) -> None:
        """Close the child's standard input (it stops then) and wait; kill it if it does not
        stop within ``timeout`` seconds. Calling it again does nothing."""
        stdin = self.process.stdin
        if stdin is not None and not stdin.closed:
            try:
                stdin.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("the demo server did not stop; ending it")
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def sandbox_command(*options: str) -> list[str]:
    """The command that runs the sandbox's command line with ``options``, from this program
    (``python -m snx_desktop``, or the packaged app's own executable)."""
    program = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m"]
    if not getattr(sys, "frozen", False):
        program.append("snx_desktop")
    return [*program, RUN_SANDBOX, *options]


def start_demo_server(contacts: int, *, timeout: float = 120.0) -> DemoServer:
    """Start the sandbox with ``contacts`` demo contacts in a child process; returns once it
    serves (blocking: call it from a worker thread). Raises :class:`DemoServerError`."""
    command = sandbox_command(
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        f"--contacts={max(0, contacts)}",
        "--log-level",
        "warning",
        "--print-url",
        "--exit-with-stdin",
    )
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None if sys.stderr is not None else subprocess.DEVNULL,
    )
    assert process.stdout is not None
    line = _first_line(process.stdout, timeout)
    url = line.decode("ascii", "replace").strip()
    if not url.startswith("http://"):
        server = DemoServer(process, "")
        server.stop(timeout=5)
        raise DemoServerError(f"The demo server did not start (exit status {process.returncode}).")
    log.info("demo server (process %d) at %s", process.pid, url)
    return DemoServer(process, url)


def _first_line(stream: IO[bytes], timeout: float) -> bytes:
    """The first line the child writes, or b"" when it ends or ``timeout`` passes first."""
    lines: queue.Queue[bytes] = queue.Queue(1)
    threading.Thread(
        target=lambda: lines.put(stream.readline()), name="snx-demo-server-url", daemon=True
    ).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return b""
