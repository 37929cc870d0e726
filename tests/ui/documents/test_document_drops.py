"""Real drop events on the contact detail pane and on a contact list row, uploaded to the
sandbox over HTTP; the bytes on the server are checked against the files."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, QRect, Qt, QUrl
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QKeyEvent,
)
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QTableView, QWidget
from support.fields import C_NAME
from support.qtdrag import drag_events
from support.waiting import until

from snx_desktop.models.records import RecordTableModel
from snx_desktop.models.schema import Column
from snx_desktop.services.uploads import FailReason, JobState
from snx_desktop.ui.detailpane import DetailPane
from snx_desktop.ui.documents import (
    Attacher,
    DropContact,
    FileDropTarget,
    UploadListWidget,
    record_contact,
)

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


# ====================================================================== helpers
def file_mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drag_enter(widget: QWidget, pos: QPointF, mime: QMimeData) -> QDragEnterEvent:
    event = drag_events(pos, mime)[0]
    QApplication.sendEvent(widget, event)
    return event


def drag_move(widget: QWidget, pos: QPointF, mime: QMimeData) -> QDragMoveEvent:
    event = drag_events(pos, mime)[1]
    QApplication.sendEvent(widget, event)
    return event


def drop(widget: QWidget, pos: QPointF, mime: QMimeData) -> QDropEvent:
    event = drag_events(pos, mime)[2]
    QApplication.sendEvent(widget, event)
    return event


def drag_and_drop(widget: QWidget, pos: QPointF, mime: QMimeData) -> list[bool]:
    """Enter, move and drop at ``pos``; whether each event was accepted."""
    return [
        drag_enter(widget, pos, mime).isAccepted(),
        drag_move(widget, pos, mime).isAccepted(),
        drop(widget, pos, mime).isAccepted(),
    ]


def write(path: Path, size: int, seed: int = 0) -> Path:
    path.write_bytes(bytes((i * 31 + seed) % 251 for i in range(size)))
    return path


async def server_files(client: Any, contact_id: str) -> dict[str, bytes]:
    docs = await client.get_docs_for_contact(contact_id)
    out: dict[str, bytes] = {}
    for doc in docs.items:
        buf = io.BytesIO()
        await client.download_document(doc.url, buf)
        out[doc.file_name] = buf.getvalue()
    return out


class PaneRig:
    """The real detail pane showing one contact, made a drop zone, with an upload list."""

    def __init__(self, qtbot: Any, env: Any, contact_id: str, name: str) -> None:
        self.pane = DetailPane()
        self.pane.resize(700, 500)
        qtbot.addWidget(self.pane)
        self.pane.open_record("contact", contact_id, {C_NAME: name})
        self.pane.show()
        self.name = name
        self.attacher = Attacher(env.manager, self.pane)
        self.messages: list[str] = []
        self.attacher.message.connect(self.messages.append)
        self.target = self.attacher.install_on_pane(self.pane, self.current)
        self.uploads = UploadListWidget(env.manager)
        qtbot.addWidget(self.uploads)

    def current(self) -> DropContact | None:
        if self.pane.kind != "contact" or not self.pane.record_id:
            return None
        return DropContact(self.pane.record_id, self.name)

    def center(self) -> QPointF:
        return QPointF(self.pane.rect().center())


# ====================================================================== the detail pane
@pytest.mark.asyncio
async def test_one_file_dropped_on_the_pane_lands_on_the_contact(
    qtbot: Any, env: Any, tmp_path: Path
) -> None:
    cid = await env.new_contact("Dana Drop")
    rig = PaneRig(qtbot, env, cid, "Dana Drop")
    path = write(tmp_path / "proposal.pdf", 150_000)
    mime = file_mime(path)

    enter = drag_enter(rig.pane, rig.center(), mime)
    assert enter.isAccepted()
    assert rig.target.overlay.isVisible()
    assert "Dana Drop" in rig.target.overlay.text
    assert "proposal.pdf" in rig.target.overlay.text
    assert rig.target.overlay.target_rect == rig.pane.rect()
    assert rig.target.current == DropContact(cid, "Dana Drop")
    assert drag_move(rig.pane, QPointF(5, 5), mime).isAccepted()
    assert drop(rig.pane, rig.center(), mime).isAccepted()
    assert not rig.target.overlay.isVisible()

    jobs = env.manager.jobs_for(cid)
    assert [j.file_name for j in jobs] == ["proposal.pdf"]
    assert rig.uploads.row(jobs[0].job_id) is not None
    await env.manager.wait_all(jobs, timeout=20)
    assert jobs[0].state is JobState.DONE
    assert await server_files(env.client, cid) == {"proposal.pdf": path.read_bytes()}
    row = rig.uploads.row(jobs[0].job_id)
    assert row is not None
    assert row.bar.value() == 1000
    assert "Attached" in row.status.text()


@pytest.mark.asyncio
async def test_three_files_at_once(qtbot: Any, env: Any, tmp_path: Path) -> None:
    cid = await env.new_contact("Tri Files")
    rig = PaneRig(qtbot, env, cid, "Tri Files")
    paths = [write(tmp_path / f"part-{i}.txt", 20_000 + i * 7_000, seed=i) for i in range(3)]
    mime = file_mime(*paths)
    assert drag_enter(rig.pane, rig.center(), mime).isAccepted()
    assert "Attach 3 files to Tri Files" in rig.target.overlay.text
    assert drop(rig.pane, rig.center(), mime).isAccepted()
    jobs = env.manager.jobs_for(cid)
    assert len(jobs) == 3
    await env.manager.wait_all(jobs, timeout=20)
    assert await server_files(env.client, cid) == {p.name: p.read_bytes() for p in paths}


@pytest.mark.asyncio
async def test_empty_file_is_refused_and_nothing_is_sent(
    qtbot: Any, env: Any, tmp_path: Path
) -> None:
    cid = await env.new_contact("Empty Drop")
    rig = PaneRig(qtbot, env, cid, "Empty Drop")
    empty = tmp_path / "blank.txt"
    empty.write_bytes(b"")
    posts = env.network.posts
    assert drag_and_drop(rig.pane, rig.center(), file_mime(empty)) == [True, True, True]
    (job,) = env.manager.jobs_for(cid)
    assert job.state is JobState.FAILED
    assert job.reason is FailReason.EMPTY
    row = rig.uploads.row(job.job_id)
    assert row is not None
    assert "blank.txt" in row.status.text()
    assert "empty" in row.status.text()
    await asyncio.sleep(0.1)  # time for requests that must not come: no event to await
    assert env.network.posts == posts
    assert await server_files(env.client, cid) == {}


@pytest.mark.asyncio
async def test_too_large_file_is_refused_before_sending(
    qtbot: Any, env: Any, tmp_path: Path
) -> None:
    env.manager.max_bytes = 10_000
    cid = await env.new_contact("Big Drop")
    rig = PaneRig(qtbot, env, cid, "Big Drop")
    big = write(tmp_path / "scan.tiff", 10_001)
    small = write(tmp_path / "ok.txt", 9_000)
    posts = env.network.posts
    drag_and_drop(rig.pane, rig.center(), file_mime(big, small))
    big_job, small_job = env.manager.jobs_for(cid)
    assert big_job.state is JobState.FAILED
    assert big_job.reason is FailReason.TOO_LARGE
    assert "scan.tiff" in big_job.error
    assert "at most" in big_job.error
    await env.manager.wait(small_job.job_id, timeout=20)
    assert small_job.state is JobState.DONE
    # only the small file went out: its look-up of same-named documents, then its upload
    assert env.network.posts == posts + 2
    assert await server_files(env.client, cid) == {"ok.txt": small.read_bytes()}


@pytest.mark.asyncio
async def test_a_folder_stands_for_the_files_inside_it(
    qtbot: Any, env: Any, tmp_path: Path
) -> None:
    """(tests/ui/test_folder_drop.py covers folders in depth, on the whole window.)"""
    cid = await env.new_contact("Folder Drop")
    rig = PaneRig(qtbot, env, cid, "Folder Drop")
    folder = tmp_path / "Quarterly reports"
    folder.mkdir()
    inside = write(folder / "inside.txt", 100)
    mime = file_mime(folder)
    assert drag_enter(rig.pane, rig.center(), mime).isAccepted()
    assert rig.target.overlay.text == "Attach “inside.txt” from “Quarterly reports” to Folder Drop"
    assert rig.target.overlay.ok
    assert drop(rig.pane, rig.center(), mime).isAccepted()
    assert rig.messages == []
    jobs = env.manager.jobs_for(cid)
    assert [j.file_name for j in jobs] == ["inside.txt"]
    await env.manager.wait_all(jobs, timeout=20)
    assert await server_files(env.client, cid) == {"inside.txt": inside.read_bytes()}


@pytest.mark.asyncio
async def test_an_empty_folder_is_refused_with_a_message_naming_it(
    qtbot: Any, env: Any, tmp_path: Path
) -> None:
    cid = await env.new_contact("Empty Folder Drop")
    rig = PaneRig(qtbot, env, cid, "Empty Folder Drop")
    folder = tmp_path / "Quarterly reports"
    folder.mkdir()
    (folder / ".hidden").write_bytes(b"not attached")
    mime = file_mime(folder)
    assert drag_enter(rig.pane, rig.center(), mime).isAccepted()
    assert "Quarterly reports" in rig.target.overlay.text
    assert not rig.target.overlay.ok
    posts = env.network.posts
    assert drop(rig.pane, rig.center(), mime).isAccepted()
    assert rig.messages == [
        "No files to attach in “Quarterly reports” (hidden files are left out)."
    ]
    assert env.manager.jobs_for(cid) == []
    await asyncio.sleep(0.1)  # time for requests that must not come: no event to await
    assert env.network.posts == posts
    assert await server_files(env.client, cid) == {}


@pytest.mark.asyncio
async def test_non_file_drops_are_refused(qtbot: Any, env: Any) -> None:
    cid = await env.new_contact("Text Drop")
    rig = PaneRig(qtbot, env, cid, "Text Drop")
    mime = QMimeData()
    mime.setText("just some words")
    assert not drag_enter(rig.pane, rig.center(), mime).isAccepted()
    assert not rig.target.overlay.isVisible()
    web = QMimeData()
    web.setUrls([QUrl("https://example.com/file.pdf")])
    assert not drag_enter(rig.pane, rig.center(), web).isAccepted()
    assert not drop(rig.pane, rig.center(), web).isAccepted()
    assert env.manager.jobs == []


@pytest.mark.asyncio
async def test_no_contact_open_means_no_drop(qtbot: Any, env: Any, tmp_path: Path) -> None:
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.resize(400, 300)
    attacher = Attacher(env.manager, pane)
    target = attacher.install_on_pane(pane, lambda: None)
    mime = file_mime(write(tmp_path / "a.txt", 10))
    center = QPointF(pane.rect().center())
    drag_enter(pane, center, mime)
    assert not target.overlay.isVisible()
    assert not drag_move(pane, center, mime).isAccepted()
    assert not drop(pane, center, mime).isAccepted()
    assert env.manager.jobs == []


@pytest.mark.asyncio
async def test_cancel_in_the_middle_from_the_upload_list(
    qtbot: Any, env: Any, tmp_path: Path
) -> None:
    env.manager.progress_interval = 0
    cid = await env.new_contact("Cancel Drop")
    rig = PaneRig(qtbot, env, cid, "Cancel Drop")
    big = tmp_path / "video.mp4"
    with big.open("wb") as fh:
        for i in range(16):
            fh.write(bytes([i]) * (1024 * 1024))
    clicked: list[int] = []

    def click_cancel_midway(job: Any) -> None:
        row = rig.uploads.row(job.job_id)
        if (
            row is not None
            and not clicked
            and job.state is JobState.SENDING
            and 1024 * 1024 <= job.sent < job.size
        ):
            assert row.cancel_button.isVisibleTo(row)
            clicked.append(job.sent)
            qtbot.mouseClick(row.cancel_button, Qt.MouseButton.LeftButton)

    env.manager.progress.connect(click_cancel_midway)
    drag_and_drop(rig.pane, rig.center(), file_mime(big))
    (job,) = env.manager.jobs_for(cid)
    await env.manager.wait(job.job_id, timeout=30)
    assert clicked
    assert job.state is JobState.CANCELLED
    row = rig.uploads.row(job.job_id)
    assert row is not None
    assert row.retry_button.isVisibleTo(row)
    assert not row.cancel_button.isVisibleTo(row)
    await asyncio.sleep(0.3)  # time for a stray upload to land: none must
    assert await server_files(env.client, cid) == {}


@pytest.mark.asyncio
async def test_upload_made_offline_is_sent_later(qtbot: Any, env: Any, tmp_path: Path) -> None:
    cid = await env.new_contact("Offline Drop")
    rig = PaneRig(qtbot, env, cid, "Offline Drop")
    path = write(tmp_path / "contract.docx", 40_000)
    env.services.connectivity.set_work_offline(True)
    drag_and_drop(rig.pane, rig.center(), file_mime(path))
    (job,) = env.manager.jobs_for(cid)
    await until(lambda: job.state is JobState.QUEUED, what="queued")
    row = rig.uploads.row(job.job_id)
    assert row is not None
    assert "when the connection returns" in row.status.text()
    pending = env.services.writes.pending()
    assert [p.op for p in pending] == ["add-doc-to-contact"]
    assert cid in env.services.writes.pending_ids("contact")
    docs = env.services.store.cache.get_children("contact", cid, "document")
    assert docs is not None
    assert [d["file-name"] for _, d in docs.value] == ["contract.docx"]
    env.services.connectivity.set_work_offline(False)
    await env.manager.wait(job.job_id, timeout=30)
    assert job.state is JobState.DONE
    assert await server_files(env.client, cid) == {"contract.docx": path.read_bytes()}
    assert env.services.writes.pending() == []


@pytest.mark.asyncio
async def test_paste_files_on_the_pane(qtbot: Any, env: Any, tmp_path: Path) -> None:
    cid = await env.new_contact("Paste Target")
    rig = PaneRig(qtbot, env, cid, "Paste Target")
    path = write(tmp_path / "pasted.csv", 3_000)
    QGuiApplication.clipboard().setMimeData(file_mime(path))
    try:
        event = QKeyEvent(
            QKeyEvent.Type.KeyPress, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier, "v"
        )
        QApplication.sendEvent(rig.pane, event)
        jobs = env.manager.jobs_for(cid)
        assert [j.file_name for j in jobs] == ["pasted.csv"]
        await env.manager.wait_all(jobs, timeout=20)
        assert await server_files(env.client, cid) == {"pasted.csv": path.read_bytes()}
    finally:
        QGuiApplication.clipboard().clear()


@pytest.mark.asyncio
async def test_attach_button_opens_a_dialog_without_exec(
    qtbot: Any, env: Any, tmp_path: Path
) -> None:
    cid = await env.new_contact("Button Target")
    rig = PaneRig(qtbot, env, cid, "Button Target")
    paths = [write(tmp_path / "one.txt", 500), write(tmp_path / "two.txt", 700, seed=3)]
    button = rig.attacher.attach_button(rig.pane, rig.current)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def dialog() -> QFileDialog | None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QFileDialog) and w.objectName() == "attachDialog" and w.isVisible():
                return w
        return None

    await until(lambda: dialog() is not None, what="the file dialog")
    dlg = dialog()
    assert dlg is not None
    assert "Button Target" in dlg.windowTitle()
    dlg.setDirectory(str(tmp_path))

    def selected() -> bool:
        # the dialog lists the folder in the background; select once the names are known
        names = " ".join(f'"{p.name}"' for p in paths)
        dlg.selectFile(names)
        for edit in dlg.findChildren(QLineEdit):
            if edit.objectName() == "fileNameEdit":
                edit.setText(names)  # what a user types
        return len(dlg.selectedFiles()) == 2

    await until(selected, what="the files selected in the dialog")
    dlg.accept()
    await until(lambda: len(env.manager.jobs_for(cid)) == 2, what="two jobs")
    await env.manager.wait_all(env.manager.jobs_for(cid), timeout=20)
    assert await server_files(env.client, cid) == {p.name: p.read_bytes() for p in paths}


# ====================================================================== a contact list row
@pytest.mark.asyncio
async def test_drop_on_a_list_row_goes_to_that_rows_contact(
    qtbot: Any, env: Any, tmp_path: Path
) -> None:
    ids = [await env.new_contact(f"Row Person {i}") for i in range(4)]
    model = RecordTableModel(
        [Column(C_NAME, "Name")],
        [{"id": cid, C_NAME: f"Row Person {i}"} for i, cid in enumerate(ids)],
    )
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(500, 300)
    view.show()
    attacher = Attacher(env.manager, view)
    target = attacher.install_on_view(view, record_contact(lambda r: str(r.get(C_NAME, ""))))
    assert isinstance(target, FileDropTarget)
    assert target.host is view.viewport()
    path = write(tmp_path / "for-row-2.txt", 12_345)
    mime = file_mime(path)
    vp = view.viewport()

    row1 = QPointF(view.visualRect(model.index(1, 0)).center())
    row2 = QPointF(view.visualRect(model.index(2, 0)).center())
    below = QPointF(10, vp.height() - 5)  # empty space under the rows
    assert drag_enter(vp, row1, mime).isAccepted()
    assert target.current is not None
    assert target.current.contact_id == ids[1]
    assert drag_move(vp, row2, mime).isAccepted()
    assert target.current is not None
    assert target.current.contact_id == ids[2]
    rect2 = view.visualRect(model.index(2, 0))
    assert target.overlay.target_rect == QRect(0, rect2.top(), vp.width(), rect2.height())
    assert "Row Person 2" in target.overlay.text
    assert not drag_move(vp, below, mime).isAccepted()
    assert not target.overlay.isVisible()
    assert drag_move(vp, row2, mime).isAccepted()
    assert drop(vp, row2, mime).isAccepted()

    (job,) = env.manager.jobs
    assert job.contact_id == ids[2]
    assert job.contact_name == "Row Person 2"
    await env.manager.wait(job.job_id, timeout=20)
    assert await server_files(env.client, ids[2]) == {"for-row-2.txt": path.read_bytes()}
    for other in (ids[0], ids[1], ids[3]):
        assert await server_files(env.client, other) == {}


@pytest.mark.asyncio
async def test_line_edit_inside_the_pane_is_part_of_the_drop_zone(
    qtbot: Any, env: Any, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QVBoxLayout

    cid = await env.new_contact("Edit Zone")
    pane = QWidget()
    qtbot.addWidget(pane)
    edit = QLineEdit(pane)
    QVBoxLayout(pane).addWidget(edit)
    pane.resize(300, 200)
    pane.show()
    attacher = Attacher(env.manager, pane)
    target = attacher.install_on_pane(pane, lambda: (cid, "Edit Zone"))
    path = write(tmp_path / "onto-edit.txt", 64)
    mime = file_mime(path)
    pos = QPointF(edit.rect().center())
    assert drag_and_drop(edit, pos, mime) == [True, True, True]
    assert edit.text() == ""  # the file did not become text
    assert target.overlay.isHidden()
    (job,) = env.manager.jobs_for(cid)
    await env.manager.wait(job.job_id, timeout=20)
    assert await server_files(env.client, cid) == {"onto-edit.txt": path.read_bytes()}


@pytest.mark.asyncio
async def test_list_scrolls_while_a_drag_hovers_at_its_edge_and_paste_goes_to_current_row(
    qtbot: Any, env: Any, tmp_path: Path
) -> None:
    cid = await env.new_contact("Far Down")
    records = [{"id": f"fake-{i}", C_NAME: f"Person {i:03d}"} for i in range(200)]
    records.append({"id": cid, C_NAME: "Far Down"})
    model = RecordTableModel([Column(C_NAME, "Name")], records)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(300, 200)
    view.show()
    attacher = Attacher(env.manager, view)
    messages: list[str] = []
    attacher.message.connect(messages.append)
    target = attacher.install_on_view(view, record_contact(lambda r: str(r.get(C_NAME, ""))))
    vp = view.viewport()
    path = write(tmp_path / "deep.txt", 321)
    mime = file_mime(path)
    bar = view.verticalScrollBar()
    assert bar.value() == 0
    edge = QPointF(20, vp.height() - 3)
    assert drag_enter(vp, edge, mime).isAccepted()
    await until(lambda: bar.value() > 3, what="the list scrolled")
    middle = QPointF(20, vp.height() / 2)
    drag_move(vp, middle, mime)
    value = bar.value()
    await asyncio.sleep(0.2)  # time the edge would scroll the list in: it must not
    assert bar.value() == value  # away from the edge: no more scrolling
    assert drag_enter(vp, edge, mime).isAccepted()
    QApplication.sendEvent(vp, QDragLeaveEvent())
    value = bar.value()
    await asyncio.sleep(0.2)  # time the edge would scroll the list in: it must not
    assert bar.value() == value  # the drag left: no more scrolling
    assert not target.overlay.isVisible()

    # Ctrl+V on the list attaches the clipboard's files to the current row's contact
    view.setCurrentIndex(model.index(200, 0))
    QGuiApplication.clipboard().setMimeData(file_mime(path))
    try:
        event = QKeyEvent(
            QKeyEvent.Type.KeyPress, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier, "v"
        )
        QApplication.sendEvent(view, event)
    finally:
        QGuiApplication.clipboard().clear()
    (job,) = env.manager.jobs
    assert job.contact_id == cid
    assert job.contact_name == "Far Down"
    await env.manager.wait(job.job_id, timeout=20)
    assert await server_files(env.client, cid) == {"deep.txt": path.read_bytes()}
    assert messages == []


@pytest.mark.asyncio
async def test_refusals_are_said_as_messages(qtbot: Any, env: Any, tmp_path: Path) -> None:
    cid = await env.new_contact("Says Why")
    rig = PaneRig(qtbot, env, cid, "Says Why")
    empty = tmp_path / "nothing.txt"
    empty.write_bytes(b"")
    drag_and_drop(rig.pane, rig.center(), file_mime(empty))
    assert len(rig.messages) == 1
    assert "nothing.txt" in rig.messages[0]
    assert "empty" in rig.messages[0]
