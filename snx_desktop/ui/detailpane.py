"""The detail pane: the current record, its cached copy first, then the server's.

Opening a record shows what the offline store holds at once (``browse.cached_detail``), then
the whole record with all its tabs from one batched request (``browse.load_detail``). Switching
records cancels the load in flight; a late answer for another record is dropped.
:meth:`DetailPane.attach` gives the pane an account's browse service and connectivity; the
``bind_*`` methods its editing parts once their modules are loaded (editable fields, the
Documents tab and its upload list, file drops); :meth:`DetailPane.unbind_features` undoes them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeGuard

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHeaderView, QLabel, QStackedWidget, QVBoxLayout, QWidget

from snx_desktop.models.columns import (
    activity_columns,
    document_columns,
    list_columns,
    note_columns,
    sales_columns,
)
from snx_desktop.models.schema import Lookups, format_age
from snx_desktop.models.sources import SchemaView
from snx_desktop.ui.detailtexts import (
    activity_rows,
    contact_header,
    group_subtitle,
    state_text,
)
from snx_desktop.ui.toolbar import HEADER_TOOLS, header_button

if TYPE_CHECKING:
    import asyncio

    from snx_desktop.services.browse import BrowseService
    from snx_desktop.services.campaignmembers import CampaignMembers
    from snx_desktop.services.connectivity import Connectivity
    from snx_desktop.services.documents import DocumentFiles
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.types import Detail, DetailKind
    from snx_desktop.services.uploadjobs import UploadJob
    from snx_desktop.services.uploads import UploadManager
    from snx_desktop.ui.detailviews import ContactView, GroupView, RecordView
    from snx_desktop.ui.documents import Attacher, UploadListWidget

__all__ = ["DONE_ROW_MS", "DetailPane"]

log = logging.getLogger(__name__)

DONE_ROW_MS = 10_000  # how long a finished upload stays in the upload list
INCOMPLETE_NOTE = (
    "SalesNexus lists activities by calendar, not by contact: these are the activities "
    "found in the calendars cached on this computer, so some may be missing."
)


def _is_detail_kind(kind: str) -> TypeGuard[DetailKind]:
    return kind in ("contact", "group", "activity")


def _error_text(exc: BaseException) -> str:
    text = str(exc).strip()
    return text or "The record could not be loaded."


class DetailPane(QWidget):
    """Stacked detail views; ``detailLoaded(kind, id, from_network)`` after each load."""

    detailLoaded = Signal(str, str, bool)
    recordOpened = Signal(str, str)
    detailShown = Signal(object)  # the services' Detail just shown (cached or fresh)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailPane")
        self.setAccessibleName("Record details")
        self.browse: BrowseService | None = None
        self._connectivity: Connectivity | None = None
        self.schema = SchemaView()
        self.lookups = Lookups()
        self.kind = ""
        self.record_id = ""
        self._generation = 0
        self._task: asyncio.Task[None] | None = None
        self._last_state = ""
        self._activity_row: Mapping[str, str] = {}
        self._conflicts: set[str] = set()
        self._note = ""
        self._shown: Detail | None = None  # the open record's content shown last
        #: the list of uploads under the record while an account is bound
        self.upload_list: UploadListWidget | None = None
        self._upload_added: Callable[[], None] | None = None
        layout = QVBoxLayout(self)
        self._layout = layout
        layout.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget(self)
        layout.addWidget(self.stack)
        self.empty = QLabel("Select a record to see its details.", self)
        self.empty.setObjectName("detailEmpty")
        self.empty.setEnabled(False)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty)
        self.stack.setCurrentWidget(self.empty)
        self.stack.currentChanged.connect(lambda _index: self._mark_conflict())
        self._views: tuple[ContactView, GroupView, RecordView] | None = None
        self._record_actions: Mapping[str, QAction] = {}
        #: the contacts added to campaigns from this computer (signed in)
        self.campaign_members: CampaignMembers | None = None

    # -- the views, built on first use (not for the first paint) ------------------------------
    @property
    def contact(self) -> ContactView:
        return self._ensure_views()[0]

    @property
    def group(self) -> GroupView:
        return self._ensure_views()[1]

    @property
    def record(self) -> RecordView:
        return self._ensure_views()[2]

    @property
    def views_built(self) -> bool:
        return self._views is not None

    def set_record_actions(self, actions: Mapping[str, QAction]) -> None:
        """The window's actions by object name: the record headers' buttons (HEADER_TOOLS)."""
        self._record_actions = actions
        if self._views is not None:
            self._add_header_tools()

    def _add_header_tools(self) -> None:
        for kind, view in (("contact", self.contact), ("group", self.group)):
            for name, text in HEADER_TOOLS[kind]:
                action = self._record_actions.get(name)
                if action is not None:
                    view.header.add_tool(header_button(action, text))

    def _ensure_views(self) -> tuple[ContactView, GroupView, RecordView]:
        if self._views is not None:
            return self._views
        from snx_desktop.ui.detailviews import ContactView, GroupView, RecordView

        views = (ContactView(self), GroupView(self), RecordView(self))
        self._views = views
        for widget in views:
            self.stack.addWidget(widget)
        contact, group, _record = views
        for notes in (contact.notes, group.notes):
            # the note's text last, where it can use the width and wrap onto more lines
            header = notes.view.horizontalHeader()
            header.moveSection(3, 2)
            header.setStretchLastSection(False)
            header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
            notes.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            notes.view.setWordWrap(True)
            header.sectionResized.connect(
                lambda i, _o, _n, v=notes.view: v.resizeRowsToContents() if i == 2 else None
            )
        self._apply_columns()
        self._add_header_tools()
        return views

    # -- the signed-in account ----------------------------------------------------------------
    def attach(self, browse: BrowseService, connectivity: Connectivity, lookups: Lookups) -> None:
        """Load records through ``browse``; ``connectivity`` says how to word a saved copy."""
        self.browse = browse
        self._connectivity = connectivity
        self.lookups = lookups

    def detach(self) -> None:
        """Forget the account (the pane shows nothing)."""
        self.browse = None
        self._connectivity = None
        self.clear()

    def _online(self) -> bool:
        return self._connectivity is not None and self._connectivity.is_online

    def current_contact(self) -> tuple[str, str] | None:
        """The open contact's id and name (None when no contact is open)."""
        if self.kind != "contact" or not self.record_id:
            return None
        return self.record_id, self.contact.header.name.text()

    def bind_file_drops(self, attacher: Attacher) -> None:
        """Files dropped anywhere on the pane, or pasted, are attached to the open contact."""
        attacher.install_on_pane(self, self.current_contact)

    def bind_documents(self, files: DocumentFiles, attacher: Attacher | None) -> None:
        """The contact's Documents tab with Open, Save as… and Attach…."""
        self.contact.bind_documents(files, attacher, self.current_contact)

    def bind_fields_editors(self, services: AccountServices) -> None:
        """A contact's and a group's fields become editable; the record shown is filled in."""
        for kind, table, view in (
            ("contact", "Contact", self.contact),
            ("group", "Group", self.group),
        ):
            editor = view.bind_fields_editor(services)
            if self.kind == kind and self.record_id:
                fm = view.fields_model
                values = {f.id: fm.value(f.id) for f in self.schema.layout_fields(table)}
                editor.set_record(kind, self.record_id, values)

    def bind_upload_list(self, uploads: UploadManager) -> None:
        """Per-file progress, cancel and retry in a contact's Documents tab, under its files,
        while uploads exist; a file added to the open contact brings that tab forward."""
        from snx_desktop.ui.documents import UploadListWidget

        docs = self.contact.documents
        panel = UploadListWidget(uploads, docs, done_row_ms=DONE_ROW_MS)
        panel.setMaximumHeight(200)
        docs.add_below(panel)
        panel.setVisible(bool(uploads.jobs))
        self.upload_list = panel
        self._upload_added = uploads.added.connect(self._show_documents_for)

    def _show_documents_for(self, job: UploadJob) -> None:
        if self.kind == "contact" and job.contact_id == self.record_id:
            self.contact.tabs.setCurrentWidget(self.contact.documents)

    def unbind_features(self) -> None:
        """Take the editing parts away (before the account's services close)."""
        panel, self.upload_list = self.upload_list, None
        stop, self._upload_added = self._upload_added, None
        if stop is not None:
            stop()
        if panel is not None:
            panel.close_list()
            self.contact.documents.remove_below(panel)
            panel.hide()
            panel.deleteLater()
        if self._views is not None:
            self.contact.unbind_features()
            self.group.unbind_features()

    # -- configuration ----------------------------------------------------------------------
    def set_schema(self, schema: SchemaView, lookups: Lookups) -> None:
        """Columns and field layouts of the views (which are built now, if not yet)."""
        self.schema = schema
        self.lookups = lookups
        if self._views is None:
            self._ensure_views()  # applies the columns
        else:
            self._apply_columns()

    def _apply_columns(self) -> None:
        if self._views is None:
            return
        lk = self.lookups
        fields, layouts = self.schema.fields, self.schema.layouts
        pairs = [
            (self.contact.notes, note_columns(lk)),
            (self.contact.activities, activity_columns(lk, with_contact=False)),
            (self.contact.sales, sales_columns(fields, layouts, lk)),
            (self.contact.documents, document_columns()),
            (self.group.members, list_columns("contact", fields, layouts, lk)),
            (self.group.notes, note_columns(lk)),
            (self.group.activities, activity_columns(lk)),
            (self.group.sales, sales_columns(fields, layouts, lk)),
        ]
        for tab, columns in pairs:
            model = tab.model
            model.lookups = lk
            if hasattr(model, "set_columns"):
                model.set_columns(columns)
            tab.size_columns(columns)
        for fm in (self.contact.fields_model, self.group.fields_model, self.record.fields_model):
            fm.lookups = lk

    def repaint_rows(self) -> None:
        if self.kind == "activity" and self._activity_row:
            self._show_activity(self._activity_row)  # names of its contact may have arrived
        elif self.kind == "sale" and self._activity_row:
            self._show_sale(self._activity_row)
        elif self.kind == "campaign" and self._activity_row:
            self._show_campaign(self._activity_row)  # names of its members may have arrived
        if self._views is None:
            return
        for view in (self.contact, self.group):
            for tab in view.tab_pages()[1:]:
                repaint = getattr(tab.model, "repaint", None)
                if repaint is not None:
                    repaint()

    # -- opening records ----------------------------------------------------------------------
    def clear(self) -> None:
        self._cancel()
        self.kind = self.record_id = ""
        self.stack.setCurrentWidget(self.empty)

    def _cancel(self) -> None:
        self._generation += 1
        self._shown = None
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None

    def open_record(self, kind: str, record_id: str, row: Mapping[str, str] | None = None) -> None:
        """Show a record now (from the list row and the cache) and start loading it."""
        import asyncio  # here, like the views: this pane is part of the first paint

        self._cancel()
        self.kind, self.record_id = kind, record_id
        self.recordOpened.emit(kind, record_id)
        if kind in ("contact", "group"):
            self._task = asyncio.ensure_future(
                self.load(kind, record_id, row or {}, self._generation)
            )
        elif kind == "activity":
            self._show_activity(row or {})
            self.record.header.set_state("Loading…")
            self._task = asyncio.ensure_future(
                self.load(kind, record_id, row or {}, self._generation)
            )
        elif kind == "sale":
            self._show_sale(row or {})
            self.detailLoaded.emit(kind, record_id, False)
        elif kind == "campaign":
            self._show_campaign(row or {})
            self.detailLoaded.emit(kind, record_id, False)
        self._mark_conflict()

    async def load(
        self, kind: str, record_id: str, row: Mapping[str, str], generation: int | None = None
    ) -> None:
        """Cached content first, then the whole record in one request."""
        import asyncio

        gen = self._generation if generation is None else generation
        if kind in ("contact", "group"):
            self._show_header_only(kind, row)
        if not _is_detail_kind(kind):
            return
        cached = None
        if self.browse is not None:
            try:
                cached = self.browse.cached_detail(kind, record_id)
            except Exception:
                log.exception("reading the cached %s failed", kind)
        if gen != self._generation:
            return
        if cached is not None:
            self._show_detail(cached, note="updating" if self.browse is not None else "")
        if self.browse is None:
            return
        try:
            detail = await self.browse.load_detail(kind, record_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if gen != self._generation:
                return
            text = _error_text(exc)
            if cached is not None:
                self._state(f"{text}  Showing the copy saved {format_age(cached.fetched_at)}.")
            else:
                self._state(text)
            log.info("detail of %s %s not loaded: %s", kind, record_id, type(exc).__name__)
            self.detailLoaded.emit(kind, record_id, False)
            return
        if gen != self._generation:
            return
        self._show_detail(detail, note="")
        self.detailLoaded.emit(kind, record_id, not detail.from_cache)

    def follow_connection(self) -> None:
        """The connection changed: the open record's state line says what is shown now and,
        back online, a saved copy (or a record that could not be loaded) is loaded again."""
        import asyncio

        kind, shown = self.kind, self._shown
        if self.browse is None or not self.record_id or not _is_detail_kind(kind):
            return
        if not self._online():
            if shown is not None:
                self._state(self._state_text(shown))
        elif (shown is None or shown.from_cache) and (self._task is None or self._task.done()):
            self._task = asyncio.ensure_future(self._reload(kind, self.record_id))

    async def _reload(self, kind: DetailKind, record_id: str) -> None:
        """The open record again from the server, its views kept in place meanwhile."""
        import asyncio

        gen, browse = self._generation, self.browse
        if browse is None:
            return
        try:
            detail = await browse.load_detail(kind, record_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.info("detail of %s %s not reloaded: %s", kind, record_id, type(exc).__name__)
            return
        if gen == self._generation:
            self._show_detail(detail, note="")
            self.detailLoaded.emit(kind, record_id, not detail.from_cache)

    def show_cached(self) -> None:
        """Redraw the current record from the offline store (after a change), no request."""
        kind = self.kind
        if self.browse is None or not self.record_id or kind not in ("contact", "group"):
            return
        if not _is_detail_kind(kind):
            return
        if self._task is not None and not self._task.done():
            return  # a load is in flight and will show the change
        try:
            cached = self.browse.cached_detail(kind, self.record_id)
        except Exception:
            log.exception("reading the cached %s failed", kind)
            return
        if cached is None:
            return
        state = self._last_state
        self._show_detail(cached, note="")
        pending = "  ·  unsent changes waiting" if cached.pending else ""
        self._state(state.replace("  ·  unsent changes waiting", "") + pending)

    def set_conflicts(self, ids: set[str]) -> None:
        """Records whose change is held in conflict: the open one's header says so."""
        self._conflicts = set(ids)
        self._mark_conflict()

    def _mark_conflict(self) -> None:
        if self._views is None:
            return
        on = bool(self.record_id) and self.record_id in self._conflicts
        current = self.stack.currentWidget()
        for view in self._views:
            view.header.set_conflict(on and view is current)

    def update_rows(self, kind: str, records: Mapping[str, Mapping[str, object]]) -> bool:
        """Records of ``kind`` changed (id -> their values in the store now): the rows of
        the open record's tabs that show them, and an open activity or sale, show the new
        values in place; the tab counts follow. True when something shown changed."""
        if self._views is None or not records:
            return False
        changed = False
        if self.kind == kind and self.record_id in records and kind in ("activity", "sale"):
            row = {k: str(v) for k, v in {**self._activity_row, **records[self.record_id]}.items()}
            (self._show_activity if kind == "activity" else self._show_sale)(row)
            changed = True
        contact, group, _record = self._views
        tables = {
            "note": (contact.notes_model, group.notes_model),
            "activity": (contact.activities_model, group.activities_model),
            "sale": (contact.sales_model, group.sales_model),
            "document": (contact.documents_model,),
            "contact": (group.members_model,),
        }
        for model in tables.get(kind, ()):
            changed = bool(model.update_records(records)) or changed
        if changed:
            contact.update_tab_titles()
            group.update_tab_titles()
        return changed

    async def wait_loaded(self) -> None:
        """Wait for the load in flight (if any)."""
        import asyncio

        task = self._task
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)

    # -- filling the views ------------------------------------------------------------------
    def _state(self, text: str) -> None:
        view = self.stack.currentWidget()
        header = getattr(view, "header", None)
        if header is not None:
            header.set_state(text)

    def _show_header_only(self, kind: str, row: Mapping[str, str]) -> None:
        if kind == "contact":
            self.stack.setCurrentWidget(self.contact)
            self.contact.header.set_contact(*contact_header(self.schema, row))
            self.contact.header.set_state("Loading…")
            self.contact.fields_model.set_record(
                self.schema.layout_fields("Contact"), row, hide_empty=False
            )
            for tab in self.contact.tab_pages()[1:]:
                tab.model.clear()
                tab.set_empty_text("Loading…")
                tab.set_note("")
            self.contact.update_tab_titles()
        else:
            self.stack.setCurrentWidget(self.group)
            name = self.schema.display_name("Group", row)
            self.group.header.set_contact(name, "", "", "")
            self.group.header.set_state("Loading…")
            self.group.fields_model.set_record(self.schema.layout_fields("Group"), row)
            for tab in self.group.tab_pages()[1:]:
                tab.model.clear()
                tab.set_empty_text("Loading…")
            self.group.update_tab_titles()

    def _state_text(self, detail: Detail) -> str:
        self._last_state = state_text(detail, self._note, self._online())
        return self._last_state

    def _show_detail(self, detail: Detail, note: str) -> None:
        self._note = note
        self._shown = detail
        self._fill(detail)
        if detail.kind == "contact":
            self.contact.show_editable(detail)
        elif detail.kind == "group":
            self.group.show_editable(detail)
        self.detailShown.emit(detail)

    def _fill(self, detail: Detail) -> None:
        kind = detail.kind
        stale = detail.from_cache
        if kind == "contact":
            view = self.contact
            self.stack.setCurrentWidget(view)
            view.header.set_contact(*contact_header(self.schema, detail.fields))
            view.header.set_state(self._state_text(detail))
            view.fields_model.set_record(
                self.schema.layout_fields("Contact"), detail.fields, pending=detail.pending
            )
            view.notes_model.set_records(detail.notes, stale=stale)
            view.notes.view.resizeRowsToContents()
            view.activities_model.set_records(detail.activities, stale=stale)
            view.sales_model.set_records(detail.sales, stale=stale)
            view.documents_model.set_records(detail.documents, stale=stale)
            view.activities.set_note("" if detail.activities_complete else INCOMPLETE_NOTE)
            view.notes.set_empty_text("No notes yet.")
            view.activities.set_empty_text("No activities found.")
            view.sales.set_empty_text("No sales opportunities.")
            view.documents.set_empty_text("No documents. Drop files here to attach them.")
            view.fields.set_empty_text("")
            view.fields.fit_first_column()
            for tab in view.tab_pages()[1:]:
                tab.fit_columns()
            view.update_tab_titles()
        elif kind == "group":
            gview = self.group
            self.stack.setCurrentWidget(gview)
            gview.header.set_contact(
                self.schema.display_name("Group", detail.fields),
                group_subtitle(self.schema, detail.fields),
                "",
                "",
            )
            gview.header.set_state(self._state_text(detail))
            gview.fields_model.set_record(
                self.schema.layout_fields("Group"), detail.fields, pending=detail.pending
            )
            gview.members_model.set_records(detail.members, stale=stale)
            gview.notes_model.set_records(detail.notes, stale=stale)
            gview.notes.view.resizeRowsToContents()
            gview.activities_model.set_records(detail.activities, stale=stale)
            gview.sales_model.set_records(detail.sales, stale=stale)
            gview.fields.fit_first_column()
            for tab in gview.tab_pages()[1:]:
                tab.fit_columns()
            gview.members.set_empty_text("No members.")
            gview.notes.set_empty_text("No notes yet.")
            gview.activities.set_empty_text("No activities.")
            gview.sales.set_empty_text("No sales opportunities.")
            gview.update_tab_titles()
        elif kind == "activity":
            self._show_activity(detail.fields)
            self.record.header.set_state(self._state_text(detail))

    def _show_activity(self, rec: Mapping[str, str]) -> None:
        self._activity_row = rec
        rows = activity_rows(rec, self.lookups)
        self.stack.setCurrentWidget(self.record)
        self.record.show_values(rows["Regarding"] or "Activity", rows["Starts"], rows)

    def _show_sale(self, rec: Mapping[str, str]) -> None:
        from snx_desktop.ui.saleview import sale_rows

        self._activity_row = rec
        rows = sale_rows(rec, self.schema, self.lookups)
        title = next((v for k, v in rows.items() if k.lower() == "details" and v), "Sale")
        self.stack.setCurrentWidget(self.record)
        self.record.show_values(title, "", rows)
        self.record.header.set_state("")

    def _show_campaign(self, rec: Mapping[str, str]) -> None:
        from snx_desktop.ui.campaignview import campaign_rows

        self._activity_row = rec
        rows, note = campaign_rows(rec, self.campaign_members, self.lookups)
        self.stack.setCurrentWidget(self.record)
        self.record.show_values(str(rec.get("name", "") or "Campaign"), "", rows)
        self.record.fields.set_note(note)
        self.record.header.set_state("")
