"""The window's editing and document features: the menu commands, and what each signed-in
account adds to the panes.

:class:`WindowFeatures` adds the editing actions to the menus once and runs their commands
(:mod:`snx_desktop.ui.editing.commands`), Ctrl+N and Delete included. :meth:`WindowFeatures.bind`
gives one signed-in account's services to the panes, which build their own parts (the list
pane: contact drag onto groups, file drops on contact rows, the pending-changes panel, the
agenda; the detail pane: editable fields, the Documents tab, file drops and pastes, the upload
list, the banner naming a change held in conflict, the activities' complete boxes and
Complete button); it owns what the panes share (the uploads and the `Attacher`) and the
due-activity reminders. :meth:`WindowFeatures.unbind`
takes all of it away again before the services close. A part that fails to install is logged
and reported as a warning; the window keeps working without it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from snx_desktop import messages
from snx_desktop.ui.iconset import get_icon
from snx_desktop.ui.liveviews import show_created

if TYPE_CHECKING:
    import asyncio

    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.uploads import UploadManager
    from snx_desktop.ui.documents import Attacher
    from snx_desktop.ui.editing import ReminderNotifier
    from snx_desktop.ui.editing.completepopup import OneClick
    from snx_desktop.ui.editing.conflictbanner import ConflictBanner
    from snx_desktop.ui.home import HomeBinding
    from snx_desktop.ui.mainwindow import MainWindow

__all__ = ["WindowFeatures"]

log = logging.getLogger(__name__)

# (object name, text, shortcut, icon, menu)
_EDIT_ACTIONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("actionAddNote", "Add &note…", "Ctrl+Shift+N", "note", "edit"),
    ("actionNewActivity", "New &activity…", "Ctrl+Shift+A", "activities", "edit"),
    ("actionCompleteActivity", "&Complete activity…", "Ctrl+Shift+D", "todo", "edit"),
    ("actionNewSale", "New &sale…", "Ctrl+Shift+S", "sales", "edit"),
    ("actionAttachFile", "A&ttach file…", "Ctrl+Shift+U", "attach", "edit"),
    ("actionDeleteShown", "Delete this &record…", "", "delete", "edit"),
    ("actionAddToGroup", "Add to &group…", "Ctrl+G", "groups", "edit"),
    ("actionAddToCampaign", "Add to ca&mpaign…", "Ctrl+Shift+G", "campaigns", "edit"),
    ("actionImportCsv", "&Import contacts from CSV…", "Ctrl+I", "import", "file"),
    ("actionExportCsv", "&Export list to CSV…", "Ctrl+E", "export", "file"),
)


class WindowFeatures(QObject):
    """The editing and document features of one window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.services: AccountServices | None = None
        self.actions: dict[str, QAction] = {}
        self._tasks: set[asyncio.Future[None]] = set()
        #: while an account is bound: its uploads, the attacher over them, the reminders
        self.uploads: UploadManager | None = None
        self.attacher: Attacher | None = None
        self.reminders: ReminderNotifier | None = None
        self.conflict_banner: ConflictBanner | None = None
        self.one_click: OneClick | None = None
        self.home: HomeBinding | None = None
        self._tray: QSystemTrayIcon | None = None
        menus = {m.objectName(): m for m in window.menuBar().findChildren(QMenu)}
        for name, text, shortcut, icon, menu in _EDIT_ACTIONS:
            action = QAction(text, window)
            action.setObjectName(name)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.setIcon(get_icon(icon))
            action.setToolTip(text.replace("&", "").replace("…", ""))
            action.setEnabled(False)
            target = menus.get("menuEdit" if menu == "edit" else "menuFile")
            if target is not None:
                target.addAction(action)
            self.actions[name] = action
        a = self.actions
        a["actionAddNote"].triggered.connect(lambda: self._run(self._add_note))
        a["actionNewActivity"].triggered.connect(lambda: self._run(self._new_activity))
        a["actionCompleteActivity"].triggered.connect(lambda: self._run(self._complete))
        a["actionNewSale"].triggered.connect(lambda: self._run(self._new_sale))
        a["actionAttachFile"].triggered.connect(lambda: self._run(self._attach_file))
        a["actionDeleteShown"].triggered.connect(lambda: self._run(self._delete_shown))
        a["actionAddToGroup"].triggered.connect(lambda: self._run(self._add_to_group))
        a["actionAddToCampaign"].triggered.connect(lambda: self._run(self._add_to_campaign))
        a["actionImportCsv"].triggered.connect(lambda: self._run(self._import_csv))
        a["actionExportCsv"].triggered.connect(lambda: self._run(self._export_csv))
        window.newRecordRequested.connect(
            lambda kind: self._run(lambda services: self._new(services, kind))
        )
        window.deleteRequested.connect(
            lambda kind, ids: self._run(lambda services: self._delete(services, kind, list(ids)))
        )
        window.list_pane.activityActivated.connect(
            lambda activity: self._run(lambda services: self._edit_activity(services, activity))
        )

    # -- binding -------------------------------------------------------------------------------
    def bind(self, services: AccountServices) -> None:
        """Give the window its editing and document parts for one signed-in account.

        Each pane builds its own parts (``bind_*``); a part that fails is logged and named in
        a warning, and the rest of the window works without it."""
        self.services = services
        for action in self.actions.values():
            action.setEnabled(True)
        lp, detail = self.window.list_pane, self.window.detail
        self._install("contact drag onto groups", lambda: lp.bind_membership(services))
        self._install("file drops on contacts", lambda: self._bind_documents(services))
        self._install("the documents tab", lambda: self._bind_documents_tab(services))
        self._install("field editing", lambda: detail.bind_fields_editors(services))
        self._install("the pending changes panel", lambda: lp.bind_pending_panel(services))
        self._install("the agenda", lambda: lp.bind_agenda(services))
        self._install("the home page", lambda: self._bind_home(services))
        self._install("reminders", lambda: self._start_reminders(services))
        self._install("the conflict banner", lambda: self._bind_conflict_banner(services))
        self._install("one-click complete", lambda: self._bind_one_click(services))
        if self.uploads is not None:
            uploads = self.uploads
            self._install("the upload list", lambda: detail.bind_upload_list(uploads))
        self._install("row menus", self.window.row_menus.install_parts)
        self._install("campaign members", lambda: self._follow_campaigns(services))
        self._install("pending change details", lambda: self._follow_pending(services))
        self._gate()

    async def unbind(self) -> None:
        """Take every part away again (uploads in flight are cancelled)."""
        for action in self.actions.values():
            action.setEnabled(False)
        for task in list(self._tasks):
            task.cancel()
        for what, unbind in (
            ("campaign members", self._stop_campaigns),
            ("the detail pane's parts", self.window.detail.unbind_features),
            ("the list pane's parts", self.window.list_pane.unbind_features),
            ("reminders", self._stop_reminders),
            ("the conflict banner", self._drop_conflict_banner),
            ("one-click complete", self._drop_one_click),
            ("the home page", self._drop_home),
            ("file drops", self._drop_attacher),
        ):
            try:
                unbind()
            except Exception:
                log.exception("removing %s failed", what)
        uploads, self.uploads = self.uploads, None
        if uploads is not None:
            try:
                await uploads.aclose()
            except Exception:
                log.exception("closing the uploads failed")
        self.services = None
        self._gate()

    def _gate(self) -> None:
        """Actions that need an open record: enabled by what is open (they say why not)."""
        gate = getattr(self.window, "action_gate", None)
        if gate is not None:
            gate.update()

    def _install(self, what: str, install: Callable[[], None]) -> None:
        try:
            install()
        except Exception:
            log.exception("could not install %s", what)
            messages.warning(f"Some features are not available ({what}).")

    def _bind_home(self, services: AccountServices) -> None:
        from snx_desktop.ui.home import HomeBinding

        self.home = HomeBinding(self.window, services)

    def _drop_home(self) -> None:
        home, self.home = self.home, None
        if home is not None:
            home.detach()

    def _bind_documents(self, services: AccountServices) -> None:
        from snx_desktop.services.uploads import UploadManager
        from snx_desktop.ui.documents import Attacher

        self.uploads = UploadManager.for_services(services)
        attacher = Attacher(self.uploads, self)
        attacher.message.connect(self._show_status)
        self.attacher = attacher
        self.window.detail.bind_file_drops(attacher)
        self.window.list_pane.bind_file_drops(attacher, self._contact_name)

    def _bind_documents_tab(self, services: AccountServices) -> None:
        from snx_desktop.services.documents import DocumentFiles

        if self.attacher is None:
            return
        files = DocumentFiles(services.lazy_client, services.store)
        self.window.detail.bind_documents(files, self.attacher)
        docs = self.window.detail.contact.documents_widget
        if docs is not None:
            docs.message.connect(self._show_status)

    def _bind_conflict_banner(self, services: AccountServices) -> None:
        """A banner above the details names a change held in conflict, with Resolve…."""
        from PySide6.QtWidgets import QVBoxLayout

        from snx_desktop.ui.editing.conflictbanner import ConflictBanner

        detail = self.window.detail
        banner = ConflictBanner(services, lambda: (detail.kind, detail.record_id), detail)
        layout = detail.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, banner)
        detail.recordOpened.connect(banner.refresh)
        self.conflict_banner = banner

    def _drop_conflict_banner(self) -> None:
        banner, self.conflict_banner = self.conflict_banner, None
        if banner is not None:
            banner.detach()
            self.window.detail.recordOpened.disconnect(banner.refresh)
            banner.hide()
            banner.deleteLater()

    def _bind_one_click(self, services: AccountServices) -> None:
        """Complete boxes on activity rows and a Complete button in an activity's details."""
        from snx_desktop.ui.editing.completepopup import OneClick

        self.one_click = OneClick(self.window, services)

    def _drop_one_click(self) -> None:
        one_click, self.one_click = self.one_click, None
        if one_click is not None:
            one_click.detach()
            one_click.deleteLater()

    def _follow_campaigns(self, services: AccountServices) -> None:
        """A campaign's details list the contacts added to it from this computer."""
        from snx_desktop.services.campaignmembers import CampaignMembers

        members = CampaignMembers(services.store, services.writes)
        members.subscribe(self._campaigns_changed)
        self.window.detail.campaign_members = members
        self._campaigns_changed()

    def _follow_pending(self, services: AccountServices) -> None:
        """The pending change selected in its list is shown in the detail pane."""
        from snx_desktop.ui.pendingdetails import PendingDetails

        panel = self.window.list_pane.pending_panel
        if panel is not None:
            PendingDetails(self.window, panel, services)

    def _campaigns_changed(self) -> None:
        detail = self.window.detail
        if detail.kind == "campaign":
            detail.repaint_rows()

    def _stop_campaigns(self) -> None:
        detail = self.window.detail
        members, detail.campaign_members = detail.campaign_members, None
        if members is not None:
            members.close()

    def _drop_attacher(self) -> None:
        attacher, self.attacher = self.attacher, None
        if attacher is not None:
            attacher.uninstall()
            attacher.deleteLater()

    def _start_reminders(self, services: AccountServices) -> None:
        """Reminders for due activities: a tray message where there is a tray, else the window."""
        from snx_desktop.ui.editing import ReminderNotifier

        window = self.window
        tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            from snx_desktop.ui import icons

            tray = QSystemTrayIcon(icons.app_icon(), window)
            tray.setObjectName("trayIcon")
            tray.setToolTip("SalesNexus Desktop")
            tray.activated.connect(self._tray_activated)
            tray.show()
        notifier = ReminderNotifier(services, window, tray=tray)
        notifier.notice.connect(self._show_notice)
        notifier.start()
        self.reminders, self._tray = notifier, tray

    def _stop_reminders(self) -> None:
        notifier, self.reminders = self.reminders, None
        tray, self._tray = self._tray, None
        if notifier is not None:
            notifier.stop()
            notifier.deleteLater()
        if tray is not None:
            tray.hide()
            tray.deleteLater()

    def _tray_activated(self, _reason: QSystemTrayIcon.ActivationReason) -> None:
        self.window.showNormal()
        self.window.activateWindow()

    def _show_notice(self, text: str) -> None:
        self.window.show_message("info", text)

    def _show_status(self, text: str) -> None:
        self.window.status.showMessage(text, 8000)

    def _contact_name(self, record: Mapping[str, str]) -> str:
        return self.window.detail.schema.display_name("Contact", record)

    # -- commands -------------------------------------------------------------------------------
    def run(self, command: Callable[[AccountServices], Awaitable[object]]) -> None:
        """Run ``command`` over the signed-in account's services (the row menus' commands)."""
        self._run(command)

    def complete_activity(self, activity: Mapping[str, str]) -> None:
        """Complete ``activity`` (a row of a list, a tab or the agenda) with a result."""
        from snx_desktop.ui.editing import commands

        self._run(lambda services: commands.complete_activity(self.window, services, activity))

    def _run(self, command: Callable[[AccountServices], Awaitable[object]]) -> None:
        """Run ``command`` over the signed-in account's services as a task; a failure is
        logged and told to the rep."""
        services = self.services
        if services is None:
            messages.info("Sign in first.")
            return
        import asyncio  # here: the window (and these actions) exist before the event loop

        task = asyncio.ensure_future(_call(command, services))
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Future[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("command failed", exc_info=task.exception())
            messages.error(f"That did not work: {task.exception()}")

    def _contact_id(self) -> str:
        d = self.window.detail
        return str(d.record_id) if d.kind == "contact" else ""

    async def _new(self, services: AccountServices, kind: str) -> None:
        from snx_desktop.ui.editing import commands

        change = None
        if kind in ("contact", "group"):
            change = await commands.new_record(self.window, services, kind)
        elif kind in ("activity", "agenda"):
            change = await commands.new_activity(
                self.window, services, contact_id=self._contact_id()
            )
        elif kind == "sale":
            change = await commands.new_sale(self.window, services, self._contact_id())
        show_created(self.window, change)

    async def _delete(self, services: AccountServices, kind: str, ids: list[str]) -> None:
        from snx_desktop.ui.editing import commands

        await commands.delete_records(self.window, services, kind, ids)

    async def _add_note(self, services: AccountServices) -> None:
        from snx_desktop.ui.editing import commands

        d = self.window.detail
        if d.kind not in ("contact", "group") or not d.record_id:
            messages.info("Open a contact or group first, then add a note to it.")
            return
        await commands.add_note(self.window, services, d.kind, d.record_id)

    async def _new_activity(self, services: AccountServices) -> None:
        from snx_desktop.ui.editing import commands

        d = self.window.detail
        group = d.record_id if d.kind == "group" else ""
        change = await commands.new_activity(
            self.window, services, contact_id=self._contact_id(), group_id=group
        )
        show_created(self.window, change)

    async def _edit_activity(self, services: AccountServices, activity: Mapping[str, str]) -> None:
        from snx_desktop.ui.editing import commands

        await commands.edit_activity(self.window, services, activity)

    async def _complete(self, services: AccountServices) -> None:
        from snx_desktop.models.roles import Roles
        from snx_desktop.ui.editing import commands

        lp = self.window.list_pane
        index = lp.current_view().currentIndex()
        record = index.data(Roles.RECORD) if lp.section == "activity" else None
        if not isinstance(record, Mapping) or not record:
            messages.info("Select an activity in Activities first.")
            return
        await commands.complete_activity(self.window, services, record)

    async def _attach_file(self, _services: AccountServices) -> None:
        if self.attacher is None:
            messages.info("Attaching files is not available right now.")
            return
        await self.attacher.choose_and_attach(self.window, self.window.detail.current_contact())

    async def _delete_shown(self, services: AccountServices) -> None:
        d = self.window.detail
        if d.kind not in ("contact", "group") or not d.record_id:
            messages.info("Open a contact or group first.")
            return
        await self._delete(services, d.kind, [d.record_id])

    async def _new_sale(self, services: AccountServices) -> None:
        from snx_desktop.ui.editing import commands

        if not self._contact_id():
            messages.info("Open a contact first, then add a sale to it.")
            return
        show_created(
            self.window, await commands.new_sale(self.window, services, self._contact_id())
        )

    async def _add_to_group(self, services: AccountServices) -> None:
        from snx_desktop.ui.editing import commands

        await commands.add_to_group(self.window, services, self._selected_contacts())

    async def _add_to_campaign(self, services: AccountServices) -> None:
        from snx_desktop.ui.editing import commands

        await commands.add_to_campaign(self.window, services, self._selected_contacts())

    async def _import_csv(self, services: AccountServices) -> None:
        from snx_desktop.ui.editing import commands

        await commands.import_csv(self.window, services)

    async def _export_csv(self, services: AccountServices) -> None:
        from snx_desktop.ui.editing import commands

        lp = self.window.list_pane
        if lp.section not in lp.models:
            messages.info("Open a list (contacts, groups, activities, sales) to export it.")
            return
        await commands.export_csv(self.window, services, lp.section, lp.search.text())

    def _selected_contacts(self) -> list[str]:
        lp = self.window.list_pane
        if lp.section == "contact":
            ids: list[str] = lp.selected_ids()
            if ids:
                return ids
        contact = self._contact_id()
        if not contact:
            messages.info("Select contacts first.")
        return [contact] if contact else []


async def _call(
    command: Callable[[AccountServices], Awaitable[object]], services: AccountServices
) -> None:
    await command(services)
