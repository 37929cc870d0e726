"""Shared test set-up.

* Qt runs offscreen; set before anything imports Qt.
* keyring uses the null backend, except in the run of ``tests/robustness/test_keyring_real.py``
  that sets ``SNX_REAL_KEYRING=1`` inside a D-Bus session with gnome-keyring.
* Qt tests collect garbage in the GUI thread only: automatic collection is off during each
  test and deferred deletions plus a full collection run after it. Left on, the collector may
  run in the sandbox's server thread and destroy Qt objects there, which Qt forbids.
* ``async def`` tests under ``tests/ui``, ``tests/models`` and ``tests/robustness`` (and any
  test marked ``qt_loop``) run on a qasync loop driven by the session ``QApplication``;
  every other async test runs on a plain asyncio loop and never imports Qt.
* ``sandbox`` is a session-wide SalesNexus sandbox served by uvicorn on 127.0.0.1 over
  real HTTP; ``fresh_sandbox`` is a private one for tests that change global state
  (fault injection, token expiry) or need an exact data set.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if os.environ.get("SNX_REAL_KEYRING") != "1":  # set only for the real Secret Service run
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

import pytest
from hypothesis import settings
from support.sandboxes import running_sandbox

# CI runs the fuzzers with a fixed seed so that a run is repeatable; locally they explore anew
# each time (and remember failing examples in .hypothesis/).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

QT_LOOP_DIRS = ("ui", "models", "robustness", "packaging")


def _wants_qt_loop(item: pytest.Item) -> bool:
    if item.get_closest_marker("qt_loop") is not None:
        return True
    parts = Path(str(item.path)).parts
    return "tests" in parts and any(d in parts for d in QT_LOOP_DIRS)


def _qt_loop_factory() -> asyncio.AbstractEventLoop:
    import PySide6.QtWidgets as QtWidgets  # Qt before qasync
    import qasync

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    assert isinstance(app, QtWidgets.QApplication)
    app.setQuitOnLastWindowClosed(False)
    return qasync.QEventLoop(app)  # type: ignore[no-any-return]


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> dict[str, Callable[[], asyncio.AbstractEventLoop]]:
    if _wants_qt_loop(item):
        return {"qasync": _qt_loop_factory}
    return {"asyncio": asyncio.new_event_loop}


@pytest.fixture(autouse=True)
def _collect_garbage_in_gui_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    if not _wants_qt_loop(request.node):
        yield
        return
    from PySide6.QtCore import QCoreApplication, QEvent

    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if QCoreApplication.instance() is not None:
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()
        if was_enabled:
            gc.enable()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "qt_loop: run this async test on the qasync loop")


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Any]:
    """A shared sandbox with the default demo data (small, fixed seed) over real HTTP.

    Tests that use it must not change global server state (faults, expiry); they may add
    their own records. Use ``fresh_sandbox`` for anything else.
    """
    with running_sandbox(contacts=300, seed=7) as server:
        yield server


@pytest.fixture
def fresh_sandbox() -> Iterator[Any]:
    """A private sandbox for one test (small data set, fixed seed)."""
    with running_sandbox(contacts=60, seed=11) as server:
        yield server


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., Any]]:
    """Start sandboxes with custom options; all are stopped at the end of the test."""
    with ExitStack() as started:

        def make(**options: Any) -> Any:
            return started.enter_context(running_sandbox(**options))

        yield make


@pytest.fixture
def user_messages() -> Iterator[list[Any]]:
    """The user-facing messages sent while a test runs."""
    from snx_desktop import messages

    got: list[Any] = []
    unsubscribe = messages.subscribe(got.append)
    try:
        yield got
    finally:
        unsubscribe()
