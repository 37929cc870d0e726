"""The app's shutdown, registered step by step while it starts.

Each start-up step says what undoes it right where it starts (:meth:`Lifecycle.on_stop`,
:meth:`Lifecycle.on_stop_async`); quitting runs those steps in reverse order
(:meth:`Lifecycle.stop`), each logged as ``stop: …``, one that fails logged without keeping
the others from running. When the event loop is already gone (the desktop session ended under
the app) :meth:`Lifecycle.stop_at_once` runs what can run without it: the plain steps, and for
a step that needs the loop, the fallback it gave (``at_once``).

Nothing here imports asyncio: the first window is shown before the event loop is loaded.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

__all__ = ["Lifecycle"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Step:
    what: str
    undo: Callable[[], object] | None = None
    undo_async: Callable[[], Awaitable[object]] | None = None
    at_once: Callable[[], None] | None = None


class Lifecycle:
    """Undo steps of the start-up, run in reverse order when the app stops."""

    def __init__(self) -> None:
        self._steps: list[_Step] = []

    def on_stop(self, what: str, undo: Callable[[], object]) -> None:
        """At stop, run ``undo`` (named ``what`` in the log), before every step registered
        earlier and after every step registered later."""
        self._steps.append(_Step(what, undo=undo))

    def on_stop_async(
        self,
        what: str,
        undo: Callable[[], Awaitable[object]],
        *,
        at_once: Callable[[], None] | None = None,
    ) -> None:
        """Like :meth:`on_stop` for an undo that needs the event loop; ``at_once`` is what to
        do instead when the loop is gone."""
        self._steps.append(_Step(what, undo_async=undo, at_once=at_once))

    @property
    def pending(self) -> list[str]:
        """What is left to stop, in the order it would stop."""
        return [step.what for step in reversed(self._steps)]

    async def stop(self) -> None:
        """Run every step registered so far, the last registered first."""
        while self._steps:
            step = self._steps.pop()
            log.info("stop: %s", step.what)
            try:
                if step.undo_async is not None:
                    await step.undo_async()
                elif step.undo is not None:
                    step.undo()
            except Exception:
                log.exception("stopping %s failed", step.what)

    def stop_at_once(self) -> None:
        """Without the event loop: run the plain steps and the fallbacks, last first."""
        while self._steps:
            step = self._steps.pop()
            undo = step.undo if step.undo_async is None else step.at_once
            if undo is None:
                log.info("stop: %s (left: the event loop is gone)", step.what)
                continue
            log.info("stop: %s", step.what)
            try:
                undo()
            except Exception:
                log.exception("stopping %s failed", step.what)
