"""SQLite storage of the sandbox: schema, one guarded connection, record helpers.

Contacts, groups and sales are stored as JSON field maps plus the denormalised columns
that the lists need: a case-folded sort key and search text (so that ``get-contacts`` pages
and filters in SQL over a covering index), and for contacts a (field, normalised value)
table that answers the matching of ``update-contact`` and ``import-contacts`` by index.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from . import catalogue as cat
from .params import format_datetime, norm

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS contacts (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    search TEXT NOT NULL,
    created TEXT NOT NULL,
    modified TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS contacts_order ON contacts (sort_key, id, search);
CREATE VIRTUAL TABLE IF NOT EXISTS contacts_fts USING fts5 (
    search, content='contacts', content_rowid='rid', tokenize='trigram'
);
CREATE TRIGGER IF NOT EXISTS contacts_fts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts (rowid, search) VALUES (new.rid, new.search);
END;
CREATE TRIGGER IF NOT EXISTS contacts_fts_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, search) VALUES ('delete', old.rid, old.search);
END;
CREATE TRIGGER IF NOT EXISTS contacts_fts_update AFTER UPDATE OF search ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, search) VALUES ('delete', old.rid, old.search);
    INSERT INTO contacts_fts (rowid, search) VALUES (new.rid, new.search);
END;
CREATE TABLE IF NOT EXISTS contact_values (
    field INTEGER NOT NULL,
    value TEXT NOT NULL,
    rid INTEGER NOT NULL,
    PRIMARY KEY (field, value, rid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS contact_values_rid ON contact_values (rid);
CREATE TABLE IF NOT EXISTS groups (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    search TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS groups_order ON groups (sort_key, id);
CREATE TABLE IF NOT EXISTS group_members (
    group_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    PRIMARY KEY (group_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS group_members_contact ON group_members (contact_id);
CREATE TABLE IF NOT EXISTS campaigns (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS campaign_members (
    campaign_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    PRIMARY KEY (campaign_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS campaign_members_contact ON campaign_members (contact_id);
CREATE TABLE IF NOT EXISTS sales (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    contact_id TEXT NOT NULL,
    group_id TEXT NOT NULL,
    data TEXT NOT NULL,
    search TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sales_contact ON sales (contact_id);
CREATE INDEX IF NOT EXISTS sales_group ON sales (group_id);
CREATE TABLE IF NOT EXISTS notes (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    contact_id TEXT NOT NULL,
    group_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    type INTEGER NOT NULL,
    details TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_contact ON notes (contact_id, created);
CREATE INDEX IF NOT EXISTS notes_group ON notes (group_id, created);
CREATE TABLE IF NOT EXISTS activities (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    contact_id TEXT NOT NULL,
    group_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    regarding TEXT NOT NULL,
    details TEXT NOT NULL,
    color TEXT NOT NULL,
    start TEXT NOT NULL,
    end TEXT NOT NULL,
    type TEXT NOT NULL,
    timeless INTEGER NOT NULL,
    completed INTEGER NOT NULL,
    result TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS activities_user ON activities (user_id, start, id);
CREATE INDEX IF NOT EXISTS activities_group ON activities (group_id, start, id);
CREATE INDEX IF NOT EXISTS activities_contact ON activities (contact_id);
CREATE TABLE IF NOT EXISTS documents (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    contact_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    size INTEGER NOT NULL,
    created TEXT NOT NULL,
    content BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_contact ON documents (contact_id);
"""

# Contact fields worth matching on by index (everything a person would match by).
_INDEXED_CONTACT_FIELDS = frozenset(
    f for f in cat.CONTACT_FIELD_IDS if f not in (cat.C_RECORD_ID, cat.C_CREATED, cat.C_MODIFIED)
)


def _fold_sql(value: object) -> str:
    return norm(value) if isinstance(value, str) else ""


def now_text() -> str:
    return format_datetime(datetime.now().replace(microsecond=0))


