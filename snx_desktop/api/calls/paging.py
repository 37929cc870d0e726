"""Walking a paged list function page by page, or record by record."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from ..results import (
    RecordList,
)
from .activities import ActivityCalls
from .contacts import ContactCalls
from .groups import GroupCalls
from .sales import SalesCalls


class PagingCalls(ContactCalls, GroupCalls, ActivityCalls, SalesCalls):
    """:meth:`iter_pages` and :meth:`iter_records` over the paged list calls."""

    def _paged(self, function: str) -> Callable[..., Awaitable[RecordList[Any]]] | None:
        paged: dict[str, Callable[..., Awaitable[RecordList[Any]]]] = {
            "get-contacts": self.get_contacts,
            "get-groups": self.get_groups,
            "get-activities": self.get_activities,
            "get-activities-for-group": self.get_activities_for_group,
            "get-sales": self.get_sales,
        }
        return paged.get(function) or paged.get(function.replace("_", "-"))

    async def iter_pages(
        self,
        function: str,
        *,
        page_size: int = 200,
        start_after: int = 0,
        **parameters: Any,
    ) -> AsyncIterator[RecordList[Any]]:
        """Pages of a paged list function (``get-contacts``, ``get-groups``,
        ``get-activities``, ``get-activities-for-group`` with ``group_id=``, ``get-sales``),
        from ``start_after`` until the list's end. Extra keywords go to the method."""
        method = self._paged(function)
        if method is None:
            raise ValueError(f"{function!r} is not a paged list function")
        offset = start_after
        while True:
            page: RecordList[Any] = await method(
                start_after=offset, page_size=page_size, **parameters
            )
            if not page.items:
                return
            yield page
            advanced = offset + len(page.items)
            if advanced >= page.total or advanced <= offset:
                return
            offset = advanced

    async def iter_records(
        self, function: str, *, page_size: int = 200, start_after: int = 0, **parameters: Any
    ) -> AsyncIterator[Any]:
        """The records of :meth:`iter_pages`, one by one."""
        async for page in self.iter_pages(
            function, page_size=page_size, start_after=start_after, **parameters
        ):
            for item in page.items:
                yield item
