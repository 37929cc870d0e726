"""Damaging a store file the way a disk or a crash does: pages overwritten with garbage, chosen
by what they hold (SQLite's ``dbstat`` table tells which table or index owns each page)."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest


def pages_of(db: Path) -> list[tuple[str, int, str]]:
    """(table or index name, page number, page type) of every b-tree page of ``db``."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return [
                (str(n), int(p), str(t))
                for n, p, t in conn.execute("SELECT name, pageno, pagetype FROM dbstat")
            ]
    except sqlite3.OperationalError as exc:
        pytest.skip(f"this SQLite has no dbstat table: {exc}")


def overwrite_pages(
    db: Path, choose: Callable[[str, str], bool], *, every: int = 1, seed: int = 5
) -> list[int]:
    """Overwrite with random bytes every ``every``-th page whose (owner, type) ``choose``
    accepts; page 1 (the header) is never touched. The WAL must have been checkpointed (the
    store closed). Returns the page numbers overwritten."""
    for side in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        assert not side.exists() or side.stat().st_size == 0 or side.name.endswith("-shm")
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    chosen = sorted(p for n, p, t in pages_of(db) if p > 1 and choose(n, t))[::every]
    assert chosen, "no page matched"
    rng = random.Random(seed)
    with open(db, "r+b") as fh:
        for page in chosen:
            fh.seek((page - 1) * page_size)
            fh.write(rng.randbytes(page_size))
    return chosen
