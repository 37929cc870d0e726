"""What a paged list model reads: pages of records and the source that answers them.

No Qt here: a :class:`PageSource` is implemented by the services' adapters, and the first
paint reads a :class:`Page` from the store before any model exists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Lookup", "Page", "PageSource", "Record", "default_record_id"]

Record = Mapping[str, object]
Lookup = Callable[[list[str]], Mapping[str, Record]]


@dataclass(frozen=True)
class Page:
    """One page of a list: its records in order, the list's full count, and its age."""

    index: int
    records: Sequence[Record]
    total: int
    fetched_at: float | None = None  # epoch seconds when the data left the server
    from_cache: bool = False


class PageSource(Protocol):
    """What a paged model needs from the services (no Qt)."""

    @property
    def page_size(self) -> int: ...

    def cached_page(self, index: int) -> Page | Awaitable[Page | None] | None: ...

    async def fetch_page(self, index: int) -> Page: ...


def default_record_id(record: Record) -> str:
    for key in ("id", "record-id", "contact-id", "group-id", "activity-id", "sales-id"):
        value = record.get(key)
        if value:
            return str(value)
    return ""
