"""The cache: schema metadata, records by kind and id, ordered list pages, children of records.

Every row carries ``fetched_at`` (epoch seconds) so the services can show the age of what they
show and decide when to revalidate. Records are stored as the API returns them (JSON maps).
"""

from __future__ import annotations

import json
import time
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from .db import Database
from .lists import ChunkedLists
from .search import Search
from .types import RECORD_KINDS, Cached, Record, check_kind, new_temp_id

_SQL_CHUNK = 500
_RECORD_CHILD_KINDS = ("note", "sale", "activity", "document", "contact", "group")


@dataclass(frozen=True)
class ListPage:
    """What the cache knows of positions ``start .. start + size`` of a list."""

    start: int
    total: int
    ids: list[str | None]
    records: dict[str, Cached[Record]]
    complete: bool
    fetched_at: float


@dataclass(frozen=True)
class ListInfo:
    """A cached list's total, when it was last fetched, and how many positions are cached."""

    total: int
    fetched_at: float
    cached_count: int


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _now(fetched_at: float | None) -> float:
    return time.time() if fetched_at is None else float(fetched_at)


def _pairs(
    records: Mapping[str, Mapping[str, Any]] | Iterable[tuple[str, Mapping[str, Any]]],
) -> list[tuple[str, Mapping[str, Any]]]:
    items = records.items() if isinstance(records, Mapping) else records
    return [(str(rid), rec) for rid, rec in items]


