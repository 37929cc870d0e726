"""Cached document bytes: files in the account folder, a total size cap, LRU eviction.

Only cached downloads are ever evicted. Files of queued uploads live in the outbox folder,
belong to their op and count towards the cap, but are never evicted.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from .db import Database
from .types import private_dir, private_file

log = logging.getLogger(__name__)

DEFAULT_CAP_BYTES = 512 * 1024 * 1024


def _file_name(document_id: str) -> str:
    return hashlib.sha256(document_id.encode("utf-8")).hexdigest()[:32]


class Documents:
    """The document file cache of one account."""

    def __init__(
        self,
        db: Database,
        folder: Path,
        staged_bytes: Callable[[], int],
        cap_bytes: int = DEFAULT_CAP_BYTES,
    ) -> None:
        self._db = db
        self._dir = folder
        self._staged_bytes = staged_bytes
        self.cap_bytes = int(cap_bytes)

    @property
    def folder(self) -> Path:
        return self._dir

    def get(self, document_id: str) -> Path | None:
        """The cached file of a document (and mark it recently used), or None."""
        row = self._db.conn.execute(
            "SELECT file FROM documents WHERE document_id = ?", (document_id,)
        ).fetchone()
        if row is None:
            return None
        path = self._dir / row[0]
        with self._db.tx() as conn:
            if not path.is_file():
                conn.execute("DELETE FROM documents WHERE document_id = ?", (document_id,))
                return None
            conn.execute(
                "UPDATE documents SET last_access = ? WHERE document_id = ?",
                (time.time(), document_id),
            )
        return path

    def info(self, document_id: str) -> tuple[str, int, float] | None:
        """(file name, size, fetched_at) of a cached document, or None."""
        row = self._db.conn.execute(
            "SELECT file_name, size, fetched_at FROM documents WHERE document_id = ?",
            (document_id,),
        ).fetchone()
        return None if row is None else (row[0], int(row[1]), float(row[2]))

    def temp_path(self, document_id: str) -> Path:
        """A fresh private file to stream a download into (may be written from a thread)."""
        private_dir(self._dir)
        path = self._dir / f".part-{_file_name(document_id)[:8]}-{uuid.uuid4().hex}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        return path

    def commit(self, document_id: str, tmp: Path | str, file_name: str = "") -> Path:
        """Register a finished download written to ``tmp``; evicts old downloads over the cap."""
        tmp = Path(tmp)
        dest = self._dir / _file_name(document_id)
        private_dir(self._dir)
        os.replace(tmp, dest)
        private_file(dest)
        self._register(document_id, dest, file_name)
        return dest

    def put_bytes(self, document_id: str, data: bytes, file_name: str = "") -> Path:
        """Cache a (small) document's bytes."""
        tmp = self.temp_path(document_id)
        tmp.write_bytes(data)
        return self.commit(document_id, tmp, file_name)

    def adopt(self, document_id: str, staged: Path, file_name: str = "") -> Path:
        """Keep an uploaded file as the cached copy of the document the server created."""
        dest = self._dir / _file_name(document_id)
        private_dir(self._dir)
        try:
            os.replace(staged, dest)
        except OSError:
            log.warning("could not keep an uploaded file in the document cache", exc_info=True)
            return dest
        private_file(dest)
        self._register(document_id, dest, file_name or staged.name.partition("-")[2])
        return dest

    def _register(self, document_id: str, dest: Path, file_name: str) -> None:
        now = time.time()
        size = dest.stat().st_size
        with self._db.tx() as conn:
            conn.execute(
                "INSERT INTO documents(document_id, file, size, file_name, fetched_at, "
                "last_access) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(document_id) DO UPDATE SET "
                "file = excluded.file, size = excluded.size, file_name = excluded.file_name, "
                "fetched_at = excluded.fetched_at, last_access = excluded.last_access",
                (document_id, dest.name, size, file_name, now, now),
            )
        self.evict(keep=document_id)

    def remove(self, document_id: str) -> None:
        row = self._db.conn.execute(
            "SELECT file FROM documents WHERE document_id = ?", (document_id,)
        ).fetchone()
        with self._db.tx() as conn:
            conn.execute("DELETE FROM documents WHERE document_id = ?", (document_id,))
        if row is not None:
            (self._dir / row[0]).unlink(missing_ok=True)

    def cached_bytes(self) -> int:
        return int(
            self._db.conn.execute("SELECT coalesce(sum(size), 0) FROM documents").fetchone()[0]
        )

    def total_bytes(self) -> int:
        """Cached downloads plus files of queued uploads."""
        return self.cached_bytes() + self._staged_bytes()

    def evict(self, keep: str | None = None) -> list[str]:
        """Delete least recently used downloads until the total fits the cap."""
        over = self.total_bytes() - self.cap_bytes
        if over <= 0:
            return []
        victims: list[tuple[str, str]] = []
        for document_id, file, size in self._db.conn.execute(
            "SELECT document_id, file, size FROM documents ORDER BY last_access, document_id"
        ).fetchall():
            if over <= 0:
                break
            if document_id == keep:
                continue
            victims.append((document_id, file))
            over -= int(size)
        if victims:
            with self._db.tx() as conn:
                conn.executemany(
                    "DELETE FROM documents WHERE document_id = ?", [(d,) for d, _ in victims]
                )
            for _, file in victims:
                (self._dir / file).unlink(missing_ok=True)
        return [d for d, _ in victims]

    def cleanup(self) -> None:
        """Drop partial downloads, rows without files and files without rows."""
        if not self._dir.exists():
            return
        known = {
            r[0]: r[1] for r in self._db.conn.execute("SELECT file, document_id FROM documents")
        }
        on_disk = set()
        for entry in self._dir.iterdir():
            if entry.name.startswith(".part-") or entry.name not in known:
                entry.unlink(missing_ok=True)
            else:
                on_disk.add(entry.name)
        missing = [doc for file, doc in known.items() if file not in on_disk]
        if missing:
            with self._db.tx() as conn:
                conn.executemany(
                    "DELETE FROM documents WHERE document_id = ?", [(d,) for d in missing]
                )
