"""Reading the unsent changes out of a damaged database, and writing them into its replacement.

A damaged file is read on a read-only connection, as well as it can be: the outbox rows by
ranges of op ids, a range that fails split in halves down to the single ops that cannot be
read, so one bad page costs only the ops on it. The op ids the outbox's indexes still list
tell which ops those were, so the count of changes lost is exact whenever an index could be
read whole. Each row is checked (its JSON columns parse, its state is known) before it is
carried over; the map of temporary ids and the op-id sequence come along, so that ids and
dependencies stay as they were.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .opening import read_only_url

log = logging.getLogger(__name__)

MAX_OP_ID = (1 << 63) - 1
MAX_LOOKUPS = 100_000  # op ids looked up one by one past the end of a scan, at most

# (column, value used when an older schema lacks it)
_OUTBOX_COLUMNS: tuple[tuple[str, str], ...] = (
    ("op_id", "NULL"),
    ("function", "NULL"),
    ("params", "NULL"),
    ("description", "''"),
    ("target_kind", "NULL"),
    ("target_id", "NULL"),
    ("base", "'{}'"),
    ("temp_ids", "'[]'"),
    ("depends_on", "'[]'"),
    ("state", "'queued'"),
    ("error", "NULL"),
    ("error_code", "NULL"),
    ("conflicts", "'{}'"),
    ("attachment", "NULL"),
    ("attachment_size", "0"),
    ("attempts", "0"),
    ("created_at", "0"),
    ("updated_at", "0"),
)
_STATES = frozenset({"queued", "sending", "sent-unknown", "failed", "conflict"})


@dataclass
class Salvage:
    """What could be read of a damaged database's outbox."""

    #: rows in ``_OUTBOX_COLUMNS`` order, checked, by op id
    ops: list[tuple[Any, ...]] = field(default_factory=list)
    #: (temp_id, real_id, mapped_at) of temporary ids already replaced
    id_map: list[tuple[str, str, float]] = field(default_factory=list)
    #: the highest op id ever handed out (new ops must come after it)
    sequence: int = 0
    #: op ids the damaged file is known to hold (from its rows or an index of the outbox)
    known: set[int] = field(default_factory=set)
    #: op ids of rows read but not usable (garbled)
    garbled: set[int] = field(default_factory=set)
    #: the outbox table was found at all
    found: bool = False
    #: every op id the file may hold is accounted for (each row read, or listed by an index)
    complete: bool = False

    @property
    def recovered(self) -> int:
        return len(self.ops)

    @property
    def lost(self) -> int | None:
        """Ops of the old file not carried over; None when that is not known."""
        if not self.found:
            return None
        missing = len(self.known - {int(op[0]) for op in self.ops})
        return missing if self.complete else None

    @property
    def attachments(self) -> set[str]:
        return {str(op[13]) for op in self.ops if op[13]}


def read_unsent(path: Path) -> Salvage:
    """Read what can be read of the outbox (and id map) of the damaged database at ``path``."""
    out = Salvage()
    conn = _connect(path)
    if conn is None:
        return out
    try:
        try:
            present = {str(r[1]) for r in conn.execute("PRAGMA table_info(outbox)").fetchall()}
        except sqlite3.Error as exc:
            log.warning("salvage: the damaged store's tables cannot be read: %s", exc)
            return out
        if "op_id" not in present:
            out.complete = True  # no outbox: nothing was waiting
            out.found = True
            return out
        out.found = True
        listed, index_whole = _indexed_ids(conn)
        sequence = _sequence(conn)
        select = ", ".join(c if c in present else f"{d} AS {c}" for c, d in _OUTBOX_COLUMNS)
        rows, failed = _read_range(conn, select, 1, MAX_OP_ID)
        # a damaged page may also end a scan early without an error: look up one by one the
        # ops an index lists and the ids up to the sequence that the scan did not reach
        got = {int(r[0]) for r in rows if isinstance(r[0], int)}
        top = max(got, default=0)
        beyond = range(top + 1, min(sequence, top + MAX_LOOKUPS) + 1)
        for op_id in sorted((listed - got) | set(beyond)):
            more, bad = _read_range(conn, select, op_id, op_id)
            rows += more
            failed += bad
        for row in rows:
            op_id = int(row[0])
            out.known.add(op_id)
            checked = _checked(row)
            if checked is None:
                out.garbled.add(op_id)
            else:
                out.ops.append(checked)
        out.known |= listed
        reached_sequence = 0 < sequence <= top + MAX_LOOKUPS
        out.complete = index_whole or (not failed and (reached_sequence or not out.known))
        if failed:
            log.warning("salvage: %d op ids of the damaged store could not be read", len(failed))
        out.id_map = _id_map(conn)
        out.sequence = max([sequence, *out.known, 0])
    finally:
        conn.close()
    out.ops.sort(key=lambda r: int(r[0]))
    return out


