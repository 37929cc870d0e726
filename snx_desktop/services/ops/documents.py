"""The upload write kind: a file attached to a contact (``add-doc-to-contact``).

An upload op names its file in one of two ways:

* a staged copy in the store (the op's attachment), made when the upload cannot be sent now
  (offline, a contact created offline, a session to renew, the connection dropped): the
  queued upload survives the rep moving or deleting the original;
* the rep's own file (``source``: path, size and modification time) while it is sent at once,
  so that an online upload copies no bytes into the store. When such an op has to wait after
  all, `AddDocToContact.set_aside` stages a copy then. Should the file be moved or changed
  before it is sent (after a crash, say), the op fails with a sentence saying so, and nothing
  is sent.

The op is sent beside the ordered queue (``store.outbox.SIDE_LANE``). An unknown outcome is
reconciled by the contact's documents of the same name and size that were not there before the
first send, so a lost answer never makes a second copy.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from snx_desktop.api.errors import NotFoundError, PayloadTooLargeError
from snx_desktop.store.outbox import Op

from .. import lookalikes as look
from ..documents import check_file, human_size
from ..types import ID_KEY, Change, WriteRefused, is_temp_id, new_temp_id
from .base import Entry, OpKind, OpRefused, Progress, Sent, known_children, now_local

log = logging.getLogger(__name__)

SOURCE_KEY = "source"
"""The op parameter naming the rep's own file (path, size, mtime-ns) while it is not staged."""


def stamp(path: Path) -> dict[str, Any]:
    """What identifies a file's content cheaply: its path, size and modification time."""
    st = path.stat()
    return {"path": str(path), "size": st.st_size, "mtime-ns": st.st_mtime_ns}


def unchanged(source: Mapping[str, Any]) -> Path | None:
    """The file ``source`` names, if it is still there with the same size and time."""
    path = Path(str(source.get("path") or ""))
    try:
        now = stamp(path)
    except OSError:
        return None
    same = now["size"] == source.get("size") and now["mtime-ns"] == source.get("mtime-ns")
    return path if same and path.is_file() else None