class Database:
    """One SQLite connection shared by all threads, guarded by a re-entrant lock."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.create_function("snx_fold", 1, _fold_sql, deterministic=True)
        if path != ":memory:" and not path.startswith("file::memory:"):
            self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA cache_size=-65536")
        self.conn.execute("PRAGMA temp_store=MEMORY")
        self.conn.executescript(SCHEMA)
        self._count_cache: dict[str, tuple[int, int]] = {}

    def cached_count(self, key: str) -> int | None:
        """A count remembered by ``cache_count``, valid until any row of any table changes."""
        with self.lock:
            hit = self._count_cache.get(key)
            if hit is None or hit[0] != self.conn.total_changes:
                return None
            return hit[1]

    def cache_count(self, key: str, count: int) -> None:
        with self.lock:
            if len(self._count_cache) > 256:
                self._count_cache.clear()
            self._count_cache[key] = (self.conn.total_changes, count)

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A unit of work: committed when the block ends, rolled back when it raises."""
        with self.lock:
            self.conn.execute("BEGIN")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def execute(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Cursor:
        with self.lock:
            return self.conn.execute(sql, args)

    def one(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Row | None:
        with self.lock:
            row: sqlite3.Row | None = self.conn.execute(sql, args).fetchone()
            return row

    def all(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self.lock:
            return list(self.conn.execute(sql, args).fetchall())

    def scalar(self, sql: str, args: Sequence[Any] = ()) -> Any:
        row = self.one(sql, args)
        return None if row is None else row[0]

    def meta(self, key: str) -> str | None:
        value = self.scalar("SELECT value FROM meta WHERE key = ?", (key,))
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        self.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


# ----------------------------------------------------------------------------- contacts


def contact_display_name(data: dict[int, str]) -> str:
    name = data.get(cat.C_NAME, "").strip()
    if not name:
        name = " ".join(
            p for p in (data.get(cat.C_FIRST, "").strip(), data.get(cat.C_LAST, "").strip()) if p
        )
    return name or data.get(cat.C_COMPANY, "").strip() or data.get(cat.C_EMAIL, "").strip()


def contact_sort_key(data: dict[int, str]) -> str:
    return norm(contact_display_name(data))


def contact_search(data: dict[int, str]) -> str:
    parts = (
        data.get(cat.C_NAME, ""),
        f"{data.get(cat.C_FIRST, '')} {data.get(cat.C_LAST, '')}",
        data.get(cat.C_COMPANY, ""),
        data.get(cat.C_EMAIL, ""),
    )
    return "\x1f".join(norm(p) for p in parts)


def contact_value_rows(rid: int, data: dict[int, str]) -> Iterable[tuple[int, str, int]]:
    for fid, value in data.items():
        if fid in _INDEXED_CONTACT_FIELDS:
            n = norm(value)
            if n:
                yield (fid, n, rid)


def encode_data(data: dict[int, str]) -> str:
    return json.dumps({str(k): v for k, v in data.items()}, ensure_ascii=False)


def decode_data(text: str) -> dict[int, str]:
    return {int(k): v for k, v in json.loads(text).items()}


def insert_contact(
    conn: sqlite3.Connection, contact_id: str, data: dict[int, str], created: str
) -> int:
    cur = conn.execute(
        "INSERT INTO contacts (id, data, sort_key, search, created, modified)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            contact_id,
            encode_data(data),
            contact_sort_key(data),
            contact_search(data),
            created,
            created,
        ),
    )
    rid = int(cur.lastrowid or 0)
    conn.executemany(
        "INSERT OR IGNORE INTO contact_values (field, value, rid) VALUES (?, ?, ?)",
        list(contact_value_rows(rid, data)),
    )
    return rid


def update_contact_row(conn: sqlite3.Connection, rid: int, data: dict[int, str]) -> None:
    conn.execute(
        "UPDATE contacts SET data = ?, sort_key = ?, search = ?, modified = ? WHERE rid = ?",
        (encode_data(data), contact_sort_key(data), contact_search(data), now_text(), rid),
    )
    conn.execute("DELETE FROM contact_values WHERE rid = ?", (rid,))
    conn.executemany(
        "INSERT OR IGNORE INTO contact_values (field, value, rid) VALUES (?, ?, ?)",
        list(contact_value_rows(rid, data)),
    )


def contact_record(row: sqlite3.Row) -> dict[str, str]:
    """The contract's field map of one contact (every Contact field, ``""`` when empty)."""
    data = decode_data(row["data"])
    out: dict[str, str] = {}
    for fid in cat.CONTACT_FIELD_IDS:
        if fid == cat.C_RECORD_ID:
            out[str(fid)] = row["id"]
        elif fid == cat.C_CREATED:
            out[str(fid)] = row["created"]
        elif fid == cat.C_MODIFIED:
            out[str(fid)] = row["modified"]
        else:
            out[str(fid)] = data.get(fid, "")
    return out


def group_sort_key(data: dict[int, str]) -> str:
    return norm(data.get(cat.G_NAME, ""))


def group_record(row: sqlite3.Row) -> dict[str, str]:
    data = decode_data(row["data"])
    out: dict[str, str] = {}
    for fid in cat.GROUP_FIELD_IDS:
        if fid == cat.G_RECORD_ID:
            out[str(fid)] = row["id"]
        elif fid == cat.G_CREATED:
            out[str(fid)] = row["created"]
        else:
            out[str(fid)] = data.get(fid, "")
    return out


def sales_search(data: dict[int, str]) -> str:
    return "\x1f".join(norm(data.get(f, "")) for f in (cat.S_DETAILS, cat.S_STATE))


def sales_record(row: sqlite3.Row) -> dict[str, str]:
    data = decode_data(row["data"])
    out = {str(fid): data.get(fid, "") for fid in cat.SALES_FIELD_IDS}
    out[str(cat.S_CONTACT)] = row["contact_id"]
    out[str(cat.S_GROUP)] = row["group_id"]
    out["sales-id"] = row["id"]
    return out


def note_record(row: sqlite3.Row) -> dict[str, str]:
    return {
        "note-id": row["id"],
        "contact-id": row["contact_id"],
        "group-id": row["group_id"],
        "user-id": row["user_id"],
        "type": str(row["type"]),
        "details": row["details"],
        "created-date": row["created"],
    }


def activity_record(row: sqlite3.Row) -> dict[str, str]:
    return {
        "activity-id": row["id"],
        "schedule-with": row["contact_id"],
        "schedule-for": row["user_id"],
        "group-id": row["group_id"],
        "regarding": row["regarding"],
        "details": row["details"],
        "color": row["color"],
        "start-time": row["start"],
        "end-time": row["end"],
        "type": row["type"],
        "timeless": "true" if row["timeless"] else "false",
        "completed": "true" if row["completed"] else "false",
        "result": row["result"],
    }
