"""Write kinds on contacts and groups: create, update, delete, import, membership, campaigns."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from snx_desktop.api.errors import NotFoundError
from snx_desktop.api.values import as_text
from snx_desktop.store.outbox import Op

from .. import lookalikes as look
from ..conflicts import already_applied, find_conflicts, norm, same
from ..types import ID_KEY, Change, WriteRefused, is_temp_id, new_temp_id
from .base import ConflictFound, Entry, OpContext, OpKind, OpRefused, Progress, Sent
from .base import describe_fields as describe_fields

log = logging.getLogger(__name__)

_TABLES = {"contact": "Contact", "group": "Group"}


def _created_record(ctx: OpContext, op: Op, kind: str, real: str) -> Sent:
    """The answer for a landed contact or group create: temporary id → ``real``."""
    key = f"{kind}-id"
    tmp = op.params[key]
    rid = ctx.rid_field(_TABLES[kind])
    cache = ctx.cache

    def fix() -> None:
        extra = {ID_KEY: real}
        if rid:
            extra[rid] = real
        cache.put_record(kind, real, extra, merge=True)

    return Sent(
        id_map={tmp: real},
        result={key: real},
        changes=[Change(kind, "remapped", (tmp,), id_map={tmp: real}, op_id=op.op_id)],
        after=[fix, ctx.claim(kind, real)],
    )


def _apply_created(
    ctx: OpContext, kind: str, p: Mapping[str, Any], *, insert_checked: bool
) -> None:
    tmp = p[f"{kind}-id"]
    rec = dict(p["fields"])
    rid = ctx.rid_field(_TABLES[kind])
    if rid:
        rec[rid] = tmp
    rec[ID_KEY] = tmp
    ctx.cache.put_record(kind, tmp, rec)
    if insert_checked and ctx.cache.get_record(kind, tmp) is None:
        return
    if not ctx.in_list(kind, tmp):
        ctx.cache.list_insert(kind, "", 0, tmp)


def _revert_created(ctx: OpContext, kind: str, op: Op) -> list[Change]:
    tmp = op.params[f"{kind}-id"]
    if is_temp_id(tmp):
        ctx.cache.delete_records(kind, [tmp])
        return [Change(kind, "deleted", (tmp,), op_id=op.op_id)]
    return []


# ================================================================== contacts
class CreateContact(OpKind):
    function = "create-contact"
    looks_first = True
    reapplies = False

    def entry(self, fields: Mapping[str, str], origin: object) -> Entry:
        ctx = self.ctx
        values = {str(k): as_text(v) for k, v in fields.items()}
        ctx.check_writable("Contact", values)
        if not any(norm(v) for v in values.values()):
            raise WriteRefused("A new contact needs at least one value.")
        tmp = new_temp_id()
        schema = ctx.schema_service.current
        # cached contacts with the same look-up value are someone else's, never this one
        known = look.cached_contacts_like(ctx.store, schema, values)
        return Entry(
            self.function,
            {"contact-id": tmp, "fields": values, look.KNOWN_KEY: known},
            "New contact: " + describe_fields(schema, "Contact", values),
            Change("contact", "created", (tmp,), tuple(values), origin=origin),
            target=("contact", tmp),
            temp_ids=[tmp],
        )

    def apply(self, p: Mapping[str, Any]) -> None:
        _apply_created(self.ctx, "contact", p, insert_checked=True)

    def revert(self, op: Op) -> list[Change]:
        return _revert_created(self.ctx, "contact", op)

    async def look_before_send(self, op: Op) -> list[str] | None:
        fields = op.params["fields"]
        if not look.contact_needle(self.ctx.schema, fields):
            return None  # no look-up either after a lost answer: sent again as is
        found = await look.contact_candidates(self.ctx.client, self.ctx.schema, fields)
        return [c.contact_id for c in found]

    async def send(self, op: Op, progress: Progress | None = None) -> Sent:
        res = await self.ctx.client.create_contact(contact_field_data=op.params["fields"])
        return _created_record(self.ctx, op, "contact", res.id)

    async def reconcile(self, op: Op) -> Sent | None:
        fields: dict[str, str] = op.params["fields"]
        skip = self.ctx.skipped(op, "contact")
        for c in await look.contact_candidates(self.ctx.client, self.ctx.schema, fields):
            if c.contact_id in skip:
                continue
            if all(same(c.field_data.get(k, ""), v) for k, v in fields.items()):
                log.info("create-contact op %s had landed; using %s", op.op_id, c.contact_id)
                return _created_record(self.ctx, op, "contact", c.contact_id)
        return None


class _Update(OpKind):
    """An update of a contact's or a group's fields, checked against the server's values."""

    kind: ClassVar[str] = ""

    def entry(self, rid: str, changes: Mapping[str, str], origin: object) -> Entry:
        ctx, kind = self.ctx, self.kind
        rid = ctx.resolve(rid)
        values = {str(k): as_text(v) for k, v in changes.items()}
        if not values:
            raise WriteRefused("Nothing to change.")
        ctx.check_writable(_TABLES[kind], values)
        base = ctx.base(kind, rid, list(values))
        schema = ctx.schema_service.current
        old_new = ", ".join(
            f"{schema.label(k) if schema else k}: {base.get(k, '')!r} → {v!r}"
            for k, v in list(values.items())[:3]
        )
        return Entry(
            self.function,
            {f"{kind}-id": rid, "changes": values},
            f"Edit {kind} {ctx.label(kind, rid)}: {old_new}",
            Change(kind, "updated", (rid,), tuple(values), origin=origin),
            target=(kind, rid),
            base=base,
        )

    def apply(self, p: Mapping[str, Any]) -> None:
        rid = p[f"{self.kind}-id"]
        self.ctx.cache.put_record(self.kind, rid, {**p["changes"], ID_KEY: rid}, merge=True)

    def revert(self, op: Op) -> list[Change]:
        rid = op.params[f"{self.kind}-id"]
        if op.base:
            self.ctx.cache.put_record(self.kind, rid, dict(op.base), merge=True)
        return [Change(self.kind, "updated", (rid,), tuple(op.base), op_id=op.op_id)]

    async def _current_fields(self, rid: str) -> dict[str, str]:
        client = self.ctx.client
        if self.kind == "contact":
            return dict((await client.get_contact_info(rid)).field_data)
        return dict((await client.get_group_info(rid)).field_data)

    async def _check(self, rid: str, op: Op) -> bool:
        """Conflict check; True when the server already holds every value (nothing to send)."""
        changes: dict[str, str] = op.params["changes"]
        if not op.base:
            return False  # nothing to compare with (e.g. a record created offline)
        theirs = await self._current_fields(rid)
        conflicts = find_conflicts(op.base, theirs, changes)
        if conflicts:
            raise ConflictFound(conflicts, theirs)
        return already_applied(theirs, changes)

    async def _match_for(self, rid: str) -> dict[str, str]:
        """A match that catches exactly record ``rid``: its record-id field, or a checked lookup."""
        kind, table, ctx = self.kind, _TABLES[self.kind], self.ctx
        rid_field = ctx.rid_field(table)
        if rid_field:
            return {rid_field: rid}
        # No record-id field: match on identifying fields, and check the match is unique.
        current = await self._current_fields(rid)
        roles = ("email", "name", "company", "phone") if kind == "contact" else ("name",)
        match: dict[str, str] = {}
        for role in roles:
            fid = ctx.schema.role(table, role)
            if fid and norm(current.get(fid)):
                match[fid] = current[fid]
        if not match:
            raise OpRefused(f"Cannot target this {kind} safely: it has no identifying values.")
        needle = next(iter(match.values()))
        lister = ctx.client.get_contacts if kind == "contact" else ctx.client.get_groups
        res = await lister(filter_value=needle, page_size=look.LOOKUP_PAGE)
        hits = [
            i for i in res.items if all(same(i.field_data.get(k, ""), v) for k, v in match.items())
        ]
        if len(hits) != 1 or res.total > look.LOOKUP_PAGE:
            raise OpRefused(
                f"Cannot update this {kind} safely: {len(hits)} records match its values.",
                "AMBIGUOUS_MATCH",
            )
        return match

    def _changed(self, rid: str, op: Op) -> list[Change]:
        return [Change(self.kind, "updated", (rid,), tuple(op.params["changes"]), op_id=op.op_id)]

    async def send(self, op: Op, progress: Progress | None = None) -> Sent:
        kind, client = self.kind, self.ctx.client
        rid = op.params[f"{kind}-id"]
        changes: dict[str, str] = op.params["changes"]
        if await self._check(rid, op):
            return Sent(result={"updated-count": "already"}, changes=self._changed(rid, op))
        match = await self._match_for(rid)
        if kind == "contact":
            res = await client.update_contact(
                match_by_field_data=match, contact_field_data=changes, create_if_not_updated=False
            )
        else:
            res = await client.update_group(
                match_by_field_data=match, group_field_data=changes, create_if_not_updated=False
            )
        if res.updated_count == 0:
            raise NotFoundError(f"The {kind} no longer exists on the server.", code="NOT_FOUND")
        if res.updated_count > 1:
            log.error("update of %s %s touched %d records", kind, rid, res.updated_count)
        return Sent(result={"updated-count": res.updated_count}, changes=self._changed(rid, op))


