"""Drag-and-drop and clipboard parsing: plain functions over ``QMimeData``.

Widgets call :func:`parse_files` on a drop or a paste and get back the local files (with
names and sizes), the folders and the items that cannot be attached, without touching any
widget. Works for ``text/uri-list`` URLs, GNOME/KDE "copied files" clipboard formats and plain
text that lists ``file://`` URLs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QMimeData, QUrl

__all__ = [
    "DroppedFile",
    "FileDrop",
    "format_size",
    "has_local_files",
    "local_paths",
    "parse_files",
    "parse_paths",
]

_GNOME_COPIED = "x-special/gnome-copied-files"
_KDE_URILIST = "application/x-kde4-urilist"


@dataclass(frozen=True)
class DroppedFile:
    """A regular local file offered by a drop or a paste."""

    path: Path
    name: str
    size: int


@dataclass
class FileDrop:
    """What a drop or paste offers, sorted into what can be attached and what cannot."""

    files: list[DroppedFile] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)
    unreadable: list[Path] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.files or self.folders or self.missing or self.unreadable or self.remote)

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)

    def problems(self) -> list[str]:
        """One sentence per group of items that cannot be attached, naming them."""
        out: list[str] = []
        if self.folders:
            out.append(
                "Folders cannot be attached: " + ", ".join(p.name or str(p) for p in self.folders)
            )
        if self.missing:
            out.append("Not found: " + ", ".join(p.name or str(p) for p in self.missing))
        if self.unreadable:
            out.append("Cannot be read: " + ", ".join(p.name or str(p) for p in self.unreadable))
        if self.remote:
            out.append("Only files on this computer can be attached: " + ", ".join(self.remote))
        return out


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
    """Sort ``paths`` into attachable files, folders, missing and unreadable items."""
    result = FileDrop()
    for path in paths:
        if path.is_dir():
            result.folders.append(path)
            continue
        try:
            st = path.stat()
        except FileNotFoundError:
            result.missing.append(path)
            continue
        except OSError:
            result.unreadable.append(path)
            continue
        if not path.is_file() or not os.access(path, os.R_OK):
            result.unreadable.append(path)
            continue
        result.files.append(DroppedFile(path=path, name=path.name, size=st.st_size))
    return result


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
