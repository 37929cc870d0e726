"""The catalogue of queued writes: how each one shows locally, is sent, and is reconciled.

Every write the API offers is one op name (mostly the API function's name). For each there is

* ``apply``: its optimistic effect on the cache (run when it is queued, and again after a
  refresh from the server overwrote the record while the op still waits);
* ``send``: the wire call(s), including a conflict check for updates and the unique-target
  check where no ``record-id`` field exists;
* ``reconcile``: for an op whose outcome is unknown (the answer was lost, or the app stopped
  while sending), a look-up that finds the record the op may already have made, so that
  nothing is made twice; ``None`` means "not applied, send it";
* ``revert``: what discarding it undoes in the cache.

Op parameters are our own (journaled as JSON, temporary ids inside them are remapped by the
store); the wire parameters are built only when the op is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from snx_desktop.api.errors import NotFoundError
from snx_desktop.api.values import as_bool, parse_datetime
from snx_desktop.store.outbox import Op

from . import _wire
from .conflicts import already_applied, find_conflicts, norm, same
from .lazyclient import ClientSource, lazy_client
from .schema import Schema, SchemaService
from .types import ID_KEY, Change, FieldConflict, is_temp_id

if TYPE_CHECKING:
    from snx_desktop.api.client import SalesNexusClient

log = logging.getLogger(__name__)

ACTIVITY_KEYS = (
    "schedule-with",
    "schedule-for",
    "regarding",
    "details",
    "color",
    "start-time",
    "end-time",
    "type",
    "timeless",
)
CLAIMED_KEEP = 5000
LOOKUP_PAGE = 200


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


def now_local() -> str:
    return datetime.now().strftime("%Y-%m-%dT%H:%M:%S")


def describe_fields(schema: Schema | None, table: str, fields: Mapping[str, str]) -> str:
    if not fields:
        return ""
    parts = []
    for fid, value in list(fields.items())[:3]:
        label = schema.label(fid) if schema else fid
        parts.append(f"{label}: {value}")
    more = "" if len(fields) <= 3 else f" (+{len(fields) - 3} more)"
    return ", ".join(parts) + more


class Operations:
    """Per-op behaviour, bound to the client, the store and the schema."""

    def __init__(self, client: ClientSource, store: Any, schema: SchemaService) -> None:
        self._clients = lazy_client(client)
        self.store = store
        self.schema_service = schema

    @property
    def client(self) -> SalesNexusClient:
        return self._clients.get()

    @property
    def cache(self) -> Any:
        return self.store.cache

    @property
    def schema(self) -> Schema:
        return self.schema_service.require()

    # ------------------------------------------------------------------ claimed ids
    def claimed(self, kind: str) -> set[str]:
        got = self.cache.get_catalog(f"claimed:{kind}")
        return set(got.value) if got else set()

    def _claim(self, kind: str, real_id: str) -> Callable[[], None]:
        def run() -> None:
            got = self.cache.get_catalog(f"claimed:{kind}")
            ids = list(got.value) if got else []
            ids.append(real_id)
            self.cache.put_catalog(f"claimed:{kind}", ids[-CLAIMED_KEEP:])

        return run

    # ------------------------------------------------------------------ dispatch
    def apply(self, op: Op) -> None:
        fn = getattr(self, "apply_" + op.function.replace("-", "_"), None)
        if fn is not None:
            fn(op.params)

    def revert(self, op: Op) -> list[Change]:
        fn = getattr(self, "revert_" + op.function.replace("-", "_"), None)
        if fn is not None:
            out: list[Change] = fn(op)
            return out
        return []

    async def send(self, op: Op, progress: Callable[[int, int], object] | None = None) -> Sent:
        fn = getattr(self, "send_" + op.function.replace("-", "_"))
        if op.function == "add-doc-to-contact":
            return await fn(op, progress)
        return await fn(op)

    async def reconcile(self, op: Op) -> Sent | None:
        fn = getattr(self, "reconcile_" + op.function.replace("-", "_"), None)
        if fn is None:
            return None  # idempotent: simply send again
        return await fn(op)

    # ================================================================== contacts
    def _rid_field(self, table: str) -> str | None:
        return self.schema.role(table, "record-id")

    def apply_create_contact(self, p: Mapping[str, Any]) -> None:
        tmp = p["contact-id"]
        rec = dict(p["fields"])
        rid = self._rid_field("Contact")
        if rid:
            rec[rid] = tmp
        rec[ID_KEY] = tmp
        self.cache.put_record("contact", tmp, rec)
        if self.cache.get_record("contact", tmp) is not None and not self._in_list("contact", tmp):
            self.cache.list_insert("contact", "", 0, tmp)

    def _in_list(self, kind: str, rid: str) -> bool:
        info = self.cache.list_info(kind, "")
        if info is None:
            return True  # no list to insert into
        page = self.cache.get_list_page(kind, "", 0, 1)
        return bool(page and page.ids and page.ids[0] == rid)

    def revert_create_contact(self, op: Op) -> list[Change]:
        tmp = op.params["contact-id"]
        if is_temp_id(tmp):
            self.cache.delete_records("contact", [tmp])
            return [Change("contact", "deleted", (tmp,), op_id=op.op_id)]
        return []

    async def send_create_contact(self, op: Op) -> Sent:
        p = op.params
        res = await self.client.create_contact(contact_field_data=p["fields"])
        return self._created_contact(op, res.id)

    def _created_contact(self, op: Op, real: str) -> Sent:
        tmp = op.params["contact-id"]
        rid = self._rid_field("Contact")

        def fix() -> None:
            extra = {ID_KEY: real}
            if rid:
                extra[rid] = real
            self.cache.put_record("contact", real, extra, merge=True)

        return Sent(
            id_map={tmp: real},
            result={"contact-id": real},
            changes=[Change("contact", "remapped", (tmp,), id_map={tmp: real}, op_id=op.op_id)],
            after=[fix, self._claim("contact", real)],
        )

    async def reconcile_create_contact(self, op: Op) -> Sent | None:
        fields: dict[str, str] = op.params["fields"]
        needle = self._contact_needle(fields)
        if not needle:
            return None
        res = await self.client.get_contacts(filter_value=needle, page_size=LOOKUP_PAGE)
        claimed = self.claimed("contact")
        for c in res.items:
            if c.contact_id in claimed:
                continue
            if all(same(c.field_data.get(k, ""), v) for k, v in fields.items()):
                log.info("create-contact op %s had landed; using %s", op.op_id, c.contact_id)
                return self._created_contact(op, c.contact_id)
        return None

    def _contact_needle(self, fields: Mapping[str, str]) -> str:
        for role in ("email", "name", "company", "last-name", "first-name"):
            fid = self.schema.role("Contact", role)
            if fid and norm(fields.get(fid)):
                return norm(fields.get(fid))
        return ""

    # ------------------------------------------------------------------ updates
    def _apply_update(self, kind: str, rid: str, changes: Mapping[str, str]) -> None:
        self.cache.put_record(kind, rid, {**changes, ID_KEY: rid}, merge=True)

    def apply_update_contact(self, p: Mapping[str, Any]) -> None:
        self._apply_update("contact", p["contact-id"], p["changes"])

    def apply_update_group(self, p: Mapping[str, Any]) -> None:
        self._apply_update("group", p["group-id"], p["changes"])

    def revert_update_contact(self, op: Op) -> list[Change]:
        return self._revert_update("contact", op.params["contact-id"], op)

    def revert_update_group(self, op: Op) -> list[Change]:
        return self._revert_update("group", op.params["group-id"], op)

    def _revert_update(self, kind: str, rid: str, op: Op) -> list[Change]:
        if op.base:
            self.cache.put_record(kind, rid, dict(op.base), merge=True)
        return [Change(kind, "updated", (rid,), tuple(op.base), op_id=op.op_id)]

    async def _current_fields(self, kind: str, rid: str) -> dict[str, str]:
        if kind == "contact":
            return dict((await self.client.get_contact_info(rid)).field_data)
        return dict((await self.client.get_group_info(rid)).field_data)

    async def _check_update(self, kind: str, rid: str, op: Op) -> bool:
        """Conflict check; True when the server already holds every value (nothing to send)."""
        changes: dict[str, str] = op.params["changes"]
        if not op.base:
            return False  # nothing to compare with (e.g. a record created offline)
        theirs = await self._current_fields(kind, rid)
        conflicts = find_conflicts(op.base, theirs, changes)
        if conflicts:
            raise ConflictFound(
                conflicts,
                theirs,
            )
        return already_applied(theirs, changes)

    async def _match_for(self, kind: str, rid: str) -> dict[str, str]:
        """A match that catches exactly record ``rid``: its record-id field, or a checked lookup."""
        table = "Contact" if kind == "contact" else "Group"
        rid_field = self._rid_field(table)
        if rid_field:
            return {rid_field: rid}
        # No record-id field: match on identifying fields, and check the match is unique.
        current = await self._current_fields(kind, rid)
        roles = ("email", "name", "company", "phone") if kind == "contact" else ("name",)
        match: dict[str, str] = {}
        for role in roles:
            fid = self.schema.role(table, role)
            if fid and norm(current.get(fid)):
                match[fid] = current[fid]
        if not match:
            raise OpRefused(f"Cannot target this {kind} safely: it has no identifying values.")
        needle = next(iter(match.values()))
        lister = self.client.get_contacts if kind == "contact" else self.client.get_groups
        res = await lister(filter_value=needle, page_size=LOOKUP_PAGE)
        hits = [
            i for i in res.items if all(same(i.field_data.get(k, ""), v) for k, v in match.items())
        ]
        if len(hits) != 1 or res.total > LOOKUP_PAGE:
            raise OpRefused(
                f"Cannot update this {kind} safely: {len(hits)} records match its values.",
                "AMBIGUOUS_MATCH",
            )
        return match

    async def _send_update(self, kind: str, op: Op) -> Sent:
        rid = op.params[f"{kind}-id"]
        changes: dict[str, str] = op.params["changes"]
        if await self._check_update(kind, rid, op):
            return Sent(
                result={"updated-count": "already"}, changes=self._upd_change(kind, rid, op)
            )
        match = await self._match_for(kind, rid)
        if kind == "contact":
            res = await self.client.update_contact(
                match_by_field_data=match, contact_field_data=changes, create_if_not_updated=False
            )
        else:
            res = await self.client.update_group(
                match_by_field_data=match, group_field_data=changes, create_if_not_updated=False
            )
        if res.updated_count == 0:
            raise NotFoundError(f"The {kind} no longer exists on the server.", code="NOT_FOUND")
        if res.updated_count > 1:
            log.error("update of %s %s touched %d records", kind, rid, res.updated_count)
        return Sent(
            result={"updated-count": res.updated_count}, changes=self._upd_change(kind, rid, op)
        )

    def _upd_change(self, kind: str, rid: str, op: Op) -> list[Change]:
        return [Change(kind, "updated", (rid,), tuple(op.params["changes"]), op_id=op.op_id)]

    async def send_update_contact(self, op: Op) -> Sent:
        return await self._send_update("contact", op)

    async def send_update_group(self, op: Op) -> Sent:
        return await self._send_update("group", op)

    # ------------------------------------------------------------------ deletes
    def apply_delete_contacts(self, p: Mapping[str, Any]) -> None:
        self.cache.delete_records("contact", p["contact-ids"])

    def apply_delete_groups(self, p: Mapping[str, Any]) -> None:
        self.cache.delete_records("group", p["group-ids"])

    def revert_delete_contacts(self, op: Op) -> list[Change]:
        self.cache.clear_lists("contact")
        return [Change("contact", "updated", tuple(op.params["contact-ids"]), op_id=op.op_id)]

    def revert_delete_groups(self, op: Op) -> list[Change]:
        self.cache.clear_lists("group")
        return [Change("group", "updated", tuple(op.params["group-ids"]), op_id=op.op_id)]

    async def _send_delete(self, kind: str, op: Op) -> Sent:
        ids = [i for i in op.params[f"{kind}-ids"] if not is_temp_id(i)]
        change = Change(kind, "deleted", tuple(ids), op_id=op.op_id)
        if not ids:
            return Sent(changes=[change])
        try:
            if kind == "contact":
                res = await self.client.delete_contacts(ids)
            else:
                res = await self.client.delete_groups(ids)
        except NotFoundError:
            return Sent(result={"deleted-count": 0}, changes=[change])
        return Sent(
            result={"deleted-count": res.deleted_count, "not-found": res.not_found},
            changes=[change],
        )

    async def send_delete_contacts(self, op: Op) -> Sent:
        return await self._send_delete("contact", op)

    async def send_delete_groups(self, op: Op) -> Sent:
        return await self._send_delete("group", op)

    # ================================================================== groups
    def apply_create_group(self, p: Mapping[str, Any]) -> None:
        tmp = p["group-id"]
        rec = dict(p["fields"])
        rid = self._rid_field("Group")
        if rid:
            rec[rid] = tmp
        rec[ID_KEY] = tmp
        self.cache.put_record("group", tmp, rec)
        if not self._in_list("group", tmp):
            self.cache.list_insert("group", "", 0, tmp)

    def revert_create_group(self, op: Op) -> list[Change]:
        tmp = op.params["group-id"]
        if is_temp_id(tmp):
            self.cache.delete_records("group", [tmp])
            return [Change("group", "deleted", (tmp,), op_id=op.op_id)]
        return []

    def _group_name(self, fields: Mapping[str, str]) -> tuple[str, str]:
        fid = self.schema.role("Group", "name")
        if not fid or not norm(fields.get(fid)):
            raise OpRefused("A new group needs a name.", "MISSING_NAME")
        return fid, norm(fields[fid])

    async def _groups_named(self, name: str) -> list[Any]:
        fid = self.schema.role("Group", "name")
        res = await self.client.get_groups(filter_value=name, page_size=LOOKUP_PAGE)
        return [g for g in res.items if fid and norm(g.field_data.get(fid)).lower() == name.lower()]

    async def send_create_group(self, op: Op) -> Sent:
        fields: dict[str, str] = op.params["fields"]
        fid, name = self._group_name(fields)
        if await self._groups_named(name):
            raise OpRefused(f"A group named “{name}” already exists.", "DUPLICATE_NAME")
        values = {k: v for k, v in fields.items() if k != fid}
        res = await self.client.update_group(
            match_by_field_data={fid: name},
            group_field_data=values or {fid: name},
            create_if_not_updated=True,
        )
        if not res.created or not res.ids:
            raise OpRefused(f"The server did not create the group “{name}”.", "NOT_CREATED")
        return self._created_group(op, res.ids[0])

    def _created_group(self, op: Op, real: str) -> Sent:
        tmp = op.params["group-id"]
        rid = self._rid_field("Group")

        def fix() -> None:
            extra = {ID_KEY: real}
            if rid:
                extra[rid] = real
            self.cache.put_record("group", real, extra, merge=True)

        return Sent(
            id_map={tmp: real},
            result={"group-id": real},
            changes=[Change("group", "remapped", (tmp,), id_map={tmp: real}, op_id=op.op_id)],
            after=[fix, self._claim("group", real)],
        )

    async def reconcile_create_group(self, op: Op) -> Sent | None:
        _, name = self._group_name(op.params["fields"])
        claimed = self.claimed("group")
        for g in await self._groups_named(name):
            if g.group_id not in claimed:
                return self._created_group(op, g.group_id)
        return None

    # ------------------------------------------------------------------ membership
    def apply_add_contacts_to_group(self, p: Mapping[str, Any]) -> None:
        gid = p["group-id"]
        for cid in p["contact-ids"]:
            rec = self.cache.get_record("contact", cid)
            self.cache.add_child(
                "group", gid, "contact", cid, rec.value if rec else None, first=False
            )

    def revert_add_contacts_to_group(self, op: Op) -> list[Change]:
        gid = op.params["group-id"]
        for cid in op.params["contact-ids"]:
            self.cache.remove_child("group", gid, "contact", cid)
        return [Change("membership", "updated", (gid,), parent=("group", gid), op_id=op.op_id)]

    async def send_add_contacts_to_group(self, op: Op) -> Sent:
        gid = op.params["group-id"]
        res = await self.client.add_contacts_to_group(gid, list(op.params["contact-ids"]))
        return Sent(
            result={"added-count": res.added_count, "skipped": res.skipped},
            changes=[
                Change(
                    "membership",
                    "added",
                    tuple(op.params["contact-ids"]),
                    parent=("group", gid),
                    op_id=op.op_id,
                )
            ],
        )

    def apply_add_to_campaign(self, p: Mapping[str, Any]) -> None:
        return None

    async def send_add_to_campaign(self, op: Op) -> Sent:
        cid = op.params["campaign-id"]
        res = await self.client.add_to_campaign(cid, list(op.params["contact-ids"]))
        return Sent(
            result={"added-count": res.added_count, "skipped": res.skipped},
            changes=[Change("campaign", "added", (cid,), op_id=op.op_id)],
        )

    # ================================================================== notes
    def _note_parent(self, p: Mapping[str, Any]) -> tuple[str, str]:
        if p.get("contact-id"):
            return ("contact", p["contact-id"])
        return ("group", p["group-id"])

    def apply_create_note(self, p: Mapping[str, Any]) -> None:
        kind, pid = self._note_parent(p)
        tmp = p["note-id"]
        rec = {
            "note-id": tmp,
            ID_KEY: tmp,
            "contact-id": p.get("contact-id", ""),
            "group-id": p.get("group-id", ""),
            "user-id": p.get("user-id") or (self.schema_service.current.me or "")
            if self.schema_service.current
            else "",
            "type": str(p.get("type", "1")),
            "details": p["details"],
            "created-date": p.get("created-date", now_local()),
        }
        self.cache.add_child(kind, pid, "note", tmp, rec, first=True)

    apply_create_note_for_group = apply_create_note

    def revert_create_note(self, op: Op) -> list[Change]:
        kind, pid = self._note_parent(op.params)
        tmp = op.params["note-id"]
        if is_temp_id(tmp):
            self.cache.remove_child(kind, pid, "note", tmp)
            self.cache.delete_records("note", [tmp])
        return [Change("note", "deleted", (tmp,), parent=(kind, pid), op_id=op.op_id)]

    revert_create_note_for_group = revert_create_note

    def _created_child(self, op: Op, child: str, key: str, real: str) -> Sent:
        tmp = op.params[key]
        parent = self.parent_of(op)

        def fix() -> None:
            self.cache.put_record(child, real, {ID_KEY: real, key: real}, merge=True)

        return Sent(
            id_map={tmp: real},
            result={key: real},
            changes=[
                Change(child, "remapped", (tmp,), id_map={tmp: real}, parent=parent, op_id=op.op_id)
            ],
            after=[fix, self._claim(child, real)],
        )

    def parent_of(self, op: Op) -> tuple[str, str] | None:
        p = op.params
        if op.function in ("create-note", "create-note-for-group"):
            return self._note_parent(p)
        if op.function == "create-activity-for-group":
            return ("group", p["group-id"])
        if op.function == "create-activity":
            cid = p["fields"].get("schedule-with", "")
            return ("contact", cid) if cid else None
        if op.function == "create-sales-opp":
            fid = self.schema.role("Sales", "contact-id")
            cid = p["fields"].get(fid, "") if fid else ""
            return ("contact", cid) if cid else None
        if op.function == "add-doc-to-contact":
            return ("contact", p["contact-id"])
        return None

    async def send_create_note(self, op: Op) -> Sent:
        p = op.params
        res = await self.client.create_note(
            details=p["details"],
            contact_id=p["contact-id"],
            user_id=p.get("user-id") or None,
            type=p.get("type") or None,
        )
        return self._created_child(op, "note", "note-id", res.id)

    async def send_create_note_for_group(self, op: Op) -> Sent:
        p = op.params
        res = await self.client.create_note_for_group(
            details=p["details"],
            group_id=p["group-id"],
            user_id=p.get("user-id") or None,
            type=p.get("type") or None,
        )
        return self._created_child(op, "note", "note-id", res.id)

    async def reconcile_create_note(self, op: Op) -> Sent | None:
        p = op.params
        kind, pid = self._note_parent(p)
        if kind == "contact":
            res = await self.client.get_notes_for_contact(pid)
        else:
            res = await self.client.get_notes_for_group(pid)
        skip = self.claimed("note") | set(p.get("known", []))
        for n in res.items:
            if n.note_id in skip:
                continue
            if same(n.details, p["details"]) and (not p.get("type") or same(n.type, p["type"])):
                return self._created_child(op, "note", "note-id", n.note_id)
        return None

    reconcile_create_note_for_group = reconcile_create_note

    # ================================================================== activities
    def apply_create_activity(self, p: Mapping[str, Any]) -> None:
        tmp = p["activity-id"]
        f = dict(p["fields"])
        me = self.schema_service.current.me if self.schema_service.current else ""
        rec = {
            "activity-id": tmp,
            ID_KEY: tmp,
            "schedule-with": f.get("schedule-with", ""),
            "schedule-for": f.get("schedule-for") or me or "",
            "group-id": p.get("group-id", "") or f.get("group-id", ""),
            "regarding": f.get("regarding", ""),
            "details": f.get("details", ""),
            "color": f.get("color", ""),
            "start-time": f.get("start-time", ""),
            "end-time": f.get("end-time", ""),
            "type": f.get("type", ""),
            "timeless": f.get("timeless", "false"),
            "completed": "false",
            "result": "",
        }
        self.cache.put_record("activity", tmp, rec)
        if rec["schedule-with"]:
            self.cache.add_child("contact", rec["schedule-with"], "activity", tmp, rec)
        if rec["group-id"]:
            self.cache.add_child("group", rec["group-id"], "activity", tmp, rec)

    apply_create_activity_for_group = apply_create_activity

    def revert_create_activity(self, op: Op) -> list[Change]:
        tmp = op.params["activity-id"]
        if is_temp_id(tmp):
            self.cache.delete_records("activity", [tmp])
        return [Change("activity", "deleted", (tmp,), parent=self.parent_of(op), op_id=op.op_id)]

    revert_create_activity_for_group = revert_create_activity

    @staticmethod
    def _activity_kwargs(fields: Mapping[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k in ACTIVITY_KEYS:
            if k not in fields:
                continue
            v = fields[k]
            if k == "timeless":
                out[k.replace("-", "_")] = as_bool(v)
            elif k in ("schedule-with", "schedule-for") and not v:
                continue
            else:
                out[k.replace("-", "_")] = v
        return out

    async def send_create_activity(self, op: Op) -> Sent:
        res = await self.client.create_activity(**self._activity_kwargs(op.params["fields"]))
        return self._created_child(op, "activity", "activity-id", res.id)

    async def send_create_activity_for_group(self, op: Op) -> Sent:
        res = await self.client.create_activity_for_group(
            op.params["group-id"], **self._activity_kwargs(op.params["fields"])
        )
        return self._created_child(op, "activity", "activity-id", res.id)

    def _activity_matches(self, a: Any, fields: Mapping[str, str]) -> bool:
        for k in ("regarding", "details", "type", "schedule-with"):
            if k in fields and not same(getattr(a, k.replace("-", "_")), fields[k]):
                return False
        if fields.get("start-time"):
            want = _dt(fields["start-time"])
            if want is not None and _dt(a.start_time) not in (want, None):
                # timeless activities are moved to midnight by the server
                got = _dt(a.start_time)
                if not (got and got.date() == want.date() and as_bool(fields.get("timeless"))):
                    return False
        return True

    async def reconcile_create_activity(self, op: Op) -> Sent | None:
        fields: dict[str, str] = op.params["fields"]
        skip = self.claimed("activity") | set(op.params.get("known", []))
        if op.function == "create-activity-for-group":
            res = await self.client.get_activities_for_group(op.params["group-id"], page_size=1000)
        else:
            needle = fields.get("regarding", "")
            res = await self.client.get_activities(
                filter_value=needle, page_size=1000, user_id=fields.get("schedule-for") or None
            )
        for a in res.items:
            if a.activity_id not in skip and self._activity_matches(a, fields):
                return self._created_child(op, "activity", "activity-id", a.activity_id)
        return None

    reconcile_create_activity_for_group = reconcile_create_activity

    def apply_update_activity(self, p: Mapping[str, Any]) -> None:
        aid = p["activity-id"]
        self.cache.put_record("activity", aid, {**p["changes"], ID_KEY: aid}, merge=True)

    def revert_update_activity(self, op: Op) -> list[Change]:
        aid = op.params["activity-id"]
        if op.base:
            self.cache.put_record("activity", aid, dict(op.base), merge=True)
        return [Change("activity", "updated", (aid,), tuple(op.base), op_id=op.op_id)]

    async def _activity_now(self, aid: str) -> dict[str, str]:
        a = await self.client.get_activity_info(aid)
        return _wire.item_record("activity", a)

    async def send_update_activity(self, op: Op) -> Sent:
        aid = op.params["activity-id"]
        changes: dict[str, str] = op.params["changes"]
        if op.base:
            theirs = await self._activity_now(aid)
            conflicts = find_conflicts(op.base, theirs, changes)
            if conflicts:
                raise ConflictFound(
                    conflicts,
                    theirs,
                )
            if already_applied(theirs, changes):
                return Sent(changes=self._act_change(aid, op))
        await self.client.update_activity(aid, **self._activity_kwargs(changes))
        return Sent(result={"activity-id": aid}, changes=self._act_change(aid, op))

    def _act_change(self, aid: str, op: Op) -> list[Change]:
        return [
            Change(
                "activity", "updated", (aid,), tuple(op.params.get("changes", {})), op_id=op.op_id
            )
        ]

    def apply_complete_activity(self, p: Mapping[str, Any]) -> None:
        aid = p["activity-id"]
        rec = {
            **p.get("changes", {}),
            "completed": "true",
            "result": p.get("result", ""),
            ID_KEY: aid,
        }
        self.cache.put_record("activity", aid, rec, merge=True)

    def revert_complete_activity(self, op: Op) -> list[Change]:
        aid = op.params["activity-id"]
        self.cache.put_record("activity", aid, {"completed": "false", **op.base}, merge=True)
        return [Change("activity", "updated", (aid,), op_id=op.op_id)]

    async def send_complete_activity(self, op: Op) -> Sent:
        aid = op.params["activity-id"]
        kwargs = self._activity_kwargs(op.params.get("changes", {}))
        for k in ("start_time", "end_time", "timeless"):  # complete-activity does not take these
            kwargs.pop(k, None)
        res = await self.client.complete_activity(aid, result=op.params.get("result", ""), **kwargs)
        parent = None
        cached = self.cache.get_record("activity", aid)
        if cached is not None:
            cid = str(cached.value.get("schedule-with", ""))
            gid = str(cached.value.get("group-id", ""))
            parent = ("contact", cid) if cid else (("group", gid) if gid else None)
        return Sent(
            result={"activity-id": aid, "note-id": res.note_id},
            changes=[
                Change("activity", "completed", (aid,), op_id=op.op_id),
                Change(
                    "note",
                    "created",
                    (res.note_id,) if res.note_id else (),
                    parent=parent,
                    op_id=op.op_id,
                ),
            ],
        )

    async def reconcile_complete_activity(self, op: Op) -> Sent | None:
        aid = op.params["activity-id"]
        now = await self._activity_now(aid)
        if as_bool(now.get("completed")) and same(now.get("result"), op.params.get("result", "")):
            return Sent(
                result={"activity-id": aid},
                changes=[Change("activity", "completed", (aid,), op_id=op.op_id)],
            )
        return None

    # ================================================================== sales
    def apply_create_sales_opp(self, p: Mapping[str, Any]) -> None:
        tmp = p["sales-id"]
        rec = {**p["fields"], ID_KEY: tmp}
        self.cache.put_record("sale", tmp, rec)
        cfid = self.schema.role("Sales", "contact-id")
        gfid = self.schema.role("Sales", "group-id")
        if cfid and p["fields"].get(cfid):
            self.cache.add_child("contact", p["fields"][cfid], "sale", tmp, rec)
        if gfid and p["fields"].get(gfid):
            self.cache.add_child("group", p["fields"][gfid], "sale", tmp, rec)

    def revert_create_sales_opp(self, op: Op) -> list[Change]:
        tmp = op.params["sales-id"]
        if is_temp_id(tmp):
            self.cache.delete_records("sale", [tmp])
        return [Change("sale", "deleted", (tmp,), parent=self.parent_of(op), op_id=op.op_id)]

    async def send_create_sales_opp(self, op: Op) -> Sent:
        res = await self.client.create_sales_opp(sales_field_data=op.params["fields"])
        return self._created_child(op, "sale", "sales-id", res.id)

    async def reconcile_create_sales_opp(self, op: Op) -> Sent | None:
        fields: dict[str, str] = op.params["fields"]
        cfid = self.schema.role("Sales", "contact-id")
        gfid = self.schema.role("Sales", "group-id")
        if cfid and fields.get(cfid):
            res = await self.client.get_sales_for_contact(fields[cfid])
        elif gfid and fields.get(gfid):
            res = await self.client.get_sales_for_group(fields[gfid])
        else:
            res = await self.client.get_sales(page_size=1000)
        skip = self.claimed("sale") | set(op.params.get("known", []))
        for s in res.items:
            if s.sales_id in skip:
                continue
            if all(same(s.field_data.get(k, ""), v) for k, v in fields.items()):
                return self._created_child(op, "sale", "sales-id", s.sales_id)
        return None

    # ================================================================== import
    async def send_import_contacts(self, op: Op) -> Sent:
        p = op.params
        res = await self.client.import_contacts(
            p["rows"],
            create_if_not_updated=bool(p.get("create-if-not-updated")),
            match_nulls=p.get("match-nulls", True),
        )
        return Sent(
            result={
                "updated-count": res.updated_count,
                "created-count": res.created_count,
                "contact-ids": res.contact_ids,
                "failed": [{"row": f.row, "error": f.error} for f in res.failed],
            },
            changes=[Change("contact", "imported", tuple(res.contact_ids), op_id=op.op_id)],
        )

    async def reconcile_import_contacts(self, op: Op) -> Sent | None:
        rows: list[dict[str, Any]] = op.params["rows"]
        safe = all(
            isinstance(r.get("_toMatch"), list)
            and r["_toMatch"]
            and all(norm(r.get(str(f))) for f in r["_toMatch"])
            for r in rows
        )
        if safe:
            return None  # every row matches what a first send created: sending again is safe
        raise OpRefused(
            "The import was sent but no answer came back; some rows may have been created. "
            "Check the contacts, then retry or discard.",
            "OUTCOME_UNKNOWN",
        )

    # ================================================================== documents
    def apply_add_doc_to_contact(self, p: Mapping[str, Any]) -> None:
        tmp = p["document-id"]
        rec = {
            "document-id": tmp,
            ID_KEY: tmp,
            "contact-id": p["contact-id"],
            "file-name": p["file-name"],
            "size": str(p.get("size", "")),
            "created-date": p.get("created-date", now_local()),
            "url": "",
        }
        self.cache.add_child("contact", p["contact-id"], "document", tmp, rec, first=False)

    def revert_add_doc_to_contact(self, op: Op) -> list[Change]:
        tmp = op.params["document-id"]
        self.cache.remove_child("contact", op.params["contact-id"], "document", tmp)
        self.cache.delete_records("document", [tmp])
        return [
            Change(
                "document",
                "deleted",
                (tmp,),
                parent=("contact", op.params["contact-id"]),
                op_id=op.op_id,
            )
        ]

    async def send_add_doc_to_contact(
        self, op: Op, progress: Callable[[int, int], object] | None
    ) -> Sent:
        p = op.params
        if op.attachment is None or not op.attachment.exists():
            raise OpRefused("The file to upload is no longer in the local store.", "FILE_MISSING")
        res = await self.client.add_doc_to_contact(
            p["contact-id"], p["file-name"], op.attachment, progress=progress
        )
        sent = self._created_child(op, "document", "document-id", res.id)
        sent.document_id = res.id
        return sent

    async def reconcile_add_doc_to_contact(self, op: Op) -> Sent | None:
        p = op.params
        res = await self.client.get_docs_for_contact(p["contact-id"])
        skip = self.claimed("document") | set(p.get("known", []))
        for d in res.items:
            if d.document_id in skip:
                continue
            if d.file_name == p["file-name"] and int(d.size) == int(p.get("size", -1)):
                sent = self._created_child(op, "document", "document-id", d.document_id)
                sent.document_id = d.document_id
                return sent
        return None


def _dt(value: str) -> datetime | None:
    return parse_datetime(value)


def known_children(
    cache: Any, parent: tuple[str, str], child: str, match: Callable[[Mapping[str, Any]], bool]
) -> list[str]:
    got = cache.get_children(parent[0], parent[1], child)
    if got is None:
        return []
    return [cid for cid, rec in got.value if not is_temp_id(cid) and match(rec)]