class UpdateContact(_Update):
    function = "update-contact"
    kind = "contact"


class UpdateGroup(_Update):
    function = "update-group"
    kind = "group"


class _Delete(OpKind):
    """A delete of contacts or groups; a record already gone counts as deleted."""

    kind: ClassVar[str] = ""
    reapplies = False

    def entry(self, ids: Sequence[str], origin: object) -> Entry:
        ctx, kind = self.ctx, self.kind
        clean = [ctx.resolve(i) for i in dict.fromkeys(ids) if i]
        if not clean:
            raise WriteRefused(f"No {kind} to delete.")
        names = ", ".join(ctx.label(kind, i) for i in clean[:3])
        more = "" if len(clean) <= 3 else f" and {len(clean) - 3} more"
        return Entry(
            self.function,
            {f"{kind}-ids": clean},
            f"Delete {kind}{'s' if len(clean) > 1 else ''} {names}{more}",
            Change(kind, "deleted", tuple(clean), origin=origin),
            target=(kind, clean[0]) if len(clean) == 1 else None,
        )

    def apply(self, p: Mapping[str, Any]) -> None:
        self.ctx.cache.delete_records(self.kind, p[f"{self.kind}-ids"])

    def revert(self, op: Op) -> list[Change]:
        self.ctx.cache.clear_lists(self.kind)
        ids = tuple(op.params[f"{self.kind}-ids"])
        return [Change(self.kind, "updated", ids, op_id=op.op_id)]

    async def send(self, op: Op, progress: Progress | None = None) -> Sent:
        kind, client = self.kind, self.ctx.client
        ids = [i for i in op.params[f"{kind}-ids"] if not is_temp_id(i)]
        change = Change(kind, "deleted", tuple(ids), op_id=op.op_id)
        if not ids:
            return Sent(changes=[change])
        try:
            if kind == "contact":
                res = await client.delete_contacts(ids)
            else:
                res = await client.delete_groups(ids)
        except NotFoundError:
            return Sent(result={"deleted-count": 0}, changes=[change])
        return Sent(
            result={"deleted-count": res.deleted_count, "not-found": res.not_found},
            changes=[change],
        )


