"""A tiny observer primitive for the services layer.

`Event[T]` lets plain-asyncio services announce things (state changes, progress, "what
changed" descriptions) without knowing who listens. The Qt side bridges an event to a signal
with ``event.connect(signal.emit)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)


class Event(Generic[T]):
    """A list of callbacks called synchronously, in connection order, by `emit`."""

    __slots__ = ("_callbacks", "_name")

    def __init__(self, name: str = "") -> None:
        self._name = name
        self._callbacks: list[Callable[[T], object]] = []

    def connect(self, callback: Callable[[T], object]) -> Callable[[], None]:
        """Call ``callback(value)`` on every emit; returns a function that disconnects it."""
        self._callbacks.append(callback)

        def disconnect() -> None:
            try:
                self._callbacks.remove(callback)
            except ValueError:
                pass

        return disconnect

    def emit(self, value: T) -> None:
        """Call every callback; one that raises is logged and does not stop the others."""
        for callback in list(self._callbacks):
            try:
                callback(value)
            except Exception:
                log.exception("event %s: a listener failed", self._name or "?")

    def __len__(self) -> int:
        return len(self._callbacks)
