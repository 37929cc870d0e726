"""Folders dropped on a contact in the signed-in main window: the files inside go, through the
same checks as dropped files; a drop over the limits of one drop attaches nothing and says
why. Real drop events, real services, real HTTP to a private sandbox."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, QUrl
from PySide6.QtGui import QDragLeaveEvent
from PySide6.QtWidgets import QApplication
from support.documents import documents_on_server
from support.qtdrag import drag_events, send_drag
from support.sandboxes import running_sandbox
from support.signals import when
from support.waiting import until
from support.windows import Session, first_page, signed_in

from snx_desktop.models.roles import Roles
from snx_desktop.services.documents import DEFAULT_BATCH_LIMITS, BatchLimits
from snx_desktop.services.uploads import FailReason, JobState

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

MB = 1024 * 1024


@pytest.fixture(scope="module")
def folder_sandbox() -> Iterator[Any]:
    """A private sandbox for this module: the uploads here never reach the shared one."""
    with running_sandbox(contacts=20, seed=3) as server:
        yield server


def mime_of(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def write(path: Path, size: int, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes((i * 29 + seed) % 251 for i in range(size)))
    return path


def sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no room on disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        fh.truncate(size)
    return path


async def open_contact(s: Session, row: int) -> tuple[str, str]:
    """Open the list's ``row``-th contact in the detail pane; its id and shown name."""
    w = s.window
    await first_page(s)
    await until(lambda: w.features.attacher is not None, 5, "the document features")
    w.list_pane.select_row(row)
    await when(w.detail.recordOpened, lambda: w.detail.record_id != "", 5, "an open contact")
    await w.detail.wait_loaded()
    return w.detail.record_id, w.detail.contact.header.name.text()


def hover(s: Session, mime: QMimeData) -> tuple[str, bool]:
    """Drag ``mime`` over the detail pane and away (no drop): the overlay's text and state."""
    pane = s.window.detail
    target = s.window.features.attacher.targets[0]
    assert target.host is pane
    enter, move, _drop = drag_events(QPointF(pane.rect().center()), mime)
    for event in (enter, move):
        QApplication.sendEvent(pane, event)
        assert event.isAccepted()
    assert target.overlay.isVisible()
    text, ok = target.overlay.text, target.overlay.ok
    QApplication.sendEvent(pane, QDragLeaveEvent())
    assert not target.overlay.isVisible()
    return text, ok


def drop_on_pane(s: Session, mime: QMimeData) -> None:
    pane = s.window.detail
    assert send_drag(pane, QPointF(pane.rect().center()), mime) == [True, True, True]


async def told(s: Session) -> str:
    """The message the window shows (the message bar), once it shows one."""
    bar = s.window.message_bar
    messages = s.window.messages
    await when((messages.error, messages.warning), bar.isVisible, 5, "a message")
    return bar.text.text()


@pytest.mark.asyncio
async def test_a_dropped_folder_attaches_its_files_and_refuses_the_bad_ones_by_name(
    folder_sandbox: Any, tmp_path: Path
) -> None:
    root = tmp_path / "Deal room"
    good = [
        write(root / "proposal.pdf", 30_000, 1),
        write(root / "Notes" / "minutes.txt", 2_000, 2),
        write(root / "notes-old" / "deep" / "er" / "call.txt", 900, 3),
        write(root / "Pricing.xlsx", 12_000, 4),
    ]
    (root / "empty.txt").write_bytes(b"")
    write(root / "scan.tiff", 60_000, 5)  # over the per-file limit set below
    os.mkfifo(root / "pipe")  # not a regular file: cannot be read
    write(root / ".DS_Store", 10, 6)  # hidden: left out
    write(root / ".git" / "HEAD", 10, 7)  # hidden folder: left out
    outside = write(tmp_path / "elsewhere" / "private.txt", 10, 8)
    (root / "linked").symlink_to(outside.parent, target_is_directory=True)  # left out
    loose = write(tmp_path / "cover letter.txt", 700, 9)  # dropped beside the folder

    async with signed_in(folder_sandbox, tmp_path / "profile") as s:
        w = s.window
        cid, name = await open_contact(s, 0)
        before = await documents_on_server(s.services.client, cid)
        uploads = w.features.uploads
        uploads.max_bytes = 50_000
        mime = mime_of(root, loose)

        text, ok = hover(s, mime)
        assert ok
        assert text == f"Attach 7 files to {name}\nCannot be read: pipe."

        drop_on_pane(s, mime)
        jobs = uploads.jobs_for(cid)
        # the folder's files in a stable order (path inside the folder, ignoring case), then
        # the file dropped beside it; each under its own name only
        assert [j.file_name for j in jobs] == [
            "empty.txt",
            "minutes.txt",
            "call.txt",
            "Pricing.xlsx",
            "proposal.pdf",
            "scan.tiff",
            "cover letter.txt",
        ]
        refused = {j.file_name: j.reason for j in jobs if j.state is JobState.FAILED}
        assert refused == {"empty.txt": FailReason.EMPTY, "scan.tiff": FailReason.TOO_LARGE}
        assert await told(s) == (
            "Cannot be read: pipe. "
            "“empty.txt” is empty (0 bytes): nothing to attach. "
            "“scan.tiff” is 58.6 KB; documents may be at most 48.8 KB. "
            "The other 5 files are being attached."
        )
        await uploads.wait_all(jobs, timeout=30)
        assert [j.state for j in jobs].count(JobState.DONE) == 5

        after = await documents_on_server(s.services.client, cid)
        added = {k: v for k, v in after.items() if k not in before}
        assert added == {
            **{p.name: p.read_bytes() for p in good},
            "cover letter.txt": loose.read_bytes(),
        }
        for left_out in (".DS_Store", "HEAD", "private.txt", "empty.txt", "scan.tiff", "pipe"):
            assert left_out not in added


