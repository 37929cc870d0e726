"""Drops on the real main window: a row of the paged contact list and the detail pane."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, QUrl
from PySide6.QtWidgets import QApplication, QWidget
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.documents import documents_on_server
from support.qtdrag import send_drag
from support.signals import when
from support.waiting import until
from support.windows import rows_shown

from snx_desktop.models.roles import Roles
from snx_desktop.services import AppServices
from snx_desktop.services.uploads import JobState, UploadManager
from snx_desktop.ui.documents import Attacher, DropContact, record_contact
from snx_desktop.ui.mainwindow import MainWindow
from snx_desktop.ui.session import SessionBinder

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def send_drop(widget: QWidget, pos: QPointF, mime: QMimeData) -> list[bool]:
    return send_drag(widget, pos, mime)


@pytest.mark.asyncio
async def test_drops_on_the_real_contact_list_and_detail_pane(
    qtbot: Any, docs_sandbox: Any, tmp_path: Path
) -> None:
    services = await AppServices.open(
        docs_sandbox.base_url,
        account=DEMO_EMAIL,
        password=DEMO_PASSWORD,
        profile_dir=tmp_path / "profile",
        start=False,
        probe_interval=(0.1, 0.5),
    )
    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    binder = SessionBinder(window, services, DEMO_EMAIL)
    manager = UploadManager.for_services(services)
    try:
        await services.start()
        window.resize(1100, 700)
        window.show()
        window.navigation.select("contact")
        model = window.list_pane.models["contact"]
        await rows_shown(model, what="the first page")
        view = window.list_pane.views["contact"]
        # the window binds its own file drops a moment after the binder; this test's attacher
        # goes on after them, so its event filters see the drops first
        await until(lambda: window.features.attacher is not None, what="the window's features")
        attacher = Attacher(manager, window)

        def name_of(record: Any) -> str:
            return str(binder.schema.display_name("Contact", record))

        list_target = attacher.install_on_view(view, record_contact(name_of))
        pane = window.detail

        def current() -> DropContact | None:
            if pane.kind != "contact" or not pane.record_id:
                return None
            return DropContact(pane.record_id, "")

        pane_target = attacher.install_on_pane(pane, current)

        # a row of the paged list (through its sort proxy)
        index = view.model().index(1, 0)
        row_contact = str(index.data(Roles.RECORD_ID))
        row_name = name_of(index.data(Roles.RECORD))
        row_before = await documents_on_server(services.client, row_contact)
        row_file = tmp_path / "row.txt"
        row_file.write_bytes(b"for the second row\n" * 100)
        pos = QPointF(view.visualRect(index).center())
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(row_file))])
        assert send_drop(view.viewport(), pos, mime) == [True, True, True]
        assert list_target.current is None  # cleared after the drop
        (job,) = manager.jobs
        assert job.contact_id == row_contact
        assert job.contact_name == row_name
        assert row_name
        await manager.wait(job.job_id, timeout=20)

        # the detail pane of another contact
        other = view.model().index(3, 0)
        other_contact = str(other.data(Roles.RECORD_ID))
        other_before = await documents_on_server(services.client, other_contact)
        view.setCurrentIndex(other)
        await when(pane.recordOpened, lambda: pane.record_id == other_contact, 20, "the contact")
        pane_file = tmp_path / "pane.bin"
        pane_file.write_bytes(bytes(range(256)) * 64)
        mime2 = QMimeData()
        mime2.setUrls([QUrl.fromLocalFile(str(pane_file))])
        center = QPointF(pane.rect().center())
        assert send_drop(pane, center, mime2) == [True, True, True]
        assert not pane_target.overlay.isVisible()
        pane_job = manager.jobs_for(other_contact)[0]
        final = await manager.wait(pane_job.job_id, timeout=20)
        assert final.state is JobState.DONE
        assert job.state is JobState.DONE

        assert await documents_on_server(services.client, row_contact) == {
            **row_before,
            "row.txt": row_file.read_bytes(),
        }
        assert await documents_on_server(services.client, other_contact) == {
            **other_before,
            "pane.bin": pane_file.read_bytes(),
        }
    finally:
        await manager.aclose()
        await binder.aclose()
        await services.aclose()
        window.close()
        window.deleteLater()
        QApplication.processEvents()
