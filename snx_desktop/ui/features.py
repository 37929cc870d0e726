"""Editing (issue 6) and documents (issue 7) features, plugged into the window per session.

:class:`WindowFeatures` adds the editing actions to the menus once; :meth:`bind` connects them,
Ctrl+N and Delete, the contact drag onto groups and the file drops on a contact to one
signed-in account's services, and :meth:`unbind` takes all of it away again before the
services close. A feature that fails to install is logged and reported as a warning; the
shell keeps working without it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from snx_desktop import messages
from snx_desktop.ui.iconset import get_icon

if TYPE_CHECKING:
    import asyncio

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

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.services: Any = None
        self.binder: Any = None
        self.actions: dict[str, QAction] = {}
        self._tasks: set[asyncio.Future[Any]] = set()
        self._installed: list[QObject] = []
        self._undo: list[Callable[[], None]] = []
        self.current_contact: Callable[[], Any] = lambda: None
        self.uploads: Any = None
        self.attacher: Any = None
        self.agenda: Any = None  # AgendaView, ReminderNotifier, UploadListWidget while bound
        self.reminders: Any = None
        self.upload_list: Any = None
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
        window.newRecordRequested.connect(lambda kind: self._run(lambda: self._new(kind)))
        window.deleteRequested.connect(
            lambda kind, ids: self._run(lambda: self._delete(kind, list(ids)))
        )

    # -- binding -------------------------------------------------------------------------------
    def bind(self, services: Any, binder: Any) -> None:
        from snx_desktop.ui import sessionpanels as panels

        self.services, self.binder = services, binder
        for action in self.actions.values():
            action.setEnabled(True)
        self._install("contact drag onto groups", self._install_membership)
        self._install("file drops on contacts", self._install_documents)
        self._install("the documents tab", self._install_documents_tab)
        self._install("field editing", self._install_fields_editors)
        self._install("the pending changes panel", self._install_pending_panel)
        self._install("the agenda", lambda: panels.install_agenda(self))
        self._install("reminders", lambda: panels.install_reminders(self))
        self._install("the upload list", lambda: panels.install_upload_list(self))

    async def unbind(self) -> None:
        for action in self.actions.values():
            action.setEnabled(False)
        for task in list(self._tasks):
            task.cancel()
        for undo in reversed(self._undo):
            try:
                undo()
            except Exception:
                log.exception("removing a feature failed")
        self._undo.clear()
        for obj in self._installed:
            obj.deleteLater()
        self._installed.clear()
        self.agenda = self.reminders = self.upload_list = None
        uploads, self.uploads, self.attacher = self.uploads, None, None
        if uploads is not None:
            try:
                await uploads.aclose()
            except Exception:
                log.exception("closing the uploads failed")
        self.services = self.binder = None

    def _install(self, what: str, install: Callable[[], None]) -> None:
        try:
            install()
        except Exception:
            log.exception("could not install %s", what)
            messages.warning(f"Some features are not available ({what}).")

    def _install_membership(self) -> None:
        from snx_desktop.ui.editing.membership import ContactDragSource, GroupDropTarget

        lp = self.window.list_pane
        self._installed.append(ContactDragSource(lp.views["contact"]))
        self._installed.append(GroupDropTarget(lp.views["group"], self.services))

    def _install_documents(self) -> None:
        from snx_desktop.services.uploads import UploadManager
        from snx_desktop.ui.documents import Attacher, DropContact, record_contact

        self.uploads = UploadManager.for_services(self.services)
        attacher = Attacher(self.uploads, self)
        attacher.message.connect(lambda text: self.window.status.showMessage(text, 8000))
        self.attacher = attacher
        detail = self.window.detail
        binder = self.binder

        def current_contact() -> Any:
            if detail.kind != "contact" or not detail.record_id:
                return None
            return DropContact(detail.record_id, detail.contact.header.name.text())

        self.current_contact = current_contact

        def name_of(record: Any) -> str:
            return str(binder.schema.display_name("Contact", record))

        self._installed.append(attacher.install_on_pane(detail, current_contact))
        self._installed.append(
            attacher.install_on_view(
                self.window.list_pane.views["contact"], record_contact(name_of)
            )
        )
        self._installed.extend(getattr(attacher, "_filters", []))
        self._installed.append(attacher)

    def _install_documents_tab(self) -> None:
        from snx_desktop.services.documents import DocumentFiles
        from snx_desktop.ui.documents import DocumentsWidget

        if self.attacher is None:
            return
        detail = self.window.detail
        tab = detail.contact.documents
        files = DocumentFiles(self.services.lazy_client, self.services.store)
        docs = DocumentsWidget(files, self.attacher, current=self.current_contact, parent=tab)
        docs.message.connect(lambda text: self.window.status.showMessage(text, 8000))
        tab.replace_view(docs)
        docs.set_documents(detail.contact.documents_model.records())

        def shown(d: Any) -> None:
            if getattr(d, "kind", "") == "contact":
                docs.set_documents(d.documents, stale=bool(getattr(d, "from_cache", False)))

        detail.detailShown.connect(shown)

        def undo() -> None:
            detail.detailShown.disconnect(shown)
            tab.restore_view()
            docs.bind(None)

        self._undo.append(undo)
        self._installed.append(docs)

    def _install_fields_editors(self) -> None:
        from snx_desktop.ui.editing import FieldsEditor

        detail = self.window.detail
        for kind, view in (("contact", detail.contact), ("group", detail.group)):
            editor = FieldsEditor(self.services, view.fields)
            view.fields.replace_view(editor)
            self._installed.append(editor)
            self._undo.append(view.fields.restore_view)
            if detail.kind == kind and detail.record_id:
                fm = view.fields_model
                values = {
                    f.id: fm.value(f.id)
                    for f in self.binder.schema.layout_fields(
                        "Contact" if kind == "contact" else "Group"
                    )
                }
                editor.set_record(kind, detail.record_id, values)

            def shown(d: Any, kind: str = kind, editor: Any = editor) -> None:
                if getattr(d, "kind", "") == kind:
                    editor.set_record(kind, d.id, d.fields)

            detail.detailShown.connect(shown)
            self._undo.append(_disconnecter(detail.detailShown, shown))

    def _install_pending_panel(self) -> None:
        from snx_desktop.ui.editing import PendingPanel

        lp = self.window.list_pane
        panel = PendingPanel(self.services, lp.pending_page)
        lp.pending_page.layout().addWidget(panel)
        lp.views["pending"].hide()

        def undo() -> None:
            panel.detach()
            lp.pending_page.layout().removeWidget(panel)
            lp.views["pending"].show()

        self._undo.append(undo)
        self._installed.append(panel)

    # -- commands -------------------------------------------------------------------------------
    def _run(self, make: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        if self.services is None:
            messages.info("Sign in first.")
            return
        import asyncio  # here: the window (and these actions) exist before the event loop

        task = asyncio.ensure_future(make())
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("command failed", exc_info=task.exception())
            messages.error(f"That did not work: {task.exception()}")

    def _contact_id(self) -> str:
        d = self.window.detail
        return str(d.record_id) if d.kind == "contact" else ""

    async def _new(self, kind: str) -> Any:
        from snx_desktop.ui.editing import commands

        if kind in ("contact", "group"):
            return await commands.new_record(self.window, self.services, kind)
        if kind in ("activity", "agenda"):
            return await commands.new_activity(
                self.window, self.services, contact_id=self._contact_id()
            )
        if kind == "sale":
            return await commands.new_sale(self.window, self.services, self._contact_id())
        return None

    async def _delete(self, kind: str, ids: list[str]) -> Any:
        from snx_desktop.ui.editing import commands

        return await commands.delete_records(self.window, self.services, kind, ids)

    async def _add_note(self) -> Any:
        from snx_desktop.ui.editing import commands

        d = self.window.detail
        if d.kind not in ("contact", "group") or not d.record_id:
            messages.info("Open a contact or group first, then add a note to it.")
            return None
        return await commands.add_note(self.window, self.services, d.kind, d.record_id)

    async def _new_activity(self) -> Any:
        from snx_desktop.ui.editing import commands

        d = self.window.detail
        group = d.record_id if d.kind == "group" else ""
        return await commands.new_activity(
            self.window, self.services, contact_id=self._contact_id(), group_id=group
        )

    async def _complete(self) -> Any:
        from snx_desktop.ui.editing import commands

        lp = self.window.list_pane
        index = lp.current_view().currentIndex()
        record = index.data(_record_role()) if lp.section == "activity" else None
        if not record:
            messages.info("Select an activity in Activities first.")
            return None
        return await commands.complete_activity(self.window, self.services, record)

    async def _attach_file(self) -> Any:
        if self.attacher is None:
            messages.info("Attaching files is not available right now.")
            return None
        return await self.attacher.choose_and_attach(self.window, self.current_contact())

    async def _delete_shown(self) -> Any:
        d = self.window.detail
        if d.kind not in ("contact", "group") or not d.record_id:
            messages.info("Open a contact or group first.")
            return None
        return await self._delete(d.kind, [d.record_id])

    async def _new_sale(self) -> Any:
        from snx_desktop.ui.editing import commands

        if not self._contact_id():
            messages.info("Open a contact first, then add a sale to it.")
            return None
        return await commands.new_sale(self.window, self.services, self._contact_id())

    async def _add_to_group(self) -> Any:
        from snx_desktop.ui.editing import commands

        return await commands.add_to_group(self.window, self.services, self._selected_contacts())

    async def _add_to_campaign(self) -> Any:
        from snx_desktop.ui.editing import commands

        return await commands.add_to_campaign(self.window, self.services, self._selected_contacts())

    async def _import_csv(self) -> Any:
        from snx_desktop.ui.editing import commands

        return await commands.import_csv(self.window, self.services)

    async def _export_csv(self) -> Any:
        from snx_desktop.ui.editing import commands

        lp = self.window.list_pane
        if lp.section not in lp.models:
            messages.info("Open a list (contacts, groups, activities, sales) to export it.")
            return None
        return await commands.export_csv(self.window, self.services, lp.section, lp.search.text())

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


def _record_role() -> int:
    from snx_desktop.models.roles import Roles

    return int(Roles.RECORD)


def _disconnecter(signal: Any, slot: Callable[..., None]) -> Callable[[], None]:
    def disconnect() -> None:
        signal.disconnect(slot)

    return disconnect
