"""Constants and small helpers shared by the robustness tests."""

from __future__ import annotations

from support.accounts import DEMO_EMAIL as DEMO_EMAIL  # re-exported for the robustness tests
from support.accounts import DEMO_PASSWORD as DEMO_PASSWORD  # re-exported for the robustness tests

AUDIT_EMAIL = "audit@example.com"
PASSWORD = "Pw-Audit-7f3K9qZ!x~2"  # occurs nowhere else: any copy of it is a leak


def dispose(widget: object) -> None:
    """Destroy a Qt widget now, in this (the GUI) thread.

    Left to the cyclic garbage collector, a Qt object may be destroyed in whatever thread runs
    a collection (the sandbox's server thread, a worker), which Qt does not allow ("Timers
    cannot be stopped from another thread").
    """
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QWidget

    if isinstance(widget, QWidget):
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
