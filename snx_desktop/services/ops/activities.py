"""Write kinds on activities: create (for a contact or a group), update, complete."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from snx_desktop.api.activityfields import (
    ACTIVITY_KEYS,
    ACTIVITY_TYPES,
    ActivityFields,
    activity_args,
    complete_args,
)
from snx_desktop.api.values import as_bool, as_text, parse_datetime
from snx_desktop.store.outbox import Op

from .. import _wire
from ..conflicts import already_applied, find_conflicts, norm, same
from ..types import ID_KEY, Change, WriteRefused, is_temp_id, new_temp_id
from .base import ConflictFound, Entry, OpKind, Progress, Sent, known_children

if TYPE_CHECKING:
    from snx_desktop.api.results import Activity

log = logging.getLogger(__name__)


def _check_colour(color: str) -> str:
    """``color`` as RRGGBB in capitals ("" stays ""), else refused."""
    col = color.strip().lstrip("#")
    if col and (len(col) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in col)):
        raise WriteRefused("The colour must be six hexadecimal digits (RRGGBB).")
    return col.upper()


def activity_changes(changes: Mapping[str, Any]) -> ActivityFields:
    """Checked activity fields for an update or a completion (keys with - or _)."""
    allowed = {*ACTIVITY_KEYS, "group-id"}
    values: dict[str, str] = {}
    for k, v in changes.items():
        key = str(k).replace("_", "-")
        if key not in allowed:
            raise WriteRefused(f"An activity has no field {k!r}.")
        if key == "timeless":
            values[key] = "true" if as_bool(v) else "false"
        else:
            values[key] = as_text(v)
    if "type" in values and values["type"].strip().lower() not in ACTIVITY_TYPES:
        raise WriteRefused("The activity type must be call, meeting or todo.")
    if "color" in values:
        values["color"] = _check_colour(values["color"])
    return cast(ActivityFields, values)


def _dt(value: str) -> datetime | None:
    return parse_datetime(value)


class CreateActivity(OpKind):
    """A new activity, scheduled with a contact (``create-activity``)."""

    function = "create-activity"

    def fields(
        self,
        *,
        type: str,
        regarding: str,
        start_time: str,
        end_time: str,
        details: str,
        color: str,
        timeless: bool,
        schedule_for: str | None,
        schedule_with: str,
    ) -> ActivityFields:
        """The checked fields of a new activity."""
        atype = type.strip().lower()
        if atype not in ACTIVITY_TYPES:
            raise WriteRefused("The activity type must be call, meeting or todo.")
        if not regarding.strip():
            raise WriteRefused("An activity needs a subject (regarding).")
        col = _check_colour(color)
        out: ActivityFields = {
            "type": atype,
            "regarding": regarding,
            "details": details,
            "start-time": start_time,
            "end-time": end_time,
            "timeless": "true" if timeless else "false",
        }
        if col:
            out["color"] = col
        if schedule_with:
            out["schedule-with"] = schedule_with
        me = self.ctx.me or None
        if schedule_for or me:
            out["schedule-for"] = schedule_for or me or ""
        return out

    def entry(self, fields: ActivityFields, gid: str | None, origin: object) -> Entry:
        ctx = self.ctx
        tmp = new_temp_id()
        cid = fields.get("schedule-with", "")
        regarding = fields.get("regarding", "")
        parent = ("group", gid) if gid else (("contact", cid) if cid else None)
        known = (
            known_children(
                ctx.cache,
                parent,
                "activity",
                lambda r: norm(r.get("regarding")) == norm(regarding),
            )
            if parent
            else []
        )
        params: dict[str, Any] = {"activity-id": tmp, "fields": fields, "known": known}
        if gid:
            params["group-id"] = gid
        where = f" with {ctx.label('contact', cid)}" if cid else ""
        if gid:
            where += f" for group {ctx.label('group', gid)}"
        return Entry(
            self.function,
            params,
            f"New {fields.get('type', '')}{where}: {regarding[:60]}",
            Change("activity", "created", (tmp,), parent=parent, origin=origin),
            target=("activity", tmp),
            temp_ids=[tmp],
        )

    def parent(self, op: Op) -> tuple[str, str] | None:
        cid = op.params["fields"].get("schedule-with", "")
        return ("contact", cid) if cid else None

    def apply(self, p: Mapping[str, Any]) -> None:
        cache = self.ctx.cache
        tmp = p["activity-id"]
        f = dict(p["fields"])
        rec: dict[str, str] = {
            "activity-id": tmp,
            ID_KEY: tmp,
            "schedule-with": f.get("schedule-with", ""),
            "schedule-for": f.get("schedule-for") or self.ctx.me or "",
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
        cache.put_record("activity", tmp, rec)
        if rec["schedule-with"]:
            cache.add_child("contact", rec["schedule-with"], "activity", tmp, rec)
        if rec["group-id"]:
            cache.add_child("group", rec["group-id"], "activity", tmp, rec)

    def revert(self, op: Op) -> list[Change]:
        tmp = op.params["activity-id"]
        if is_temp_id(tmp):
            self.ctx.cache.delete_records("activity", [tmp])
        return [Change("activity", "deleted", (tmp,), parent=self.parent(op), op_id=op.op_id)]

    async def send(self, op: Op, progress: Progress | None = None) -> Sent:
        res = await self.ctx.client.create_activity(**activity_args(op.params["fields"]))
        return self.created_child(op, "activity", "activity-id", res.id)

    def _matches(self, a: Activity, fields: Mapping[str, str]) -> bool:
        theirs = {
            "regarding": a.regarding,
            "details": a.details,
            "type": a.type,
            "schedule-with": a.schedule_with,
        }
        for k, value in theirs.items():
            if k in fields and not same(value, fields[k]):
                return False
        want_for = norm(fields.get("schedule-for")).lower()
        if want_for and norm(a.schedule_for).lower() not in ("", want_for):
            return False  # scheduled for someone else: not the activity this op made
        if fields.get("start-time"):
            want = _dt(fields["start-time"])
            if want is not None and _dt(a.start_time) not in (want, None):
                # timeless activities are moved to midnight by the server
                got = _dt(a.start_time)
                if not (got and got.date() == want.date() and as_bool(fields.get("timeless"))):
                    return False
        return True

    async def _listed(self, op: Op) -> Any:
        fields: dict[str, str] = op.params["fields"]
        return await self.ctx.client.get_activities(
            filter_value=fields.get("regarding", ""),
            page_size=1000,
            user_id=fields.get("schedule-for") or None,
        )

    async def reconcile(self, op: Op) -> Sent | None:
        fields: dict[str, str] = op.params["fields"]
        skip = self.ctx.skipped(op, "activity")
        res = await self._listed(op)
        for a in res.items:
            if a.activity_id not in skip and self._matches(a, fields):
                return self.created_child(op, "activity", "activity-id", a.activity_id)
        return None


class CreateActivityForGroup(CreateActivity):
    """A new activity for a group (``create-activity-for-group``), maybe with a contact."""

    function = "create-activity-for-group"

    def parent(self, op: Op) -> tuple[str, str] | None:
        return ("group", op.params["group-id"])

    async def send(self, op: Op, progress: Progress | None = None) -> Sent:
        res = await self.ctx.client.create_activity_for_group(
            op.params["group-id"], **activity_args(op.params["fields"])
        )
        return self.created_child(op, "activity", "activity-id", res.id)

    async def _listed(self, op: Op) -> Any:
        return await self.ctx.client.get_activities_for_group(op.params["group-id"], page_size=1000)


async def _activity_now(client: Any, aid: str) -> dict[str, str]:
    a = await client.get_activity_info(aid)
    return _wire.item_record("activity", a)


class UpdateActivity(OpKind):
    function = "update-activity"

    def entry(self, activity_id: str, changes: Mapping[str, Any], origin: object) -> Entry:
        ctx = self.ctx
        aid = ctx.resolve(activity_id)
        values = activity_changes(changes)
        if not values:
            raise WriteRefused("Nothing to change.")
        base = ctx.base("activity", aid, list(values))
        return Entry(
            self.function,
            {"activity-id": aid, "changes": values},
            f"Edit activity {ctx.label('activity', aid)}",
            Change("activity", "updated", (aid,), tuple(values), origin=origin),
            target=("activity", aid),
            base=base,
        )

    def apply(self, p: Mapping[str, Any]) -> None:
        aid = p["activity-id"]
        self.ctx.cache.put_record("activity", aid, {**p["changes"], ID_KEY: aid}, merge=True)

    def revert(self, op: Op) -> list[Change]:
        aid = op.params["activity-id"]
        if op.base:
            self.ctx.cache.put_record("activity", aid, dict(op.base), merge=True)
        return [Change("activity", "updated", (aid,), tuple(op.base), op_id=op.op_id)]

    async def send(self, op: Op, progress: Progress | None = None) -> Sent:
        aid = op.params["activity-id"]
        changes: dict[str, str] = op.params["changes"]
        done = [
            Change(
                "activity", "updated", (aid,), tuple(op.params.get("changes", {})), op_id=op.op_id
            )
        ]
        if op.base:
            theirs = await _activity_now(self.ctx.client, aid)
            conflicts = find_conflicts(op.base, theirs, changes)
            if conflicts:
                raise ConflictFound(conflicts, theirs)
            if already_applied(theirs, changes):
                return Sent(changes=done)
        await self.ctx.client.update_activity(aid, **activity_args(changes))
        return Sent(result={"activity-id": aid}, changes=done)


class CompleteActivity(OpKind):
    function = "complete-activity"

    def entry(
        self,
        activity_id: str,
        result: str,
        changes: Mapping[str, Any] | None,
        origin: object,
    ) -> Entry:
        ctx = self.ctx
        aid = ctx.resolve(activity_id)
        values = activity_changes(changes or {})
        base = ctx.base("activity", aid, [*values, "completed", "result"])
        return Entry(
            self.function,
            {"activity-id": aid, "result": result, "changes": values},
            f"Complete activity {ctx.label('activity', aid)}: {result[:60]}",
            Change("activity", "completed", (aid,), origin=origin),
            target=("activity", aid),
            base=base,
        )

    def apply(self, p: Mapping[str, Any]) -> None:
        aid = p["activity-id"]
        rec = {
            **p.get("changes", {}),
            "completed": "true",
            "result": p.get("result", ""),
            ID_KEY: aid,
        }
        self.ctx.cache.put_record("activity", aid, rec, merge=True)

    def revert(self, op: Op) -> list[Change]:
        aid = op.params["activity-id"]
        self.ctx.cache.put_record("activity", aid, {"completed": "false", **op.base}, merge=True)
        return [Change("activity", "updated", (aid,), op_id=op.op_id)]

    async def send(self, op: Op, progress: Progress | None = None) -> Sent:
        aid = op.params["activity-id"]
        args = complete_args(op.params.get("changes", {}))
        res = await self.ctx.client.complete_activity(
            aid, result=op.params.get("result", ""), **args
        )
        parent = None
        cached = self.ctx.cache.get_record("activity", aid)
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

    async def reconcile(self, op: Op) -> Sent | None:
        aid = op.params["activity-id"]
        now = await _activity_now(self.ctx.client, aid)
        if as_bool(now.get("completed")) and same(now.get("result"), op.params.get("result", "")):
            return Sent(
                result={"activity-id": aid},
                changes=[Change("activity", "completed", (aid,), op_id=op.op_id)],
            )
        return None
