"""The note calls, of contacts and of groups."""

from __future__ import annotations

from .. import _wire
from ..results import (
    Created,
    Note,
    RecordList,
)
from .base import CallsBase, lister


class NoteCalls(CallsBase):
    """The note calls, of contacts and of groups."""

    async def get_notes_for_contact(self, contact_id: str) -> RecordList[Note]:
        return await self._call(
            "get-notes-for-contact",
            _wire.params(contact_id=contact_id),
            lister("note", Note.parse),
        )

    async def create_note(
        self,
        *,
        details: str,
        contact_id: str,
        user_id: str | None = None,
        type: int | str | None = None,
    ) -> Created:
        return await self._call(
            "create-note",
            _wire.params(details=details, contact_id=contact_id, user_id=user_id, type=type),
            Created.parser("note-id"),
        )

    async def get_notes_for_group(self, group_id: str) -> RecordList[Note]:
        return await self._call(
            "get-notes-for-group", _wire.params(group_id=group_id), lister("note", Note.parse)
        )

    async def create_note_for_group(
        self,
        *,
        details: str,
        group_id: str,
        user_id: str | None = None,
        type: int | str | None = None,
    ) -> Created:
        return await self._call(
            "create-note-for-group",
            _wire.params(details=details, group_id=group_id, user_id=user_id, type=type),
            Created.parser("note-id"),
        )
