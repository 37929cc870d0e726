"""Qt objects in tests: destroyed in the GUI thread, never left to the garbage collector."""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QWidget


def dispose(widget: QObject) -> None:
    """Destroy ``widget`` now, in this (the GUI) thread.

    Left to Python's cyclic garbage collector, a Qt object may be destroyed in whatever thread
    happens to run a collection (the sandbox's server thread, a worker), which Qt does not
    allow ("Timers cannot be stopped from another thread").
    """
    if isinstance(widget, QWidget):
        widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
