"""Ordered list caches stored as chunks, so a local insert or delete is cheap at any size.

A cached list (kind, filter) has a total and, for each position, either an id with its
fetched_at or nothing (not cached yet). Positions are kept as a sequence of chunks ordered by
``seq``: a *gap* chunk covers ``size`` uncached positions; an *items* chunk holds up to a few
hundred positions as JSON arrays of ids and fetch times (``null`` where not cached). Inserting
or removing one position rewrites one chunk; nothing else moves. ``list_index`` maps each
cached id to its chunk so an id is found without reading the list.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

CHUNK = 256
"""Target number of positions in an items chunk; chunks are split above twice this."""

Entry = tuple[str | None, float | None]


@dataclass
class _Seg:
    """A run of positions: a gap (``ids is None``) of ``size``, or explicit entries."""

    size: int
    ids: list[str | None] | None = None
    times: list[float | None] | None = None

    def cut(self, a: int, b: int) -> _Seg:
        if self.ids is None:
            return _Seg(b - a)
        assert self.times is not None
        return _Seg(b - a, self.ids[a:b], self.times[a:b])


@dataclass
class _Chunk:
    chunk_id: int
    seq: float
    size: int
    start: int  # position of its first entry


def _normalise(segs: Iterable[_Seg]) -> list[_Seg]:
    """Merge neighbours of one type, turn all-empty entries into gaps, split big chunks."""
    merged: list[_Seg] = []
    for seg in segs:
        if seg.size <= 0:
            continue
        if seg.ids is not None and all(i is None for i in seg.ids):
            seg = _Seg(seg.size)
        if merged and (merged[-1].ids is None) == (seg.ids is None):
            last = merged[-1]
            if seg.ids is None:
                last.size += seg.size
            else:
                assert last.ids is not None
                assert seg.ids is not None
                assert last.times is not None
                assert seg.times is not None
                last.ids += seg.ids
                last.times += seg.times
                last.size += seg.size
        else:
            merged.append(_Seg(seg.size, list(seg.ids), list(seg.times or [])) if seg.ids else seg)
    out: list[_Seg] = []
    for seg in merged:
        if seg.ids is None or seg.size <= 2 * CHUNK:
            out.append(seg)
            continue
        for a in range(0, seg.size, CHUNK):
            out.append(seg.cut(a, min(seg.size, a + CHUNK)))
    return out


class ChunkedLists:
    """Chunk operations on the ``list_chunks`` and ``list_index`` tables (inside a transaction)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    # -- reading -----------------------------------------------------------------------------
    def _dir(self, list_id: int) -> list[_Chunk]:
        out: list[_Chunk] = []
        pos = 0
        for chunk_id, seq, size in self._conn.execute(
            "SELECT chunk_id, seq, size FROM list_chunks WHERE list_id = ? ORDER BY seq",
            (list_id,),
        ):
            out.append(_Chunk(chunk_id, seq, size, pos))
            pos += size
        return out

    def _load(self, chunk: _Chunk) -> _Seg:
        row = self._conn.execute(
            "SELECT ids, times FROM list_chunks WHERE chunk_id = ?", (chunk.chunk_id,)
        ).fetchone()
        if row[0] is None:
            return _Seg(chunk.size)
        return _Seg(chunk.size, json.loads(row[0]), json.loads(row[1]))

    def read(self, list_id: int, start: int, end: int) -> list[Entry]:
        """Entries of positions ``start .. end`` (``(None, None)`` where not cached)."""
        out: list[Entry] = []
        for chunk in self._dir(list_id):
            a, b = max(start, chunk.start), min(end, chunk.start + chunk.size)
            if a >= b:
                continue
            seg = self._load(chunk).cut(a - chunk.start, b - chunk.start)
            if seg.ids is None:
                out += [(None, None)] * seg.size
            else:
                assert seg.times is not None
                out += list(zip(seg.ids, seg.times, strict=True))
        return out

    def ranges(self, list_id: int) -> list[tuple[int, int]]:
        """Cached positions as ``[(start, end_exclusive), ...]``."""
        out: list[tuple[int, int]] = []

        def add(a: int, b: int) -> None:
            if out and out[-1][1] == a:
                out[-1] = (out[-1][0], b)
            else:
                out.append((a, b))

        pos = 0
        # only chunks with holes are parsed; a full chunk is one range
        for size, is_gap, partial in self._conn.execute(
            "SELECT size, ids IS NULL, CASE WHEN instr(ids, 'null') > 0 THEN ids END "
            "FROM list_chunks WHERE list_id = ? ORDER BY seq",
            (list_id,),
        ):
            if is_gap:
                pass
            elif partial is None:
                add(pos, pos + size)
            else:
                for i, item in enumerate(json.loads(partial)):
                    if item is not None:
                        add(pos + i, pos + i + 1)
            pos += size
        return out

    def find(self, list_id: int, item_ids: Iterable[str]) -> dict[str, list[int]]:
        """Positions of each of ``item_ids`` found in the list (absent ids are left out)."""
        wanted = list(dict.fromkeys(item_ids))
        hits: dict[int, set[str]] = {}
        for i in range(0, len(wanted), 500):
            part = wanted[i : i + 500]
            marks = ",".join("?" * len(part))
            for item_id, chunk_id in self._conn.execute(
                f"SELECT item_id, chunk_id FROM list_index WHERE list_id = ? "
                f"AND item_id IN ({marks})",
                (list_id, *part),
            ):
                hits.setdefault(int(chunk_id), set()).add(item_id)
        if not hits:
            return {}
        out: dict[str, list[int]] = {}
        for chunk in self._dir(list_id):
            names = hits.get(chunk.chunk_id)
            if not names:
                continue
            seg = self._load(chunk)
            assert seg.ids is not None
            for j, x in enumerate(seg.ids):
                if x is not None and x in names:
                    out.setdefault(x, []).append(chunk.start + j)
        return out

    def cached_count(self, list_id: int) -> int:
        return sum(b - a for a, b in self.ranges(list_id))

    def positions_of(self, list_id: int, item_id: str) -> list[int]:
        """Where ``item_id`` sits in the list (normally at most one position)."""
        return sorted(self.find(list_id, [item_id]).get(item_id, []))

    def lists_holding(self, item_id: str) -> list[int]:
        rows = self._conn.execute(
            "SELECT DISTINCT list_id FROM list_index WHERE item_id = ?", (item_id,)
        )
        return [int(r[0]) for r in rows]

    # -- writing -----------------------------------------------------------------------------
    def reset(self, list_id: int, total: int) -> None:
        """Forget every position; the list becomes ``total`` uncached positions."""
        self._conn.execute("DELETE FROM list_index WHERE list_id = ?", (list_id,))
        self._conn.execute("DELETE FROM list_chunks WHERE list_id = ?", (list_id,))
        if total > 0:
            self._conn.execute(
                "INSERT INTO list_chunks(list_id, seq, size, ids, times) VALUES (?, 1.0, ?, NULL, "
                "NULL)",
                (list_id, total),
            )

    def splice(self, list_id: int, start: int, end: int, middle: Sequence[Entry]) -> None:
        """Replace positions ``start .. end`` by ``middle`` (which may differ in length)."""
        chunks = self._dir(list_id)
        total = chunks[-1].start + chunks[-1].size if chunks else 0
        start = max(0, min(start, total))
        end = max(start, min(end, total))
        # the chunks touched: those overlapping [start, end), or the one holding `start`
        touched = [
            c
            for c in chunks
            if (c.start < end and c.start + c.size > start)
            or (start == end and c.start <= start <= c.start + c.size)
        ]
        if start == end and touched:
            touched = touched[:1]
        segs: list[_Seg] = []
        if touched:
            first, last = touched[0], touched[-1]
            loaded = [self._load(c) for c in touched]
            segs.append(loaded[0].cut(0, start - first.start))
            if middle:
                segs.append(_Seg(len(middle), [m[0] for m in middle], [m[1] for m in middle]))
            segs.append(loaded[-1].cut(end - last.start, last.size))
            lo_id = next((c.chunk_id for c in reversed(chunks) if c.seq < first.seq), None)
            hi_id = next((c.chunk_id for c in chunks if c.seq > last.seq), None)
        else:
            if middle:
                segs.append(_Seg(len(middle), [m[0] for m in middle], [m[1] for m in middle]))
            lo_id = chunks[-1].chunk_id if chunks else None
            hi_id = None
        new = _normalise(segs)
        ids = [c.chunk_id for c in touched]
        if ids:
            marks = ",".join("?" * len(ids))
            self._conn.execute(f"DELETE FROM list_index WHERE chunk_id IN ({marks})", ids)
            self._conn.execute(f"DELETE FROM list_chunks WHERE chunk_id IN ({marks})", ids)
        seqs = self._seqs(list_id, lo_id, hi_id, len(new))
        for seq, seg in zip(seqs, new, strict=True):
            cur = self._conn.execute(
                "INSERT INTO list_chunks(list_id, seq, size, ids, times) VALUES (?, ?, ?, ?, ?)",
                (
                    list_id,
                    seq,
                    seg.size,
                    None if seg.ids is None else json.dumps(seg.ids, separators=(",", ":")),
                    None if seg.times is None else json.dumps(seg.times, separators=(",", ":")),
                ),
            )
            if seg.ids is not None:
                self._conn.executemany(
                    "INSERT OR IGNORE INTO list_index(list_id, item_id, chunk_id) VALUES (?, ?, ?)",
                    [(list_id, i, cur.lastrowid) for i in dict.fromkeys(seg.ids) if i is not None],
                )

    def _seq_of(self, chunk_id: int | None) -> float | None:
        if chunk_id is None:
            return None
        row = self._conn.execute(
            "SELECT seq FROM list_chunks WHERE chunk_id = ?", (chunk_id,)
        ).fetchone()
        return float(row[0])

    def _seqs(self, list_id: int, lo_id: int | None, hi_id: int | None, n: int) -> list[float]:
        """``n`` increasing seq numbers between two neighbour chunks (None = list end)."""
        if n == 0:
            return []
        for _ in range(2):
            lo, hi = self._seq_of(lo_id), self._seq_of(hi_id)
            low = lo if lo is not None else (hi - n - 1 if hi is not None else 0.0)
            high = hi if hi is not None else low + n + 1
            step = (high - low) / (n + 1)
            seqs = [low + step * (i + 1) for i in range(n)]
            if len({*seqs, low, high}) == n + 2:
                return seqs
            # no room left between the neighbours: renumber the list's chunks, then retry
            rows = self._conn.execute(
                "SELECT chunk_id FROM list_chunks WHERE list_id = ? ORDER BY seq", (list_id,)
            ).fetchall()
            self._conn.executemany(
                "UPDATE list_chunks SET seq = ? WHERE chunk_id = ?",
                [(float(i) * 1024.0, cid) for i, (cid,) in enumerate(rows)],
            )
        raise AssertionError("list chunk numbering failed")
