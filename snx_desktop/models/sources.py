"""Page sources over the services' browse use-case, and schema conversion for the models.

:class:`BrowseSource` turns ``browse.cached_page``/``browse.fetch_page`` (offsets) into the
page-index protocol of :class:`~snx_desktop.models.paging.PagedTableModel`. With a search
text on contacts or groups, the cached page comes from the local full-text index (matches
appear at once) and the server's matches replace it when they arrive.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, TypeGuard

from snx_desktop.models.paging import Page
from snx_desktop.models.schema import FieldDef, LayoutDef, Lookups, field_from

if TYPE_CHECKING:
    from snx_desktop.services import Page as ServicePage
    from snx_desktop.services.browse import BrowseService
    from snx_desktop.services.schema import Schema
    from snx_desktop.services.types import Kind

__all__ = [
    "BrowseSource",
    "SchemaView",
    "is_list_kind",
    "lookups_from_schema",
    "schema_fields",
    "schema_layouts",
]

log = logging.getLogger(__name__)

_SEARCHABLE = ("contact", "group")
_LIST_KINDS = ("contact", "group", "activity", "sale", "campaign")


def is_list_kind(kind: str) -> TypeGuard[Kind]:
    """Whether ``kind`` names one of the services' record lists."""
    return kind in _LIST_KINDS


class BrowseSource:
    """A page source for one list (``kind``) and one filter text."""

    def __init__(
        self, browse: BrowseService, kind: str, text: str = "", page_size: int = 100
    ) -> None:
        if not is_list_kind(kind):
            raise ValueError(f"no record list of {kind!r}")
        self._browse = browse
        self.kind: Kind = kind
        self.text = text.strip()
        self._page_size = page_size

    @property
    def page_size(self) -> int:
        return self._page_size

    def _convert(self, index: int, page: ServicePage) -> Page:
        return Page(
            index=index,
            records=list(page.records),
            total=int(page.total),
            fetched_at=page.fetched_at,
            from_cache=bool(page.from_cache),
        )

    def cached_page(self, index: int) -> Page | None:
        start = index * self._page_size
        page = self._browse.cached_page(self.kind, self.text, start, self._page_size)
        if page is not None and page.records:
            return self._convert(index, page)
        if self.text and self.kind in _SEARCHABLE:
            found = self._browse.search_local(
                self.kind, self.text, limit=self._page_size, offset=start
            )
            if found.records:
                return Page(
                    index, list(found.records), found.total, found.fetched_at, from_cache=True
                )
        return None

    async def fetch_page(self, index: int) -> Page:
        start = index * self._page_size
        page = await self._browse.fetch_page(
            self.kind, self.text, start, self._page_size, shown=True
        )
        return self._convert(index, page)


def schema_fields(schema: Schema | None) -> list[FieldDef]:
    if schema is None:
        return []
    return [field_from(f) for f in schema.fields.values()]


def schema_layouts(schema: Schema | None) -> list[LayoutDef]:
    """The services' schema keeps one default layout per table: table -> field ids."""
    if schema is None:
        return []
    return [
        LayoutDef(table, "Default", table, True, tuple(map(str, ids)))
        for table, ids in schema.layouts.items()
    ]


def lookups_from_schema(schema: Schema | None, lookups: Lookups | None = None) -> Lookups:
    out = lookups or Lookups()
    for user in schema.users if schema is not None else ():
        uid = str(user.get("user-id", "")).lower()
        if uid:
            out.users[uid] = str(user.get("name", "") or user.get("email-address", ""))
    return out


class SchemaView:
    """The schema as the GUI reads it: field definitions, default layouts and roles."""

    def __init__(self, schema: Schema | None = None) -> None:
        self.raw = schema
        self.fields = schema_fields(schema)
        self.layouts = schema_layouts(schema)
        self.me: str = (schema.me or "") if schema is not None else ""

    def role(self, table: str, role: str) -> str | None:
        for f in self.fields:
            if f.table.lower() == table.lower() and f.role == role:
                return f.id
        return None

    def layout_fields(self, table: str) -> list[FieldDef]:
        by_id = {f.id: f for f in self.fields if f.table.lower() == table.lower()}
        for lay in self.layouts:
            if lay.table.lower() == table.lower() and lay.is_default:
                return [by_id[i] for i in lay.field_ids if i in by_id]
        return list(by_id.values())

    def label(self, field_id: str) -> str:
        for f in self.fields:
            if f.id == field_id:
                return f.label
        return field_id

    def display_name(self, table: str, record: Mapping[str, object]) -> str:
        """A person's or group's name from its record, by field roles."""
        name_id = self.role(table, "name")
        name = str(record.get(name_id, "") or "").strip() if name_id else ""
        if not name:
            first = self.role(table, "first-name")
            last = self.role(table, "last-name")
            parts = [str(record.get(fid, "") or "").strip() for fid in (first, last) if fid]
            name = " ".join(p for p in parts if p)
        if not name:
            company = self.role(table, "company")
            name = str(record.get(company, "") or "").strip() if company else ""
        return name