class AddDocToContact(OpKind):
    """A file uploaded to a contact. See the module docstring."""

    function = "add-doc-to-contact"
    looks_first = True

    async def prepare(
        self, contact_id: str, src: Path, file_name: str | None, origin: object, *, copy: bool
    ) -> Entry:
        """Check the file (`documents.check_file`, in the upload list's words; no size limit
        here) and make its entry: on a copy staged in the store with ``copy`` or for a contact
        created offline (the caller removes the copy if the entry is not journaled), else
        naming the rep's file."""
        checked = check_file(src, max_bytes=0)
        if not checked.ok:
            raise WriteRefused(checked.message)
        cid = self.ctx.resolve(contact_id)
        name = file_name or src.name
        if copy or is_temp_id(cid):
            staged = await asyncio.to_thread(self.ctx.store.outbox.stage_upload, src)
            try:
                return self.entry(cid, name, checked.size, staged, origin)
            except BaseException:
                staged.unlink(missing_ok=True)
                raise
        return self.entry(cid, name, checked.size, None, origin, stamp(src))

    def entry(
        self,
        cid: str,
        name: str,
        size: int,
        staged: Path | None,
        origin: object,
        source: Mapping[str, Any] | None = None,
    ) -> Entry:
        """``cid`` is resolved; the file (checked already) is ``staged``, the store's copy,
        or else ``source``, the rep's file as `stamp` describes it."""
        tmp = new_temp_id()
        known = known_children(
            self.ctx.cache,
            ("contact", cid),
            "document",
            lambda r: r.get("file-name") == name and str(r.get("size")) == str(size),
        )
        params: dict[str, Any] = {
            "document-id": tmp,
            "contact-id": cid,
            "file-name": name,
            "size": size,
            "known": known,
        }
        if staged is None and source is not None:
            params[SOURCE_KEY] = dict(source)
        return Entry(
            self.function,
            params,
            f"Upload {name} to {self.ctx.label('contact', cid)}",
            Change("document", "created", (tmp,), parent=("contact", cid), origin=origin),
            target=("contact", cid),
            temp_ids=[tmp],
            attachment=staged,
        )

    def parent(self, op: Op) -> tuple[str, str] | None:
        return ("contact", op.params["contact-id"])

    def apply(self, p: Mapping[str, Any]) -> None:
        tmp = p["document-id"]
        rec = {
            "document-id": tmp,
            ID_KEY: tmp,
            "contact-id": p["contact-id"],
            "file-name": p["file-name"],
            "size": str(p.get("size", "")),
            "created-date": p.get("created-date", now_local()),
            "url": "",
        }
        self.ctx.cache.add_child("contact", p["contact-id"], "document", tmp, rec, first=False)

    def revert(self, op: Op) -> list[Change]:
        tmp = op.params["document-id"]
        cid = op.params["contact-id"]
        self.ctx.cache.remove_child("contact", cid, "document", tmp)
        self.ctx.cache.delete_records("document", [tmp])
        return [Change("document", "deleted", (tmp,), parent=("contact", cid), op_id=op.op_id)]

    async def look_before_send(self, op: Op) -> list[str] | None:
        docs = await look.document_candidates(self.ctx.client, op.params["contact-id"])
        return [d.document_id for d in docs]

    def file(self, op: Op) -> Path:
        """The file to send: the staged copy, else the rep's file if it did not change."""
        name = op.params["file-name"]
        if op.attachment is not None:
            if not op.attachment.exists():
                raise OpRefused(
                    "The file to upload is no longer in the local store.", "FILE_MISSING"
                )
            return op.attachment
        source = op.params.get(SOURCE_KEY)
        path = unchanged(source) if isinstance(source, Mapping) else None
        if path is None:
            raise OpRefused(
                f"“{name}” was moved or changed before it was sent: attach it again.",
                "FILE_CHANGED",
            )
        return path

    async def send(self, op: Op, progress: Progress | None = None) -> Sent:
        p = op.params
        name = p["file-name"]
        path = self.file(op)
        try:
            res = await self.ctx.client.add_doc_to_contact(
                p["contact-id"], name, path, progress=progress
            )
        except PayloadTooLargeError as exc:
            size = human_size(int(p.get("size") or 0))
            raise OpRefused(
                f"The server refused “{name}” ({size}): it is larger than the server accepts.",
                "TOO_LARGE",
            ) from exc
        except NotFoundError as exc:
            raise OpRefused("The contact no longer exists on the server.", "NOT_FOUND") from exc
        except OSError as exc:
            raise OpRefused(
                f"“{name}” could not be read while sending: {exc.strerror or exc}",
                "FILE_UNREADABLE",
            ) from exc
        sent = self.created_child(op, "document", "document-id", res.id)
        sent.document_id = res.id
        return sent

    async def reconcile(self, op: Op) -> Sent | None:
        p = op.params
        skip = self.ctx.skipped(op, "document")
        for d in await look.document_candidates(self.ctx.client, p["contact-id"]):
            if d.document_id in skip:
                continue
            if d.file_name == p["file-name"] and int(d.size) == int(p.get("size", -1)):
                sent = self.created_child(op, "document", "document-id", d.document_id)
                sent.document_id = d.document_id
                return sent
        return None

    async def set_aside(self, op: Op) -> None:
        """The upload waits: stage a copy of the rep's file (if it still is as journaled), so
        that moving the file meanwhile loses nothing. A copy the store cannot take (a full
        disk) is not fatal: the op keeps naming the rep's file."""
        source = op.params.get(SOURCE_KEY)
        if op.attachment is not None or not isinstance(source, Mapping):
            return
        path = unchanged(source)
        if path is None:
            return  # sending it will say that the file moved or changed
        outbox = self.ctx.store.outbox
        try:
            staged = await asyncio.to_thread(outbox.stage_upload, path)
        except Exception as exc:
            log.warning("a waiting upload could not be copied into the store: %s", exc)
            return
        kept = False
        try:
            if unchanged(source) is not None and _same_size(staged, source):
                kept = bool(outbox.set_attachment(op.op_id, staged))
        except Exception as exc:
            log.warning("a waiting upload's copy could not be recorded: %s", exc)
        finally:
            if not kept:
                staged.unlink(missing_ok=True)
        if kept:
            log.info("op %s: the waiting upload's file was copied into the store", op.op_id)


def _same_size(staged: Path, source: Mapping[str, Any]) -> bool:
    try:
        return os.stat(staged).st_size == source.get("size")
    except OSError:
        return False
