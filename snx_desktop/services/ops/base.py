"""What every write kind shares: the op's context, its answer, and the helpers around claims.

`OpKind` is the base of the per-kind classes (one per write function the queue journals). Each
kind has four steps, and a fifth for the creates whose look-up could take someone else's record:

* ``apply``: its optimistic effect on the cache (run when it is queued, and again after a
  refresh from the server overwrote the record while the op still waits);
* ``send``: the wire call(s), including a conflict check for updates and the unique-target
  check where no ``record-id`` field exists;
* ``reconcile``: for an op whose outcome is unknown (the answer was lost, or the app stopped
  while sending), a look-up that finds the record the op may already have made, so that nothing
  is made twice; ``None`` (the default) means "not applied: safe to send again". Records that
  matched before the op was first sent are never taken for its own (see ``lookalikes.py``);
* ``revert``: what discarding it undoes in the cache;
* ``look_before_send`` (``looks_first``): the same look-up read, run before the first send
  (its ids are kept in the op);
* ``set_aside``: what an op that has to wait after an attempt keeps for later (an upload
  stages a copy of the rep's file).

`OpContext` holds the client, the store and the schema, and the helpers several kinds use
(claimed ids, labels, the base values an update is checked against).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from snx_desktop.api.values import as_text, format_datetime
from snx_desktop.store.outbox import Op

from .. import lookalikes as look
from ..conflicts import norm
from ..lazyclient import ClientSource, lazy_client
from ..schema import Schema, SchemaService
from ..types import ID_KEY, Change, FieldConflict, WriteRefused, is_temp_id

if TYPE_CHECKING:
    from snx_desktop.api.client import SalesNexusClient

log = logging.getLogger(__name__)

CLAIMED_KEEP = 5000

Progress = Callable[[int, int], object]
"""Bytes of an upload sent so far, and its size."""


class ConflictFound(Exception):
    """The server's values moved since the edit began (carries per-field conflicts)."""

    def __init__(self, conflicts: dict[str, FieldConflict], theirs: Mapping[str, str]):
        super().__init__("conflict")
        self.conflicts = conflicts
        self.theirs = dict(theirs)


class OpRefused(Exception):
    """An op cannot be sent as it stands (a permanent failure decided on our side)."""

    def __init__(self, message: str, code: str = "REFUSED") -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Sent:
    """What the server answered for an op, and what to do once it is marked done."""

    id_map: dict[str, str] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    document_id: str | None = None
    changes: list[Change] = field(default_factory=list)
    # cache updates to run in the same transaction as mark_done (after the remap)
    after: list[Callable[[], None]] = field(default_factory=list)


@dataclass(frozen=True)
class Entry:
    """A write ready to be journaled: what the queue appends to the outbox."""

    function: str
    params: dict[str, Any]
    description: str
    change: Change
    target: tuple[str, str] | None = None
    base: Mapping[str, str] | None = None
    temp_ids: Sequence[str] = ()
    attachment: Path | None = None


def now_local() -> str:
    return format_datetime(datetime.now())


def describe_fields(schema: Schema | None, table: str, fields: Mapping[str, str]) -> str:
    if not fields:
        return ""
    parts = []
    for fid, value in list(fields.items())[:3]:
        label = schema.label(fid) if schema else fid
        parts.append(f"{label}: {value}")
    more = "" if len(fields) <= 3 else f" (+{len(fields) - 3} more)"
    return ", ".join(parts) + more


def known_children(
    cache: Any, parent: tuple[str, str], child: str, match: Callable[[Mapping[str, Any]], bool]
) -> list[str]:
    """The cached children of ``parent`` that ``match`` (real ids only): records that existed
    before a create was journaled, which its look-up must never adopt."""
    got = cache.get_children(parent[0], parent[1], child)
    if got is None:
        return []
    return [cid for cid, rec in got.value if not is_temp_id(cid) and match(rec)]


