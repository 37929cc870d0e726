"""The contact calls."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .. import _wire
from ..results import (
    Contact,
    Created,
    DeleteResult,
    ImportResult,
    RecordList,
    UpdateResult,
)
from .base import CallsBase, id_list, import_row, lister


class ContactCalls(CallsBase):
    """The contact calls."""

    async def create_contact(self, *, contact_field_data: Mapping[Any, Any]) -> Created:
        return await self._call(
            "create-contact",
            _wire.params(contact_field_data=contact_field_data),
            Created.parser("contact-id"),
        )

    async def get_contacts(
        self,
        *,
        filter_value: str | None = None,
        start_after: int | str | None = None,
        page_size: int | str | None = None,
    ) -> RecordList[Contact]:
        return await self._call(
            "get-contacts",
            _wire.params(filter_value=filter_value, start_after=start_after, page_size=page_size),
            lister("contact", Contact.parse, start_after),
        )

    async def get_contact_info(self, contact_id: str) -> Contact:
        return await self._call(
            "get-contact-info", _wire.params(contact_id=contact_id), Contact.parse_info
        )

    async def update_contact(
        self,
        *,
        match_by_field_data: Mapping[Any, Any],
        contact_field_data: Mapping[Any, Any],
        create_if_not_updated: bool | None = None,
    ) -> UpdateResult:
        return await self._call(
            "update-contact",
            _wire.params(
                match_by_field_data=match_by_field_data,
                create_if_not_updated=create_if_not_updated,
                contact_field_data=contact_field_data,
            ),
            UpdateResult.parser("contact-ids"),
        )

    async def delete_contacts(self, contact_ids_to_delete: Sequence[str]) -> DeleteResult:
        return await self._call(
            "delete-contacts",
            _wire.params(contact_ids_to_delete=id_list(contact_ids_to_delete)),
            DeleteResult.parse,
        )

    async def import_contacts(
        self,
        contacts: Sequence[Mapping[Any, Any]],
        *,
        create_if_not_updated: bool | None = None,
        match_nulls: bool | None = None,
    ) -> ImportResult:
        rows = [import_row(row) for row in contacts]
        encoded = json.dumps(rows, ensure_ascii=False)
        return await self._call(
            "import-contacts",
            _wire.params(
                contacts=encoded,
                create_if_not_updated=create_if_not_updated,
                match_nulls=match_nulls,
            ),
            ImportResult.parse,
        )