class DeleteContacts(_Delete):
    function = "delete-contacts"
    kind = "contact"


class DeleteGroups(_Delete):
    function = "delete-groups"
    kind = "group"


class ImportContacts(OpKind):
    function = "import-contacts"
    reapplies = False

    def entry(
        self,
        rows: Sequence[Mapping[str, Any]],
        create_if_not_updated: bool,
        match_nulls: bool,
        origin: object,
    ) -> Entry:
        clean: list[dict[str, Any]] = []
        for row in rows:
            r: dict[str, Any] = {}
            for k, v in row.items():
                if k == "_toMatch":
                    r[k] = [int(x) if str(x).isdigit() else str(x) for x in (v or [])]
                else:
                    r[str(k)] = as_text(v)
            clean.append(r)
        if not clean:
            raise WriteRefused("No rows to import.")
        return Entry(
            self.function,
            {
                "rows": clean,
                "create-if-not-updated": bool(create_if_not_updated),
                "match-nulls": bool(match_nulls),
            },
            f"Import {len(clean)} contact row{'s' if len(clean) != 1 else ''}",
            Change("contact", "importing", (), origin=origin),
        )

    async def send(self, op: Op, progress: Progress | None = None) -> Sent:
        p = op.params
        res = await self.ctx.client.import_contacts(
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

    async def reconcile(self, op: Op) -> Sent | None:
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


# ================================================================== groups
class CreateGroup(OpKind):
    function = "create-group"
    looks_first = True
    reapplies = False

    def entry(self, fields: Mapping[str, str], origin: object) -> Entry:
        ctx = self.ctx
        values = {str(k): as_text(v) for k, v in fields.items()}
        ctx.check_writable("Group", values)
        schema = ctx.schema_service.current
        name_field = schema.role("Group", "name") if schema else None
        if name_field and not norm(values.get(name_field)):
            raise WriteRefused("A new group needs a name.", field=name_field)
        if name_field:
            name = norm(values.get(name_field))
            if self._cached_group_named(name_field, name):
                raise WriteRefused(f"A group named “{name}” already exists.", field=name_field)
        tmp = new_temp_id()
        return Entry(
            self.function,
            {"group-id": tmp, "fields": values},
            "New group: " + describe_fields(schema, "Group", values),
            Change("group", "created", (tmp,), tuple(values), origin=origin),
            target=("group", tmp),
            temp_ids=[tmp],
        )

    def _cached_group_named(self, name_field: str, name: str) -> bool:
        """A cached group (fetched, or created offline and still queued) has this name; the
        server compares names case-insensitively, so this does too."""
        wanted = name.casefold()
        for chunk in self.ctx.cache.iter_records("group", chunk_size=1000):
            for _rid, cached in chunk:
                if norm(cached.value.get(name_field)).casefold() == wanted:
                    return True
        return False

    def apply(self, p: Mapping[str, Any]) -> None:
        _apply_created(self.ctx, "group", p, insert_checked=False)

    def revert(self, op: Op) -> list[Change]:
        return _revert_created(self.ctx, "group", op)

    def _name(self, fields: Mapping[str, str]) -> tuple[str, str]:
        fid = self.ctx.schema.role("Group", "name")
        if not fid or not norm(fields.get(fid)):
            raise OpRefused("A new group needs a name.", "MISSING_NAME")
        return fid, norm(fields[fid])

    async def _groups_named(self, name: str) -> list[Any]:
        found = await look.group_candidates(self.ctx.client, name)
        return look.named(self.ctx.schema, found, name)

    async def look_before_send(self, op: Op) -> list[str] | None:
        _, name = self._name(op.params["fields"])
        groups = await look.group_candidates(self.ctx.client, name)
        if look.named(self.ctx.schema, groups, name):
            raise OpRefused(f"A group named “{name}” already exists.", "DUPLICATE_NAME")
        return [g.group_id for g in groups]

    async def send(self, op: Op, progress: Progress | None = None) -> Sent:
        fields: dict[str, str] = op.params["fields"]
        fid, name = self._name(fields)
        # An op with a look-up snapshot was checked for that name just before this send (by
        # `look_before_send`, or by `reconcile` after a lost answer); an op first sent by an
        # older version has none and is checked here, as it always was.
        if not look.has_snapshot(op.params) and await self._groups_named(name):
            raise OpRefused(f"A group named “{name}” already exists.", "DUPLICATE_NAME")
        values = {k: v for k, v in fields.items() if k != fid}
        res = await self.ctx.client.update_group(
            match_by_field_data={fid: name},
            group_field_data=values or {fid: name},
            create_if_not_updated=True,
        )
        if not res.created or not res.ids:
            raise OpRefused(f"The server did not create the group “{name}”.", "NOT_CREATED")
        return _created_record(self.ctx, op, "group", res.ids[0])

    async def reconcile(self, op: Op) -> Sent | None:
        _, name = self._name(op.params["fields"])
        skip = self.ctx.skipped(op, "group")
        groups = await self._groups_named(name)
        for g in groups:
            if g.group_id not in skip:
                return _created_record(self.ctx, op, "group", g.group_id)
        if groups and look.has_snapshot(op.params):
            # the name is taken by a group that is not this op's: the create cannot be made
            raise OpRefused(f"A group named “{name}” already exists.", "DUPLICATE_NAME")
        return None


class AddContactsToGroup(OpKind):
    function = "add-contacts-to-group"

    def entry(self, group_id: str, contact_ids: Sequence[str], origin: object) -> Entry:
        ctx = self.ctx
        gid = ctx.resolve(group_id)
        cids = [ctx.resolve(c) for c in dict.fromkeys(contact_ids) if c]
        if not cids:
            raise WriteRefused("No contacts to add.")
        return Entry(
            self.function,
            {"group-id": gid, "contact-ids": cids},
            f"Add {len(cids)} contact{'s' if len(cids) > 1 else ''} to group "
            f"{ctx.label('group', gid)}",
            Change("membership", "added", tuple(cids), parent=("group", gid), origin=origin),
            target=("group", gid),
        )

    def apply(self, p: Mapping[str, Any]) -> None:
        cache = self.ctx.cache
        gid = p["group-id"]
        for cid in p["contact-ids"]:
            rec = cache.get_record("contact", cid)
            cache.add_child("group", gid, "contact", cid, rec.value if rec else None, first=False)

    def revert(self, op: Op) -> list[Change]:
        gid = op.params["group-id"]
        for cid in op.params["contact-ids"]:
            self.ctx.cache.remove_child("group", gid, "contact", cid)
        return [Change("membership", "updated", (gid,), parent=("group", gid), op_id=op.op_id)]

    async def send(self, op: Op, progress: Progress | None = None) -> Sent:
        gid = op.params["group-id"]
        cids = list(op.params["contact-ids"])
        res = await self.ctx.client.add_contacts_to_group(gid, cids)
        return Sent(
            result={"added-count": res.added_count, "skipped": res.skipped},
            changes=[
                Change("membership", "added", tuple(cids), parent=("group", gid), op_id=op.op_id)
            ],
        )


class AddToCampaign(OpKind):
    function = "add-to-campaign"

    def entry(self, campaign_id: str, contact_ids: Sequence[str], origin: object) -> Entry:
        cids = [self.ctx.resolve(c) for c in dict.fromkeys(contact_ids) if c]
        if not cids:
            raise WriteRefused("No contacts to add.")
        return Entry(
            self.function,
            {"campaign-id": campaign_id, "contact-ids": cids},
            f"Add {len(cids)} contact{'s' if len(cids) > 1 else ''} to a campaign",
            Change("campaign", "added", (campaign_id,), origin=origin),
            target=("campaign", campaign_id),
        )

    async def send(self, op: Op, progress: Progress | None = None) -> Sent:
        cid = op.params["campaign-id"]
        res = await self.ctx.client.add_to_campaign(cid, list(op.params["contact-ids"]))
        return Sent(
            result={"added-count": res.added_count, "skipped": res.skipped},
            changes=[Change("campaign", "added", (cid,), op_id=op.op_id)],
        )
