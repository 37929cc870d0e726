"""Help ▸ About: the app's version, what it runs on, and the third-party notices."""

from __future__ import annotations

import asyncio
import logging
import platform

from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

__all__ = ["AboutDialog"]

log = logging.getLogger(__name__)


class AboutDialog(QDialog):
    """Version, Qt, PySide6 and Python versions, and the third-party notices (read off the
    event loop's thread when a loop runs)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        import PySide6

        from snx_desktop import __version__

        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About SalesNexus Desktop"))
        self.setAccessibleName(self.tr("About SalesNexus Desktop"))
        layout = QVBoxLayout(self)
        self.summary = QLabel(
            self.tr(
                "<b>SalesNexus Desktop {version}</b><br>Qt {qt}, PySide6 {pyside}, Python {python}"
            ).format(
                version=__version__,
                qt=qVersion(),
                pyside=PySide6.__version__,
                python=platform.python_version(),
            ),
            self,
        )
        self.summary.setObjectName("aboutSummary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        heading = QLabel(self.tr("Third-party software and its licences:"), self)
        layout.addWidget(heading)
        self.notices = QPlainTextEdit(self)
        self.notices.setObjectName("thirdPartyNotices")
        self.notices.setAccessibleName(self.tr("Third-party notices"))
        self.notices.setReadOnly(True)
        self.notices.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.notices.setPlainText(self.tr("Loading…"))
        heading.setBuddy(self.notices)
        layout.addWidget(self.notices, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.setObjectName("aboutButtons")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 480)
        self.loaded: asyncio.Future[str] | None = None
        self._load()

    def _load(self) -> None:
        from snx_desktop import notices

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._show(notices.text())
            return
        self.loaded = loop.run_in_executor(None, notices.text)
        self.loaded.add_done_callback(self._loaded)

    def _loaded(self, future: asyncio.Future[str]) -> None:
        if future.cancelled():
            return
        error = future.exception()
        if error is not None:
            log.warning("third-party notices not readable: %s", error)
            self._show(self.tr("The notices could not be read: {error}").format(error=error))
            return
        self._show(future.result())

    def _show(self, text: str) -> None:
        try:
            self.notices.setPlainText(text)
        except RuntimeError:  # the dialog was closed and deleted meanwhile
            log.debug("about dialog gone before its notices")
