"""Rebuilding a damaged store: unsent changes carried over, the old files kept aside, and a notice
that says in plain words what happened and how many changes were recovered or lost.

The new database is built (with what :mod:`.salvage` could read of the old outbox) under a
temporary name before anything is moved, so a disk that is full or read-only leaves the
damaged store in place, untouched. Then the old files go into the account's ``corrupt``
folder and the new database takes their place; a crash in between is finished at the next
open (:func:`~snx_desktop.store.opening.adopt_rebuilt`). Staged files of queued uploads stay
in the outbox folder when their op was recovered; the others are kept beside the old file.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from pathlib import Path

from .db import connect
from .opening import REBUILD_SUFFIX, raise_for, read_only_url, sidecars
from .paths import CORRUPT_DIR, DOCUMENTS_DIR, OUTBOX_DIR
from .salvage import Salvage, read_unsent, write_salvage
from .schema import migrate
from .types import OpenNotice, StoreUnavailable, private_dir, private_file, sync_dir

log = logging.getLogger(__name__)

#: reasons for which the old outbox is read and carried over (the file is an SQLite database
#: of this app's schema, damaged); a newer schema's ops are not this app's to send
SALVAGED_REASONS = frozenset({"integrity", "unreadable"})

_REASON_TEXT = {
    "not-a-database": "was not a database",
    "integrity": "was damaged",
    "unreadable": "could not be read",
    "newer-schema": "was written by a newer version of the app",
    "empty": "was found empty (0 bytes): its data was lost",
}


def rebuild(folder: Path, path: Path, reason: str) -> OpenNotice:
    """Replace the damaged database at ``path`` by a new one holding what could be saved of
    its unsent changes; the caller has closed every connection to it. Raises
    ``opening.Refused`` (nothing moved) when the disk will not take the new database."""
    salvage = read_unsent(path) if reason in SALVAGED_REASONS else None
    rebuilt = path.with_name(path.name + REBUILD_SUFFIX)
    if salvage is not None and (salvage.ops or salvage.id_map):
        _build(rebuilt, salvage)
    unsent = _count_unsent(path) if reason == "newer-schema" else None
    moved_to = _move_files_aside(folder, path)
    if rebuilt.exists():
        os.replace(rebuilt, path)
        sync_dir(folder)
    keep = {Path(a).name for a in salvage.attachments} if salvage is not None else set()
    uploads_kept = _set_uploads_aside(folder, moved_to, keep)
    shutil.rmtree(folder / DOCUMENTS_DIR, ignore_errors=True)
    if salvage is not None and salvage.recovered:
        log.warning(
            "offline store rebuilt: %d unsent changes recovered, %s lost",
            salvage.recovered,
            "unknown" if salvage.lost is None else salvage.lost,
        )
    return _notice(reason, salvage, unsent, moved_to, uploads_kept)


def _build(target: Path, salvage: Salvage) -> None:
    """Make a new database at ``target`` holding the salvaged rows, synced to the disk."""
    for side in sidecars(target):
        side.unlink(missing_ok=True)
    conn: sqlite3.Connection | None = None
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        private_file(target)
        conn = connect(target)
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("BEGIN IMMEDIATE")
        migrate(conn)
        write_salvage(conn, salvage)
        conn.execute("COMMIT")
        conn.close()  # the last connection: its WAL is checkpointed into the file and removed
        conn = None
        fd = os.open(target, os.O_RDWR)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except (sqlite3.Error, OSError) as exc:
        if conn is not None:
            conn.close()
        for side in sidecars(target):
            side.unlink(missing_ok=True)
        raise_for(exc, target.parent)


def _count_unsent(path: Path) -> int | None:
    """How many ops the outbox of a database about to be moved aside holds (None: unreadable)."""
    if not path.exists():
        return 0
    try:
        conn = sqlite3.connect(read_only_url(path), uri=True, timeout=1)
    except sqlite3.Error:
        return None
    try:
        has = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'outbox'"
        ).fetchone()[0]
        if not has:
            return 0
        return int(conn.execute("SELECT count(*) FROM outbox").fetchone()[0])
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _move_files_aside(folder: Path, path: Path) -> Path | None:
    """Move the database and its WAL files into ``corrupt``; where it went (None: deleted)."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    corrupt = private_dir(folder / CORRUPT_DIR)
    target = corrupt / f"store-{stamp}.sqlite3"
    n = 1
    while target.exists():
        n += 1
        target = corrupt / f"store-{stamp}-{n}.sqlite3"
    moved_to: Path | None = target
    # the WAL first: a WAL left beside the new database would be replayed into it
    wal_first = [*sidecars(path)[1:], path]
    for src in wal_first:
        if not src.exists():
            continue
        dest = corrupt / (target.name + src.name[len(path.name) :])
        try:
            src.replace(dest)
            private_file(dest)
        except OSError:
            log.warning("could not move a damaged store file aside; deleting it", exc_info=True)
            try:
                if src.is_dir():
                    shutil.rmtree(src)
                else:
                    src.unlink()
            except OSError as exc:
                raise StoreUnavailable(
                    "The offline store is damaged and cannot be replaced "
                    f"({exc.strerror}). Check the permissions of {folder}."
                ) from exc
            if src == path:
                moved_to = None
    return moved_to


