"""The outbox: a durable, ordered journal of writes waiting for the server.

A write is appended (committed) before it is sent, marked ``sending`` (committed) right before
the request goes out, and removed only once the server answered. Every commit here is durable
(``synchronous = FULL`` for that transaction: the WAL is synced to the disk), and a staged
upload file is synced before its op is appended, so a change the rep saw accepted survives a
power loss, not only a crash of the app; a write the disk refuses raises the store's typed
error (e.g. ``StoreFull``) and is not journaled. Records created offline carry
temporary ids; when the server names the real id, :meth:`Outbox.mark_done` removes the op and
rewrites the temporary id in every later op and in the cache in the same transaction, so a
killed process never leaves a half-applied remap. An op found ``sending`` when the store is
opened again became ``sent-unknown``: its outcome must be looked up before it is sent again.
What an op is, and how a row reads as one, is :mod:`snx_desktop.store.outboxrows`.

Ops of the side lane (`SIDE_LANE`: document uploads) are sent beside the ordered queue: they
wait for the creates whose temporary ids they use, but not for earlier changes of their record,
and later changes of that record do not wait for them. An upload may reference the rep's own
file while it is sent at once; `Outbox.set_attachment` stages a copy for it later, when it has
to wait.

The outbox is written on the store's own connection, on the event loop's thread, synchronously,
never through the store writer's thread (:mod:`.writer`, which writes fetched pages): a change
must be journaled on the disk before the dialog that made it closes, so the call that journals
it returns only once it has committed.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from .cache import Cache, replace_id
from .db import Database
from .documents import Documents
from .errors import refused_write
from .outboxrows import (
    COLUMNS,
    FieldConflict,
    Op,
    OpBrief,
    OpState,
    OutboxCounts,
    dumps,
    op_from_row,
    refuse_secrets,
)
from .types import TEMP_ID_RE, OutboxStateError, private_dir, private_file, sync_dir

log = logging.getLogger(__name__)

__all__ = ["SIDE_LANE", "FieldConflict", "Op", "OpBrief", "OpState", "Outbox", "OutboxCounts"]

SIDE_LANE = frozenset({"add-doc-to-contact"})
"""Write functions sent beside the ordered queue (see the module docstring)."""

_SIDE_SQL = ", ".join(f"'{name}'" for name in sorted(SIDE_LANE))

Lane = Literal["any", "ordered", "side"]

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")

UNKNOWN_AFTER_RESTART = "The app stopped while this change was being sent; its outcome is unknown."


def _unlink_all(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


class Outbox:
    """The write journal of one account. Every method commits before it returns."""

    def __init__(self, db: Database, cache: Cache, outbox_dir: Path, documents: Documents) -> None:
        self._db = db
        self._cache = cache
        self._dir = outbox_dir
        self._documents = documents
        self._listeners: list[Callable[[], None]] = []

    # -- observers ---------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` after each committed outbox change; returns an unsubscribe."""
        self._listeners.append(callback)

        def unsubscribe() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return unsubscribe

    def _changed(self) -> None:
        self._db.after_commit(self._notify)

    def _notify(self) -> None:
        for callback in list(self._listeners):
            try:
                callback()
            except Exception:
                log.exception("outbox listener failed")

    # -- staged files ------------------------------------------------------------------------
    @property
    def folder(self) -> Path:
        return self._dir

    def stage_upload(self, src: Path | str) -> Path:
        """Copy a file into the outbox folder (0600) for a queued upload; blocking, thread-safe."""
        src = Path(src)
        private_dir(self._dir)
        name = _SAFE_NAME.sub("_", src.name)[-80:] or "file"
        dest = self._dir / f"{uuid.uuid4().hex}-{name}"
        try:
            fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
                    shutil.copyfileobj(inp, out, 1024 * 1024)
                    out.flush()
                    os.fsync(out.fileno())  # on the disk before the op that needs it commits
            except BaseException:
                dest.unlink(missing_ok=True)
                raise
            sync_dir(self._dir)
        except OSError as exc:
            refused = refused_write(exc, dest)  # the disk, not the rep's file
            if refused is None:
                raise
            raise refused from exc
        private_file(dest)
        return dest

    def staged_files(self) -> set[Path]:
        rows = self._db.conn.execute(
            "SELECT attachment FROM outbox WHERE attachment IS NOT NULL"
        ).fetchall()
        return {Path(r[0]) for r in rows}

    def staged_bytes(self) -> int:
        row = self._db.conn.execute("SELECT coalesce(sum(attachment_size), 0) FROM outbox")
        return int(row.fetchone()[0])

    def cleanup_orphans(self) -> int:
        """Delete staged files no op references (left by a crash between staging and append)."""
        if not self._dir.exists():
            return 0
        keep = {p.name for p in self.staged_files()}
        removed = 0
        for entry in self._dir.iterdir():
            if entry.is_file() and entry.name not in keep:
                entry.unlink(missing_ok=True)
                removed += 1
        return removed

    # -- appending ---------------------------------------------------------------------------
    def append(
        self,
        function: str,
        params: Mapping[str, Any],
        *,
        description: str,
        target: tuple[str, str] | None = None,
        base: Mapping[str, str] | None = None,
        temp_ids: Sequence[str] = (),
        attachment: Path | str | None = None,
    ) -> Op:
        """Journal a write (committed before return)."""
        refuse_secrets(params)
        now = time.time()
        p: Any = dict(params)
        target_kind, target_id = target if target is not None else (None, None)
        with self._db.tx(durable=True) as conn:
            # ids remapped while the caller held them: use the real ones
            for temp in set(TEMP_ID_RE.findall(dumps(p)) + ([target_id] if target_id else [])):
                real = self._cache.resolve_id(temp)
                if real != temp:
                    p = replace_id(p, temp, real)
                    if target_id == temp:
                        target_id = real
            deps = self._dependencies(p, target_kind, target_id, function in SIDE_LANE)
            size = 0
            att: str | None = None
            if attachment is not None:
                path = Path(attachment)
                size = path.stat().st_size
                att = str(path)
            cur = conn.execute(
                "INSERT INTO outbox(function, params, description, target_kind, target_id, base, "
                "temp_ids, depends_on, state, attachment, attachment_size, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)",
                (
                    function,
                    dumps(p),
                    description,
                    target_kind,
                    target_id,
                    dumps(dict(base or {})),
                    dumps(list(temp_ids)),
                    dumps(deps),
                    att,
                    size,
                    now,
                    now,
                ),
            )
            op_id = cur.lastrowid
            assert op_id is not None
            self._changed()
        op = self.get(op_id)
        assert op is not None
        return op

    def _dependencies(
        self, params: Any, target_kind: str | None, target_id: str | None, side: bool = False
    ) -> list[int]:
        conn = self._db.conn
        deps: set[int] = set()
        used = set(TEMP_ID_RE.findall(dumps(params)))
        if target_id:
            used.add(target_id)
        for temp in used:
            if not TEMP_ID_RE.fullmatch(temp):
                continue
            for (op_id,) in conn.execute(
                "SELECT op_id FROM outbox WHERE temp_ids LIKE ?", (f'%"{temp}"%',)
            ):
                deps.add(int(op_id))
        if target_kind and target_id and not side:
            row = conn.execute(
                "SELECT max(op_id) FROM outbox WHERE target_kind = ? AND target_id = ? "
                f"AND function NOT IN ({_SIDE_SQL})",
                (target_kind, target_id),
            ).fetchone()
            if row[0] is not None:
                deps.add(int(row[0]))
        return sorted(deps)

    # -- reading -----------------------------------------------------------------------------
    def get(self, op_id: int) -> Op | None:
        row = self._db.conn.execute(
            f"SELECT {COLUMNS} FROM outbox WHERE op_id = ?", (op_id,)
        ).fetchone()
        return None if row is None else op_from_row(row)

    def _require(self, op_id: int) -> Op:
        op = self.get(op_id)
        if op is None:
            raise OutboxStateError(f"Queued change {op_id} no longer exists.")
        return op

    def ops(self, states: Iterable[OpState | str] | None = None) -> list[Op]:
        """The ops in order, optionally only those in ``states``."""
        if states is None:
            rows = self._db.conn.execute(f"SELECT {COLUMNS} FROM outbox ORDER BY op_id")
        else:
            wanted = [OpState(s).value for s in states]
            marks = ",".join("?" * len(wanted))
            rows = self._db.conn.execute(
                f"SELECT {COLUMNS} FROM outbox WHERE state IN ({marks}) ORDER BY op_id", wanted
            )
        return [op_from_row(r) for r in rows.fetchall()]

    def first(self) -> Op | None:
        """The oldest op, whatever its state (for strictly in-order replay)."""
        row = self._db.conn.execute(
            f"SELECT {COLUMNS} FROM outbox ORDER BY op_id LIMIT 1"
        ).fetchone()
        return None if row is None else op_from_row(row)

    def next_ready(self, lane: Lane = "any", skip: Collection[int] = ()) -> Op | None:
        """The oldest queued or unknown op whose dependencies have all completed: of any lane,
        of the ordered queue only, or of the side lane only; ops in ``skip`` left out."""
        conn = self._db.conn
        present = {int(r[0]) for r in conn.execute("SELECT op_id FROM outbox")}
        only = {
            "any": "",
            "ordered": f"AND function NOT IN ({_SIDE_SQL}) ",
            "side": f"AND function IN ({_SIDE_SQL}) ",
        }[lane]
        for op_id, deps in conn.execute(
            "SELECT op_id, depends_on FROM outbox WHERE state IN ('queued', 'sent-unknown') "
            f"{only}ORDER BY op_id"
        ).fetchall():
            if op_id not in skip and not any(d in present for d in json.loads(deps)):
                return self.get(op_id)
        return None

    def states(self) -> dict[int, OpBrief]:
        """Every op's id, function, state, error and target, without the params (cheap enough
        to read after each change, e.g. to tell which ops changed state)."""
        return {
            int(op_id): OpBrief(int(op_id), function, OpState(state), error, tkind, tid)
            for op_id, function, state, error, tkind, tid in self._db.conn.execute(
                "SELECT op_id, function, state, error, target_kind, target_id FROM outbox"
            )
        }

    def counts(self) -> OutboxCounts:
        by_state = dict(
            self._db.conn.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()
        )
        return OutboxCounts(
            queued=by_state.get("queued", 0),
            sending=by_state.get("sending", 0),
            unknown=by_state.get("sent-unknown", 0),
            failed=by_state.get("failed", 0),
            conflict=by_state.get("conflict", 0),
            total=sum(by_state.values()),
        )

    def pending_ids(self, kind: str) -> set[str]:
        """Ids of records of ``kind`` that have unsent changes."""
        rows = self._db.conn.execute(
            "SELECT DISTINCT target_id FROM outbox WHERE target_kind = ? AND target_id IS NOT NULL",
            (kind,),
        )
        return {str(r[0]) for r in rows}

    def has_pending(self, kind: str, record_id: str) -> bool:
        row = self._db.conn.execute(
            "SELECT 1 FROM outbox WHERE target_kind = ? AND target_id = ? LIMIT 1",
            (kind, record_id),
        ).fetchone()
        return row is not None

    # -- state changes -----------------------------------------------------------------------
    def _set_state(
        self,
        op_id: int,
        state: OpState,
        allowed: Iterable[OpState],
        *,
        error: str | None = None,
        code: str | None = None,
        conflicts: Mapping[str, FieldConflict] | None = None,
        attempt: bool = False,
    ) -> Op:
        with self._db.tx(durable=True) as conn:
            op = self._require(op_id)
            if op.state not in set(allowed):
                raise OutboxStateError(
                    f"Cannot mark the change “{op.description}” {state.value} "
                    f"while it is {op.state.value}."
                )
            conn.execute(
                "UPDATE outbox SET state = ?, error = ?, error_code = ?, conflicts = ?, "
                "attempts = attempts + ?, updated_at = ? WHERE op_id = ?",
                (
                    state.value,
                    error,
                    code,
                    dumps({k: vars(v) for k, v in (conflicts or {}).items()}),
                    1 if attempt else 0,
                    time.time(),
                    op_id,
                ),
            )
            self._changed()
        return self._require(op_id)

    def mark_sending(self, op_id: int) -> Op:
        """Mark an op as being sent (commit this before the request goes out)."""
        return self._set_state(
            op_id, OpState.SENDING, (OpState.QUEUED, OpState.UNKNOWN), attempt=True
        )

    def mark_unknown(self, op_id: int, error: str = "") -> Op:
        """The request went out but no answer came: look the record up before resending."""
        return self._set_state(
            op_id, OpState.UNKNOWN, (OpState.SENDING, OpState.QUEUED), error=error or None
        )

    def mark_failed(self, op_id: int, error: str, code: str | None = None) -> Op:
        """The server refused the write for good; it stays for retry or discard."""
        return self._set_state(
            op_id,
            OpState.FAILED,
            (OpState.SENDING, OpState.QUEUED, OpState.UNKNOWN),
            error=error,
            code=code,
        )

    def mark_conflict(self, op_id: int, conflicts: Mapping[str, FieldConflict]) -> Op:
        """The server's values moved since the edit began; hold the write for review."""
        return self._set_state(
            op_id,
            OpState.CONFLICT,
            (OpState.SENDING, OpState.QUEUED, OpState.UNKNOWN),
            conflicts=conflicts,
        )

    def requeue(self, op_id: int) -> Op:
        """Retry: put a failed, conflicting, unknown (or stuck sending) op back in the queue."""
        return self._set_state(
            op_id,
            OpState.QUEUED,
            (OpState.FAILED, OpState.CONFLICT, OpState.UNKNOWN, OpState.SENDING, OpState.QUEUED),
        )

    def update(
        self,
        op_id: int,
        *,
        params: Mapping[str, Any] | None = None,
        base: Mapping[str, str] | None = None,
        description: str | None = None,
    ) -> Op:
        """Change a waiting op (e.g. after a conflict was resolved); refused while sending."""
        if params is not None:
            refuse_secrets(params)
        with self._db.tx(durable=True) as conn:
            op = self._require(op_id)
            if op.state is OpState.SENDING:
                raise OutboxStateError(f"The change “{op.description}” is being sent.")
            conn.execute(
                "UPDATE outbox SET params = ?, base = ?, description = ?, updated_at = ? "
                "WHERE op_id = ?",
                (
                    dumps(dict(params) if params is not None else op.params),
                    dumps(dict(base) if base is not None else op.base),
                    description if description is not None else op.description,
                    time.time(),
                    op_id,
                ),
            )
            self._changed()
        return self._require(op_id)

    def set_attachment(self, op_id: int, staged: Path) -> bool:
        """Give an op that has none a staged copy of its file (made by `stage_upload`); False
        when the op is gone or has one already (the caller then removes ``staged``)."""
        with self._db.tx(durable=True) as conn:
            op = self.get(op_id)
            if op is None or op.attachment is not None:
                return False
            conn.execute(
                "UPDATE outbox SET attachment = ?, attachment_size = ?, updated_at = ? "
                "WHERE op_id = ?",
                (str(staged), staged.stat().st_size, time.time(), op_id),
            )
            self._changed()
        return True

    def mark_done(
        self,
        op_id: int,
        id_map: Mapping[str, str] | None = None,
        document_id: str | None = None,
    ) -> None:
        """The server applied the write: remove the op and remap its temporary ids, atomically.

        For an upload, ``document_id`` moves the staged file into the document cache.
        """
        with self._db.tx(durable=True) as conn:
            op = self._require(op_id)
            conn.execute("DELETE FROM outbox WHERE op_id = ?", (op_id,))
            for temp, real in (id_map or {}).items():
                self._remap(temp, real)
            self._changed()
            # after the commit: a crash in between leaves an orphan file, removed at next open
            if op.attachment is not None:
                staged = op.attachment
                if document_id is not None:
                    doc_id = document_id
                    self._db.after_commit(lambda: self._adopt(doc_id, staged))
                else:
                    self._db.after_commit(lambda: _unlink_all([staged]))

    def discard(self, op_id: int, *, cascade: bool = True) -> list[Op]:
        """Drop an op (not while sending) and, with ``cascade``, later ops that need its ids."""
        with self._db.tx(durable=True) as conn:
            first = self._require(op_id)
            if first.state is OpState.SENDING:
                raise OutboxStateError(f"The change “{first.description}” is being sent.")
            removed = [first]
            if cascade:
                pending = list(first.temp_ids)
                seen = {op_id}
                while pending:
                    temp = pending.pop()
                    for row in conn.execute(
                        f"SELECT {COLUMNS} FROM outbox WHERE op_id > ? AND "
                        "(params LIKE ? OR target_id = ?) ORDER BY op_id",
                        (op_id, f"%{temp}%", temp),
                    ).fetchall():
                        dep = op_from_row(row)
                        if dep.op_id in seen:
                            continue
                        if dep.state is OpState.SENDING:
                            raise OutboxStateError(f"The change “{dep.description}” is being sent.")
                        seen.add(dep.op_id)
                        removed.append(dep)
                        pending.extend(dep.temp_ids)
            conn.executemany("DELETE FROM outbox WHERE op_id = ?", [(op.op_id,) for op in removed])
            self._changed()
            files = [op.attachment for op in removed if op.attachment is not None]
            if files:
                self._db.after_commit(lambda: _unlink_all(files))
        return sorted(removed, key=lambda o: o.op_id)

    def _adopt(self, document_id: str, staged: Path) -> None:
        self._documents.adopt(document_id, staged)

    def undo(self, op_id: int) -> list[Op]:
        """Take back a change that has not been sent yet (state queued only)."""
        with self._db.tx(durable=True):
            op = self._require(op_id)
            if op.state is not OpState.QUEUED:
                raise OutboxStateError(
                    f"The change “{op.description}” can no longer be undone ({op.state.value})."
                )
            return self.discard(op_id, cascade=True)

    def remap(self, temp_id: str, real_id: str) -> int:
        """Replace a temporary id by the real one in every op and in the cache, atomically."""
        with self._db.tx(durable=True):
            changed = self._remap(temp_id, real_id)
            self._changed()
        return changed

    def _remap(self, temp_id: str, real_id: str) -> int:
        conn = self._db.conn
        changed = 0
        for row in conn.execute(
            f"SELECT {COLUMNS} FROM outbox WHERE params LIKE ? OR target_id = ? OR base LIKE ?",
            (f"%{temp_id}%", temp_id, f"%{temp_id}%"),
        ).fetchall():
            op = op_from_row(row)
            conn.execute(
                "UPDATE outbox SET params = ?, target_id = ?, base = ?, updated_at = ? "
                "WHERE op_id = ?",
                (
                    dumps(replace_id(op.params, temp_id, real_id)),
                    real_id if op.target_id == temp_id else op.target_id,
                    dumps(replace_id(op.base, temp_id, real_id)),
                    time.time(),
                    op.op_id,
                ),
            )
            changed += 1
        self._cache.remap(temp_id, real_id)
        return changed

    def recover_after_restart(self) -> int:
        """Ops left ``sending`` by a stopped process become ``sent-unknown``."""
        with self._db.tx(durable=True) as conn:
            n = conn.execute(
                "UPDATE outbox SET state = 'sent-unknown', error = ?, updated_at = ? "
                "WHERE state = 'sending'",
                (UNKNOWN_AFTER_RESTART, time.time()),
            ).rowcount
            if n:
                self._changed()
        return int(n)
