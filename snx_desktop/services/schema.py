"""The account's schema: fields (with roles), default layouts, users and who is signed in.

Read from the store at once when cached, then revalidated from the server (get-all-fields,
get-user-layouts and get-users go out as one HTTP request). The roles tell the other services
which field is the record id, the name, the e-mail and so on; nothing hard-codes field ids.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from snx_desktop.store.types import StoreEnvironmentError

from .events import Event
from .lazyclient import ClientSource, lazy_client
from .schemadata import KIND_TABLE as KIND_TABLE
from .schemadata import SEARCH_ROLES as SEARCH_ROLES
from .schemadata import TABLES as TABLES
from .schemadata import FieldInfo as FieldInfo
from .schemadata import Schema as Schema
from .schemadata import build_schema as build_schema
from .schemadata import schema_from_cache as schema_from_cache
from .types import OfflineError

if TYPE_CHECKING:
    from snx_desktop.api.client import SalesNexusClient

log = logging.getLogger(__name__)


class SchemaService:
    """Cached schema with revalidation; `changed` fires when a new schema is loaded."""

    def __init__(self, client: ClientSource, store: Any, *, account: str = "") -> None:
        self._clients = lazy_client(client)
        self._store = store
        self._account = account.strip().lower()
        self.current: Schema | None = None
        self.changed: Event[Schema] = Event("schema.changed")
        self._lock = asyncio.Lock()
        self.current = self.cached()

    @property
    def _client(self) -> SalesNexusClient:
        return self._clients.get()

    def cached(self) -> Schema | None:
        return schema_from_cache(self._store.cache)

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
            try:
                with self._store.transaction(durable=False):  # cache only
                    cache = self._store.cache
                    cache.put_catalog("fields", fields)
                    cache.put_catalog("layouts", layouts)
                    cache.put_catalog("users", users)
                    if me:
                        cache.put_catalog("current_user_id", me)
            except StoreEnvironmentError as exc:
                # the disk refuses writes (full, read-only): the schema is used, not kept
                log.info("the account's schema was not cached: %s", exc.detail or exc)
            schema = build_schema(fields, layouts, users, me)
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
