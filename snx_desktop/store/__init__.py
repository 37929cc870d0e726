"""The offline store of SalesNexus Desktop: SQLite cache, local search, outbox, document files.

No Qt and no network here. One :class:`Store` per account and server; see
``Store.open`` and the parts it exposes: ``cache``, ``search``, ``outbox``, ``documents``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from snx_desktop._lazy import lazy_exports

if TYPE_CHECKING:
    from .cache import Cache, ListInfo, ListPage, replace_id
    from .checkpoint import CheckpointStats
    from .documents import DEFAULT_CAP_BYTES, Documents
    from .outbox import Outbox
    from .outboxrows import FieldConflict, Op, OpBrief, OpState, OutboxCounts
    from .paths import (
        account_dir,
        account_slug,
        default_profile_dir,
        identity_from_token,
        normalise_base_url,
        wipe_account,
    )
    from .schema import SCHEMA_VERSION, V1_DDL
    from .search import Search, SearchHit, SearchPage, build_match, phone_digit_tokens
    from .store import Store, check_database
    from .types import (
        RECORD_KINDS,
        Cached,
        OpenNotice,
        OutboxStateError,
        Record,
        StoreEnvironmentError,
        StoreError,
        StoreFull,
        StoreIOError,
        StoreNoPermission,
        StoreReadOnly,
        StoreUnavailable,
        is_temp_id,
        new_temp_id,
    )
    from .writer import StoreWriter

_WHERE = {
    "Cache": "cache",
    "ListInfo": "cache",
    "ListPage": "cache",
    "replace_id": "cache",
    "CheckpointStats": "checkpoint",
    "DEFAULT_CAP_BYTES": "documents",
    "Documents": "documents",
    "FieldConflict": "outboxrows",
    "Op": "outboxrows",
    "OpBrief": "outboxrows",
    "OpState": "outboxrows",
    "Outbox": "outbox",
    "OutboxCounts": "outboxrows",
    "account_dir": "paths",
    "account_slug": "paths",
    "default_profile_dir": "paths",
    "identity_from_token": "paths",
    "normalise_base_url": "paths",
    "wipe_account": "paths",
    "SCHEMA_VERSION": "schema",
    "V1_DDL": "schema",
    "Search": "search",
    "SearchHit": "search",
    "SearchPage": "search",
    "build_match": "search",
    "phone_digit_tokens": "search",
    "Store": "store",
    "StoreWriter": "writer",
    "check_database": "store",
    "RECORD_KINDS": "types",
    "Cached": "types",
    "OpenNotice": "types",
    "OutboxStateError": "types",
    "Record": "types",
    "StoreEnvironmentError": "types",
    "StoreError": "types",
    "StoreFull": "types",
    "StoreIOError": "types",
    "StoreNoPermission": "types",
    "StoreReadOnly": "types",
    "StoreUnavailable": "types",
    "is_temp_id": "types",
    "new_temp_id": "types",
}
__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())

__all__ = [
    "DEFAULT_CAP_BYTES",
    "RECORD_KINDS",
    "SCHEMA_VERSION",
    "V1_DDL",
    "Cache",
    "Cached",
    "CheckpointStats",
    "Documents",
    "FieldConflict",
    "ListInfo",
    "ListPage",
    "Op",
    "OpBrief",
    "OpState",
    "OpenNotice",
    "Outbox",
    "OutboxCounts",
    "OutboxStateError",
    "Record",
    "Search",
    "SearchHit",
    "SearchPage",
    "Store",
    "StoreEnvironmentError",
    "StoreError",
    "StoreFull",
    "StoreIOError",
    "StoreNoPermission",
    "StoreReadOnly",
    "StoreUnavailable",
    "StoreWriter",
    "account_dir",
    "account_slug",
    "build_match",
    "check_database",
    "default_profile_dir",
    "identity_from_token",
    "is_temp_id",
    "new_temp_id",
    "normalise_base_url",
    "phone_digit_tokens",
    "replace_id",
    "wipe_account",
]
