"""Document files on this computer: sizes and names for people, a server-supplied name made
safe to create on disk, the checks a file must pass before it is uploaded, the limits of one
drop (how many files, how many bytes together), and downloads into the store's document
cache (for Open and Save as…).

Pure asyncio: no Qt import.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .lazyclient import ClientSource, lazy_client
from .types import ID_KEY, WriteRefused, is_temp_id

if TYPE_CHECKING:
    from snx_desktop.api.client import SalesNexusClient

__all__ = [
    "DEFAULT_BATCH_LIMITS",
    "DEFAULT_MAX_BYTES",
    "BatchLimits",
    "DocumentFiles",
    "FailReason",
    "FileCheck",
    "check_batch",
    "check_file",
    "human_size",
    "human_speed",
    "safe_file_name",
]

#: the server's documented per-document limit
DEFAULT_MAX_BYTES = 50 * 1024 * 1024


# ====================================================================== sizes and names
def human_size(size: int | float) -> str:
    """A size for people: ``0 bytes``, ``1 byte``, ``912 bytes``, ``1.5 KB``, ``12.0 MB``."""
    n = int(size)
    if n < 1024:
        return "1 byte" if n == 1 else f"{n} bytes"
    value = float(n)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024.0
        if value < 1024.0 or unit == "TB":
            return f"{value:.1f} {unit}"
    return f"{n} bytes"  # pragma: no cover


def human_speed(bytes_per_s: float) -> str:
    """``1.2 MB/s``; an empty string before anything was measured."""
    if bytes_per_s <= 0:
        return ""
    return human_size(bytes_per_s) + "/s"


_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"]
    + [f"COM{c}" for c in "123456789¹²³"]
    + [f"LPT{c}" for c in "123456789¹²³"]
)
_FORBIDDEN = re.compile(r'[<>:"|?*\x00-\x1f\x7f-\x9f]')
_FORMAT_CHARS = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
MAX_NAME_CHARS = 180
MAX_NAME_BYTES = 240  # below the 255-byte limit of common file systems


def safe_file_name(
    name: str, *, fallback: str = "document", max_chars: int = MAX_NAME_CHARS
) -> str:
    """A file name that is safe to create in a folder the user chose.

    Keeps only the last part of any path (``/`` and ``\\`` both count), drops control and
    invisible characters, replaces characters Windows forbids with ``_``, strips leading
    dots and trailing dots and spaces, prefixes reserved Windows device names (``CON``,
    ``nul.txt``, ``COM1``...) with ``_``, caps the length (keeping the extension) and never
    returns an empty name, ``.`` or ``..``.
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    parts = [p for p in re.split(r"[/\\]+", text) if p.strip(" .")]
    text = parts[-1] if parts else ""
    text = "".join(" " if ch in "\t\n\r\x0b\x0c" else ch for ch in text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _FORMAT_CHARS)
    text = _FORBIDDEN.sub("_", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = text.lstrip(". ").rstrip(". ")
    if not text:
        return safe_file_name(fallback, fallback="") if fallback else "document"
    limit = max(16, max_chars)
    text = _cap(text, limit)
    if _reserved(text):
        text = _cap("_" + text, limit)
    return text


def _reserved(name: str) -> bool:
    """A Windows device name, with or without an extension (``nul``, ``COM1.txt``)."""
    return name.split(".", 1)[0].rstrip(" ").upper() in _WINDOWS_RESERVED


def _cap(text: str, max_chars: int) -> str:
    def fits(s: str) -> bool:
        return len(s) <= max_chars and len(s.encode("utf-8")) <= MAX_NAME_BYTES

    if fits(text):
        return text
    stem, dot, ext = text.rpartition(".")
    if dot and stem and 0 < len(ext) <= 16 and fits("x." + ext):
        suffix = "." + ext
    else:
        stem, suffix = text, ""
    while stem and not fits(stem + suffix):
        stem = stem[:-1]
    stem = stem.rstrip(". ")
    return (stem or "document") + suffix


# ====================================================================== checking files
class FailReason(enum.StrEnum):
    FOLDER = "folder"
    MISSING = "missing"
    UNREADABLE = "unreadable"
    EMPTY = "empty"
    TOO_LARGE = "too-large"
    CONNECTION_LOST = "connection-lost"
    OUTCOME_UNKNOWN = "outcome-unknown"
    SESSION_EXPIRED = "session-expired"
    OFFLINE = "offline"
    NOT_FOUND = "not-found"
    SERVER = "server"
    REFUSED = "refused"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class FileCheck:
    """The result of `check_file`: the size, or why the file cannot be sent."""

    path: Path
    size: int
    reason: FailReason | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.reason is None


def check_file(path: Path | str, max_bytes: int = DEFAULT_MAX_BYTES) -> FileCheck:
    """Check a file before any byte is sent: a folder, missing, unreadable, empty, too large."""
    p = Path(path)
    label = f"“{p.name or p}”"
    try:
        st = p.stat()
    except FileNotFoundError:
        return FileCheck(p, 0, FailReason.MISSING, f"{label} was not found.")
    except OSError as exc:
        return FileCheck(
            p, 0, FailReason.UNREADABLE, f"{label} cannot be read: {exc.strerror or exc}."
        )
    if p.is_dir():
        return FileCheck(
            p,
            0,
            FailReason.FOLDER,
            f"{label} is a folder. Folders cannot be attached; attach the files inside it.",
        )
    if not p.is_file():
        return FileCheck(p, 0, FailReason.UNREADABLE, f"{label} is not a regular file.")
    size = st.st_size
    if size == 0:
        return FileCheck(p, 0, FailReason.EMPTY, f"{label} is empty (0 bytes): nothing to attach.")
    if max_bytes and size > max_bytes:
        return FileCheck(
            p,
            size,
            FailReason.TOO_LARGE,
            f"{label} is {human_size(size)}; documents may be at most {human_size(max_bytes)}.",
        )
    try:
        with p.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        return FileCheck(
            p, size, FailReason.UNREADABLE, f"{label} cannot be read: {exc.strerror or exc}."
        )
    return FileCheck(p, size)


# ====================================================================== one drop's limits
@dataclass(frozen=True)
class BatchLimits:
    """How much one drop, paste or "Attach…" may add to a contact: a dropped folder's files
    count one by one. Above either limit nothing is attached (never a silent part of it)."""

    max_files: int = 100
    #: the files' sizes together; files over the per-file limit are refused on their own
    #: and do not count
    max_bytes: int = 250 * 1024 * 1024


DEFAULT_BATCH_LIMITS = BatchLimits()


def check_batch(
    sizes: Sequence[int],
    *,
    folders: Sequence[str] = (),
    loose: int = 0,
    more: bool = False,
    limits: BatchLimits = DEFAULT_BATCH_LIMITS,
    max_file_bytes: int = DEFAULT_MAX_BYTES,
) -> str:
    """Why a batch of files is too much to attach at once; ``""`` when it may go.

    ``sizes`` are the files' sizes, ``folders`` the names of the dropped folders they came
    from, ``loose`` how many were dropped themselves beside those folders, ``more`` that the
    folder walk stopped early (there are more files than ``sizes``). The answer is one
    sentence without a final full stop, naming the folders and saying how many files or
    bytes there are, e.g. ``the folder “Scans” holds 352 files; one drop may attach at most
    100``.
    """
    count = len(sizes)
    total = sum(s for s in sizes if s <= max_file_bytes or not max_file_bytes)
    source, verb = _batch_source(folders, loose)
    if more or count > limits.max_files:
        many = f"more than {max(count - 1, limits.max_files):,}" if more else f"{count:,}"
        return f"{source} {verb} {many} files; one drop may attach at most {limits.max_files:,}"
    if limits.max_bytes and total > limits.max_bytes:
        return (
            f"{source} {verb} {human_size(total)} in {count:,} files; one drop may attach "
            f"at most {human_size(limits.max_bytes)}"
        )
    return ""


def _batch_source(folders: Sequence[str], loose: int) -> tuple[str, str]:
    """Who holds the files ("the folder “A”", "the folders “A” and “B”", "the drop")."""
    quoted = [f"“{name}”" for name in folders]
    if not quoted:
        return "the drop", "holds"
    if len(quoted) == 1:
        names = f"the folder {quoted[0]}"
    elif len(quoted) <= 3:
        names = "the folders " + ", ".join(quoted[:-1]) + " and " + quoted[-1]
    else:
        names = "the folders " + ", ".join(quoted[:3]) + f" and {len(quoted) - 3} more"
    if loose:
        names += " with the files dropped beside " + ("it" if len(quoted) == 1 else "them")
        return names, "hold"
    return names, "holds" if len(quoted) == 1 else "hold"


# ====================================================================== downloads
class DocumentFiles:
    """Document bytes on this computer: the store's cache, copies to open, saved copies.

    ``document`` arguments are the records of a contact's Documents tab (``document-id``,
    ``file-name``, ``size``, ``url``).
    """

    def __init__(self, client: ClientSource, store: Any, *, open_dir: Path | None = None) -> None:
        self._clients = lazy_client(client)
        self.store = store
        self.open_dir = open_dir or Path(tempfile.gettempdir()) / f"snx-desktop-open-{_uid()}"

    @property
    def client(self) -> SalesNexusClient:
        return self._clients.get()

    @staticmethod
    def can_download(document: Mapping[str, Any]) -> bool:
        doc_id = str(document.get("document-id") or document.get(ID_KEY) or "")
        return bool(doc_id) and not is_temp_id(doc_id) and bool(document.get("url"))

    def cached(self, document: Mapping[str, Any]) -> Path | None:
        doc_id = str(document.get("document-id") or document.get(ID_KEY) or "")
        if not doc_id or self.store is None:
            return None
        path = self.store.documents.get(doc_id)
        return Path(path) if path is not None else None

    async def fetch(self, document: Mapping[str, Any]) -> Path:
        """The document's bytes in the store's cache, downloaded first when not there yet."""
        doc_id = str(document.get("document-id") or document.get(ID_KEY) or "")
        if not doc_id:
            raise ValueError("the record has no document id")
        hit = self.cached(document)
        if hit is not None:
            return hit
        url = str(document.get("url") or "")
        if not url or is_temp_id(doc_id):
            raise WriteRefused(
                "This document is not on the server yet (or the server offers no download)."
            )
        tmp = Path(self.store.documents.temp_path(doc_id))
        try:
            await self.client.download_document(url, tmp)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return Path(self.store.documents.commit(doc_id, tmp, str(document.get("file-name", ""))))

    async def open_copy(self, document: Mapping[str, Any]) -> Path:
        """A private copy of the document named like it (for the desktop's default app)."""
        src = await self.fetch(document)
        doc_id = str(document.get("document-id") or document.get(ID_KEY) or "")
        folder = self.open_dir / re.sub(r"[^0-9A-Za-z-]", "_", doc_id)[:64]
        dest = folder / safe_file_name(str(document.get("file-name", "")))
        await asyncio.to_thread(_private_copy, src, dest)
        return dest

    async def save_as(self, document: Mapping[str, Any], dest: Path | str) -> Path:
        """Save the document at ``dest`` (a path the user chose; its name is made safe)."""
        target = Path(dest)
        target = target.with_name(safe_file_name(target.name or str(document.get("file-name"))))
        src = await self.fetch(document)
        await asyncio.to_thread(_copy_replace, src, target)
        return target

    @staticmethod
    def suggested_name(document: Mapping[str, Any]) -> str:
        return safe_file_name(str(document.get("file-name", "")))


def _uid() -> str:
    getuid = getattr(os, "getuid", None)
    return str(getuid()) if getuid is not None else (os.environ.get("USERNAME") or "user")


def _private_copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        os.chmod(dest.parent.parent, 0o700)
    _copy_replace(src, dest, mode=0o600)


def _copy_replace(src: Path, dest: Path, mode: int | None = None) -> None:
    tmp = dest.with_name(f".{dest.name}.part")
    try:
        with open(src, "rb") as inp, open(tmp, "wb") as out:
            shutil.copyfileobj(inp, out, 1024 * 1024)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
