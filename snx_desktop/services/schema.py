"""The account's schema: fields (with roles), default layouts, users and who is signed in.

Read from the store at once when cached, then revalidated from the server (get-all-fields,
get-user-layouts and get-users go out as one HTTP request). The roles tell the other services
which field is the record id, the name, the e-mail and so on; nothing hard-codes field ids.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from snx_desktop.api.values import as_bool, as_int, as_text

from .events import Event
from .types import OfflineError

log = logging.getLogger(__name__)

TABLES = ("Contact", "Group", "Sales", "Activity", "Note")
KIND_TABLE = {"contact": "Contact", "group": "Group", "sale": "Sales", "activity": "Activity"}
SEARCH_ROLES = ("name", "first-name", "last-name", "company", "email", "phone")


@dataclass(frozen=True)
class FieldInfo:
    id: str
    table: str
    label: str
    type: int
    read_only: bool
    role: str

    def as_json(self) -> dict[str, Any]:
        return {
            "unique-id": self.id,
            "table-name": self.table,
            "label": self.label,
            "type": str(self.type),
            "read-only": "true" if self.read_only else "false",
            "role": self.role,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> FieldInfo:
        return cls(
            as_text(raw.get("unique-id")),
            as_text(raw.get("table-name")),
            as_text(raw.get("label")),
            as_int(raw.get("type")),
            as_bool(raw.get("read-only")),
            as_text(raw.get("role")),
        )


@dataclass(frozen=True)
class Schema:
    fields: dict[str, FieldInfo]
    layouts: dict[str, list[str]]
    users: list[dict[str, str]] = field(default_factory=list)
    me: str | None = None

    def table_fields(self, table: str) -> list[FieldInfo]:
        return [f for f in self.fields.values() if f.table == table]

    def role(self, table: str, role: str) -> str | None:
        """The id of the first field of ``table`` with ``role`` (None when there is none)."""
        for f in self.fields.values():
            if f.table == table and f.role == role:
                return f.id
        return None

    def roles(self, table: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for f in self.fields.values():
            if f.table == table and f.role:
                out.setdefault(f.role, []).append(f.id)
        return out

    def by_label(self, table: str, label: str) -> str | None:
        wanted = label.strip().lower()
        for f in self.fields.values():
            if f.table == table and f.label.strip().lower() == wanted:
                return f.id
        return None

    def layout(self, table: str) -> list[FieldInfo]:
        """The default layout's fields in order, or all of the table's fields."""
        ids = self.layouts.get(table)
        if ids:
            return [self.fields[i] for i in ids if i in self.fields]
        return self.table_fields(table)

    def label(self, field_id: str) -> str:
        f = self.fields.get(field_id)
        return f.label if f else field_id

    def user_name(self, user_id: str) -> str:
        for u in self.users:
            if u.get("user-id") == user_id:
                return u.get("name", "") or user_id
        return user_id

    def search_roles(self, table: str) -> dict[str, list[str]]:
        roles = self.roles(table)
        return {r: ids for r, ids in roles.items() if r in SEARCH_ROLES}


def _pick_layouts(layouts: Sequence[Mapping[str, Any]], me: str | None) -> dict[str, list[str]]:
    """Default layout per table: the user's default, else a standard default, else the first."""
    out: dict[str, list[str]] = {}
    rank: dict[str, int] = {}
    for lay in layouts:
        table = as_text(lay.get("table-name"))
        ids = lay.get("field-ids") or []
        if isinstance(ids, str):
            ids = [s for s in ids.split(",") if s]
        score = 0
        if as_bool(lay.get("is-default")):
            score += 2
        if me and as_text(lay.get("user-id")).lower() == me:
            score += 1
        if table not in rank or score > rank[table]:
            rank[table] = score
            out[table] = [as_text(i) for i in ids]
    return out


class SchemaService:
    """Cached schema with revalidation; `changed` fires when a new schema is loaded."""

    def __init__(self, client: Any, store: Any, *, account: str = "") -> None:
        self._client = client
        self._store = store
        self._account = account.strip().lower()
        self.current: Schema | None = None
        self.changed: Event[Schema] = Event("schema.changed")
        self._lock = asyncio.Lock()
        self.current = self.cached()

    def cached(self) -> Schema | None:
        cache = self._store.cache
        fields = cache.get_catalog("fields")
        if fields is None:
            return None
        layouts = cache.get_catalog("layouts")
        users = cache.get_catalog("users")
        me = cache.get_catalog("current_user_id")
        return self._build(
            fields.value,
            layouts.value if layouts else [],
            users.value if users else [],
            me.value if me else None,
        )

    def _build(
        self,
        fields: Sequence[Mapping[str, Any]],
        layouts: Sequence[Mapping[str, Any]],
        users: Sequence[Mapping[str, Any]],
        me: str | None,
    ) -> Schema:
        infos = {f.id: f for f in (FieldInfo.from_json(r) for r in fields) if f.id}
        user_list = [{k: as_text(v) for k, v in u.items()} for u in users]
        return Schema(infos, _pick_layouts(layouts, me), user_list, me)

    def require(self) -> Schema:
        if self.current is None:
            raise OfflineError("the account's field list")
        return self.current

    async def load(self, *, refresh: bool = True) -> Schema:
        """The cached schema at once when ``refresh`` is false and one exists; else the server's."""
        if not refresh and self.current is not None:
            return self.current
        async with self._lock:
            fields_res, layouts_res, users_res = await asyncio.gather(
                self._client.get_all_fields(),
                self._client.get_user_layouts(),
                self._client.get_users(),
            )
            fields = [
                FieldInfo(f.unique_id, f.table_name, f.label, f.type, f.read_only, f.role).as_json()
                for f in fields_res.items
            ]
            layouts = [dict(lay.raw) for lay in layouts_res.items]
            users = [
                {
                    "user-id": u.user_id,
                    "name": u.name,
                    "email-address": u.email_address,
                    "security-level": u.security_level,
                }
                for u in users_res.items
            ]
            me = self._who_am_i(layouts_res.items, users)
            with self._store.transaction():
                cache = self._store.cache
                cache.put_catalog("fields", fields)
                cache.put_catalog("layouts", layouts)
                cache.put_catalog("users", users)
                if me:
                    cache.put_catalog("current_user_id", me)
            schema = self._build(fields, layouts, users, me)
            old = self.current
            self.current = schema
            if old != schema:
                await self._update_search_roles(schema)
                self.changed.emit(schema)
            return schema

    def _who_am_i(self, layouts: list[Any], users: list[dict[str, str]]) -> str | None:
        if self._account:
            for u in users:
                if u["email-address"].strip().lower() == self._account:
                    return u["user-id"]
        owners = {lay.user_id for lay in layouts if getattr(lay, "user_id", "")}
        if len(owners) == 1:
            return owners.pop()
        prev = self._store.cache.get_catalog("current_user_id")
        return prev.value if prev else None

    async def _update_search_roles(self, schema: Schema) -> None:
        try:
            changed = self._store.search.set_roles(
                schema.search_roles("Contact"), schema.search_roles("Group")
            )
            if changed:
                for _ in self._store.search.reindex():
                    await asyncio.sleep(0)
        except Exception:
            log.exception("could not update the search index roles")
