"""Binds one signed-in account's services to the main window, and unbinds them again.

The binder turns the services' events into Qt signals (through
:class:`~snx_desktop.models.bridge.ServicesBridge`) and applies them to the panes: schema
-> columns and field layouts, connectivity -> status bar, queue status -> pending count,
pending list and row markers, changes -> every view showing the changed records
(:class:`~snx_desktop.ui.liveviews.LiveViews`). The panes get the services through their own
typed methods (``attach``/``detach``); the editing and document features follow a moment
later (:meth:`WindowFeatures.bind <snx_desktop.ui.features.WindowFeatures.bind>`), once their
modules are loaded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from snx_desktop import messages
from snx_desktop.models.bridge import ServicesBridge
from snx_desktop.models.columns import list_columns
from snx_desktop.models.paging import Lookup
from snx_desktop.models.sources import SchemaView, lookups_from_schema
from snx_desktop.ui.liveviews import LiveViews
from snx_desktop.ui.texts import readable_error

if TYPE_CHECKING:
    from snx_desktop.services.connectivity import ConnState
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.priming import PrimingJob, PrimingResult
    from snx_desktop.services.schema import Schema
    from snx_desktop.services.types import Change, OpOutcome, Progress, QueueStatus
    from snx_desktop.ui.mainwindow import MainWindow

__all__ = ["FEATURES_DELAY", "NAME_BATCH", "SessionBinder"]

log = logging.getLogger(__name__)

_LIST_KINDS = ("contact", "group", "activity", "sale", "campaign")
_FEATURE_MODULES = (
    "snx_desktop.services.uploads",
    "snx_desktop.ui.documents",
    "snx_desktop.ui.editing",
    "snx_desktop.ui.editing.commands",
)


def _preload_feature_modules() -> None:
    import importlib

    for name in _FEATURE_MODULES:
        importlib.import_module(name)


NAME_BATCH = 200  # contact names asked for at most in one request
FEATURES_DELAY = 0.2  # seconds after binding before the editing/document features load


class SessionBinder(QObject):
    """Connects ``services`` to ``window`` until :meth:`aclose`."""

    def __init__(self, window: MainWindow, services: AccountServices, account: str = "") -> None:
        super().__init__(window)
        self.window = window
        self.services = services
        self.account = account
        self.schema = SchemaView()
        self._pending_ids: set[str] = set()
        self._conflict_ids: set[str] = set()
        self._name_cache: dict[str, str] = {}
        self._missing: set[str] = set()
        self._asked: set[str] = set()
        self._names_task: asyncio.Future[None] | None = None
        self._priming_job: PrimingJob | None = None
        self._prime_task: asyncio.Future[PrimingResult | None] | None = None
        self._features_bound = False
        self.bridge = ServicesBridge(services, self)
        self.live = LiveViews(window, services)
        lp, detail = window.list_pane, window.detail
        self.bridge.schemaChanged.connect(self.apply_schema)
        self.bridge.connectivityChanged.connect(self._connectivity)
        self.bridge.queueStatusChanged.connect(self._queue_status)
        self.bridge.dataChanged.connect(self._changed)
        self.bridge.primingProgress.connect(self._priming)
        self.bridge.opDone.connect(self._op_done)
        window.actions_.make_offline.triggered.connect(self._prime_slot)
        window.status.jobCancelled.connect(self.cancel_priming)
        window.status.workOfflineToggled.connect(self.set_work_offline)
        window.actions_.work_offline.toggled.connect(self.set_work_offline)
        self.apply_schema(services.schema.current)
        detail.attach(services.browse, services.connectivity, lp.lookups)
        for kind in ("contact", "group", "activity", "sale"):
            lp.models[kind].set_lookup(self._lookup_for(kind))
        for model in lp.models.values():
            model.is_conflict = self._conflict_ids.__contains__
        lp.attach(
            services.browse,
            is_pending=self._pending_ids.__contains__,
            resolve_name=self._resolve_name,
        )
        self._connectivity(services.connectivity.state)
        self._queue_status(services.writes.status)
        title = f"SalesNexus Desktop — {account}" if account else "SalesNexus Desktop"
        window.setWindowTitle(title)
        window.reach.bind(self)
        # after the first paint: the features' modules take a while to load
        self._bind_handle = asyncio.ensure_future(self._load_features())

    async def _load_features(self) -> None:
        await asyncio.sleep(FEATURES_DELAY)
        try:
            # import in a worker thread: importing ~40 modules would stall the GUI for ~50 ms;
            # the modules only define classes, nothing is created until bind()
            await asyncio.to_thread(_preload_feature_modules)
        except Exception:
            log.exception("loading the editing and document features failed")
        if not self._features_bound:
            self._features_bound = True
            self.window.features.bind(self.services)

    async def aclose(self) -> None:
        """Unbind the features (uploads in flight are cancelled), then everything else."""
        self._bind_handle.cancel()
        if self._features_bound:
            await self.window.features.unbind()
        self.close()

    def close(self) -> None:
        """Disconnect from the services; the window keeps showing nothing."""
        self.bridge.close()
        if self._names_task is not None:
            self._names_task.cancel()
        w = self.window
        self.cancel_priming()
        try:
            w.actions_.make_offline.triggered.disconnect(self._prime_slot)
            w.status.jobCancelled.disconnect(self.cancel_priming)
            w.status.workOfflineToggled.disconnect(self.set_work_offline)
            w.actions_.work_offline.toggled.disconnect(self.set_work_offline)
        except (RuntimeError, TypeError):
            pass
        w.reach.unbind()
        w.list_pane.detach()
        w.status.set_connection("signed-out")
        for model in w.list_pane.models.values():
            model.set_lookup(None)
            model.is_conflict = None
        w.detail.set_conflicts(set())
        w.detail.detach()

    def _lookup_for(self, kind: str) -> Lookup:
        """Rows scrolled far away are dropped from memory and read again from the store."""
        cache = self.services.store.cache
        from snx_desktop.services.browse import with_id

        def lookup(ids: list[str]) -> dict[str, dict[str, str]]:
            found = cache.get_records(kind, ids)
            return {rid: with_id(kind, rid, c.value) for rid, c in found.items()}

        return lookup

    # -- schema --------------------------------------------------------------------------------
    def apply_schema(self, schema: Schema | None) -> None:
        if schema is None:
            return
        self.schema = SchemaView(schema)
        lookups = lookups_from_schema(schema, self.window.list_pane.lookups)
        for kind in _LIST_KINDS:
            self.window.list_pane.set_columns(
                kind, list_columns(kind, self.schema.fields, self.schema.layouts, lookups)
            )
        self.window.detail.set_schema(self.schema, lookups)
        self.window.list_pane.pending_model.set_label(self.schema.label)

    def _resolve_name(self, record_id: str) -> str:
        """A contact's or group's name from the offline store (for activity and sales rows)."""
        if record_id in self._name_cache:
            return self._name_cache[record_id]
        name = ""
        cache = self.services.store.cache
        for kind, table in (("contact", "Contact"), ("group", "Group")):
            try:
                cached = cache.get_record(kind, record_id)
            except Exception:
                log.debug("name lookup failed", exc_info=True)
                cached = None
            if cached is not None:
                name = self.schema.display_name(table, cached.value)
                break
        self._name_cache[record_id] = name
        if not name:
            self._ask_names(record_id)
        return name

    def _ask_names(self, record_id: str) -> None:
        """Collect unknown contact ids; one batched request asks the server for their names."""
        if len(self._missing) >= NAME_BATCH or record_id in self._asked:
            return
        self._missing.add(record_id)
        if self._names_task is None or self._names_task.done():
            self._names_task = asyncio.ensure_future(self._fetch_names())

    async def _fetch_names(self) -> None:
        await asyncio.sleep(0.05)  # let the view ask for every visible row first
        ids, self._missing = sorted(self._missing), set()
        self._asked.update(ids)
        if not ids or not self.services.connectivity.is_online:
            return
        client = self.services.client
        results = await asyncio.gather(
            *(client.get_contact_info(i) for i in ids), return_exceptions=True
        )
        found = 0
        for rid, res in zip(ids, results, strict=True):
            if isinstance(res, BaseException):
                continue
            name = self.schema.display_name("Contact", res.field_data)
            if name:
                self._name_cache[rid] = name
                self.window.list_pane.lookups.contacts[rid] = name
                found += 1
        if found:
            self.window.list_pane.repaint_rows()
            self.window.detail.repaint_rows()

    # -- state ---------------------------------------------------------------------------------
    def set_work_offline(self, on: bool) -> None:
        self.services.connectivity.set_work_offline(bool(on))

    def _connectivity(self, state: ConnState) -> None:
        value = str(state.value)
        self.window.status.set_connection(value)
        action = self.window.actions_.work_offline
        action.blockSignals(True)
        action.setChecked(value == "working-offline")
        action.blockSignals(False)
        self.window.detail.follow_connection()

    def _queue_status(self, status: QueueStatus) -> None:
        writes = self.services.writes
        pending, failed, conflicts = status.pending, status.failed, status.conflicts
        self.window.status.set_pending(pending, failed, conflicts)
        label = self.window.status.pending
        if pending and status.paused:
            label.setText(f"{label.text()} · paused until you sign in again")
            label.setToolTip("The session expired: sign in again to send these changes.")
        else:
            label.setToolTip("")
        self.window.navigation.set_pending_count(pending)
        try:
            ids = set(writes.pending_ids())
            ops = list(writes.pending())
            held = {c.target[1] for c in writes.conflicts()} if status.conflicts else set()
        except Exception:
            log.exception("reading the write queue failed")
            return
        if held != self._conflict_ids:
            self._conflict_ids.clear()
            self._conflict_ids.update(held)
            for model in self.window.list_pane.models.values():
                model.repaint()
            self.window.detail.set_conflicts(held)
        if ids != self._pending_ids:
            self._pending_ids.clear()
            self._pending_ids.update(ids)
            for model in self.window.list_pane.models.values():
                model.refresh_pending()
        self.window.list_pane.pending_model.set_ops(ops)
        self.window.list_pane.update_status(self.window.list_pane.section)

    def _changed(self, change: Change) -> None:
        """Refresh only what ``change`` touched."""
        detail = self.window.detail
        ids = set(change.ids)
        parent = change.parent
        id_map: Mapping[str, str] = change.id_map
        # names not found before may be in the cache now; names found stay
        for table in (self._name_cache, self.window.list_pane.lookups.contacts):
            for key in [k for k, v in table.items() if not v]:
                del table[key]
        if detail.record_id and (
            detail.record_id in ids
            or (parent is not None and parent[1] == detail.record_id)
            or detail.record_id in id_map
        ):
            if change.action == "deleted" and detail.record_id in ids:
                detail.clear()
            elif detail.record_id in id_map:
                detail.open_record(detail.kind, id_map[detail.record_id], None)
            else:
                detail.show_cached()  # the cache already holds the change: no request
        if change.kind in ("contact", "group") and change.action != "created":
            # a renamed contact or group: rows naming it are drawn again with the new name
            renamed = ids | set(id_map.values())
            for table in (self._name_cache, self.window.list_pane.lookups.contacts):
                for key in renamed & set(table):
                    del table[key]
            self.window.list_pane.repaint_rows()
            self.window.detail.repaint_rows()
        self.live.apply(change)

    def _prime_slot(self) -> None:
        self._prime_task = asyncio.ensure_future(self.make_available_offline())

    async def make_available_offline(self) -> PrimingResult | None:
        """Prime the offline store (contacts, groups, the rep's activities); progress shown."""
        if self._priming_job is not None and not self._priming_job.done:
            return None
        try:
            self._priming_job = self.services.priming.start()
            result = await self._priming_job.wait()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.window.status.set_job("", 0, 0, True)
            messages.error(f"Saving for offline use stopped: {exc}")
            return None
        finally:
            self._priming_job = None
        self.window.status.set_job(
            "Saving for offline use cancelled" if result.cancelled else "Saved for offline use",
            0,
            0,
            True,
        )
        return result

    def cancel_priming(self) -> None:
        job = self._priming_job
        if job is not None:
            job.cancel()

    def _priming(self, progress: Progress) -> None:
        done, total = progress.done, progress.total
        if total and done >= total:
            return  # make_available_offline() reports the end
        self.window.status.set_job(f"Saving for offline use: {progress.stage}", done, total, False)

    def _op_done(self, outcome: OpOutcome) -> None:
        if outcome.ok:
            return
        error = readable_error(outcome.error or "")
        messages.error(
            f"A change could not be sent: {error} It is kept in Pending changes: retry or "
            "discard it there."
        )
