"""GUI tests: garbage is collected in the GUI thread only, after each test.

The sandbox runs in a thread of the test process; left on, Python's collector may run there
and destroy Qt objects from that thread (Qt warns, and it can crash). Automatic collection is
off during each test; after it, deferred deletions and a full collection run in this thread.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from snx_desktop.models.qtfixes import fix_binding_refcounts

# PySide6 6.12 returns borrowed True/None in places (see snx_desktop/models/qtfixes.py)
fix_binding_refcounts()


@pytest.fixture(autouse=True)
def _collect_in_gui_thread() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if QCoreApplication.instance() is not None:
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()
        if was_enabled:
            gc.enable()
