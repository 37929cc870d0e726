"""The third-party notices: every package the app runs on, its version, its licence and the
licence texts its authors ship, plus Qt's LGPL terms.

Help ▸ About shows them, the frozen bundle and the installer carry them as
``THIRD-PARTY-NOTICES.txt``. From a source install they are read from the installed packages'
metadata (the app's own requirements, followed through theirs, without extras); the frozen
bundle does not keep every package's metadata, so ``packaging/build.py`` writes the text at
build time (:func:`write`) and the bundle's copy is read first (:func:`text`).

No Qt here: the About dialog and the build both use it.
"""

from __future__ import annotations

import importlib.metadata as metadata
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["NOTICES_FILE", "Notice", "collect", "render", "text", "write"]

log = logging.getLogger(__name__)

APP = "snx-desktop"
NOTICES_FILE = "THIRD-PARTY-NOTICES.txt"
#: packages under the LGPL whose full terms ship with the app (the wheels carry none)
LGPL_PACKAGES = frozenset({"pyside6-essentials", "pyside6", "shiboken6"})
QT_TERMS = """\
Qt 6 and Qt for Python (PySide6, Shiboken6) are used under the GNU Lesser General Public
License version 3 (LGPL-3.0-only); its text and the GNU General Public License version 3 it
refers to follow at the end. Qt's libraries are the separate shared libraries in this app's
folder (Qt6*.dll, libQt6*.so*, the PySide6 and shiboken6 folders): you may replace them with
a compatible build of your own. Their sources are at https://download.qt.io/official_releases/
(Qt) and https://download.qt.io/official_releases/QtForPython/ (PySide6 and Shiboken6).
"""
_LICENCE_FILE = re.compile(r"(LICEN[CS]E|COPYING|NOTICE|AUTHORS)[^/]*$", re.IGNORECASE)
_NAME_END = re.compile(r"[\s;<>=!~\[(@]")


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Notice:
    """One package's notice: its name, version, licence and the licence texts it ships."""

    name: str
    version: str
    licence: str
    texts: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # (file name, text)


def _wanted(requirement: str) -> str | None:
    """The package a requirement line names, unless only an extra asks for it. A requirement
    for another platform names a package that is not installed here, and is passed over."""
    name, _, marker = requirement.partition(";")
    if "extra" in marker:
        return None
    found = _NAME_END.split(name.strip(), maxsplit=1)[0]
    return found or None


def _field(dist: metadata.Distribution, name: str) -> str:
    values = dist.metadata.get_all(name) or []
    return str(values[0]) if values else ""


def _licence(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    expression = _field(dist, "License-Expression")
    if expression:
        return expression
    classifiers = [
        c.split("::")[-1].strip()
        for c in meta.get_all("Classifier") or []
        if c.startswith("License ::") and c.count("::") > 1
    ]
    if classifiers:
        return " / ".join(classifiers)
    short = _field(dist, "License").strip()
    return short if short and "\n" not in short and len(short) < 80 else "see its licence text"


def _texts(dist: metadata.Distribution) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for path in dist.files or []:
        if not _LICENCE_FILE.search(str(path)) or ".dist-info" not in str(path):
            continue
        try:
            out.append((Path(str(path)).name, path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError):
            log.debug("licence file of %s not readable: %s", _field(dist, "Name"), path)
    return tuple(out)


def collect(root: str = APP) -> list[Notice]:
    """The notices of every package ``root`` needs to run, followed through their own
    requirements (extras left out), sorted by name; ``root`` itself is not one of them."""
    seen: dict[str, metadata.Distribution] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        key = _key(name)
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[key] = dist
        todo.extend(n for n in (_wanted(r) for r in dist.requires or []) if n)
    seen.pop(_key(root), None)
    return sorted(
        (
            Notice(_field(d, "Name") or k, d.version, _licence(d), _texts(d))
            for k, d in seen.items()
        ),
        key=lambda n: n.name.lower(),
    )


def _licence_file(name: str) -> str:
    from snx_desktop.resources import resource_path

    return resource_path("licenses", name).read_text(encoding="utf-8")


def render(notices: list[Notice]) -> str:
    """The notices as one plain text: a table of packages, then each one's texts, then Qt's
    terms with the LGPL and GPL texts."""
    lines = [
        "SalesNexus Desktop includes the following third-party software.",
        "",
        *(f"  {n.name} {n.version}: {n.licence}" for n in notices),
        "",
    ]
    for notice in notices:
        for file_name, body in notice.texts:
            lines += [f"===== {notice.name} {notice.version}: {file_name} =====", body.rstrip(), ""]
    if any(_key(n.name) in LGPL_PACKAGES for n in notices):
        lines += ["===== Qt and Qt for Python =====", QT_TERMS]
        for file_name in ("LGPL-3.0.txt", "GPL-3.0.txt"):
            lines += [f"===== {file_name} =====", _licence_file(file_name).rstrip(), ""]
    return "\n".join(lines) + "\n"


def write(path: Path) -> Path:
    """Write the notices of this environment to ``path`` (the build does, for the bundle)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(collect()), encoding="utf-8")
    return path


def text() -> str:
    """The notices: the bundle's own copy when there is one, else from the installed packages."""
    from snx_desktop.resources import ResourceNotFoundError, resource_path

    try:
        return resource_path(NOTICES_FILE).read_text(encoding="utf-8")
    except (ResourceNotFoundError, OSError):
        return render(collect())
