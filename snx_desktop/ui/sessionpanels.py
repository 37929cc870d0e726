"""Per-session panels of the window: the agenda, due-activity reminders and the upload list.

Each ``install_*`` function takes the window's :class:`~snx_desktop.ui.features.WindowFeatures`
while it binds a signed-in account, builds its widget over that account's services, and
registers how to take it away again (``features._undo`` runs before the services close).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QSystemTrayIcon

from snx_desktop.services.uploads import JobState

__all__ = [
    "DONE_ROW_MS",
    "MAX_AGENDA_PAGES",
    "install_agenda",
    "install_reminders",
    "install_upload_list",
]

log = logging.getLogger(__name__)

MAX_AGENDA_PAGES = 20  # pages of the rep's activities loaded for the agenda, at most
DONE_ROW_MS = 10_000  # how long a finished upload stays in the upload list


def install_agenda(features: Any) -> None:
    """The Agenda section: the rep's activities by day; double-click or Enter edits one."""
    from snx_desktop.ui.editing import AgendaView, commands

    window, services = features.window, features.services
    lp = window.list_pane
    agenda = AgendaView(services, lp.agenda_page)
    agenda.name_for = lambda rid: lp.lookups.name_for(rid, resolve=True)
    # in the window the list's status line carries the summary, and F5 / Refresh refreshes
    agenda.summary.hide()
    agenda.refresh_button.hide()
    lp.agenda_placeholder.hide()
    lp.agenda_page.layout().addWidget(agenda)
    agenda.summaryChanged.connect(lambda text: lp.set_page_status("agenda", text))
    lp.set_page_status("agenda", agenda.summary.text())
    agenda.activityActivated.connect(
        lambda act: features._run(lambda: commands.edit_activity(window, services, act))
    )
    model = lp.models["activity"]
    pages = {"loaded": 0}

    def load_more() -> None:
        """Fill the offline store with the rep's calendar (the agenda reads the store)."""
        lp.ensure_loaded("activity")
        if model.canFetchMore() and not model.busy and pages["loaded"] < MAX_AGENDA_PAGES:
            pages["loaded"] += 1
            model.fetchMore()

    def shown(kind: str) -> None:
        if kind == "agenda":
            agenda.refresh()
            load_more()

    def page_loaded(*_args: Any) -> None:
        if lp.section == "agenda":
            agenda.schedule_refresh()

    def idle() -> None:  # a page is in: ask for the next one
        if lp.section == "agenda":
            load_more()

    def names_arrived() -> None:
        if lp.section == "agenda":
            agenda.schedule_refresh()

    def refresh() -> None:  # F5 / Refresh on the agenda
        if lp.section == "agenda":
            agenda.refresh()

    window.navigation.sectionChanged.connect(shown)
    model.pageLoaded.connect(page_loaded)
    model.idle.connect(idle)
    lp.namesArrived.connect(names_arrived)
    window.actions_.refresh.triggered.connect(refresh)
    if lp.section == "agenda":
        shown("agenda")

    def undo() -> None:
        window.navigation.sectionChanged.disconnect(shown)
        model.pageLoaded.disconnect(page_loaded)
        model.idle.disconnect(idle)
        lp.namesArrived.disconnect(names_arrived)
        window.actions_.refresh.triggered.disconnect(refresh)
        agenda.detach()
        lp.agenda_page.layout().removeWidget(agenda)
        agenda.hide()
        lp.agenda_placeholder.show()
        lp.set_page_status("agenda", "")

    features._undo.append(undo)
    features._installed.append(agenda)
    features.agenda = agenda


def install_reminders(features: Any) -> None:
    """Reminders for due activities: a tray message where there is a tray, else the window."""
    from snx_desktop.ui.editing import ReminderNotifier

    window = features.window
    tray: QSystemTrayIcon | None = None
    if QSystemTrayIcon.isSystemTrayAvailable():
        from snx_desktop.ui import icons

        tray = QSystemTrayIcon(icons.app_icon(), window)
        tray.setObjectName("trayIcon")
        tray.setToolTip("SalesNexus Desktop")
        tray.activated.connect(lambda _reason: (window.showNormal(), window.activateWindow()))
        tray.show()
    notifier = ReminderNotifier(features.services, window, tray=tray)
    notifier.notice.connect(lambda text: window.show_message("info", text))
    notifier.start()

    def undo() -> None:
        notifier.stop()
        if tray is not None:
            tray.hide()

    features._undo.append(undo)
    features._installed.append(notifier)
    if tray is not None:
        features._installed.append(tray)
    features.reminders = notifier


def install_upload_list(features: Any) -> None:
    """Per-file progress, cancel and retry under the detail pane while uploads exist."""
    from snx_desktop.ui.documents import UploadListWidget

    if features.uploads is None:
        return
    detail = features.window.detail
    uploads = UploadListWidget(features.uploads, detail)
    uploads.setMaximumHeight(200)
    detail.layout().addWidget(uploads)
    uploads.setVisible(bool(features.uploads.jobs))
    manager = features.uploads

    def finished(job: Any) -> None:
        """A file that arrived is listed in the Documents tab: its row goes after a while.
        Failed ones stay, with their reason and Retry."""
        if job.state is JobState.DONE:
            QTimer.singleShot(DONE_ROW_MS, lambda: _forget(job.job_id))

    def _forget(job_id: int) -> None:
        done = manager.job(job_id)
        if features.uploads is manager and done is not None and done.state is JobState.DONE:
            manager.remove(job_id)

    stop_following = manager.finished.connect(finished)

    def undo() -> None:
        stop_following()
        uploads.close_list()
        detail.layout().removeWidget(uploads)
        uploads.hide()

    features._undo.append(undo)
    features._installed.append(uploads)
    features.upload_list = uploads