def _connect(path: Path) -> sqlite3.Connection | None:
    for immutable in (False, True):
        try:
            conn = sqlite3.connect(read_only_url(path, immutable=immutable), uri=True, timeout=1)
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
            return conn
        except sqlite3.Error as exc:
            log.info("salvage: cannot open the damaged store (%s)", exc)
    return None


def _read_range(
    conn: sqlite3.Connection, select: str, lo: int, hi: int
) -> tuple[list[tuple[Any, ...]], list[tuple[int, int]]]:
    """Rows with op ids in [lo, hi]; a range that cannot be read is split in halves down to
    single ids. Returns the rows and the (lo, hi) ranges that could not be read."""
    try:
        rows = conn.execute(
            f"SELECT {select} FROM outbox NOT INDEXED WHERE op_id BETWEEN ? AND ? ORDER BY op_id",
            (lo, hi),
        ).fetchall()
        return [tuple(r) for r in rows], []
    except sqlite3.Error:
        if lo >= hi:
            return [], [(lo, hi)]
    mid = lo + (hi - lo) // 2
    rows_a, failed_a = _read_range(conn, select, lo, mid)
    rows_b, failed_b = _read_range(conn, select, mid + 1, hi)
    return rows_a + rows_b, failed_a + failed_b


def _indexed_ids(conn: sqlite3.Connection) -> tuple[set[int], bool]:
    """Op ids listed by the outbox's indexes, and whether one index was read whole."""
    ids: set[int] = set()
    whole = False
    try:
        names = [
            str(r[0])
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox'"
            ).fetchall()
        ]
    except sqlite3.Error:
        return ids, False
    for name in names:
        if not name.replace("_", "").isalnum():
            continue
        try:
            for (op_id,) in conn.execute(f"SELECT op_id FROM outbox INDEXED BY {name}"):
                ids.add(int(op_id))
        except (sqlite3.Error, TypeError, ValueError):
            continue
        whole = True
    return ids, whole


def _id_map(conn: sqlite3.Connection) -> list[tuple[str, str, float]]:
    out: list[tuple[str, str, float]] = []
    try:
        for temp, real, at in conn.execute("SELECT temp_id, real_id, mapped_at FROM id_map"):
            if isinstance(temp, str) and isinstance(real, str):
                out.append((temp, real, float(at) if isinstance(at, int | float) else 0.0))
    except sqlite3.Error as exc:
        log.info("salvage: part of the id map could not be read (%s)", exc)
    return out


def _sequence(conn: sqlite3.Connection) -> int:
    try:
        row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone()
    except sqlite3.Error:
        return 0
    return int(row[0]) if row is not None and isinstance(row[0], int) else 0


def _json(value: Any, kind: type) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return isinstance(json.loads(value), kind)
    except ValueError:
        return False


def _checked(row: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The row when it makes sense as an op (garbled values: None)."""
    (
        op_id,
        function,
        params,
        description,
        target_kind,
        target_id,
        base,
        temp_ids,
        depends_on,
        state,
        error,
        error_code,
        conflicts,
        attachment,
        size,
        attempts,
        created,
        updated,
    ) = row
    texts_or_null = (target_kind, target_id, error, error_code, attachment)
    ok = (
        isinstance(op_id, int)
        and isinstance(function, str)
        and bool(function)
        and isinstance(description, str)
        and state in _STATES
        and all(v is None or isinstance(v, str) for v in texts_or_null)
        and _json(params, dict)
        and _json(base, dict)
        and _json(temp_ids, list)
        and _json(depends_on, list)
        and _json(conflicts, dict)
        and isinstance(size, int)
        and isinstance(attempts, int)
        and isinstance(created, int | float)
        and isinstance(updated, int | float)
    )
    if ok and not all(isinstance(d, int) for d in json.loads(depends_on)):
        ok = False
    return row if ok else None


def write_salvage(conn: sqlite3.Connection, salvage: Salvage) -> None:
    """Write the salvaged ops, id map and op-id sequence into a new database (in the
    caller's transaction), keeping every op id."""
    names = ", ".join(c for c, _ in _OUTBOX_COLUMNS)
    marks = ", ".join("?" * len(_OUTBOX_COLUMNS))
    conn.executemany(f"INSERT INTO outbox({names}) VALUES ({marks})", salvage.ops)
    conn.executemany(
        "INSERT OR REPLACE INTO id_map(temp_id, real_id, mapped_at) VALUES (?, ?, ?)",
        salvage.id_map,
    )
    if salvage.sequence:
        updated = conn.execute(
            "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'outbox'",
            (salvage.sequence,),
        ).rowcount
        if not updated:
            conn.execute(
                "INSERT INTO sqlite_sequence(name, seq) VALUES ('outbox', ?)", (salvage.sequence,)
            )
