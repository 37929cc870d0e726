"""The account's schema as data: fields (with roles), default layouts, users, who is signed in.

Pure values and the functions that build them from the API's answers or from the store's
catalog; :mod:`snx_desktop.services.schema` loads and revalidates them. Kept apart so that the
first rows can be shown from the store before the rest of the services are loaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from snx_desktop.api.values import as_bool, as_int, as_text
from snx_desktop.store.phones import CALLER_ROLE

__all__ = [
    "KIND_TABLE",
    "SEARCH_ROLES",
    "TABLES",
    "FieldInfo",
    "Schema",
    "build_schema",
    "schema_from_cache",
]

TABLES = ("Contact", "Group", "Sales", "Activity", "Note")
KIND_TABLE = {"contact": "Contact", "group": "Group", "sale": "Sales", "activity": "Activity"}
SEARCH_ROLES = ("name", "first-name", "last-name", "company", "email", "phone")
PHONE_TYPE = 4  # a field's ``type`` for phone numbers


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

    def form_fields(self, table: str) -> tuple[list[FieldInfo], list[FieldInfo]]:
        """The fields a form shows: the default layout's, then every other field of ``table``.

        Where the layout has the name field, the fields with roles ``first-name`` and
        ``last-name`` follow it at once, so that the parts of a name are never tucked away.
        The second list keeps the catalogue's order.
        """
        main = list(self.layout(table))
        name = self.role(table, "name")
        if name in {f.id for f in main}:
            parts = [
                self.fields[fid]
                for fid in (self.role(table, "first-name"), self.role(table, "last-name"))
                if fid is not None
            ]
            main = [f for f in main if f not in parts]
            at = next(i for i, f in enumerate(main) if f.id == name) + 1
            main[at:at] = parts
        shown = {f.id for f in main}
        return main, [f for f in self.table_fields(table) if f.id not in shown]

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
        out = {r: ids for r, ids in roles.items() if r in SEARCH_ROLES}
        phones = list(roles.get("phone", []))
        phones += [
            f.id
            for f in self.fields.values()
            if f.table == table and f.type == PHONE_TYPE and f.id not in phones
        ]
        if phones:
            out[CALLER_ROLE] = phones
        return out


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


def build_schema(
    fields: Sequence[Mapping[str, Any]],
    layouts: Sequence[Mapping[str, Any]],
    users: Sequence[Mapping[str, Any]],
    me: str | None,
) -> Schema:
    """The schema from the answers of get-all-fields, get-user-layouts and get-users."""
    infos = {f.id: f for f in (FieldInfo.from_json(r) for r in fields) if f.id}
    user_list = [{k: as_text(v) for k, v in u.items()} for u in users]
    return Schema(infos, _pick_layouts(layouts, me), user_list, me)


def schema_from_cache(cache: Any) -> Schema | None:
    """The schema as the store's catalog holds it (None when it was never loaded)."""
    fields = cache.get_catalog("fields")
    if fields is None:
        return None
    layouts = cache.get_catalog("layouts")
    users = cache.get_catalog("users")
    me = cache.get_catalog("current_user_id")
    return build_schema(
        fields.value,
        layouts.value if layouts else [],
        users.value if users else [],
        me.value if me else None,
    )
