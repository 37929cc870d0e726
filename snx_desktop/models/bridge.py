"""Bridges from plain-Python notifications to Qt signals.

* :class:`MessageBridge` subscribes to :mod:`snx_desktop.messages` and re-emits each user
  message as a Qt signal. Emitting from another thread is safe: the connection to GUI-thread
  receivers is queued by Qt.
* :class:`ServicesBridge` connects the services' events (``connectivity.changed``,
  ``writes.status_changed``, ``changes``, ``priming.progress``, ``schema.changed``,
  ``writes.sign_in_needed``, ``writes.op_done``) to Qt signals, and disconnects them all on
  :meth:`ServicesBridge.close`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from snx_desktop import messages

if TYPE_CHECKING:
    from snx_desktop.services.ports import AccountServices

__all__ = ["MessageBridge", "ServicesBridge"]

log = logging.getLogger(__name__)


class MessageBridge(QObject):
    """One QObject carrying every user message into the GUI."""

    error = Signal(str, str)  # text, detail
    warning = Signal(str, str)
    info = Signal(str, str)
    progress = Signal(str, str, int, int, bool)  # job, text, done, total, finished
    message = Signal(object)  # the messages.Message itself

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe: Callable[[], None] | None = messages.subscribe(self._deliver)
        self.destroyed.connect(self._on_destroyed)

    def _deliver(self, msg: messages.Message) -> None:
        try:
            self.message.emit(msg)
            if msg.level is messages.Level.ERROR:
                self.error.emit(msg.text, msg.detail)
            elif msg.level is messages.Level.WARNING:
                self.warning.emit(msg.text, msg.detail)
            elif msg.level is messages.Level.INFO:
                self.info.emit(msg.text, msg.detail)
            else:
                self.progress.emit(msg.job, msg.text, msg.done, msg.total, msg.finished)
        except RuntimeError:  # the C++ object is gone (shutdown)
            self.close()

    def _on_destroyed(self) -> None:
        self.close()

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None


class ServicesBridge(QObject):
    """Qt signals for the services' events (all emitted in the GUI thread)."""

    connectivityChanged = Signal(object)  # ConnState
    queueStatusChanged = Signal(object)  # QueueStatus
    dataChanged = Signal(object)  # Change
    primingProgress = Signal(object)  # Progress
    schemaChanged = Signal(object)  # Schema
    signInNeeded = Signal()
    opDone = Signal(object)  # OpOutcome

    def __init__(self, services: AccountServices, parent: QObject | None = None) -> None:
        super().__init__(parent)
        writes = services.writes
        self._disconnects: list[Callable[[], None]] = [
            services.connectivity.changed.connect(self.connectivityChanged.emit),
            writes.status_changed.connect(self.queueStatusChanged.emit),
            services.changes.connect(self.dataChanged.emit),
            services.priming.progress.connect(self.primingProgress.emit),
            services.schema.changed.connect(self.schemaChanged.emit),
            writes.sign_in_needed.connect(self._sign_in_needed),
            writes.op_done.connect(self.opDone.emit),
        ]

    def _sign_in_needed(self, _value: None) -> None:
        self.signInNeeded.emit()

    def close(self) -> None:
        for disconnect in self._disconnects:
            try:
                disconnect()
            except Exception:
                log.debug("disconnect failed", exc_info=True)
        self._disconnects.clear()
