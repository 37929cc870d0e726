"""The op table: every write function the queue journals, and the class that handles it.

`OP_TABLE` is written out here, in one place; `Catalogue` builds one instance of each class
for a client, a store and a schema, and is what the queue and the replay dispatch through.
"""

from __future__ import annotations

from typing import Any, TypeVar

from snx_desktop.store.outbox import Op

from ..lazyclient import ClientSource
from ..schema import SchemaService
from ..types import Change
from .activities import CompleteActivity, CreateActivity, CreateActivityForGroup, UpdateActivity
from .base import OpContext, OpKind, OpRefused, Progress, Sent
from .children import CreateNote, CreateNoteForGroup, CreateSalesOpp
from .documents import AddDocToContact
from .records import (
    AddContactsToGroup,
    AddToCampaign,
    CreateContact,
    CreateGroup,
    DeleteContacts,
    DeleteGroups,
    ImportContacts,
    UpdateContact,
    UpdateGroup,
)

OP_TABLE: dict[str, type[OpKind]] = {
    "create-contact": CreateContact,
    "update-contact": UpdateContact,
    "delete-contacts": DeleteContacts,
    "import-contacts": ImportContacts,
    "create-group": CreateGroup,
    "update-group": UpdateGroup,
    "delete-groups": DeleteGroups,
    "add-contacts-to-group": AddContactsToGroup,
    "add-to-campaign": AddToCampaign,
    "create-note": CreateNote,
    "create-note-for-group": CreateNoteForGroup,
    "create-activity": CreateActivity,
    "create-activity-for-group": CreateActivityForGroup,
    "update-activity": UpdateActivity,
    "complete-activity": CompleteActivity,
    "create-sales-opp": CreateSalesOpp,
    "add-doc-to-contact": AddDocToContact,
}
"""Wire function → the class that applies, sends, reconciles and reverts it."""

K = TypeVar("K", bound=OpKind)


class Catalogue:
    """One handler per write kind, bound to the client, the store and the schema."""

    def __init__(self, client: ClientSource, store: Any, schema: SchemaService) -> None:
        self.ctx = OpContext(client, store, schema)
        self._kinds: dict[str, OpKind] = {name: cls(self.ctx) for name, cls in OP_TABLE.items()}

    def kind(self, cls: type[K]) -> K:
        """The handler of one kind, typed (for journaling a write of that kind)."""
        handler = self._kinds[cls.function]
        assert isinstance(handler, cls)
        return handler

    def handler(self, op: Op) -> OpKind:
        """The handler of ``op``'s function; refused when the table does not know it (an op
        journaled by a newer version)."""
        handler = self._kinds.get(op.function)
        if handler is None:
            raise OpRefused(f"This kind of change cannot be sent: {op.function}.", "UNKNOWN_OP")
        return handler

    # ------------------------------------------------------------------ the four steps
    def apply(self, op: Op) -> None:
        handler = self._kinds.get(op.function)
        if handler is not None:
            handler.apply(op.params)

    def revert(self, op: Op) -> list[Change]:
        handler = self._kinds.get(op.function)
        return handler.revert(op) if handler is not None else []

    async def send(self, op: Op, progress: Progress | None = None) -> Sent:
        return await self.handler(op).send(op, progress)

    async def reconcile(self, op: Op) -> Sent | None:
        return await self.handler(op).reconcile(op)

    async def set_aside(self, op: Op) -> None:
        """``op`` waits after an attempt: let its kind keep what it needs for later."""
        handler = self._kinds.get(op.function)
        if handler is not None:
            await handler.set_aside(op)

    def looks_before_send(self, op: Op) -> bool:
        """The op is a create whose look-up read must run before its first send."""
        handler = self._kinds.get(op.function)
        return handler is not None and handler.looks_first

    async def look_before_send(self, op: Op) -> list[str] | None:
        """The ids the op's look-up finds on the server now, before the op is first sent
        (None: nothing to look up). Raises `OpRefused` when the op cannot be sent as it stands
        (a group of that name exists already)."""
        return await self.handler(op).look_before_send(op)

    def parent_of(self, op: Op) -> tuple[str, str] | None:
        handler = self._kinds.get(op.function)
        return handler.parent(op) if handler is not None else None

    def reapplies(self, op: Op) -> bool:
        """The op is applied again to records a refresh overwrote while it waits."""
        handler = self._kinds.get(op.function)
        return handler is not None and handler.reapplies