def _chunks(seq: Sequence[Any], size: int = _SQL_CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def replace_id(value: Any, old: str, new: str) -> Any:
    """``value`` with every occurrence of ``old`` (in strings, keys, at any depth) made ``new``."""
    if isinstance(value, str):
        return value.replace(old, new) if old in value else value
    if isinstance(value, dict):
        return {replace_id(k, old, new): replace_id(v, old, new) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [replace_id(v, old, new) for v in value]
    return value


class Cache:
    """Cached server data. Each method is one short transaction (or joins an open one)."""

    def __init__(self, db: Database, search: Search) -> None:
        self._db = db
        self._search = search
        self._lists = ChunkedLists(db.conn)

    @property
    def search(self) -> Search:
        """The search index this cache keeps (queries on this cache's connection)."""
        return self._search

    # -- catalog -----------------------------------------------------------------------------
    def put_catalog(self, name: str, value: Any, fetched_at: float | None = None) -> None:
        """Store schema metadata (``fields``, ``layouts``, ``users``, ``campaigns``, ...)."""
        with self._db.tx() as conn:
            conn.execute(
                "INSERT INTO catalog(name, value, fetched_at) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = excluded.value, "
                "fetched_at = excluded.fetched_at",
                (name, json.dumps(value), _now(fetched_at)),
            )

    def get_catalog(self, name: str) -> Cached[Any] | None:
        row = self._db.conn.execute(
            "SELECT value, fetched_at FROM catalog WHERE name = ?", (name,)
        ).fetchone()
        return None if row is None else Cached(json.loads(row[0]), row[1])

    # -- records -----------------------------------------------------------------------------
    def put_record(
        self,
        kind: str,
        record_id: str,
        record: Mapping[str, Any],
        fetched_at: float | None = None,
        *,
        merge: bool = False,
    ) -> None:
        self.put_records(kind, [(record_id, record)], fetched_at, merge=merge)

    def put_records(
        self,
        kind: str,
        records: Mapping[str, Mapping[str, Any]] | Iterable[tuple[str, Mapping[str, Any]]],
        fetched_at: float | None = None,
        *,
        merge: bool = False,
    ) -> int:
        """Upsert records in one transaction; contacts and groups are indexed for search."""
        check_kind(kind)
        items = _pairs(records)
        with self._db.tx():
            self._upsert(kind, items, _now(fetched_at), merge)
        return len(items)

    def put_records_chunked(
        self,
        kind: str,
        records: Iterable[tuple[str, Mapping[str, Any]]],
        fetched_at: float | None = None,
        *,
        chunk_size: int = 500,
        merge: bool = False,
    ) -> Generator[int, None, None]:
        """Upsert many records, one committed transaction per chunk; yields the running count.

        500 contacts take about 20 ms (with search indexing) on the reference machine, so an
        event loop that yields between chunks stays responsive.
        """
        check_kind(kind)
        ts = _now(fetched_at)
        done = 0
        chunk: list[tuple[str, Mapping[str, Any]]] = []
        for rid, rec in records:
            chunk.append((str(rid), rec))
            if len(chunk) >= chunk_size:
                with self._db.tx():
                    self._upsert(kind, chunk, ts, merge)
                done += len(chunk)
                chunk = []
                yield done
        if chunk:
            with self._db.tx():
                self._upsert(kind, chunk, ts, merge)
            done += len(chunk)
            yield done

    def _upsert(
        self, kind: str, items: list[tuple[str, Mapping[str, Any]]], ts: float, merge: bool
    ) -> None:
        conn = self._db.conn
        latest: dict[str, dict[str, Any]] = {}
        for rid, rec in items:
            latest[rid] = dict(rec)
        if not latest:
            return
        ids = list(latest)
        if merge:
            for part in _chunks(ids):
                marks = ",".join("?" * len(part))
                for rid, data in conn.execute(
                    f"SELECT id, data FROM records WHERE kind = ? AND id IN ({marks})",
                    (kind, *part),
                ):
                    latest[rid] = {**json.loads(data), **latest[rid]}
        conn.executemany(
            "INSERT INTO records(kind, id, data, fetched_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(kind, id) DO UPDATE SET data = excluded.data, "
            "fetched_at = excluded.fetched_at",
            [(kind, rid, _json(rec), ts) for rid, rec in latest.items()],
        )
        if kind in ("contact", "group"):
            rows: list[tuple[int, Mapping[str, Any]]] = []
            for part in _chunks(ids):
                marks = ",".join("?" * len(part))
                for rid, row_id in conn.execute(
                    f"SELECT id, rid FROM records WHERE kind = ? AND id IN ({marks})",
                    (kind, *part),
                ):
                    rows.append((row_id, latest[rid]))
            self._search.index(kind, rows)

    def get_record(self, kind: str, record_id: str) -> Cached[Record] | None:
        row = self._db.conn.execute(
            "SELECT data, fetched_at FROM records WHERE kind = ? AND id = ?", (kind, record_id)
        ).fetchone()
        return None if row is None else Cached(json.loads(row[0]), row[1])

    def get_records(self, kind: str, ids: Iterable[str]) -> dict[str, Cached[Record]]:
        """The cached records among ``ids`` (missing ones are absent from the answer)."""
        wanted = list(dict.fromkeys(ids))
        out: dict[str, Cached[Record]] = {}
        for part in _chunks(wanted):
            marks = ",".join("?" * len(part))
            for rid, data, fetched in self._db.conn.execute(
                f"SELECT id, data, fetched_at FROM records WHERE kind = ? AND id IN ({marks})",
                (kind, *part),
            ):
                out[rid] = Cached(json.loads(data), fetched)
        return out

    def iter_records(
        self, kind: str, *, chunk_size: int = 1000
    ) -> Iterator[list[tuple[str, Cached[Record]]]]:
        """All cached records of ``kind`` in chunks (one short query per chunk)."""
        last = 0
        while True:
            rows = self._db.conn.execute(
                "SELECT rid, id, data, fetched_at FROM records WHERE kind = ? AND rid > ? "
                "ORDER BY rid LIMIT ?",
                (kind, last, chunk_size),
            ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [(rid, Cached(json.loads(data), f)) for _, rid, data, f in rows]

    def transaction(self) -> AbstractContextManager[None]:
        """Group several calls on this cache's connection into one commit (e.g. the store
        writer's, from its thread); nests as savepoints like ``Store.transaction``."""
        return self._tx()

    @contextmanager
    def _tx(self) -> Iterator[None]:
        with self._db.tx():
            yield

    def find_records(
        self, kind: str, key: str, value: str, *, limit: int = 1000
    ) -> list[tuple[str, Cached[Record]]]:
        """Records of ``kind`` whose ``key`` equals ``value`` (a scan; for modest kinds)."""
        rows = self._db.conn.execute(
            "SELECT id, data, fetched_at FROM records WHERE kind = ? "
            "AND json_extract(data, ?) = ? ORDER BY rid LIMIT ?",
            (kind, "$." + json.dumps(key), value, limit),
        ).fetchall()
        return [(rid, Cached(json.loads(data), f)) for rid, data, f in rows]

    def count_records(self, kind: str) -> int:
        row = self._db.conn.execute("SELECT count(*) FROM records WHERE kind = ?", (kind,))
        return int(row.fetchone()[0])

    def delete_records(self, kind: str, ids: Iterable[str]) -> int:
        """Forget records: their search rows, child links, and their list positions."""
        check_kind(kind)
        wanted = list(dict.fromkeys(ids))
        deleted = 0
        with self._db.tx() as conn:
            for record_id in wanted:
                row = conn.execute(
                    "SELECT rid FROM records WHERE kind = ? AND id = ?", (kind, record_id)
                ).fetchone()
                if row is not None:
                    self._search.unindex(kind, [row[0]])
                    conn.execute("DELETE FROM records WHERE rid = ?", (row[0],))
                    deleted += 1
                conn.execute(
                    "DELETE FROM child_items WHERE child_id = ? AND set_id IN "
                    "(SELECT set_id FROM child_sets WHERE child_kind = ?)",
                    (record_id, kind),
                )
                conn.execute(
                    "DELETE FROM child_sets WHERE parent_kind = ? AND parent_id = ?",
                    (kind, record_id),
                )
                for list_id in self._lists.lists_holding(record_id):
                    list_kind = conn.execute(
                        "SELECT kind FROM lists WHERE list_id = ?", (list_id,)
                    ).fetchone()
                    if list_kind is None or list_kind[0] != kind:
                        continue
                    for position in reversed(self._lists.positions_of(list_id, record_id)):
                        self._remove_position(list_id, position)
        return deleted

    # -- lists -------------------------------------------------------------------------------
    def _list_row(self, kind: str, filter: str) -> tuple[int, int, float] | None:
        row = self._db.conn.execute(
            "SELECT list_id, total, fetched_at FROM lists WHERE kind = ? AND filter = ?",
            (kind, filter),
        ).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def put_list_page(
        self,
        kind: str,
        filter: str,
        start: int,
        ids: Sequence[str],
        total: int,
        fetched_at: float | None = None,
    ) -> None:
        """Record that positions ``start ..`` of list (kind, filter) hold ``ids``.

        When ``total`` differs from the cached total the list has moved: the other cached
        positions are dropped first. An id is never listed twice: if it was cached at another
        position, that position becomes uncached.
        """
        ts = _now(fetched_at)
        start = max(0, int(start))
        ids = [str(i) for i in ids]
        total = max(int(total), start + len(ids))
        end = start + len(ids)
        with self._db.tx() as conn:
            row = self._list_row(kind, filter)
            if row is None:
                list_id = conn.execute(
                    "INSERT INTO lists(kind, filter, total, fetched_at) VALUES (?, ?, ?, ?)",
                    (kind, filter, total, ts),
                ).lastrowid
                assert list_id is not None
                self._lists.reset(list_id, total)
            else:
                list_id = row[0]
                if row[1] != total:
                    self._lists.reset(list_id, total)
                conn.execute(
                    "UPDATE lists SET total = ?, fetched_at = ? WHERE list_id = ?",
                    (total, ts, list_id),
                )
                elsewhere = sorted(
                    (
                        p
                        for found in self._lists.find(list_id, ids).values()
                        for p in found
                        if not start <= p < end
                    ),
                    reverse=True,
                )
                for p in elsewhere:
                    self._lists.splice(list_id, p, p + 1, [(None, None)])
            self._lists.splice(list_id, start, end, [(rid, ts) for rid in ids])

    def get_list_page(self, kind: str, filter: str, start: int, size: int) -> ListPage | None:
        """Answer a page from the cache alone; None when the list was never cached."""
        row = self._list_row(kind, filter)
        if row is None:
            return None
        list_id, total, list_fetched = row
        start = max(0, int(start))
        n = max(0, min(int(size), total - start))
        entries = self._lists.read(list_id, start, start + n) if n else []
        ids: list[str | None] = [e[0] for e in entries]
        times = [e[1] for e in entries if e[1] is not None]
        present = [i for i in ids if i is not None]
        records = self.get_records(kind, present) if kind in RECORD_KINDS else {}
        return ListPage(
            start=start,
            total=total,
            ids=ids,
            records=records,
            complete=len(present) == n,
            fetched_at=min(times) if times else list_fetched,
        )

    def list_info(self, kind: str, filter: str) -> ListInfo | None:
        row = self._list_row(kind, filter)
        if row is None:
            return None
        return ListInfo(
            total=row[1], fetched_at=row[2], cached_count=self._lists.cached_count(row[0])
        )

    def cached_ranges(self, kind: str, filter: str) -> list[tuple[int, int]]:
        """The cached positions of a list as ``[(start, end_exclusive), ...]``."""
        row = self._list_row(kind, filter)
        return [] if row is None else self._lists.ranges(row[0])

    def list_insert(
        self, kind: str, filter: str, position: int, record_id: str, fetched_at: float | None = None
    ) -> bool:
        """Insert an id at ``position`` of a cached list (later ones shift); False if no list."""
        with self._db.tx() as conn:
            row = self._list_row(kind, filter)
            if row is None:
                return False
            list_id, total, _ = row
            position = max(0, min(int(position), total))
            self._lists.splice(list_id, position, position, [(record_id, _now(fetched_at))])
            conn.execute("UPDATE lists SET total = total + 1 WHERE list_id = ?", (list_id,))
        return True

    def _remove_position(self, list_id: int, position: int) -> None:
        self._lists.splice(list_id, position, position + 1, [])
        self._db.conn.execute(
            "UPDATE lists SET total = max(0, total - 1) WHERE list_id = ?", (list_id,)
        )

    def clear_lists(self, kind: str | None = None, filter: str | None = None) -> None:
        """Forget cached lists (all, of one kind, or one list)."""
        clauses, args = [], []
        if kind is not None:
            clauses.append("kind = ?")
            args.append(kind)
        if filter is not None:
            clauses.append("filter = ?")
            args.append(filter)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        with self._db.tx() as conn:
            conn.execute(f"DELETE FROM lists{where}", args)

    # -- children ----------------------------------------------------------------------------
    def _set_id(self, parent_kind: str, parent_id: str, child_kind: str) -> int | None:
        row = self._db.conn.execute(
            "SELECT set_id FROM child_sets WHERE parent_kind = ? AND parent_id = ? "
            "AND child_kind = ?",
            (parent_kind, parent_id, child_kind),
        ).fetchone()
        return None if row is None else int(row[0])

    def put_children(
        self,
        parent_kind: str,
        parent_id: str,
        child_kind: str,
        children: Mapping[str, Mapping[str, Any]] | Iterable[tuple[str, Mapping[str, Any]]],
        fetched_at: float | None = None,
    ) -> None:
        """Replace the children of a record (in the given order) and cache the child records."""
        check_kind(child_kind, _RECORD_CHILD_KINDS)
        items = _pairs(children)
        ts = _now(fetched_at)
        with self._db.tx() as conn:
            self._upsert(child_kind, items, ts, merge=child_kind in ("contact", "group"))
            conn.execute(
                "INSERT INTO child_sets(parent_kind, parent_id, child_kind, fetched_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(parent_kind, parent_id, child_kind) "
                "DO UPDATE SET fetched_at = excluded.fetched_at",
                (parent_kind, parent_id, child_kind, ts),
            )
            set_id = self._set_id(parent_kind, parent_id, child_kind)
            conn.execute("DELETE FROM child_items WHERE set_id = ?", (set_id,))
            conn.executemany(
                "INSERT OR IGNORE INTO child_items(set_id, child_id, position) VALUES (?, ?, ?)",
                [(set_id, cid, float(i)) for i, (cid, _) in enumerate(items)],
            )

    def get_children(
        self, parent_kind: str, parent_id: str, child_kind: str
    ) -> Cached[list[tuple[str, Record]]] | None:
        """The cached children of a record in order; None when never fetched or added."""
        row = self._db.conn.execute(
            "SELECT set_id, fetched_at FROM child_sets WHERE parent_kind = ? AND parent_id = ? "
            "AND child_kind = ?",
            (parent_kind, parent_id, child_kind),
        ).fetchone()
        if row is None:
            return None
        rows = self._db.conn.execute(
            "SELECT r.id, r.data FROM child_items AS c JOIN records AS r "
            "ON r.kind = ? AND r.id = c.child_id WHERE c.set_id = ? ORDER BY c.position",
            (child_kind, row[0]),
        ).fetchall()
        return Cached([(cid, json.loads(data)) for cid, data in rows], row[1])

    def add_child(
        self,
        parent_kind: str,
        parent_id: str,
        child_kind: str,
        child_id: str,
        record: Mapping[str, Any] | None = None,
        *,
        first: bool = True,
        fetched_at: float | None = None,
    ) -> None:
        """Add one child locally (e.g. a note written offline), first or last in the set.

        A set that was never fetched is created with ``fetched_at`` 0 (so it reads as stale).
        """
        check_kind(child_kind, _RECORD_CHILD_KINDS)
        with self._db.tx() as conn:
            if record is not None:
                self._upsert(child_kind, [(child_id, record)], _now(fetched_at), merge=True)
            set_id = self._set_id(parent_kind, parent_id, child_kind)
            if set_id is None:
                set_id = conn.execute(
                    "INSERT INTO child_sets(parent_kind, parent_id, child_kind, fetched_at) "
                    "VALUES (?, ?, ?, 0)",
                    (parent_kind, parent_id, child_kind),
                ).lastrowid
            agg = "min(position) - 1" if first else "max(position) + 1"
            pos = conn.execute(
                f"SELECT coalesce({agg}, 0) FROM child_items WHERE set_id = ?", (set_id,)
            ).fetchone()[0]
            conn.execute(
                "INSERT OR REPLACE INTO child_items(set_id, child_id, position) VALUES (?, ?, ?)",
                (set_id, child_id, pos),
            )

    def remove_child(
        self, parent_kind: str, parent_id: str, child_kind: str, child_id: str
    ) -> None:
        with self._db.tx() as conn:
            set_id = self._set_id(parent_kind, parent_id, child_kind)
            if set_id is not None:
                conn.execute(
                    "DELETE FROM child_items WHERE set_id = ? AND child_id = ?", (set_id, child_id)
                )

    # -- temporary ids -----------------------------------------------------------------------
    @staticmethod
    def new_temp_id() -> str:
        return new_temp_id()

    def resolve_id(self, record_id: str) -> str:
        """The real id of a temporary id already remapped; any other id unchanged."""
        row = self._db.conn.execute(
            "SELECT real_id FROM id_map WHERE temp_id = ?", (record_id,)
        ).fetchone()
        return record_id if row is None else str(row[0])

    def remap(self, temp_id: str, real_id: str) -> None:
        """Rename a temporary id everywhere in the cache; call inside a transaction."""
        conn = self._db.conn
        pattern = f"%{temp_id}%"
        kinds = ",".join(f"'{k}'" for k in RECORD_KINDS)  # lets SQLite use (kind, id)
        for rid, kind in conn.execute(
            f"SELECT rid, kind FROM records WHERE kind IN ({kinds}) AND id = ?", (temp_id,)
        ).fetchall():
            clash = conn.execute(
                "SELECT rid FROM records WHERE kind = ? AND id = ?", (kind, real_id)
            ).fetchone()
            if clash is None:
                conn.execute("UPDATE records SET id = ? WHERE rid = ?", (real_id, rid))
            else:  # the server's copy is already cached: it wins
                self._search.unindex(kind, [rid])
                conn.execute("DELETE FROM records WHERE rid = ?", (rid,))
        for rid, kind, data in conn.execute(
            "SELECT rid, kind, data FROM records WHERE instr(data, 'tmp-') > 0 AND data LIKE ?",
            (pattern,),
        ).fetchall():
            rec = replace_id(json.loads(data), temp_id, real_id)
            conn.execute(
                "UPDATE records SET data = ? WHERE rid = ?",
                (_json(rec), rid),
            )
            self._search.index(kind, [(rid, rec)])
        for list_id in self._lists.lists_holding(temp_id):
            found = self._lists.find(list_id, [temp_id, real_id])
            for position in reversed(found.get(temp_id, [])):
                if real_id in found:
                    self._remove_position(list_id, position)
                else:
                    [(_, fetched)] = self._lists.read(list_id, position, position + 1)
                    self._lists.splice(list_id, position, position + 1, [(real_id, fetched)])
        conn.execute(
            "UPDATE OR IGNORE lists SET filter = replace(filter, ?, ?) WHERE filter LIKE ?",
            (temp_id, real_id, pattern),
        )
        conn.execute(
            "UPDATE OR IGNORE child_items SET child_id = ? WHERE child_id = ?", (real_id, temp_id)
        )
        conn.execute("DELETE FROM child_items WHERE child_id = ?", (temp_id,))
        conn.execute(
            f"UPDATE OR IGNORE child_sets SET parent_id = ? "
            f"WHERE parent_kind IN ({kinds}) AND parent_id = ?",
            (real_id, temp_id),
        )
        conn.execute(
            f"DELETE FROM child_sets WHERE parent_kind IN ({kinds}) AND parent_id = ?", (temp_id,)
        )
        conn.execute(
            "UPDATE OR IGNORE documents SET document_id = ? WHERE document_id = ?",
            (real_id, temp_id),
        )
        conn.execute(
            "INSERT OR REPLACE INTO id_map(temp_id, real_id, mapped_at) VALUES (?, ?, ?)",
            (temp_id, real_id, time.time()),
        )
