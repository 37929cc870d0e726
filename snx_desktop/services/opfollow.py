"""Following one queued op (an upload job, say) through its state changes and its upload
progress, until it is done."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .events import Event
from .types import OpStateChange

if TYPE_CHECKING:
    from .queueview import UploadProgress

__all__ = ["follow_op"]


def follow_op(
    states: Event[OpStateChange],
    uploads: Event[UploadProgress],
    op_id: int,
    on_state: Callable[[OpStateChange], object] | None = None,
    on_progress: Callable[[UploadProgress], object] | None = None,
) -> Callable[[], None]:
    """Call ``on_state`` for each state change of op ``op_id`` and ``on_progress`` for each
    report of its upload, until it is done. Returns a function that stops following earlier."""
    disconnects: list[Callable[[], None]] = []

    def stop() -> None:
        while disconnects:
            disconnects.pop()()

    def state(change: OpStateChange) -> None:
        if change.op_id != op_id:
            return
        if on_state is not None:
            on_state(change)
        if change.state == "done":
            stop()

    def progress(p: UploadProgress) -> None:
        if p.op_id == op_id and on_progress is not None:
            on_progress(p)

    disconnects.append(states.connect(state))
    if on_progress is not None:
        disconnects.append(uploads.connect(progress))
    return stop
