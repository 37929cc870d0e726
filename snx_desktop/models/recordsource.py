"""A page source over records already at hand (no network): the sales behind a bar of the
Home page's pipeline chart, shown in the sales list page by page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from snx_desktop.models.pages import Page

__all__ = ["RecordsSource"]


class RecordsSource:
    """Pages of ``records`` in their order; every page comes from memory at once."""

    def __init__(self, records: Sequence[Mapping[str, str]], page_size: int = 100) -> None:
        self.records = [dict(r) for r in records]
        self._page_size = page_size

    @property
    def page_size(self) -> int:
        return self._page_size

    def cached_page(self, index: int) -> Page | None:
        start = index * self._page_size
        if start and start >= len(self.records):
            return None
        chunk = self.records[start : start + self._page_size]
        return Page(index, chunk, len(self.records), None, from_cache=True)

    async def fetch_page(self, index: int) -> Page:
        page = self.cached_page(index)
        return page if page is not None else Page(index, [], len(self.records), None, True)
