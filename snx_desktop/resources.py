"""Where the application's resource files are, installed or frozen.

The run-time resources (the app icon as SVG, the action icons, the stylesheet) ship inside
the package, in ``snx_desktop/resources_data/``, so that a ``pip install`` (editable or not)
and the PyInstaller bundle find them the same way. In a frozen program the package's data
lives below ``sys._MEIPASS``; otherwise next to this module.

This module is Qt-free: it returns paths and text. ``snx_desktop.ui.icons`` turns them into
``QIcon`` objects.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = [
    "ACTION_ICONS",
    "APP_ICON_NAME",
    "DATA_DIR_NAME",
    "ResourceNotFoundError",
    "app_icon_path",
    "available_icons",
    "icon_path",
    "is_frozen",
    "resource_path",
    "resource_root",
    "stylesheet",
    "stylesheet_path",
]

#: Folder inside the package (and inside the bundle's ``snx_desktop/``) holding the resources.
DATA_DIR_NAME = "resources_data"

#: Icon name used by the app icon file, the desktop entry and the freedesktop icon theme.
APP_ICON_NAME = "snx-desktop"

#: Every action icon the application may ask for (file ``icons/<name>.svg``).
ACTION_ICONS: tuple[str, ...] = (
    "home",
    "contacts",
    "groups",
    "activities",
    "sales",
    "campaigns",
    "pending",
    "search",
    "refresh",
    "add",
    "edit",
    "delete",
    "attach",
    "open",
    "save",
    "offline",
    "online",
    "conflict",
    "warning",
    "sync",
    "note",
    "call",
    "meeting",
    "todo",
    "sign-in",
    "sign-out",
    "export",
    "import",
)


class ResourceNotFoundError(FileNotFoundError):
    """A resource file the application needs is missing from the package or the bundle."""


def is_frozen() -> bool:
    """True when running from a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def resource_root() -> Path:
    """The folder that holds the run-time resources.

    Frozen: ``<sys._MEIPASS>/snx_desktop/resources_data`` (the spec puts them there).
    Installed or in a checkout: ``resources_data`` next to this module.
    """
    if is_frozen():
        base = Path(getattr(sys, "_MEIPASS")) / "snx_desktop"  # noqa: B009 - set by PyInstaller
    else:
        base = Path(__file__).resolve().parent
    return base / DATA_DIR_NAME


def resource_path(*parts: str) -> Path:
    """Path of one resource file below :func:`resource_root`; raises if it is missing.

    ``parts`` are path segments (``resource_path("icons", "add.svg")``); absolute
    segments and ``..`` are refused so a caller cannot reach outside the resources.
    """
    if not parts:
        raise ValueError("resource_path() needs at least one path segment")
    for part in parts:
        if not part or part in {".", ".."} or Path(part).is_absolute() or "\\" in part:
            raise ValueError(f"invalid resource path segment: {part!r}")
        if any(seg == ".." for seg in Path(part).parts):
            raise ValueError(f"invalid resource path segment: {part!r}")
    path = resource_root().joinpath(*parts)
    if not path.is_file():
        raise ResourceNotFoundError(f"resource not found: {'/'.join(parts)} (looked in {path})")
    return path


def icon_path(name: str) -> Path:
    """Path of the action icon ``name`` (one of :data:`ACTION_ICONS`), an SVG."""
    return resource_path("icons", f"{name}.svg")


def available_icons() -> list[str]:
    """Names of the action icons present on disk, sorted."""
    folder = resource_root() / "icons"
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.svg"))


def app_icon_path() -> Path:
    """Path of the application icon as SVG (the source of the .ico and the PNG sizes)."""
    return resource_path(f"{APP_ICON_NAME}.svg")


def stylesheet_path() -> Path:
    """Path of the application's Qt stylesheet."""
    return resource_path("style.qss")


def stylesheet() -> str:
    """Text of the application's Qt stylesheet."""
    return stylesheet_path().read_text(encoding="utf-8")
