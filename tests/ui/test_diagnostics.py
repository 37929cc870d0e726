"""Help ▸ Copy diagnostics and Help ▸ Open log folder, on a window signed in to the sandbox;
the log file's rotation and its last lines."""

from __future__ import annotations

import logging
import platform
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject, QUrl, Slot, qVersion
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMenu
from support.waiting import until
from support.windows import first_page, signed_in

from snx_desktop import __version__
from snx_desktop.diagnostics import REDACTED, redact
from snx_desktop.logfile import LogFile

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

log = logging.getLogger("snx_desktop.tests.diagnostics")


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[LogFile]:
    opened = LogFile.open(tmp_path / "logs", crashes=False)
    try:
        yield opened
    finally:
        opened.close()


class _Opened(QObject):
    """Where Qt sends the ``file:`` URLs that ``QDesktopServices.openUrl`` is asked to open
    (Qt's own hook for a scheme's handler), instead of the desktop's file manager."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


@pytest.mark.asyncio
async def test_copy_diagnostics_puts_the_facts_and_the_last_log_lines_on_the_clipboard(
    sandbox: Any, tmp_path: Path, log_file: LogFile, user_messages: list[Any]
) -> None:
    for n in range(250):
        log.warning("line %d of the test", n)
    log.warning("a line naming jane.doe@example.com and token=Zpfj4Asf1Te319E_MBfNeIe5pce")
    async with signed_in(sandbox, tmp_path / "profile") as s:
        await first_page(s)
        s.services.connectivity.set_work_offline(True)
        contact = s.window.list_pane.models["contact"].record_id(0)
        await s.services.writes.create_note(contact, "for the queue")
        await until(lambda: s.services.writes.status.pending == 1)
        await until(lambda: s.window.features.services is not None, what="features bound")
        s.window.actions_.copy_diagnostics.trigger()
        text = QGuiApplication.clipboard().text()
    assert text.startswith(f"SalesNexus Desktop {__version__}\n")
    assert f"Qt: {qVersion()} (PySide6 {pyside_version})" in text
    assert f"Python: {platform.python_version()}" in text
    assert f"Platform: {platform.platform()}" in text
    assert f"Server: {sandbox.base_url}\n" in text, text[:600]
    assert "Connection: offline" in text
    assert "Unsent changes: 1 in all: 1 waiting, 0 sending" in text
    assert "Offline store: " in text
    assert f"Log folder: {log_file.folder}" in text
    tail = text.split("Last 200 lines of the log:\n", 1)[1].splitlines()
    assert len(tail) == 200
    assert "line 249 of the test" in text
    assert "line 49 of the test" not in text  # only the last 200 lines
    assert "a line naming …@example.com and token=[redacted]" in text
    assert [m.text for m in user_messages if m.text.startswith("Diagnostics copied")]


@pytest.mark.asyncio
async def test_copy_diagnostics_when_signed_out(tmp_path: Path, log_file: LogFile) -> None:
    from support.qtobjects import dispose
    from support.windows import settings_in

    from snx_desktop.ui.mainwindow import MainWindow
    from snx_desktop.ui.supportmenu import copy_diagnostics

    window = MainWindow(settings=settings_in(tmp_path))
    try:
        text = copy_diagnostics(window)
    finally:
        dispose(window)
    assert "Server: not signed in" in text
    assert QGuiApplication.clipboard().text() == text


@pytest.mark.asyncio
async def test_open_log_folder_opens_the_folder_of_the_log_file(
    tmp_path: Path, log_file: LogFile
) -> None:
    from support.qtobjects import dispose
    from support.windows import settings_in

    from snx_desktop.ui.mainwindow import MainWindow

    opened = _Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    window = MainWindow(settings=settings_in(tmp_path))
    try:
        help_menu = window.findChild(QMenu, "menuHelp")
        assert isinstance(help_menu, QMenu)
        acts = window.actions_
        assert {acts.open_log_folder, acts.copy_diagnostics} <= set(help_menu.actions())
        acts.open_log_folder.trigger()
    finally:
        QDesktopServices.unsetUrlHandler("file")
        dispose(window)
    assert [url.toLocalFile() for url in opened.urls] == [str(log_file.folder)]


@pytest.mark.asyncio
async def test_without_a_log_file_the_rep_is_told_so(user_messages: list[Any]) -> None:
    from snx_desktop.ui.supportmenu import NO_LOG_MESSAGE, open_log_folder

    assert not open_log_folder()
    assert [m.text for m in user_messages] == [NO_LOG_MESSAGE]


def test_the_log_rotates_and_keeps_a_bounded_number_of_files(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    opened = LogFile.open(folder, crashes=False, max_bytes=4000, backups=3)
    try:
        for n in range(400):
            log.warning("rotating line %04d %s", n, "x" * 40)
        tail = opened.tail(200)
    finally:
        opened.close()
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "snx-desktop.log",
        "snx-desktop.log.1",
        "snx-desktop.log.2",
        "snx-desktop.log.3",
    ]
    assert all((folder / name).stat().st_size <= 4000 for name in names)
    assert all((folder / name).stat().st_mode & 0o077 == 0 for name in names)
    # the last lines, in order, across the rotated file
    numbers = [int(line.split("rotating line ")[1][:4]) for line in tail]
    assert len(numbers) > 40
    assert numbers == list(range(400 - len(numbers), 400))
    assert len(opened.path.read_text().splitlines()) < len(numbers)
    log.warning("after closing")
    assert "after closing" not in opened.path.read_text()


@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        ("login token=Zpfj4Asf1Te319E_MBfNeIe5pce ok", "token=" + REDACTED, "Zpfj4Asf"),
        ('{"password": "two words", "x": 1}', '"password": "' + REDACTED + '"', "two words"),
        ("Authorization: Bearer abc.def.ghi", "Authorization: ", "abc.def"),
        ("proxy http://bob:Hunter2@proxy:3128", "http://bob:" + REDACTED + "@proxy", "Hunter2"),
        ("file data aGVsbG8gd29ybGQsIHRoaXMgaXMgYmFzZTY0IQ==", REDACTED, "aGVsbG8g"),
        ("sent to jane.doe@example.com", "…@example.com", "jane.doe"),
        ("record 0badc0de-0000-4000-8000-0000000000aa saved", "0badc0de-0000-4000", "[redacted]"),
        ("opened /tmp/pytest-of-root/pytest-12/test_a0/profile", "pytest-12/test_a0", "[red"),
        ("Linux-6.18.44-fc-v1272-x86_64-with-glibc2.36", "x86_64-with-glibc2", "[red"),
        (
            "digest 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "digest",
            "9f86",
        ),
    ],
)
def test_redaction(text: str, kept: str, gone: str) -> None:
    redacted = redact(text)
    assert kept in redacted
    assert gone not in redacted
