"""Session-free calls and the account's catalogues: fields, layouts, users."""

from __future__ import annotations

from .. import _wire
from ..results import (
    Echo,
    FieldDef,
    Greeting,
    Layout,
    RecordList,
    User,
)
from .base import CallsBase, lister


class AccountCalls(CallsBase):
    """Session-free calls and the account's catalogues: fields, layouts, users."""

    async def greet(self) -> Greeting:
        return await self._call("greet", {}, Greeting.parse)

    async def echo(self, data: str) -> Echo:
        return await self._call("echo", _wire.params(data=data), Echo.parse)

    async def get_all_fields(self) -> RecordList[FieldDef]:
        return await self._call("get-all-fields", {}, lister("field", FieldDef.parse))

    async def get_user_layouts(self) -> RecordList[Layout]:
        return await self._call("get-user-layouts", {}, lister("layout", Layout.parse))

    async def get_users(self) -> RecordList[User]:
        return await self._call("get-users", {}, lister("user", User.parse))
