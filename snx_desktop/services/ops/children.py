"""Write kinds that add a child record to a contact or a group: notes and sales (documents
are in ``documents.py``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from snx_desktop.api.values import as_text
from snx_desktop.store.outbox import Op

from .. import lookalikes as look
from ..conflicts import norm, same
from ..types import ID_KEY, Change, WriteRefused, is_temp_id, new_temp_id
from .base import Entry, OpKind, Progress, Sent, describe_fields, known_children
from .base import now_local as now_local

log = logging.getLogger(__name__)


# ================================================================== notes
def _note_parent(p: Mapping[str, Any]) -> tuple[str, str]:
    if p.get("contact-id"):
        return ("contact", p["contact-id"])
    return ("group", p["group-id"])


class CreateNote(OpKind):
    """A note on a contact (``create-note``); `CreateNoteForGroup` is the same on a group."""

    function = "create-note"

    def entry(
        self, kind: str, pid: str, details: str, ntype: str, user_id: str | None, origin: object
    ) -> Entry:
        ctx = self.ctx
        pid = ctx.resolve(pid)
        if not details.strip():
            raise WriteRefused("A note needs some text.")
        if ntype not in ("1", "2", "3", "4", "5"):
            raise WriteRefused("Unknown note type.")
        tmp = new_temp_id()
        known = known_children(
            ctx.cache, (kind, pid), "note", lambda r: norm(r.get("details")) == norm(details)
        )
        params: dict[str, Any] = {
            "note-id": tmp,
            f"{kind}-id": pid,
            "details": details,
            "type": ntype,
            "known": known,
        }
        if user_id:
            params["user-id"] = user_id
        short = details.strip().splitlines()[0][:60]
        return Entry(
            self.function,
            params,
            f"Note on {kind} {ctx.label(kind, pid)}: {short}",
            Change("note", "created", (tmp,), parent=(kind, pid), origin=origin),
            target=(kind, pid),
            temp_ids=[tmp],
        )

    def parent(self, op: Op) -> tuple[str, str] | None:
        return _note_parent(op.params)

    def apply(self, p: Mapping[str, Any]) -> None:
        kind, pid = _note_parent(p)
        tmp = p["note-id"]
        rec = {
            "note-id": tmp,
            ID_KEY: tmp,
            "contact-id": p.get("contact-id", ""),
            "group-id": p.get("group-id", ""),
            "user-id": p.get("user-id") or self.ctx.me if self.ctx.schema_service.current else "",
            "type": str(p.get("type", "1")),
            "details": p["details"],
            "created-date": p.get("created-date", now_local()),
        }
        self.ctx.cache.add_child(kind, pid, "note", tmp, rec, first=True)

    def revert(self, op: Op) -> list[Change]:
        kind, pid = _note_parent(op.params)
        tmp = op.params["note-id"]
        if is_temp_id(tmp):
            self.ctx.cache.remove_child(kind, pid, "note", tmp)
            self.ctx.cache.delete_records("note", [tmp])
        return [Change("note", "deleted", (tmp,), parent=(kind, pid), op_id=op.op_id)]

    async def send(self, op: Op, progress: Progress | None = None) -> Sent:
        p = op.params
        res = await self.ctx.client.create_note(
            details=p["details"],
            contact_id=p["contact-id"],
            user_id=p.get("user-id") or None,
            type=p.get("type") or None,
        )
        return self.created_child(op, "note", "note-id", res.id)

    async def reconcile(self, op: Op) -> Sent | None:
        p = op.params
        kind, pid = _note_parent(p)
        client = self.ctx.client
        if kind == "contact":
            res = await client.get_notes_for_contact(pid)
        else:
            res = await client.get_notes_for_group(pid)
        skip = self.ctx.skipped(op, "note")
        author = self._author(p)
        for n in res.items:
            if n.note_id in skip:
                continue
            if author and n.user_id and n.user_id.lower() != author:
                continue  # someone else's note, however alike
            if same(n.details, p["details"]) and (not p.get("type") or same(n.type, p["type"])):
                return self.created_child(op, "note", "note-id", n.note_id)
        return None

    def _author(self, p: Mapping[str, Any]) -> str:
        """Who a new note belongs to: the user it names, else the signed-in user (a note sent
        without a user belongs to the session's user); "" when not known."""
        return str(p.get("user-id") or self.ctx.me or "").lower()


class CreateNoteForGroup(CreateNote):
    function = "create-note-for-group"

    async def send(self, op: Op, progress: Progress | None = None) -> Sent:
        p = op.params
        res = await self.ctx.client.create_note_for_group(
            details=p["details"],
            group_id=p["group-id"],
            user_id=p.get("user-id") or None,
            type=p.get("type") or None,
        )
        return self.created_child(op, "note", "note-id", res.id)


# ================================================================== sales
class CreateSalesOpp(OpKind):
    function = "create-sales-opp"
    looks_first = True

    def entry(self, fields: Mapping[str, Any], origin: object) -> Entry:
        ctx = self.ctx
        values = {str(k): as_text(v) for k, v in fields.items()}
        ctx.check_writable("Sales", values)
        schema = ctx.schema_service.current
        cfid = schema.role("Sales", "contact-id") if schema else None
        if cfid and values.get(cfid):
            values[cfid] = ctx.resolve(values[cfid])
        tmp = new_temp_id()
        cid = values.get(cfid, "") if cfid else ""
        parent = ("contact", cid) if cid else None
        # the cached sales its look-up would list (the contact's, else the group's)
        listed = look.sale_parent(schema, values) if schema else None
        known = (
            known_children(
                ctx.cache,
                listed,
                "sale",
                lambda r: all(norm(r.get(k)) == norm(v) for k, v in values.items()),
            )
            if listed
            else []
        )
        return Entry(
            self.function,
            {"sales-id": tmp, "fields": values, look.KNOWN_KEY: known},
            "New sales opportunity: " + describe_fields(schema, "Sales", values),
            Change("sale", "created", (tmp,), tuple(values), parent=parent, origin=origin),
            target=("sale", tmp),
            temp_ids=[tmp],
        )

    def parent(self, op: Op) -> tuple[str, str] | None:
        fid = self.ctx.schema.role("Sales", "contact-id")
        cid = op.params["fields"].get(fid, "") if fid else ""
        return ("contact", cid) if cid else None

    def apply(self, p: Mapping[str, Any]) -> None:
        cache, schema = self.ctx.cache, self.ctx.schema
        tmp = p["sales-id"]
        rec = {**p["fields"], ID_KEY: tmp}
        cache.put_record("sale", tmp, rec)
        cfid = schema.role("Sales", "contact-id")
        gfid = schema.role("Sales", "group-id")
        if cfid and p["fields"].get(cfid):
            cache.add_child("contact", p["fields"][cfid], "sale", tmp, rec)
        if gfid and p["fields"].get(gfid):
            cache.add_child("group", p["fields"][gfid], "sale", tmp, rec)

    def revert(self, op: Op) -> list[Change]:
        tmp = op.params["sales-id"]
        if is_temp_id(tmp):
            self.ctx.cache.delete_records("sale", [tmp])
        return [Change("sale", "deleted", (tmp,), parent=self.parent(op), op_id=op.op_id)]

    async def look_before_send(self, op: Op) -> list[str] | None:
        sales = await look.sale_candidates(self.ctx.client, self.ctx.schema, op.params["fields"])
        return [s.sales_id for s in sales]

    async def send(self, op: Op, progress: Progress | None = None) -> Sent:
        res = await self.ctx.client.create_sales_opp(sales_field_data=op.params["fields"])
        return self.created_child(op, "sale", "sales-id", res.id)

    async def reconcile(self, op: Op) -> Sent | None:
        fields: dict[str, str] = op.params["fields"]
        skip = self.ctx.skipped(op, "sale")
        for s in await look.sale_candidates(self.ctx.client, self.ctx.schema, fields):
            if s.sales_id in skip:
                continue
            if all(same(s.field_data.get(k, ""), v) for k, v in fields.items()):
                return self.created_child(op, "sale", "sales-id", s.sales_id)
        return None
