"""Help ▸ Open log folder and Help ▸ Copy diagnostics: what a rep does when support asks for
the log (see :mod:`snx_desktop.logfile` and :mod:`snx_desktop.diagnostics`)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QWidget

from snx_desktop import messages

__all__ = ["copy_diagnostics", "open_log_folder"]

log = logging.getLogger(__name__)

NO_LOG_MESSAGE = "This session writes no log file: its folder could not be written."
COPIED_MESSAGE = "Diagnostics copied: paste them into your message to support."


def open_log_folder() -> bool:
    """Show the log folder in the system's file manager; False (and a message) when there is
    no log file or no file manager."""
    from snx_desktop import logfile

    current = logfile.active()
    if current is None:
        messages.warning(NO_LOG_MESSAGE)
        return False
    url = QUrl.fromLocalFile(str(current.folder))
    if not QDesktopServices.openUrl(url):
        log.warning("no program opened the log folder %s", current.folder)
        messages.warning(f"The log folder could not be opened; it is {current.folder}")
        return False
    return True


def copy_diagnostics(window: QWidget) -> str:
    """Put the diagnostics text (redacted) on the clipboard; returns it."""
    from snx_desktop import diagnostics, logfile

    features = getattr(window, "features", None)
    services = getattr(features, "services", None)
    text = diagnostics.collect(services, logfile.active())
    QGuiApplication.clipboard().setText(text)
    log.info("diagnostics copied to the clipboard (%d lines)", text.count("\n"))
    messages.info(COPIED_MESSAGE)
    return text
