"""The client's retry policy as small pure functions: whether a call may go again, and after
how long.

A read changes nothing on the server, so it may always go again; a write may go again only
when the server cannot have run it (nothing was sent, or the server refused to run it).
Otherwise its outcome is unknown and it is never sent twice.
"""

from __future__ import annotations

import random
from collections.abc import Callable

__all__ = ["may_send_again", "retry_delay", "should_retry"]


def may_send_again(*, read: bool, sent_fully: bool) -> bool:
    """After a broken exchange: a read may always go again; a write only when its request was
    not sent in full (so the server cannot have run it)."""
    return read or not sent_fully


def should_retry(*, attempts: int, retries: int, closed: bool) -> bool:
    """Whether a call that is allowed to go again gets one more attempt."""
    return attempts < retries and not closed


def retry_delay(
    attempt: int,
    retry_after: float | None,
    *,
    backoff: float,
    backoff_max: float,
    max_retry_after: float,
    uniform: Callable[[float, float], float] = random.uniform,
) -> float:
    """Seconds to wait before ``attempt`` (1 for the first retry): exponential backoff from
    ``backoff`` up to ``backoff_max`` with jitter (between half and all of it), and at least
    the server's ``Retry-After``, capped at ``max_retry_after``."""
    ceiling = min(backoff_max, backoff * (2 ** max(0, attempt - 1)))
    delay = uniform(ceiling / 2, ceiling) if ceiling > 0 else 0.0
    if retry_after is not None:
        delay = max(delay, min(retry_after, max_retry_after))
    return delay