@pytest.mark.asyncio
async def test_a_folder_over_the_file_limit_attaches_nothing_and_says_why(
    folder_sandbox: Any, tmp_path: Path
) -> None:
    root = tmp_path / "Scans 2026"
    limit = DEFAULT_BATCH_LIMITS.max_files
    assert limit == 100
    for i in range(limit - 10):
        write(root / f"page-{i:03d}.txt", 50, i)
    for i in range(11):
        write(root / "appendix" / f"a-{i:02d}.txt", 50, i)  # 101 files in all

    async with signed_in(folder_sandbox, tmp_path / "profile") as s:
        w = s.window
        cid, name = await open_contact(s, 1)
        before = await documents_on_server(s.services.client, cid)
        mime = mime_of(root)
        text, ok = hover(s, mime)
        assert not ok
        assert text == (
            f"Nothing can be attached to {name}: the folder “Scans 2026” holds 101 files; "
            "one drop may attach at most 100."
        )
        drop_on_pane(s, mime)
        assert await told(s) == (
            f"Nothing was attached to {name}: the folder “Scans 2026” holds 101 files; one "
            "drop may attach at most 100. Attach fewer files at a time, or a zip of the folder."
        )
        assert w.status.currentMessage() == w.message_bar.text.text()
        assert w.features.uploads.jobs == []
        assert await documents_on_server(s.services.client, cid) == before

        # at the limit it goes (a lower limit keeps the test short)
        w.features.attacher.limits = BatchLimits(max_files=3)
        small = tmp_path / "Three"
        three = [write(small / f"{i}.txt", 100 + i, i) for i in range(3)]
        w.message_bar.hide()
        drop_on_pane(s, mime_of(small))
        jobs = w.features.uploads.jobs_for(cid)
        assert [j.file_name for j in jobs] == ["0.txt", "1.txt", "2.txt"]
        await w.features.uploads.wait_all(jobs, timeout=20)
        assert not w.message_bar.isVisible()
        assert await documents_on_server(s.services.client, cid) == {
            **before,
            **{p.name: p.read_bytes() for p in three},
        }
        # one more file dropped beside the folder is over it: nothing of either goes
        extra = write(tmp_path / "extra.txt", 10)
        drop_on_pane(s, mime_of(small, extra))
        assert "the folder “Three” with the files dropped beside it hold 4 files" in (await told(s))
        assert w.features.uploads.jobs_for(cid) == jobs


@pytest.mark.asyncio
async def test_a_folder_over_the_size_limit_attaches_nothing_and_says_why(
    folder_sandbox: Any, tmp_path: Path
) -> None:
    root = tmp_path / "Site videos"
    limit = DEFAULT_BATCH_LIMITS.max_bytes
    assert limit == 250 * MB
    for i in range(6):  # each under the 50 MB per-file limit, 270 MB together
        sparse(root / f"clip-{i}.mp4", 45 * MB)
    async with signed_in(folder_sandbox, tmp_path / "profile") as s:
        w = s.window
        cid, name = await open_contact(s, 2)
        before = await documents_on_server(s.services.client, cid)
        text, ok = hover(s, mime_of(root))
        assert not ok
        assert "270.0 MB in 6 files" in text
        drop_on_pane(s, mime_of(root))
        assert await told(s) == (
            f"Nothing was attached to {name}: the folder “Site videos” holds 270.0 MB in 6 "
            "files; one drop may attach at most 250.0 MB. Attach fewer files at a time, or a "
            "zip of the folder."
        )
        assert w.features.uploads.jobs == []
        assert await documents_on_server(s.services.client, cid) == before


@pytest.mark.asyncio
async def test_a_folder_dropped_on_a_contact_row_goes_to_that_contact(
    folder_sandbox: Any, tmp_path: Path
) -> None:
    root = tmp_path / "For the row"
    files = [write(root / "b.txt", 300, 1), write(root / "A.txt", 200, 2)]
    async with signed_in(folder_sandbox, tmp_path / "profile") as s:
        w = s.window
        await open_contact(s, 0)
        view = w.list_pane.views["contact"]
        index = view.model().index(3, 0)
        row_contact = str(index.data(Roles.RECORD_ID))
        before = await documents_on_server(s.services.client, row_contact)
        pos = QPointF(view.visualRect(index).center())
        assert send_drag(view.viewport(), pos, mime_of(root)) == [True, True, True]
        jobs = w.features.uploads.jobs_for(row_contact)
        assert [j.file_name for j in jobs] == ["A.txt", "b.txt"]
        await w.features.uploads.wait_all(jobs, timeout=20)
        assert await documents_on_server(s.services.client, row_contact) == {
            **before,
            **{p.name: p.read_bytes() for p in files},
        }