def _set_uploads_aside(folder: Path, moved_to: Path | None, keep: set[str]) -> Path | None:
    """Move staged upload files no recovered op needs beside the old file; where they went."""
    outbox = folder / OUTBOX_DIR
    if not outbox.exists():
        return None
    leftovers = [p for p in outbox.iterdir() if p.name not in keep]
    if not leftovers:
        return None
    stamp = moved_to.stem.removeprefix("store-") if moved_to is not None else str(int(time.time()))
    kept = private_dir(folder / CORRUPT_DIR / f"outbox-{stamp}")
    for entry in leftovers:
        entry.replace(kept / entry.name)
    return kept


def _salvage_text(salvage: Salvage | None) -> str:
    if salvage is None or not salvage.found:
        return "Changes that were waiting to be sent from it, if there were any, could not be read."
    n, lost = salvage.recovered, salvage.lost
    recovered = f"{n} unsent change{'s were' if n != 1 else ' was'} recovered and will be sent"
    if lost == 0:
        return recovered + "." if n else "No changes were waiting to be sent, so none were lost."
    if lost is None:
        head = f"{recovered}, but part" if n else "Part"
        return (
            f"{head} of the old file could not be read, so changes that were waiting to be "
            "sent in it may be missing: check your recent changes."
        )
    head = f"{recovered}, but {lost}" if n else f"{lost}"
    they = "they were" if lost != 1 else "it was"
    return (
        f"{head} unsent change{'s' if lost != 1 else ''} could not be read: {they} not sent "
        f"and stay{'s' if lost == 1 else ''} only in the old file."
    )


def _unsent_text(unsent: int | None) -> str:
    if unsent is None:
        return "Changes that were waiting to be sent from it, if there were any, could not be read."
    if unsent == 0:
        return "No changes were waiting to be sent, so none were lost."
    plural = "s were" if unsent != 1 else " was"
    return (
        f"{unsent} change{plural} waiting to be sent; "
        f"{'they were' if unsent != 1 else 'it was'} not sent and stay only in the old file."
    )


def _notice(
    reason: str,
    salvage: Salvage | None,
    unsent: int | None,
    moved_to: Path | None,
    uploads_kept: Path | None,
) -> OpenNotice:
    text = _REASON_TEXT.get(reason, "was damaged")
    kept = f" The old file was kept as {moved_to}." if moved_to is not None else ""
    uploads = (
        f" Files queued for upload were kept in {uploads_kept}." if uploads_kept is not None else ""
    )
    recovered = 0
    lost: int | None = unsent
    if reason == "empty":
        message = (
            f"The offline store {text} (a crash, a full disk, or a backup or sync tool can "
            "do this). A new store has been built and cached data will be fetched again, but "
            "changes that were waiting to be sent, if there were any, are lost: check your "
            f"recent changes and make them again.{uploads}{kept}"
        )
        lost = None
    elif salvage is not None:
        recovered, lost = salvage.recovered, salvage.lost
        unsent = recovered + lost if lost is not None else None
        message = (
            f"The offline store {text} and has been rebuilt; {_salvage_text(salvage)} "
            f"Cached data will be fetched again.{uploads}{kept}"
        )
    else:
        message = (
            f"The offline store {text} and has been rebuilt; cached data will be fetched "
            f"again. {_unsent_text(unsent)}{uploads}{kept}"
        )
    return OpenNotice(
        message=message,
        moved_to=moved_to,
        reason=reason,
        unsent_changes=unsent,
        recovered_changes=recovered,
        lost_changes=lost,
    )
