"""Sandboxes for the tests: an in-process SalesNexus sandbox over real HTTP on 127.0.0.1,
stopped on the way out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def running_sandbox(**options: Any) -> Iterator[Any]:
    """``snx_desktop.sandbox.start_in_thread(**options)``; stopped when the block ends."""
    from snx_desktop.sandbox import start_in_thread

    server = start_in_thread(**options)
    try:
        yield server
    finally:
        server.stop()
