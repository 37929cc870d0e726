"""User-facing messages: one channel for errors, warnings, information and job progress.

Any layer may call the functions here (:func:`error`, :func:`warning`, :func:`info`,
:func:`progress`); they need no Qt and may be called from any thread. Each call builds a
:class:`Message` and hands it to the subscribed listeners. The GUI subscribes one Qt bridge
(:class:`snx_desktop.models.bridge.MessageBridge`, a QObject whose signals carry the messages
into the GUI thread); with no listener a message is only logged.

Expected failures (offline, expired session, not found, payload too large) travel here as
sentences for a person, never as tracebacks. Callers must not put secrets in a message.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "Level",
    "Listener",
    "Message",
    "error",
    "info",
    "progress",
    "publish",
    "subscribe",
    "warning",
]

log = logging.getLogger(__name__)


class Level(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    PROGRESS = "progress"


@dataclass(frozen=True)
class Message:
    """One message for the user.

    For progress messages ``job`` names the job, ``done``/``total`` count its steps
    (``total`` 0 when unknown) and ``finished`` marks the last report.
    """

    level: Level
    text: str
    detail: str = ""
    job: str = ""
    done: int = 0
    total: int = 0
    finished: bool = False


Listener = Callable[[Message], None]

_LOG_LEVEL = {
    Level.ERROR: logging.ERROR,
    Level.WARNING: logging.WARNING,
    Level.INFO: logging.INFO,
    Level.PROGRESS: logging.DEBUG,
}

_listeners: list[Listener] = []
_lock = threading.Lock()


def subscribe(listener: Listener) -> Callable[[], None]:
    """Add a listener; returns a function that removes it again."""
    with _lock:
        _listeners.append(listener)

    def unsubscribe() -> None:
        with _lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return unsubscribe


def publish(message: Message) -> None:
    """Deliver ``message`` to every listener; a failing listener is logged, never raised."""
    with _lock:
        listeners = list(_listeners)
    if message.level is Level.ERROR:
        # Shown to the user; the log keeps it at warning level so that an expected failure
        # is not mistaken for a bug by log watchers.
        log.warning("user message (error): %s", message.text)
    else:
        log.log(
            _LOG_LEVEL[message.level], "user message (%s): %s", message.level.value, message.text
        )
    for listener in listeners:
        try:
            listener(message)
        except Exception:
            log.exception("message listener failed")


def error(text: str, *, detail: str = "") -> None:
    """Tell the user that something they asked for failed."""
    publish(Message(Level.ERROR, text, detail))


def warning(text: str, *, detail: str = "") -> None:
    """Tell the user about something that works, but not as well as it should."""
    publish(Message(Level.WARNING, text, detail))


def info(text: str, *, detail: str = "") -> None:
    """Tell the user something worth knowing (shown briefly in the status bar)."""
    publish(Message(Level.INFO, text, detail))


def progress(job: str, text: str, done: int, total: int = 0, *, finished: bool = False) -> None:
    """Report progress of a background job named ``job`` (``total`` 0 when unknown)."""
    publish(Message(Level.PROGRESS, text, job=job, done=done, total=total, finished=finished))
