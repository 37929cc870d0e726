"""The first page of a list read straight from an account's offline store, before the
services exist: what the window shows while the rest of the app loads.

:func:`read_first_page` opens the store file read-only, takes the cached schema (for the
columns) and the first cached page of one list, and closes it again. It never creates, changes
or repairs anything: a missing, older or unreadable store gives None and the app starts as it
would without it. The page is the one :meth:`BrowseService.cached_page
<snx_desktop.services.browse.BrowseService.cached_page>` answers once the services are up, so
the rows do not change when they take over. It imports only the store modules it reads
with (no asyncio, no network client, no write queue).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from snx_desktop.store.cache import Cache
from snx_desktop.store.db import Database
from snx_desktop.store.paths import DB_FILE_NAME, account_dir
from snx_desktop.store.schema import SCHEMA_VERSION
from snx_desktop.store.search import Search

from .ids import Record, with_id
from .schemadata import Schema, schema_from_cache

__all__ = ["FIRST_PAGE_KINDS", "FirstPage", "read_first_page"]

log = logging.getLogger(__name__)

#: the lists whose first page can be read this way (campaigns live in the catalog)
FIRST_PAGE_KINDS = ("contact", "group", "activity", "sale")


@dataclass(frozen=True)
class FirstPage:
    """The cached schema (None if never loaded) and the first page of one list: its records
    in order (with their ids), the list's total and when it was fetched."""

    kind: str
    schema: Schema | None
    records: list[Record]
    total: int
    fetched_at: float
    read_ms: float


def read_first_page(
    base_url: str,
    identity: str,
    profile_dir: Path | None,
    kind: str,
    size: int,
) -> FirstPage | None:
    """The first ``size`` rows of the unfiltered ``kind`` list of this account's store, or
    None when the store does not exist, is of another version, cannot be read, or does not
    hold that whole page."""
    if kind not in FIRST_PAGE_KINDS or size <= 0 or not identity:
        return None
    started = time.perf_counter()
    try:
        root = Path(profile_dir) if profile_dir is not None else _default_root()
        path = account_dir(base_url, identity, root) / DB_FILE_NAME
        if not path.is_file() or path.stat().st_size == 0:
            return None
        # a store busy elsewhere (another copy of the app checkpointing) is not waited for long
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.1)
    except (OSError, sqlite3.Error, ValueError):
        log.debug("no first page: the store cannot be opened", exc_info=True)
        return None
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            return None
        db = Database(conn)
        cache = Cache(db, Search(db))
        schema = schema_from_cache(cache)
        listed = cache.get_list_page(kind, "", 0, size)
        if listed is None or not listed.complete or not listed.ids:
            return None
        records = []
        for rid in listed.ids:
            cached = listed.records.get(rid) if rid is not None else None
            if rid is None or cached is None:
                return None
            records.append(with_id(kind, rid, cached.value))
        total, fetched_at = listed.total, listed.fetched_at
    except (sqlite3.Error, ValueError, KeyError, TypeError):
        log.debug("no first page: the store could not be read", exc_info=True)
        return None
    finally:
        conn.close()
    read_ms = (time.perf_counter() - started) * 1000
    return FirstPage(kind, schema, records, total, fetched_at, read_ms)


def _default_root() -> Path:
    from snx_desktop.store.paths import default_profile_dir

    return default_profile_dir()
