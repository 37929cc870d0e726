"""Grouping calls into requests: one call on its way (:class:`PendingCall`), what an exchange
left unsettled, and the explicit :class:`Batch` block.

Calls issued in the same event-loop turn go out together; inside ``async with
client.batch()`` the calls added go out together when the block ends.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from . import functions
from .errors import (
    SalesNexusError,
)
from .upload import ProgressCallback, UploadSource

if TYPE_CHECKING:
    from .transport import Transport

T = TypeVar("T")

current_batch: contextvars.ContextVar[Batch | None] = contextvars.ContextVar(
    "snx_current_batch", default=None
)


class PendingCall:
    """One call-v1 call on its way: parameters without the token, its parser and future."""

    __slots__ = (
        "attempts",
        "function",
        "future",
        "last_error",
        "needs_token",
        "params",
        "parse",
        "read",
        "relogged",
        "request_id",
    )

    def __init__(
        self,
        function: str,
        params: dict[str, Any],
        parse: Callable[[dict[str, Any]], Any],
        future: asyncio.Future[Any],
        request_id: str,
    ) -> None:
        self.function = function
        self.params = params
        self.parse = parse
        self.future = future
        self.request_id = request_id
        self.read = functions.is_read(function)
        self.needs_token = functions.needs_token(function)
        self.attempts = 0
        self.relogged = False
        self.last_error: SalesNexusError | None = None


@dataclass
class Leftover:
    """What one exchange could not settle."""

    retry: list[PendingCall] = field(default_factory=list)
    relogin: list[PendingCall] = field(default_factory=list)
    retry_after: float | None = None
    token_used: str | None = None


class Batch:
    """Explicit grouping: calls added with :meth:`add` go out together when the block ends.

    >>> async with client.batch() as b:
    ...     info = b.add(client.get_contact_info(cid))
    ...     notes = b.add(client.get_notes_for_contact(cid))
    >>> info.result(), notes.result()
    """

    def __init__(self, client: Transport) -> None:
        self._client = client
        self._calls: list[PendingCall] = []
        self._tasks: list[asyncio.Task[Any]] = []
        self._reached: set[asyncio.Task[Any]] = set()
        self._open = False

    @property
    def is_open(self) -> bool:
        return self._open

    def add(self, awaitable: Awaitable[T]) -> asyncio.Task[T]:
        """Start a client call as a task whose call joins this batch."""
        if not self._open:
            if asyncio.iscoroutine(awaitable):
                awaitable.close()
            raise RuntimeError("Batch.add() is only possible inside 'async with client.batch()'")
        loop = asyncio.get_running_loop()
        ctx = contextvars.copy_context()
        ctx.run(current_batch.set, self)
        task: asyncio.Task[T] = ctx.run(loop.create_task, _as_coroutine(awaitable))
        self._tasks.append(task)
        return task

    async def __aenter__(self) -> Batch:
        self._open = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            # let every added task run up to the point where it issues its call
            for _ in range(1000):
                if all(t.done() or t in self._reached for t in self._tasks):
                    break
                await asyncio.sleep(0)
            self._open = False
            calls, self._calls = self._calls, []
            self._client._dispatch(calls)
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
        except asyncio.CancelledError:
            self._open = False
            for task in self._tasks:
                task.cancel()
            raise

    def _take(self, call: PendingCall) -> None:
        self._calls.append(call)
        task = asyncio.current_task()
        if task is not None:
            self._reached.add(task)


async def _as_coroutine(awaitable: Awaitable[T]) -> T:
    return await awaitable


@dataclass
class UploadJob:
    """The file of an upload call and whom to tell its progress."""

    source: UploadSource
    progress: ProgressCallback | None
