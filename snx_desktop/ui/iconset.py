"""Safe access to the app's icons: a missing icon set or icon gives an empty QIcon."""

from __future__ import annotations

import logging

from PySide6.QtGui import QIcon

__all__ = ["get_icon", "stylesheet"]

log = logging.getLogger(__name__)


def get_icon(name: str) -> QIcon:
    """The theme-aware action icon ``name``, or an empty icon when it is not available."""
    try:
        from snx_desktop.ui import icons

        return icons.icon(name)
    except Exception:
        log.debug("icon %s not available", name)
        return QIcon()


def stylesheet() -> str:
    """The app's stylesheet (palette-based), or an empty string."""
    try:
        from snx_desktop import resources

        return resources.stylesheet()
    except Exception:
        log.debug("no stylesheet available")
        return ""
