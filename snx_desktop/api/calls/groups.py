"""The group calls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .. import _wire
from ..results import (
    AddResult,
    Contact,
    DeleteResult,
    Group,
    RecordList,
    UpdateResult,
)
from .base import CallsBase, id_list, lister


class GroupCalls(CallsBase):
    """The group calls."""

    async def get_groups(
        self,
        *,
        filter_value: str | None = None,
        start_after: int | str | None = None,
        page_size: int | str | None = None,
    ) -> RecordList[Group]:
        return await self._call(
            "get-groups",
            _wire.params(filter_value=filter_value, start_after=start_after, page_size=page_size),
            lister("group", Group.parse, start_after),
        )

    async def get_group_info(self, group_id: str) -> Group:
        return await self._call("get-group-info", _wire.params(group_id=group_id), Group.parse_info)

    async def update_group(
        self,
        *,
        match_by_field_data: Mapping[Any, Any],
        group_field_data: Mapping[Any, Any],
        create_if_not_updated: bool | None = None,
    ) -> UpdateResult:
        return await self._call(
            "update-group",
            _wire.params(
                match_by_field_data=match_by_field_data,
                create_if_not_updated=create_if_not_updated,
                group_field_data=group_field_data,
            ),
            UpdateResult.parser("group-ids"),
        )

    async def delete_groups(self, group_ids_to_delete: Sequence[str]) -> DeleteResult:
        return await self._call(
            "delete-groups",
            _wire.params(group_ids_to_delete=id_list(group_ids_to_delete)),
            DeleteResult.parse,
        )

    async def get_contacts_for_group(self, group_id: str) -> RecordList[Contact]:
        return await self._call(
            "get-contacts-for-group",
            _wire.params(group_id=group_id),
            lister("contact", Contact.parse),
        )

    async def add_contacts_to_group(self, group_id: str, contact_ids: Sequence[str]) -> AddResult:
        return await self._call(
            "add-contacts-to-group",
            _wire.params(group_id=group_id, contact_ids=id_list(contact_ids)),
            AddResult.parse,
        )
