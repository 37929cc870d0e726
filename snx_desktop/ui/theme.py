"""Light and dark follow the system.

Platform styles that theme themselves (Windows 11, macOS, a GTK or KDE platform theme) switch
their palette when the system's colour scheme changes; with the Fusion style (the default where
no platform theme exists) the app sets its own light or dark palette from the scheme Qt reports.
Either way the stylesheet is re-applied, and action icons repaint in the palette's colours.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

__all__ = ["ThemeFollower"]

log = logging.getLogger(__name__)


class ThemeFollower(QObject):
    """Keeps ``window`` in the system's colour scheme."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(self.apply)
        self.apply(hints.colorScheme(), restyle=False)

    def apply(self, scheme: Qt.ColorScheme, restyle: bool = True) -> None:
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            return
        # the scheme first: the first touch of the app's QStyle from Python costs ~10 ms of
        # start-up (its enums are built), and an unknown scheme needs no palette anyway
        if scheme != Qt.ColorScheme.Unknown and app.style().name().lower() == "fusion":
            try:
                from snx_desktop.ui import icons

                dark = scheme == Qt.ColorScheme.Dark
                app.setPalette(icons.palette_for("dark" if dark else "light"))
            except Exception:
                log.debug("no app palette available", exc_info=True)
        sheet = self._window.styleSheet()
        if sheet and restyle:  # re-resolve palette(...) references in the stylesheet
            self._window.setStyleSheet("")
            self._window.setStyleSheet(sheet)
