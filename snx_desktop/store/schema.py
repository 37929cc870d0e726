"""The store's SQLite schema and its ordered migrations (``PRAGMA user_version``).

Version 1 was the first release: cache tables and a simple outbox. Version 2 added local
search (FTS5), cached document files, outbox dependencies, conflicts and staged uploads, and
the map of temporary ids. Version 3 indexes the few records that still mention a temporary
id, so completing an offline create does not scan the whole cache, and stores list positions
in chunks (``lists.py``) so that a local insert or delete costs the same at any list size.
Version 4 adds the phone-number index of contacts (``phones.py``), for caller lookup. Each
migration runs inside
the caller's transaction, so a database is either fully at the new version or untouched.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from . import phones
from .lists import ChunkedLists

V1_DDL = """
CREATE TABLE meta(
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE catalog(
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    fetched_at REAL NOT NULL
);
CREATE TABLE records(
    rid INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    fetched_at REAL NOT NULL,
    UNIQUE(kind, id)
);
CREATE TABLE lists(
    list_id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    filter TEXT NOT NULL,
    total INTEGER NOT NULL,
    fetched_at REAL NOT NULL,
    UNIQUE(kind, filter)
);
CREATE TABLE list_items(
    list_id INTEGER NOT NULL REFERENCES lists(list_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    fetched_at REAL NOT NULL,
    PRIMARY KEY(list_id, position)
) WITHOUT ROWID;
CREATE INDEX list_items_item ON list_items(item_id);
CREATE TABLE child_sets(
    set_id INTEGER PRIMARY KEY,
    parent_kind TEXT NOT NULL,
    parent_id TEXT NOT NULL,
    child_kind TEXT NOT NULL,
    fetched_at REAL NOT NULL,
    UNIQUE(parent_kind, parent_id, child_kind)
);
CREATE TABLE child_items(
    set_id INTEGER NOT NULL REFERENCES child_sets(set_id) ON DELETE CASCADE,
    child_id TEXT NOT NULL,
    position REAL NOT NULL,
    PRIMARY KEY(set_id, child_id)
) WITHOUT ROWID;
CREATE INDEX child_items_child ON child_items(child_id);
CREATE TABLE outbox(
    op_id INTEGER PRIMARY KEY AUTOINCREMENT,
    function TEXT NOT NULL,
    params TEXT NOT NULL,
    description TEXT NOT NULL,
    target_kind TEXT,
    target_id TEXT,
    base TEXT NOT NULL DEFAULT '{}',
    temp_ids TEXT NOT NULL DEFAULT '[]',
    state TEXT NOT NULL DEFAULT 'queued',
    error TEXT,
    error_code TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
"""


def _v1(conn: sqlite3.Connection) -> None:
    for statement in V1_DDL.split(";"):
        if statement.strip():
            conn.execute(statement)


_V2_DDL = """
ALTER TABLE outbox ADD COLUMN depends_on TEXT NOT NULL DEFAULT '[]';
ALTER TABLE outbox ADD COLUMN conflicts TEXT NOT NULL DEFAULT '{}';
ALTER TABLE outbox ADD COLUMN attachment TEXT;
ALTER TABLE outbox ADD COLUMN attachment_size INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_target ON outbox(target_kind, target_id);
CREATE INDEX outbox_state ON outbox(state);
CREATE TABLE id_map(
    temp_id TEXT PRIMARY KEY,
    real_id TEXT NOT NULL,
    mapped_at REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE documents(
    document_id TEXT PRIMARY KEY,
    file TEXT NOT NULL,
    size INTEGER NOT NULL,
    file_name TEXT NOT NULL DEFAULT '',
    fetched_at REAL NOT NULL,
    last_access REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX documents_lru ON documents(last_access);
CREATE VIRTUAL TABLE contact_fts USING fts5(
    name, company, email, phone, digits,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
CREATE VIRTUAL TABLE group_fts USING fts5(
    name, company, email, phone, digits,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
)
"""


def _v2(conn: sqlite3.Connection) -> None:
    for statement in _V2_DDL.split(";"):
        if statement.strip():
            conn.execute(statement)
    # Index what v1 already cached; search roles are not known yet, so every value is a name
    # (the services set the roles after sign-in and reindex).
    for table, kind in (("contact_fts", "contact"), ("group_fts", "group")):
        rows = conn.execute("SELECT rid, data FROM records WHERE kind = ?", (kind,)).fetchall()
        conn.executemany(
            f"INSERT INTO {table}(rowid, name, company, email, phone, digits) "
            "VALUES (?, ?, '', '', '', '')",
            [(rid, _all_values(data)) for rid, data in rows],
        )


def _all_values(data: str) -> str:
    try:
        record = json.loads(data)
    except ValueError:
        return ""
    if not isinstance(record, dict):
        return ""
    return " ".join(str(v) for v in record.values() if v not in (None, ""))


_V3_DDL = """
CREATE INDEX records_with_temp_ids ON records(kind) WHERE instr(data, 'tmp-') > 0;
CREATE TABLE list_chunks(
    chunk_id INTEGER PRIMARY KEY,
    list_id INTEGER NOT NULL REFERENCES lists(list_id) ON DELETE CASCADE,
    seq REAL NOT NULL,
    size INTEGER NOT NULL,
    ids TEXT,
    times TEXT
);
CREATE INDEX list_chunks_order ON list_chunks(list_id, seq, size);
CREATE TABLE list_index(
    list_id INTEGER NOT NULL REFERENCES lists(list_id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    chunk_id INTEGER NOT NULL REFERENCES list_chunks(chunk_id) ON DELETE CASCADE,
    PRIMARY KEY(list_id, item_id, chunk_id)
) WITHOUT ROWID;
CREATE INDEX list_index_item ON list_index(item_id);
CREATE INDEX list_index_chunk ON list_index(chunk_id)
"""


def _v3(conn: sqlite3.Connection) -> None:
    for statement in _V3_DDL.split(";"):
        if statement.strip():
            conn.execute(statement)
    # list positions move from one row each into chunks
    lists = ChunkedLists(conn)
    for list_id, total in conn.execute("SELECT list_id, total FROM lists").fetchall():
        lists.reset(list_id, total)
        rows = conn.execute(
            "SELECT position, item_id, fetched_at FROM list_items WHERE list_id = ? "
            "AND position < ? ORDER BY position",
            (list_id, total),
        ).fetchall()
        run: list[tuple[str | None, float | None]] = []
        run_start = 0
        for position, item_id, fetched in rows:
            if run and position != run_start + len(run):
                lists.splice(list_id, run_start, run_start + len(run), run)
                run = []
            if not run:
                run_start = position
            run.append((item_id, fetched))
        if run:
            lists.splice(list_id, run_start, run_start + len(run), run)
    conn.execute("DROP TABLE list_items")


_V4_DDL = """
CREATE TABLE phone_numbers(
    number TEXT NOT NULL,
    rid INTEGER NOT NULL,
    PRIMARY KEY(number, rid)
) WITHOUT ROWID;
CREATE INDEX phone_numbers_rid ON phone_numbers(rid)
"""


def _v4(conn: sqlite3.Connection) -> None:
    for statement in _V4_DDL.split(";"):
        if statement.strip():
            conn.execute(statement)
    # index what is cached already, with the phone fields the search roles name
    row = conn.execute("SELECT value FROM catalog WHERE name = 'search_roles'").fetchone()
    try:
        roles = json.loads(row[0]).get("contact", {}) if row is not None else {}
        fields = roles.get(phones.CALLER_ROLE) or roles.get("phone") or []
        fields = [str(f) for f in ([fields] if isinstance(fields, str) else fields)]
    except (ValueError, AttributeError, TypeError):
        fields = []
    if not fields:
        return
    last = 0
    while True:
        rows = conn.execute(
            "SELECT rid, data FROM records WHERE kind = 'contact' AND rid > ? "
            "ORDER BY rid LIMIT 2000",
            (last,),
        ).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        numbers: list[tuple[int, list[str]]] = []
        for rid, data in rows:
            try:
                record = json.loads(data)
            except ValueError:
                continue
            if isinstance(record, dict):
                values = (record.get(f) for f in fields)
                numbers.append((rid, [str(v) for v in values if v not in (None, "")]))
        phones.index(conn, numbers, phones.DEFAULT_REGION)


Migration = Callable[[sqlite3.Connection], None]

MIGRATIONS: tuple[Migration, ...] = (_v1, _v2, _v3, _v4)
"""``MIGRATIONS[i]`` takes a database from version ``i`` to ``i + 1``."""

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring ``conn`` (inside an open transaction) to :data:`SCHEMA_VERSION`; return the old one."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    for target in range(version, SCHEMA_VERSION):
        MIGRATIONS[target](conn)
        conn.execute(f"PRAGMA user_version = {target + 1}")
    return version