class OpContext:
    """The client, the store and the schema the op kinds work with, and their shared helpers."""

    def __init__(self, client: ClientSource, store: Any, schema: SchemaService) -> None:
        self._clients = lazy_client(client)
        self.store = store
        self.schema_service = schema

    @property
    def client(self) -> SalesNexusClient:
        """The account's wire client (made on first use: an offline session makes none)."""
        return self._clients.get()

    @property
    def cache(self) -> Any:
        return self.store.cache

    @property
    def schema(self) -> Schema:
        return self.schema_service.require()

    @property
    def me(self) -> str:
        """The signed-in user's id ("" when not known)."""
        current = self.schema_service.current
        return (current.me or "") if current else ""

    # ------------------------------------------------------------------ claimed ids
    def claimed(self, kind: str) -> set[str]:
        got = self.cache.get_catalog(f"claimed:{kind}")
        return set(got.value) if got else set()

    def claim(self, kind: str, real_id: str) -> Callable[[], None]:
        def run() -> None:
            got = self.cache.get_catalog(f"claimed:{kind}")
            ids = list(got.value) if got else []
            ids.append(real_id)
            self.cache.put_catalog(f"claimed:{kind}", ids[-CLAIMED_KEEP:])

        return run

    def skipped(self, op: Op, kind: str) -> set[str]:
        """What a look-up for ``op`` must not adopt: records our own creates made, and those
        that matched before ``op`` was first sent."""
        # An op journaled and first sent by an older version stored no ids from before its
        # first send: it keeps the older behaviour and skips only what our own creates made
        # (and, for notes, activities, sales and documents, what the cache knew then).
        return self.claimed(kind) | look.skipped(op.params)

    def rid_field(self, table: str) -> str | None:
        return self.schema.role(table, "record-id")

    def in_list(self, kind: str, rid: str) -> bool:
        info = self.cache.list_info(kind, "")
        if info is None:
            return True  # no list to insert into
        page = self.cache.get_list_page(kind, "", 0, 1)
        return bool(page and page.ids and page.ids[0] == rid)

    # ------------------------------------------------------------------ journaling helpers
    def resolve(self, rid: str) -> str:
        """The id a record has now (a temporary id whose create landed has a real one)."""
        return str(self.cache.resolve_id(rid))

    def base(self, kind: str, rid: str, fields: Sequence[str]) -> dict[str, str]:
        """The cached values an update of ``fields`` is checked against when it is sent."""
        cached = self.cache.get_record(kind, rid)
        if cached is None or is_temp_id(rid):
            return {}
        return {f: as_text(cached.value.get(f, "")) for f in fields}

    def label(self, kind: str, rid: str) -> str:
        """A short name for a record, for an op's description."""
        cached = self.cache.get_record(kind, rid)
        schema = self.schema_service.current
        if cached is not None and schema is not None:
            table = {"contact": "Contact", "group": "Group"}.get(kind, "")
            for role in ("name", "company", "email"):
                fid = schema.role(table, role)
                if fid and norm(cached.value.get(fid)):
                    return norm(cached.value.get(fid))
            if kind == "activity":
                return norm(cached.value.get("regarding")) or "activity"
        return kind

    def check_writable(self, table: str, fields: Mapping[str, str]) -> None:
        schema = self.schema_service.current
        if schema is None:
            return
        for fid in fields:
            info = schema.fields.get(fid)
            if info is None:
                raise WriteRefused(f"Unknown field {fid}.")
            if info.table != table:
                raise WriteRefused(f"Field {info.label} does not belong to {table}.")
            if info.read_only:
                raise WriteRefused(f"The field {info.label} cannot be changed.")


class OpKind:
    """One write kind: its four steps. Subclasses name their wire ``function``."""

    function: ClassVar[str] = ""
    #: a create whose look-up read must run before its first send
    looks_first: ClassVar[bool] = False
    #: applied again to records a refresh just overwrote while the op waits
    reapplies: ClassVar[bool] = True

    def __init__(self, ctx: OpContext) -> None:
        self.ctx = ctx

    def apply(self, p: Mapping[str, Any]) -> None:
        """The op's optimistic effect on the cache (none by default)."""
        return None

    def revert(self, op: Op) -> list[Change]:
        """Undo the op's effect on the cache when it is discarded (nothing by default)."""
        return []

    async def send(self, op: Op, progress: Progress | None = None) -> Sent:
        raise NotImplementedError

    async def reconcile(self, op: Op) -> Sent | None:
        """Find what the op may already have done; None: not applied, safe to send again."""
        return None

    async def look_before_send(self, op: Op) -> list[str] | None:
        """The ids the op's look-up finds on the server now, before its first send."""
        return None

    async def set_aside(self, op: Op) -> None:
        """The op could not be sent now and waits: keep what it needs to be sent later
        (nothing by default; an upload stages a copy of its file)."""
        return None

    def parent(self, op: Op) -> tuple[str, str] | None:
        """The record whose list of children shows what the op makes, if any."""
        return None

    def created_child(self, op: Op, child: str, key: str, real: str) -> Sent:
        """The answer for a landed create of a child record: temporary id → ``real``."""
        tmp = op.params[key]
        parent = self.parent(op)
        cache = self.ctx.cache

        def fix() -> None:
            cache.put_record(child, real, {ID_KEY: real, key: real}, merge=True)

        return Sent(
            id_map={tmp: real},
            result={key: real},
            changes=[
                Change(child, "remapped", (tmp,), id_map={tmp: real}, parent=parent, op_id=op.op_id)
            ],
            after=[fix, self.ctx.claim(child, real)],
        )
