"""The sales-opportunity calls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import _wire
from ..results import (
    Created,
    RecordList,
    SalesOpp,
)
from .base import CallsBase, lister


class SalesCalls(CallsBase):
    """The sales-opportunity calls."""

    async def get_sales(
        self,
        *,
        filter_value: str | None = None,
        start_after: int | str | None = None,
        page_size: int | str | None = None,
    ) -> RecordList[SalesOpp]:
        return await self._call(
            "get-sales",
            _wire.params(start_after=start_after, page_size=page_size, filter_value=filter_value),
            lister("sales", SalesOpp.parse, start_after),
        )

    async def create_sales_opp(self, *, sales_field_data: Mapping[Any, Any]) -> Created:
        return await self._call(
            "create-sales-opp",
            _wire.params(sales_field_data=sales_field_data),
            Created.parser("sales-id"),
        )

    async def get_sales_for_contact(self, contact_id: str) -> RecordList[SalesOpp]:
        return await self._call(
            "get-sales-for-contact",
            _wire.params(contact_id=contact_id),
            lister("sales", SalesOpp.parse),
        )

    async def get_sales_for_group(self, group_id: str) -> RecordList[SalesOpp]:
        return await self._call(
            "get-sales-for-group", _wire.params(group_id=group_id), lister("sales", SalesOpp.parse)
        )
