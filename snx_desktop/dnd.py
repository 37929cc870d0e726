"""Drag-and-drop and clipboard parsing: plain functions over ``QMimeData``.

Widgets call :func:`parse_files` on a drop or a paste and get back the local files (with
names and sizes), the items that cannot be attached, and the remote items, without touching
any widget. Works for ``text/uri-list`` URLs, GNOME/KDE "copied files" clipboard formats and
plain text that lists ``file://`` URLs.

A dropped folder stands for the files inside it, found recursively:

* hidden entries (names starting with a dot; on Windows also the hidden attribute) and
  symlinked folders (and Windows junctions) inside it are left out; a symlinked file is
  taken, a broken link is reported as not found;
* the files come in a stable order: by their path inside the folder, compared part by part
  without regard to case (``a.txt``, ``B/c.txt``, ``d.txt``);
* each keeps its own file name only (``Reports/2026/q1.pdf`` is attached as ``q1.pdf``), as
  the contact's documents are one flat list;
* the walk stops after :data:`SCAN_LIMIT` files or :data:`ENTRY_LIMIT` entries (a drop that
  big is refused anyway, see ``services.documents.check_batch``) and at :data:`MAX_DEPTH`
  levels; ``FileDrop.truncated`` says so.

A folder dropped itself is walked even when it is hidden or a symlink: the user chose it.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QMimeData, QUrl

__all__ = [
    "ENTRY_LIMIT",
    "MAX_DEPTH",
    "SCAN_LIMIT",
    "DroppedFile",
    "FileDrop",
    "FolderScan",
    "format_size",
    "has_local_files",
    "local_paths",
    "parse_files",
    "parse_paths",
]

log = logging.getLogger(__name__)

#: a drop's folders are walked for at most this many files (all folders together)
SCAN_LIMIT = 1_000
#: ... and at most this many directory entries (files, folders, hidden items)
ENTRY_LIMIT = 20_000
#: folders nested deeper than this below a dropped folder are not walked
MAX_DEPTH = 32

_GNOME_COPIED = "x-special/gnome-copied-files"
_KDE_URILIST = "application/x-kde4-urilist"


@dataclass(frozen=True)
class DroppedFile:
    """A regular local file offered by a drop or a paste (or found in a dropped folder)."""

    path: Path
    name: str
    size: int
    #: the dropped folder it was found in; None when the file itself was dropped
    folder: Path | None = None


@dataclass
class FolderScan:
    """What the walk of one dropped folder found."""

    path: Path
    #: files found in it, attachable or not (missing and unreadable ones, and folders that
    #: cannot be listed, count too)
    files: int = 0
    #: hidden entries and symlinked folders left out
    skipped: int = 0

    @property
    def name(self) -> str:
        return self.path.name or str(self.path)


@dataclass
class FileDrop:
    """What a drop or paste offers, sorted into what can be attached and what cannot.

    ``files`` holds the dropped files and the files found in the dropped ``folders`` (see the
    module docstring); ``scans`` has one entry per dropped folder.
    """

    files: list[DroppedFile] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)
    unreadable: list[Path] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)
    scans: list[FolderScan] = field(default_factory=list)
    #: the folder walk stopped early (``SCAN_LIMIT``, ``ENTRY_LIMIT``): there are more files
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not (self.files or self.folders or self.missing or self.unreadable or self.remote)

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def loose_files(self) -> int:
        """How many of ``files`` were dropped themselves (not found in a folder)."""
        return sum(1 for f in self.files if f.folder is None)

    def problems(self) -> list[str]:
        """One sentence per group of items that cannot be attached, naming them (each ends
        with a full stop, so that they can be joined into one message)."""
        out: list[str] = []
        for scan in self.scans:
            if not scan.files:
                hidden = " (hidden files are left out)" if scan.skipped else ""
                out.append(f"No files to attach in “{scan.name}”{hidden}.")
        if self.missing:
            out.append("Not found: " + _names(self.missing) + ".")
        if self.unreadable:
            out.append("Cannot be read: " + _names(self.unreadable) + ".")
        if self.remote:
            out.append(
                "Only files on this computer can be attached: " + ", ".join(self.remote) + "."
            )
        return out


def _names(paths: list[Path]) -> str:
    return ", ".join(p.name or str(p) for p in paths)


def _urls_from_text(text: str) -> list[QUrl]:
    urls: list[QUrl] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or line in ("copy", "cut"):
            continue
        url = QUrl(line)
        if url.isValid() and url.scheme():
            urls.append(url)
    return urls


def _urls(mime: QMimeData) -> list[QUrl]:
    if mime.hasUrls():
        return list(mime.urls())
    for fmt in (_GNOME_COPIED, _KDE_URILIST):
        if mime.hasFormat(fmt):
            data = bytes(mime.data(fmt).data()).decode("utf-8", "replace")
            return _urls_from_text(data)
    if mime.hasText():
        urls = _urls_from_text(mime.text())
        if urls and all(u.isLocalFile() for u in urls):
            return urls
    return []


def has_local_files(mime: QMimeData | None) -> bool:
    """True when ``mime`` offers at least one local path (file or folder): accept the drag."""
    if mime is None:
        return False
    return any(u.isLocalFile() for u in _urls(mime))


def local_paths(mime: QMimeData | None) -> list[Path]:
    """The local paths offered by ``mime``, in order, without duplicates."""
    if mime is None:
        return []
    seen: set[Path] = set()
    out: list[Path] = []
    for url in _urls(mime):
        if not url.isLocalFile():
            continue
        path = Path(url.toLocalFile())
        if path not in seen:
            seen.add(path)
            out.append(path)
    return out


def parse_paths(paths: list[Path]) -> FileDrop:
    """Sort ``paths`` into attachable files, missing and unreadable items; folders are
    walked for the files inside them (see the module docstring)."""
    result = FileDrop()
    budget = _Budget()
    for path in paths:
        if path.is_dir():
            result.folders.append(path)
            scan = FolderScan(path)
            result.scans.append(scan)
            for found in _walk(path, scan, budget):
                _classify(found, result, folder=path)
            if budget.exhausted:
                result.truncated = True
            continue
        _classify(path, result)
    if result.scans:  # a file dropped beside its own folder goes once
        unique: dict[Path, DroppedFile] = {}
        for dropped in result.files:
            unique.setdefault(dropped.path, dropped)
        result.files = list(unique.values())
        log.debug(
            "dropped folders walked: %d files, %d left out, truncated=%s",
            sum(s.files for s in result.scans),
            sum(s.skipped for s in result.scans),
            result.truncated,
        )
    return result


def _classify(path: Path, result: FileDrop, folder: Path | None = None) -> None:
    try:
        st = path.stat()
    except FileNotFoundError:
        result.missing.append(path)
        return
    except OSError:
        result.unreadable.append(path)
        return
    if not stat.S_ISREG(st.st_mode) or not os.access(path, os.R_OK):
        result.unreadable.append(path)
        return
    result.files.append(DroppedFile(path=path, name=path.name, size=st.st_size, folder=folder))


@dataclass
class _Budget:
    """What is left of the walk limits for one drop (all its folders together)."""

    files: int = SCAN_LIMIT
    entries: int = ENTRY_LIMIT

    @property
    def exhausted(self) -> bool:
        return self.files < 0 or self.entries < 0


_HIDDEN = getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 0x2)
_REPARSE = getattr(stat, "FILE_ATTRIBUTE_REPARSE_POINT", 0x400)
# symlinks and junctions; other reparse points (cloud placeholders, dedup) are real folders
_LINK_TAGS = frozenset(
    {
        getattr(stat, "IO_REPARSE_TAG_SYMLINK", 0xA000000C),
        getattr(stat, "IO_REPARSE_TAG_MOUNT_POINT", 0xA0000003),
    }
)


def _attributes(entry: os.DirEntry[str]) -> int:
    """The Windows file attributes of ``entry`` (0 elsewhere)."""
    if os.name != "nt":
        return 0
    try:
        return int(getattr(entry.stat(follow_symlinks=False), "st_file_attributes", 0))
    except OSError:
        return 0


def _is_link(entry: os.DirEntry[str], attributes: int) -> bool:
    """A symlink, or (on Windows) a junction."""
    if entry.is_symlink():
        return True
    if not attributes & _REPARSE:
        return False
    try:
        return int(getattr(os.lstat(entry.path), "st_reparse_tag", 0)) in _LINK_TAGS
    except OSError:
        return True  # cannot tell: do not follow it


def _walk(root: Path, scan: FolderScan, budget: _Budget) -> list[Path]:
    """The files below ``root`` in a stable order (hidden items and linked folders left out).

    Unreadable sub-folders come back too (as paths that are not files), so that they are
    reported by name.
    """
    found: list[Path] = []
    pending: list[tuple[Path, int]] = [(root, 0)]
    while pending and not budget.exhausted:
        folder, depth = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            found.append(folder)  # not a file: reported as "cannot be read"
            scan.files += 1
            continue
        for entry in entries:
            budget.entries -= 1
            if budget.exhausted:
                break
            attributes = _attributes(entry)
            if entry.name.startswith(".") or attributes & _HIDDEN:
                scan.skipped += 1
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
                is_link = is_dir and _is_link(entry, attributes)
            except OSError:
                is_link, is_dir = False, False
            if is_dir:
                if is_link or depth + 1 > MAX_DEPTH:
                    scan.skipped += 1
                else:
                    pending.append((Path(entry.path), depth + 1))
                continue
            found.append(Path(entry.path))  # a file, a linked file, a broken link...
            scan.files += 1
            budget.files -= 1
            if budget.exhausted:
                break

    def order(path: Path) -> tuple[tuple[str, ...], str]:
        parts = path.relative_to(root).parts
        return tuple(p.casefold() for p in parts), str(path)

    found.sort(key=order)
    return found


def parse_files(mime: QMimeData | None) -> FileDrop:
    """Everything a drop or paste offers, sorted (see :class:`FileDrop`)."""
    if mime is None:
        return FileDrop()
    result = parse_paths(local_paths(mime))
    for url in _urls(mime):
        if not url.isLocalFile():
            result.remote.append(url.toDisplayString())
    return result


def format_size(size: int) -> str:
    """A size for people: ``0 bytes``, ``912 bytes``, ``1.5 KB``, ``12.0 MB``."""
    if size < 1024:
        return f"{size} byte" if size == 1 else f"{size} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024.0
        if value < 1024.0 or unit == "TB":
            return f"{value:.1f} {unit}"
    return f"{size} bytes"  # pragma: no cover
